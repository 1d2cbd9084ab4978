"""Shared helpers for the peer benchmarks: the benchmark texts, statistics, a streaming
HTTP client that timestamps every piece of audio it receives, launching the server, and
bare ONNX Runtime runs.

Standard library only, except `BareORT` (numpy + onnxruntime, imported when used)."""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
SAMPLE_RATE = 24_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # s16le mono
WAV_HEADER = 44


def parse_texts(path: str | os.PathLike) -> dict[str, str]:
    """The `## sentence` and `## paragraph` sections of the benchmark texts (lines joined by spaces)."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip().lower()
            sections[current] = []
        elif current is not None and line.strip():
            sections[current].append(line.strip())
    texts = {name: " ".join(lines) for name, lines in sections.items()}
    missing = [name for name in ("sentence", "paragraph") if not texts.get(name)]
    if missing:
        raise SystemExit(f"{path}: missing section(s) {', '.join('## ' + m for m in missing)}")
    return texts


def median(values):
    return statistics.median(values) if values else None


def percentile(values, p):
    """Linear-interpolated percentile (numpy's default), None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM / Threads of a process, in kB (Threads as a count); empty when gone."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def write_json(path: str | os.PathLike, data, markdown: str | None = None) -> str:
    """Writes `data` as JSON to `path` and, when given, `markdown` next to it as .md."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    if markdown is not None:
        path.with_suffix(".md").write_text(markdown)
    return str(path)


# --- HTTP ---------------------------------------------------------------------------------


@dataclass
class StreamResult:
    status: int = 0
    ttfa: float | None = None          # request sent -> first audio byte (after the WAV header)
    headers_at: float | None = None    # request sent -> status line and headers parsed
    total: float | None = None         # request sent -> last byte
    audio_bytes: int = 0
    retry_after: str | None = None
    error: str | None = None
    # (seconds since the request was sent, audio bytes received so far) after each read
    arrivals: list[tuple[float, int]] = field(default_factory=list)

    @property
    def audio_seconds(self) -> float:
        return self.audio_bytes / BYTES_PER_SECOND


def speech(host: str, port: int, text: str, voice: str = "af_heart", fmt: str = "pcm",
           speed: float = 1.0, timeout: float = 120.0, keep_arrivals: bool = False,
           deadline: float | None = None, stream: bool = True, no_cache: bool = True,
           first_audio_only: bool = False) -> StreamResult:
    """POST /v1/audio/speech (stream=true by default) and read the body as it arrives.

    TTFA is the time from just before the request is written to the first audio byte:
    the first body byte for pcm (and the encoded formats), the first byte after the 44-byte
    header for wav. `no_cache` (the default) keeps the server's audio cache out of it: every
    figure is a model run. `first_audio_only` hangs up at the first audio byte (the server
    then cancels the rest); `total` is then that moment."""
    body = json.dumps({"model": "kokoro", "input": text, "voice": voice, "response_format": fmt,
                       "speed": speed, "stream": stream, "no_cache": no_cache}).encode()
    skip = WAV_HEADER if fmt == "wav" else 0
    result = StreamResult()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.connect()
        t0 = time.perf_counter()
        conn.request("POST", "/v1/audio/speech", body=body,
                     headers={"Content-Type": "application/json", "Connection": "close"})
        resp = conn.getresponse()
        result.headers_at = time.perf_counter() - t0
        result.status = resp.status
        result.retry_after = resp.getheader("Retry-After")
        if resp.status != 200:
            resp.read()
            result.total = time.perf_counter() - t0
            return result
        received = 0
        while True:
            data = resp.read1(65536)
            now = time.perf_counter() - t0
            if not data:
                break
            received += len(data)
            audio = max(0, received - skip)
            if audio > 0 and result.ttfa is None:
                result.ttfa = now
            if keep_arrivals and audio > 0:
                result.arrivals.append((now, audio))
            if first_audio_only and audio > 0:
                break
            if deadline is not None and time.perf_counter() > deadline:
                result.error = "deadline"
                break
        result.total = time.perf_counter() - t0
        result.audio_bytes = max(0, received - skip)
    except (OSError, http.client.HTTPException) as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        conn.close()
    return result


def loopback(url: str, name: str) -> tuple[str, int]:
    """(host, port) of a server URL such as http://127.0.0.1:8880; only loopback is accepted."""
    parsed = urlparse(url if "://" in url else "http://" + url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"{name}: only loopback servers are benchmarked here")
    return host, port


def get_json(host: str, port: int, path: str, body=None, timeout: float = 30.0):
    """GET (or POST JSON when body is given) and decode JSON; (status, data or None)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if body is None:
            conn.request("GET", path)
        else:
            conn.request("POST", path, body=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, None
    finally:
        conn.close()


def status_of(host: str, port: int, path: str, timeout: float = 1.0) -> int | None:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def segments_from_server(host: str, port: int, text: str, voice: str) -> list[list[int]]:
    """The token lists the server will synthesize, in order (POST /dev/phonemize)."""
    status, data = get_json(host, port, "/dev/phonemize", {"input": text, "voice": voice})
    if status != 200 or not data:
        raise RuntimeError(f"/dev/phonemize answered {status}: {data!r}")
    segments = [s["tokens"] for s in data.get("segments") or [] if s.get("tokens")]
    if not segments and data.get("tokens"):
        segments = [data["tokens"]]
    if not segments:
        raise RuntimeError(f"/dev/phonemize gave no tokens: {data!r}")
    return segments


# --- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`kokoro serve` on 127.0.0.1 with its default pool (extra arguments may change it), its
    output appended to `log_path`."""

    def __init__(self, binary: str, port: int, extra: list[str], log_path: Path):
        self.cmd = [binary, "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
        self.port = port
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> dict:
        """Launch and poll /ready every 10 ms; seconds from launch to /health and to /ready 200."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        health = None
        while True:
            now = time.perf_counter() - t0
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode} before ready; see {self.log_path}:\n"
                                   + self.log_tail())
            if now > timeout:
                self.stop()
                raise RuntimeError(f"server not ready after {timeout} s; see {self.log_path}")
            code = status_of("127.0.0.1", self.port, "/ready", timeout=0.5)
            if code is not None and health is None:
                health = time.perf_counter() - t0  # it answered at all (/ready 503 or 200)
            if code == 200:
                return {"ready_seconds": time.perf_counter() - t0, "first_answer_seconds": health}
            time.sleep(0.01)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


# --- bare ONNX Runtime ----------------------------------------------------------------------


class BareORT:
    """One InferenceSession on the model; `run(tokens)` times a single Run of those tokens
    padded with 0 at both ends, style = the voice's row len(tokens) - 1, speed 1."""

    def __init__(self, model: str, voices: str, voice: str, threads: int):
        import numpy as np
        import onnxruntime as ort

        self.np = np
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # The server's own settings: threads sleep between runs. Spinning threads here would
        # also keep burning the 2 cores while the server handles the next, interleaved request.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        t0 = time.perf_counter()
        self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        self.load_seconds = time.perf_counter() - t0
        self.version = ort.__version__
        self.threads = threads
        names = [i.name for i in self.session.get_inputs()]
        self.tokens_input = "input_ids" if "input_ids" in names else "tokens"
        self.pack = np.load(voices)[voice].astype(np.float32)  # (510, 1, 256)

    def describe(self) -> dict:
        return {"split_graphs": getattr(self, "split_graphs", None), "onnxruntime": self.version, "intra_op_threads": self.threads, "inter_op_threads": 1,
                "graph_optimization": "ORT_ENABLE_ALL", "execution_mode": "sequential",
                "providers": self.session.get_providers(), "session_load_seconds": round(self.load_seconds, 4)}

    def load_split(self, model: str, statistics_dir: str, voice: str, window: int = 20, context: int = 16) -> bool:
        """Loads the front, the calibrated decoder (the graphs the server uses) and `voice`'s
        decoder statistics made by set-up beside `model`, so `run_first_window` can time what
        the server's first audio waits for. False (and nothing loaded) when any is missing."""
        import onnxruntime as ort
        stem = model[:-len(".onnx")] if model.endswith(".onnx") else model
        # The graphs the server loads: with int8 weights when set-up made all four (AssetLocations.splitModel).
        signed = [f"{stem}.{graph}-s8.onnx" for graph in ("front", "decoder", "decoder-probe", "decoder-calibrated")]
        suffix = "-s8" if all(os.path.exists(path) for path in signed) else ""
        paths = [f"{stem}.front{suffix}.onnx", f"{stem}.decoder-calibrated{suffix}.onnx", os.path.join(statistics_dir, f"{voice}.npy"),
                 os.path.join(statistics_dir, "calibration.json")]
        if not all(os.path.exists(path) for path in paths):
            return False
        options = self.session.get_session_options()
        self.front = ort.InferenceSession(paths[0], options, providers=["CPUExecutionProvider"])
        self.decoder = ort.InferenceSession(paths[1], options, providers=["CPUExecutionProvider"])
        self.split_graphs = [os.path.basename(path) for path in paths[:2]]
        self.anchors = json.load(open(paths[3]))["anchors"]
        self.statistics = self.np.load(paths[2])[:, 256:]
        self.window, self.context = window, context
        return True

    def run_first_window(self, tokens: list[int], window: int | None = None) -> float:
        """Seconds for the front on the sentence and the decoder on its first window, as the
        server streams it: `window` frames (default the design's 20: 15 of speech) from 5 before the first
        token's, 16 frames of context on both sides where the sentence has them, the voice's
        statistics interpolated in log style row between anchors."""
        np = self.np
        window = window or self.window
        ids = np.array([[0, *tokens, 0]], dtype=np.int64)
        row = min(len(tokens), len(self.pack)) - 1
        style = self.pack[row].reshape(1, 256)
        r = min(max(row, self.anchors[0]), self.anchors[-1])
        upper = next(i for i, a in enumerate(self.anchors) if a >= r)
        lower = max(upper - 1, 0)
        t = 0.0 if upper == lower else np.log(r / self.anchors[lower]) / np.log(self.anchors[upper] / self.anchors[lower])
        statistics = ((1 - t) * self.statistics[lower] + t * self.statistics[upper]).astype(np.float32)
        t0 = time.perf_counter()
        features, f0, energy, durations = self.front.run(["features", "f0", "energy", "durations"],
                                                          {"tokens": ids, "style": style, "speed": np.array([1.0], dtype=np.float32)})
        frames = features.shape[2]
        lead = max(0, int(durations[0][0]) - 5)
        low, high = max(0, lead - self.context), min(frames, lead + window + self.context)
        harmonics = np.arange(1, 10, dtype=np.float32)
        steps = f0[0, :2 * low, None].astype(np.float32) * harmonics / 24000
        phase = np.sum(steps - np.floor(steps), axis=0, dtype=np.float32).reshape(1, 9)
        self.decoder.run(["audio"], {"features": features[:, :, low:high], "f0": f0[:, 2 * low:2 * high],
                                     "energy": energy[:, 2 * low:2 * high], "style": style, "phase": phase,
                                     "statistics": statistics})
        return time.perf_counter() - t0

    def run(self, tokens: list[int]) -> tuple[float, int]:
        """(seconds for one Run, samples of audio it made)."""
        np = self.np
        ids = np.array([[0, *tokens, 0]], dtype=np.int64)
        style = self.pack[min(len(tokens), len(self.pack)) - 1].reshape(1, 256)
        speed = np.array([1.0], dtype=np.float32)
        t0 = time.perf_counter()
        audio = self.session.run(None, {self.tokens_input: ids, "style": style, "speed": speed})[0]
        return time.perf_counter() - t0, int(np.asarray(audio).size)
