#!/usr/bin/env python3
"""Reliability benchmark: can any client pattern exhaust the server? Loopback only, bounded
in count and time.

    scripts/bench/reliability.py [--binary .build/release/kokoro] [--storm 100] [--soak 1000]
                                 [--out reports/reliability.json]

Starts its own server (127.0.0.1, a free port, the default pool, --stall-timeout 10) and runs:
 1. disconnect storm: `--storm` clients each send a speech request and hang up at a random
    moment (0-2 s; half abortively with RST); afterwards /v1/stats must show 0 active and 0
    queued (no leaked slot), and the next request is served;
 2. slow readers: two clients read one byte a second for 20 s and one reads nothing; the
    silent one must be cut off at the stall timeout; RSS is sampled throughout;
 3. soak: `--soak` requests, two at a time, mixing formats, voices, blends, inline pauses,
    streamed and whole, and bad inputs (each bad input must get its documented 4xx; 503s
    are retried after Retry-After): failures must be 0; RSS slope over the second half;
 4. maximal requests: the longest blend (8 voices), the most pauses allowed (59 x 30 s and
    a word, near the 1800 s limit, whole WAV file), 61 pauses (413), the largest input (--max-input
    characters; streamed, read for 20 s then closed unless --full-max-input), a 60,000-term
    blend (400); peak RSS after each;
 5. drain: a stream runs, SIGTERM: /ready must answer 503 at once, a new request 503, the
    stream must finish whole, and the process exit 0.
Prints a summary, writes JSON (and .md). Exits 1 when a check failed. The peak RSS (VmHWM)
over the whole run is the figure the hardening issue bounds (600 MB)."""

from __future__ import annotations

import argparse
import http.client
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, Server, free_port, get_json, proc_status, speech, status_of, write_json  # noqa: E402

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "On March 3rd, 2024, the store sold 1,250 widgets for $4.99 each.",
    "Dr. Smith's appointment is at 10:30 a.m. on Tuesday.",
    "Please call me back when you get this message.",
    "It was the best of times, it was the worst of times.",
]


def rss_mb(pid: int) -> float:
    return proc_status(pid).get("VmRSS", 0) / 1024


def peak_mb(pid: int) -> float:
    return proc_status(pid).get("VmHWM", 0) / 1024


def queue_state(port: int) -> tuple[int, int]:
    status, data = get_json("127.0.0.1", port, "/v1/stats")
    queue = (data or {}).get("queue", {})
    return queue.get("active", -1), queue.get("queued", -1)


def raw_request(port: int, body: dict, receive_buffer: int | None = None) -> socket.socket:
    s = socket.socket()
    if receive_buffer:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    s.connect(("127.0.0.1", port))
    data = json.dumps(body).encode()
    s.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
    return s


def wait_idle(port: int, timeout: float) -> float | None:
    """Seconds until nothing is active or queued, or None if that did not happen in time."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if queue_state(port) == (0, 0):
            return time.perf_counter() - start
        time.sleep(0.1)
    return None


def post(port: int, body: dict, timeout: float = 600.0) -> tuple[int, int, str | None]:
    """(status, body bytes, Retry-After) of a speech request read to the end."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/v1/audio/speech", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, len(resp.read()), resp.getheader("Retry-After")
    finally:
        conn.close()


def storm(port: int, pid: int, clients: int, rng: random.Random) -> dict:
    before = rss_mb(pid)

    def client(index: int):
        try:
            s = raw_request(port, {"input": rng.choice(SENTENCES) + " " + rng.choice(SENTENCES),
                                   "response_format": rng.choice(["mp3", "pcm", "wav", "opus"]),
                                   "stream": index % 5 != 0, "no_cache": True})
            time.sleep(rng.uniform(0, 2))
            if index % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        except OSError:
            pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    settled = wait_idle(port, 120)
    status, size, _ = post(port, {"input": "Still serving.", "response_format": "pcm"})
    return {"clients": clients, "settled_seconds": settled, "leaked": settled is None, "next_status": status,
            "rss_before_mb": round(before, 1), "rss_after_mb": round(rss_mb(pid), 1),
            "ok": settled is not None and status == 200 and size > 0}


def slow_readers(port: int, pid: int, seconds: float, stall_timeout: float) -> dict:
    text = " ".join(SENTENCES * 8)
    slow = [raw_request(port, {"input": text, "response_format": "pcm", "no_cache": True}, receive_buffer=4096) for _ in range(2)]
    silent = raw_request(port, {"input": text, "response_format": "pcm", "no_cache": True}, receive_buffer=4096)
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for s in slow:
            try:
                s.recv(1)
            except OSError:
                pass
        samples.append(rss_mb(pid))
        time.sleep(1)
    # The silent reader: its connection must have been closed by the server.
    silent.settimeout(5)
    closed = False
    try:
        while True:
            data = silent.recv(65536)
            if not data:
                closed = True
                break
    except OSError:
        closed = True
    for s in slow + [silent]:
        s.close()
    settled = wait_idle(port, 60)
    return {"seconds": seconds, "stall_timeout": stall_timeout, "silent_reader_cut_off": closed,
            "rss_min_mb": round(min(samples), 1), "rss_max_mb": round(max(samples), 1), "settled_seconds": settled,
            "ok": closed and settled is not None}


def soak(port: int, pid: int, requests: int, rng: random.Random) -> dict:
    good_voices = ["af_heart", "am_michael", "bf_emma", "af_heart(2)+am_michael(1)", "af_bella+af_sky+am_adam"]
    bad = [
        ({"input": ""}, 400), ({"input": "Hi", "voice": "nobody"}, 404), ({"input": "Hi", "speed": 9}, 400),
        ({"input": "Hi", "response_format": "xyz"}, 400), ({"voice": "af_heart"}, 400), ({"input": "Hi", "model": "nope"}, 400),
        ({"input": "Hi", "voice": "+".join(["af_heart"] * 9)}, 400), ({"input": "[pause:30s]" * 61}, 413),
        ({"input": "Hi", "lang": "xx"}, 400), ({"input": 5}, 400),
    ]
    counts: dict[str, int] = {}
    failures: list[dict] = []
    rss: list[tuple[int, float]] = []
    lock = threading.Lock()
    plan = []
    for index in range(requests):
        if index % 4 == 3:
            body, expected = rng.choice(bad)
        else:
            pause = f" [pause:{rng.choice([0.2, 0.5, 1])}s] " if rng.random() < 0.3 else " "
            body = {"input": rng.choice(SENTENCES) + pause + rng.choice(SENTENCES), "voice": rng.choice(good_voices),
                    "response_format": rng.choice(["mp3", "pcm", "wav", "opus", "flac", "aac"]),
                    "stream": rng.random() < 0.7, "no_cache": rng.random() < 0.8}
            expected = 200
        plan.append((body, expected))
    next_index = [0]

    def worker():
        while True:
            with lock:
                if next_index[0] >= len(plan):
                    return
                index = next_index[0]
                next_index[0] += 1
            body, expected = plan[index]
            deadline = time.perf_counter() + 300
            while True:
                try:
                    status, size, retry = post(port, body)
                except (OSError, http.client.HTTPException) as error:
                    status, size, retry = -1, 0, None
                    failure = str(error)
                if status == 503 and time.perf_counter() < deadline:
                    with lock:
                        counts["503 retried"] = counts.get("503 retried", 0) + 1
                    time.sleep(float(retry or 1))
                    continue
                break
            with lock:
                counts[str(status)] = counts.get(str(status), 0) + 1
                if status != expected or (status == 200 and size == 0):
                    failures.append({"index": index, "body": json.dumps(body)[:200], "status": status, "expected": expected})
                rss.append((index, rss_mb(pid)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    half = sorted(rss)[len(rss) // 2:]
    slope = None
    if len(half) > 2:
        xs, ys = [x for x, _ in half], [y for _, y in half]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        var = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var * 100 if var else 0.0
    return {"requests": requests, "seconds": round(time.perf_counter() - start, 1), "status_counts": counts,
            "failures": len(failures), "failure_examples": failures[:10],
            "rss_slope_mb_per_100_requests_second_half": None if slope is None else round(slope, 2),
            "rss_end_mb": round(rss_mb(pid), 1), "ok": not failures}


def maximal(port: int, pid: int, max_input: int, full: bool) -> dict:
    results = {}

    def record(name, status, expected, extra=None):
        results[name] = {"status": status, "expected": expected, "peak_rss_mb": round(peak_mb(pid), 1),
                         "rss_mb": round(rss_mb(pid), 1), **(extra or {}), "ok": status == expected}

    eight = "+".join(["af_heart", "am_michael", "bf_emma", "af_bella", "af_sky", "am_adam", "bm_george", "af_nicole"])
    status, size, _ = post(port, {"input": SENTENCES[0], "voice": eight, "response_format": "wav", "stream": False})
    record("longest blend (8 voices)", status, 200, {"bytes": size})
    status, size, _ = post(port, {"input": "Start. " + "[pause:30s]" * 59, "response_format": "wav", "stream": False})
    record("most pauses (59 x 30 s and a word, whole WAV)", status, 200, {"bytes": size})
    status, size, _ = post(port, {"input": "[pause:30s]" * 61, "response_format": "wav", "stream": False})
    record("61 pauses, over the limit", status, 413)
    status, size, _ = post(port, {"input": "Hi.", "voice": "+".join(["af_heart"] * 60_000)})
    record("60,000-term blend", status, 400)
    text = (" ".join(SENTENCES) + " ") * (max_input // (len(" ".join(SENTENCES)) + 1) + 1)
    text = text[:max_input]
    if full:
        status, size, _ = post(port, {"input": text, "response_format": "wav", "stream": False}, timeout=3600)
        record(f"largest input ({max_input} characters, whole WAV)", status, 200, {"bytes": size})
    else:
        s = raw_request(port, {"input": text, "response_format": "pcm", "no_cache": True})
        s.settimeout(60)
        received, start = 0, time.perf_counter()
        head = b""
        try:
            while time.perf_counter() - start < 20:
                data = s.recv(65536)
                if not data:
                    break
                if not head:
                    head = data[:12]
                received += len(data)
        except OSError:
            pass
        s.close()
        status = int(head[9:12]) if head.startswith(b"HTTP/1.1") else -1
        record(f"largest input ({max_input} characters, streamed 20 s)", status, 200, {"bytes": received})
    wait_idle(port, 60)
    return results


def drain(server: Server) -> dict:
    port, proc = server.port, server.proc
    result: dict = {}
    holder: dict = {}

    def stream():
        holder["result"] = speech("127.0.0.1", port, " ".join(SENTENCES[:3]), fmt="pcm", timeout=120)

    t = threading.Thread(target=stream)
    t.start()
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    result["ready_after_sigterm"] = status_of("127.0.0.1", port, "/ready", timeout=2)
    try:
        result["new_request_after_sigterm"] = post(port, {"input": "Too late."}, timeout=10)[0]
    except OSError as error:
        result["new_request_after_sigterm"] = f"refused ({error})"
    t.join()
    stream_result = holder.get("result")
    result["running_stream_status"] = stream_result.status if stream_result else None
    result["running_stream_audio_seconds"] = round(stream_result.audio_seconds, 2) if stream_result else None
    result["running_stream_error"] = stream_result.error if stream_result else None
    try:
        result["exit_code"] = proc.wait(60)
    except Exception:  # noqa: BLE001
        result["exit_code"] = None
    server.proc = None
    result["ok"] = (result["ready_after_sigterm"] == 503 and result["new_request_after_sigterm"] == 503
                    and result["running_stream_status"] == 200 and not result["running_stream_error"]
                    and (result["running_stream_audio_seconds"] or 0) > 3 and result["exit_code"] == 0)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", "--bin", default=str(REPO / ".build/release/kokoro"))
    parser.add_argument("--storm", type=int, default=100)
    parser.add_argument("--soak", type=int, default=1000)
    parser.add_argument("--slow-seconds", type=float, default=20)
    parser.add_argument("--max-input", type=int, default=20_000)
    parser.add_argument("--full-max-input", action="store_true", help="make the largest input's whole file (minutes)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(REPO / "reports/reliability.json"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    stall = 10.0
    server = Server(args.binary, free_port(), ["--stall-timeout", str(stall), "--max-input", str(args.max_input)],
                    Path(args.out).with_name("reliability-server.log"))
    start = server.start(timeout=300)
    pid = server.pid
    report = {"server": start, "rss_ready_mb": round(rss_mb(pid), 1)}
    try:
        for name, run in [("storm", lambda: storm(server.port, pid, args.storm, rng)),
                          ("slow_readers", lambda: slow_readers(server.port, pid, args.slow_seconds, stall)),
                          ("soak", lambda: soak(server.port, pid, args.soak, rng)),
                          ("maximal", lambda: maximal(server.port, pid, args.max_input, args.full_max_input))]:
            began = time.perf_counter()
            report[name] = run()
            print(f"{name}: {json.dumps(report[name])[:600]} ({time.perf_counter() - began:.0f} s)", flush=True)
        report["peak_rss_mb"] = round(peak_mb(pid), 1)
        report["drain"] = drain(server)
        print(f"drain: {json.dumps(report['drain'])}", flush=True)
    finally:
        server.stop()
    checks = {"storm": report["storm"]["ok"], "slow_readers": report["slow_readers"]["ok"], "soak": report["soak"]["ok"],
              "maximal": all(r["ok"] for r in report["maximal"].values()), "drain": report["drain"]["ok"],
              "peak_rss_under_600_mb": report["peak_rss_mb"] < 600}
    report["checks"] = checks
    lines = ["| check | result |", "|---|---|"] + [f"| {k} | {'pass' if v else 'FAIL'} |" for k, v in checks.items()]
    lines.append(f"\npeak RSS {report['peak_rss_mb']} MB (ready {report['rss_ready_mb']} MB)")
    print("\n".join(lines))
    print("wrote", write_json(args.out, report, "\n".join(lines) + "\n"))
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
