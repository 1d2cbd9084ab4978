#!/usr/bin/env python3
"""kokoro-swift's server against kokoro-onnx (PyPI) and bare ONNX Runtime, in one run on one
machine, with the same model file, voices file and voice. Run through scripts/bench-peers,
which prepares the venv (kokoro-onnx 0.6.1, onnxruntime 1.32.0) and the release binary.

Phases, one at a time so they do not compete for the 2 cores:
 1. server start-up: one warm-up start (page cache), then N starts timed from process launch
    to the first 200 from GET /ready (polled every 10 ms); the last one stays up.
 2. warm-server TTFA of sentence and paragraph (ttfa.py), interleaved with bare ORT runs of
    the server's own first segment (and of all the paragraph's segments) in this process.
 3. simultaneous real-time streams (streams.py), then the server's VmHWM; server stopped.
 4. first request after /ready (first_request.py, --first-request-starts, default 5; 0 skips):
    fresh launches, the sentence sent the moment /ready is 200, against the median of the
    next 8, each request paired with a warm reference server's run of it (the machine's drift
    cancels); judged on the median over starts; one more launch for the paragraph's TTFA.
 5. memory soak (soak.py, --soak N requests; default 0 = skipped, 1000 take ~25 min): a fresh
    server, N varied requests 2 at a time, RSS sampled throughout, its slope.
 6. kokoro-onnx in a subprocess: N start-ups (import + Kokoro(...)), then TTFA via
    create_stream, paragraph totals (stream drained, and create()), its ru_maxrss.
Writes reports/bench-peers.json (all raw values) and reports/bench-peers.md, and the phases'
own reports (bench-ttfa.json, first-request.json/.md, soak.json/.md)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import streams  # noqa: E402
import first_request  # noqa: E402
import soak  # noqa: E402
import ttfa  # noqa: E402
from common import (REPO, BareORT, Server, free_port, get_json, loadavg, median, parse_texts,  # noqa: E402
                    proc_status, ratio, write_json)

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))


def log(*parts):
    print("bench-peers:", *parts, flush=True)


def busy_processes(window: float = 1.0) -> list[str]:
    """Other processes that used at least 5 % of a core over the last `window` seconds (for
    the report's honesty about load): CPU time from /proc before and after, so a process
    that was busy once (ps's pcpu is a lifetime average) or is a zombie is not listed."""
    def cpu_times() -> dict[int, tuple[int, str]]:
        times = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2:].split()
            times[int(entry)] = (int(fields[11]) + int(fields[12]), name)
        return times
    before = cpu_times()
    time.sleep(window)
    after = cpu_times()
    ticks = os.sysconf("SC_CLK_TCK") * window
    busy = sorted(((after[pid][0] - before[pid][0]) / ticks * 100, pid, after[pid][1]) for pid in after.keys() & before.keys())
    return [f"{share:.0f}% {pid} {name}" for share, pid, name in reversed(busy) if share >= 5]


def source_state(binary: str) -> dict:
    """Which commit the binary was built from (as far as can be told) and when it was built."""
    def git(*a):
        try:
            return subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return None
    dirty = git("status", "--porcelain", "--", "Sources", "Package.swift")
    built = os.path.getmtime(binary) if os.path.exists(binary) else None
    ours = os.path.realpath(binary) == os.path.realpath(REPO / ".build/release/kokoro")
    return {"head": git("log", "-1", "--format=%h %s"), "sources_dirty": bool(dirty),
            "binary": None if ours else binary,
            "binary_built": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(built)) if built else None}


def run_kokoro_onnx(args, texts_path: str) -> dict:
    script = str(HERE / "kokoro_onnx_peer.py")
    base = [args.python, script, "--model", args.model, "--voices", args.voices, "--voice", args.voice]
    startups = []
    for i in range(args.runs + 1):  # the first is the warm-up (page cache, imports)
        t0 = time.perf_counter()
        out = subprocess.run([*base, "--startup-only"], capture_output=True, text=True, timeout=300)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            raise RuntimeError(f"kokoro-onnx start-up failed:\n{out.stderr[-2000:]}")
        info = json.loads(out.stdout.strip().splitlines()[-1])
        info["process_wall_seconds"] = wall
        if i:
            startups.append(info)
        log(f"kokoro-onnx start-up {'warm-up' if i == 0 else i}: construct {info['construct_seconds']:.3f} s, "
            f"import+construct {info['process_start_to_constructed_seconds']:.3f} s, process wall {wall:.3f} s")
    cmd = [*base, "--texts", texts_path, "--runs", str(args.runs)]
    if args.no_onnx_create:
        cmd.append("--no-create")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"kokoro-onnx run failed with {proc.returncode}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["startups"] = startups
    result["construct_seconds_median"] = median([s["construct_seconds"] for s in startups])
    result["import_and_construct_seconds_median"] = median([s["process_start_to_constructed_seconds"] for s in startups])
    return result


def offline_segments(texts: dict[str, str]) -> dict[str, list[list[int]]]:
    """Without our server: kokoro-onnx's phonemes, split at the first sentence end, only to
    exercise the bare-ORT code path (not the server's segmentation)."""
    from kokoro_onnx.tokenizer import Tokenizer

    tokenizer = Tokenizer()
    segments = {}
    for name, text in texts.items():
        if name not in ("sentence", "paragraph"):
            continue
        phonemes = tokenizer.phonemize(text, "en-us")
        cut = min((i for i in (phonemes.find(". "), phonemes.find("! "), phonemes.find("? ")) if i > 0), default=-1)
        pieces = [phonemes[:cut + 1], phonemes[cut + 2:]] if cut > 0 else [phonemes]
        segments[name] = []
        for piece in pieces:
            tokens = tokenizer.tokenize(piece)
            while tokens:
                segments[name].append(tokens[:510])
                tokens = tokens[510:]
    return segments


def fmt(x, unit="", scale=1.0, digits=3):
    if x is None:
        return "—"
    return f"{x * scale:.{digits}f}{unit}"


def verdict(ok):
    return "—" if ok is None else ("yes" if ok else "**no**")


def stream_rows(st: dict, arrival: str) -> list[list[str]]:
    """The table rows of one streams sweep (streams.py), `arrival` saying how clients came."""
    if not st:
        return []
    rows = []
    n = st.get("sustained_streams")
    # at the sustained load; when not even one stream was sustained, at 1 stream
    lv = next((lv for lv in st.get("levels", []) if lv["clients"] == max(n or 0, 1)), None)
    rows.append([f"Simultaneous real-time streams, {arrival}: no underrun, TTFA p95 ≤ 1 s (100 ms jitter buffer)", str(n),
                 "—", "—", "", "", "≥ 3.5 (so ≥ 4 of whole streams)", verdict(n is not None and n >= 4)])
    if st.get("ceiling"):
        c = st["ceiling"]
        rows.append(["Ceiling: streams at 100% use of the pool (1 / its measured busy RTF)",
                     f"{c['streams_at_full_use']:.2f} (RTF {c['real_time_factor']:.3f})", "—", "—", "", "", "", ""])
    if lv and not lv["sustained"]:
        rows.append([f"At {lv['clients']} stream(s): underruns (clients), worst deficit",
                     f"{lv['underruns']} ({lv['clients_with_underruns']}), "
                     f"{max((c['worst_deficit_seconds'] for c in lv['clients_detail'] if c), default=0):.2f} s",
                     "—", "—", "", "", "0", verdict(lv["underruns"] == 0)])
    rows.append([f"TTFA p50 / p95 at {lv['clients'] if lv else n} stream(s) (ms)",
                 (fmt(lv["ttfa_p50"], "", 1000, 0) + " / " + fmt(lv["ttfa_p95"], "", 1000, 0)) if lv else "—",
                 "—", "—", "", "", "p95 ≤ 1000", verdict(None if not lv else lv["ttfa_p95"] <= 1.0)])
    v = st.get("above_capacity_verdict") or {}
    if v:
        rows.append([f"Above capacity ({v['clients']} clients): 503/429s, slowest rejection, accepted streams that underran",
                     f"{v['rejected_503_429']}, {fmt(v['rejection_seconds_max'], ' ms', 1000, 0)}, {v['accepted_clients_with_underruns']}",
                     "—", "—", "", "", "fast 503s, no underruns",
                     verdict(v["fast_rejection_instead_of_underrun"]) if v["fast_rejection_instead_of_underrun"] is not None
                     else "— (all served: capacity not reached)"])
    return rows


def markdown(report: dict) -> str:
    s = report.get("server") or {}
    t = s.get("ttfa") or {}
    sv = t.get("server") or {}
    o = report.get("kokoro_onnx") or {}
    os_ = o.get("stream") or {}
    bare_para = t.get("bare_ort_paragraph") or {}

    def g(d, *keys):
        for k in keys:
            if not isinstance(d, dict) or d.get(k) is None:
                return None
            d = d[k]
        return d

    rows = []
    for name in ("sentence", "paragraph"):
        sw = g(sv, name, "ttfa_median")
        on = g(os_, name, "ttfa_median")
        ba = g(sv, name, "bare_ort_first_segment_median")
        limit = 0.5 if name == "sentence" else 0.1
        r_on, r_ba = ratio(sw, on), ratio(sw, ba)
        ok = None if r_on is None or r_ba is None else (r_on <= limit and r_ba <= 1.10)
        rows.append([f"TTFA {name} (ms, median)", fmt(sw, "", 1000, 1), fmt(on, "", 1000, 1),
                     fmt(ba, "", 1000, 1) + " (1st segment)", fmt(r_on, "×", 1, 3), fmt(r_ba, "×", 1, 3),
                     f"≤ {limit}× kokoro-onnx, ≤ 1.10× bare", verdict(ok)])
    p_s = ratio(g(sv, "paragraph", "ttfa_median"), g(sv, "sentence", "ttfa_median"))
    p_o = ratio(g(os_, "paragraph", "ttfa_median"), g(os_, "sentence", "ttfa_median"))
    rows.append(["TTFA paragraph ÷ sentence", fmt(p_s, "×"), fmt(p_o, "×"), "—", "—", "—", "≤ 1.2×",
                 verdict(None if p_s is None else p_s <= 1.2)])
    sw_total, on_total = g(sv, "paragraph", "total_median"), g(os_, "paragraph", "stream_total_median")
    rows.append(["Paragraph total (s, median; kokoro-onnx: create_stream drained)", fmt(sw_total), fmt(on_total),
                 fmt(bare_para.get("seconds_median")) + " (sum of segment runs)", fmt(ratio(sw_total, on_total), "×"),
                 fmt(ratio(sw_total, bare_para.get("seconds_median")), "×"), "", ""])
    create = g(o, "create_paragraph", "total_median")
    if create is not None:
        rows.append(["Paragraph total with kokoro-onnx create() (s, median)", "—", fmt(create), "—",
                     fmt(ratio(sw_total, create), "×"), "—", "", ""])
    sw_audio, on_audio = g(sv, "paragraph", "audio_seconds_median"), g(os_, "paragraph", "audio_seconds_median")
    rows.append(["Paragraph audio (s)", fmt(sw_audio, digits=2), fmt(on_audio, digits=2),
                 fmt(bare_para.get("audio_seconds"), digits=2), "", "", "", ""])
    sw_rtf, on_rtf = ratio(sw_total, sw_audio), ratio(on_total, on_audio)
    rows.append(["Paragraph RTF (total ÷ audio)", fmt(sw_rtf), fmt(on_rtf), fmt(bare_para.get("rtf_median")),
                 fmt(ratio(sw_rtf, on_rtf), "×"), fmt(ratio(sw_rtf, bare_para.get("rtf_median")), "×"), "", ""])
    start = g(s, "startup", "ready_seconds_median")
    on_start = o.get("construct_seconds_median")
    rows.append(["Start-up to ready (s, median; kokoro-onnx: `Kokoro(...)` construction, no synthesis)",
                 fmt(start), fmt(on_start) + f" (import + construct {fmt(o.get('import_and_construct_seconds_median'))})",
                 fmt(g(t, "bare_ort", "session_load_seconds")) + " (session load)", fmt(ratio(start, on_start), "×"), "—",
                 "≤ 2 s incl. warm-up", verdict(None if start is None else start <= 2.0)])
    rss = g(s, "peak_rss_kb")
    on_rss = o.get("ru_maxrss_kb")
    rows.append(["Peak RSS (MiB; server VmHWM after the whole run, kokoro-onnx ru_maxrss)", fmt(rss, "", 1 / 1024, 0),
                 fmt(on_rss, "", 1 / 1024, 0), "—", fmt(ratio(rss, on_rss), "×"), "—", "", ""])
    for key, arrival in (("streams", "clients joining one a second"), ("streams_together", "clients joining within 0.5 s")):
        rows += stream_rows(s.get(key) or {}, arrival)
    fr = s.get("first_request")
    if fr:
        limit = f"≤ {1 + fr['tolerance']:.2f}×"
        for name, key, what in (("sentence", "ttfa", "TTFA"), ("sentence", "total", "total"),
                                ("paragraph", "ttfa", "TTFA")):
            v = g(fr, name, key) or {}
            if v.get("worst") is not None:
                paired = ", each paired with a warm server's run" if v.get("paired") else ""
                rows.append([f"First request after /ready ÷ median of the next {fr['repeats']}, {name} {what} "
                             f"(median of {len(v['ratios'])} start(s){paired})", first_request.cell(v), "—", "—", "", "",
                             limit, verdict(v["within"])])
    sk = g(s, "soak", "summary")
    if sk:
        rows.append([f"Memory soak, {sk['requests']} varied requests {sk['concurrency']} at a time: RSS at ready → "
                     f"after {sk['rss_after_first_n']} → end, peak (MiB)",
                     " → ".join(fmt(sk.get(k), "", 1 / 1024, 0) for k in ("rss_ready_kb", "rss_after_first_n_kb", "rss_end_kb"))
                     + f", peak {fmt(sk['peak_rss_kb'], '', 1 / 1024, 0)}", "—", "—", "", "", "", ""])
        rows.append([f"Soak RSS slope over the last half (MiB / 100 requests, MiB / min); failures",
                     f"{fmt(sk['slope_mib_per_100_requests'], '', 1, 2)}, {fmt(sk['slope_mib_per_minute'], '', 1, 2)}; "
                     f"{sk['failures']} ({sum(sk['busy_retries'].values())} busy answers retried)", "—", "—", "", "",
                     f"slope within ±{sk['flat_threshold_mib_per_100_requests']}, 0 failures",
                     verdict(None if sk["flat"] is None else sk["flat"] and not sk["failures"])])
    rows.append(["ORT intra-op threads", str(report["config"]["threads"]),
                 f"ORT default ({g(o, 'session_options', 'intra_op_num_threads')} → "
                 f"{(g(o, 'threads_started_by_construction') or 0) + 1} incl. caller)",
                 str(report["config"]["threads"]), "", "", "", ""])

    head = ["metric", "kokoro-swift", "kokoro-onnx 0.6.1", "bare ORT", "swift ÷ onnx", "swift ÷ bare", "target", "met"]
    lines = [f"# kokoro-swift vs kokoro-onnx vs bare ONNX Runtime", "",
             f"{report['started']} on {report['machine']['cpu']} ({report['machine']['cores']} cores), "
             f"ONNX Runtime {report['config'].get('onnxruntime')}, model `{Path(report['config']['model']).name}`, "
             f"voices `{Path(report['config']['voices']).name}`, voice `{report['config']['voice']}`, "
             f"medians of {report['config']['runs']} runs after a warm-up. "
             + (f"Server `{report['source']['binary']}` built {report['source']['binary_built']} (given with --binary: "
                f"not necessarily this checkout's `{report['source']['head']}`)."
                if report['source'].get('binary') else
                f"Server built {report['source']['binary_built']} at `{report['source']['head']}`"
                f"{' (with uncommitted changes under Sources/)' if report['source']['sources_dirty'] else ''}."), "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines += ["", "Notes:",
              "- TTFA: request written → first audio byte (kokoro-swift: first pcm body byte of a streamed "
              "`/v1/audio/speech`, warm server; kokoro-onnx: first chunk yielded by `create_stream`, warm instance). "
              "Bare ORT: one `Run` of the server's first segment (`/dev/phonemize` `segments[0].tokens`, 0-padded, "
              "style row len−1, speed 1), interleaved with the server requests.",
              "- Streams: N clients each read the paragraph (51 s of speech) as a pcm stream as it arrives; a "
              "simulated player starts 100 ms after the first byte and plays at real time; an underrun is any read "
              "arriving after the player ran dry. Clients join one a second (client i after i s plus 0–500 ms), "
              "so all N play at once for most of the paragraph; or all within 0.5 s (the same moment's rush).",
              f"- Load average at start {report['loadavg']['start']}, at end {report['loadavg']['end']} "
              f"(2-core machine; other busy processes at start: {report['busy_at_start'] or 'none'}).",
              ]
    if report.get("errors"):
        lines += ["", "Errors:"] + [f"- {e}" for e in report["errors"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", default=str(REPO / "../shared/eval/bench-texts.md"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 9)))
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="bare ORT intra-op threads (default: all cores, "
                        "as the server's latency session; the server runs its default pool)")
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--model", default=str(CACHE / "kokoro-v1.0.int8.onnx"))
    parser.add_argument("--voices", default=str(CACHE / "voices-v1.0.npz"))
    parser.add_argument("--binary", default=str(REPO / ".build/release/kokoro"))
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for `kokoro serve`")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--max-streams", type=int, default=6)
    parser.add_argument("--python", default=sys.executable, help="python with kokoro-onnx (the bench venv)")
    parser.add_argument("--skip-server", action="store_true", help="no server: kokoro-onnx and bare ORT only "
                        "(bare ORT on kokoro-onnx's tokens, a code-path test)")
    parser.add_argument("--skip-onnx", action="store_true")
    parser.add_argument("--skip-streams", action="store_true")
    parser.add_argument("--first-request-starts", type=int, default=5,
                        help="launches for the first-request-after-/ready check (default 5; 0 skips it)")
    parser.add_argument("--soak", type=int, default=0, metavar="N",
                        help="memory soak of N requests (default 0: skipped; 1000 take ~25 min)")
    parser.add_argument("--no-onnx-create", action="store_true", help="skip kokoro-onnx create() paragraph runs")
    parser.add_argument("--out-dir", default=str(REPO / "reports"))
    parser.add_argument("--markdown-from", metavar="JSON", help="only re-render the table of an earlier bench-peers.json")
    args = parser.parse_args()

    if args.markdown_from:
        report = json.loads(Path(args.markdown_from).read_text())
        report.setdefault("source", {"head": None, "sources_dirty": False, "binary_built": None})
        md = markdown(report)
        Path(args.markdown_from).with_suffix(".md").write_text(md)
        print(md)
        return

    texts = parse_texts(args.texts)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    import onnxruntime

    report: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "config": {"runs": args.runs, "threads": args.threads, "voice": args.voice, "model": args.model,
                   "voices": args.voices, "texts": args.texts, "binary": args.binary,
                   "server_args": args.server_arg, "onnxruntime": onnxruntime.__version__},
        "texts": texts,
        "source": source_state(args.binary),
        "loadavg": {"start": loadavg()},
        "busy_at_start": busy_processes(),
        "errors": [],
    }
    if report["busy_at_start"]:
        log("warning: other busy processes:", "; ".join(report["busy_at_start"]))
    log(f"load average {report['loadavg']['start']}")

    if not args.skip_server:
        port = args.port or free_port()
        server = Server(args.binary, port, args.server_arg, out_dir / "bench-peers-server.log")
        server.log_path.write_text("")
        s: dict = {"command": server.cmd}
        report["server"] = s
        try:
            log("server start-up: warm-up start")
            warm = server.start()
            server.stop()
            samples = []
            for i in range(args.runs):
                time.sleep(0.5)
                sample = server.start()
                samples.append(sample)
                log(f"server start-up {i + 1}/{args.runs}: ready after {sample['ready_seconds']:.3f} s")
                if i < args.runs - 1:
                    server.stop()
            s["startup"] = {"warm_up": warm, "samples": samples,
                            "ready_seconds": [x["ready_seconds"] for x in samples],
                            "ready_seconds_median": median([x["ready_seconds"] for x in samples]),
                            "method": "process launch -> first 200 from GET /ready, polled every 10 ms"}
            pid = server.proc.pid
            s["rss_after_ready_kb"] = proc_status(pid).get("VmRSS")

            bare = BareORT(args.model, args.voices, args.voice, args.threads)
            log("TTFA (warm server) interleaved with bare ORT")
            s["ttfa"] = ttfa.measure("127.0.0.1", port, texts, args.runs, args.voice, "pcm", bare,
                                     log=lambda m: log(m))
            log(ttfa.summary(s["ttfa"]))
            del bare
            write_json(out_dir / "bench-ttfa.json", s["ttfa"])
            s["peak_rss_kb_after_ttfa"] = proc_status(pid).get("VmHWM")

            if not args.skip_streams:
                time.sleep(2)
                log("simultaneous real-time streams")
                s["streams"] = streams.sweep("127.0.0.1", port, texts["paragraph"], max_clients=args.max_streams,
                                             gap=1.0, voice=args.voice, server_pid=pid, log=lambda m: log(m))
                time.sleep(2)
                log("simultaneous real-time streams joining together")
                s["streams_together"] = streams.sweep("127.0.0.1", port, texts["paragraph"], max_clients=args.max_streams,
                                                      gap=0.0, voice=args.voice, server_pid=pid, log=lambda m: log(m))
            status = proc_status(pid)
            s["peak_rss_kb"] = status.get("VmHWM")
            s["rss_end_kb"] = status.get("VmRSS")
            s["threads_end"] = status.get("Threads")
            for path in ("/v1/stats", "/status"):
                try:
                    code, stats = get_json("127.0.0.1", port, path, timeout=5)
                except Exception as error:
                    code, stats = None, str(error)
                if code == 200:
                    s["stats"] = {"path": path, "body": stats}
                    break
                s.setdefault("stats_errors", []).append(f"GET {path}: {code or stats}")
        except Exception as error:
            report["errors"].append(f"server: {type(error).__name__}: {error}")
            log(f"server phase failed: {error}")
        finally:
            server.stop()
            s["log_tail"] = server.log_tail(40)
        if args.first_request_starts:
            log("first request after /ready")
            try:
                # Phase 1's warm-up start already put everything in the page cache.
                s["first_request"] = first_request.measure(
                    args.binary, args.server_arg, out_dir / "first-request-server.log", texts,
                    starts=args.first_request_starts, voice=args.voice, warm_up_start=False, log=lambda m: log(m))
                write_json(out_dir / "first-request.json", s["first_request"], first_request.markdown(s["first_request"]))
            except Exception as error:
                report["errors"].append(f"first request: {type(error).__name__}: {error}")
                log(f"first-request phase failed: {error}")
        if args.soak:
            log(f"memory soak, {args.soak} requests")
            try:
                s["soak"] = soak.launch_and_run(args.binary, args.server_arg, out_dir / "soak-server.log",
                                                texts, requests=args.soak, log=lambda m: log(m))
                write_json(out_dir / "soak.json", s["soak"], soak.markdown(s["soak"]))
                if s["soak"]["summary"]["failures"]:
                    report["errors"].append(f"soak: {s['soak']['summary']['failures']} request(s) failed")
            except Exception as error:
                report["errors"].append(f"soak: {type(error).__name__}: {error}")
                log(f"soak phase failed: {error}")
        report["loadavg"]["after_server"] = loadavg()
    else:
        log("no server: bare ORT on kokoro-onnx's tokens (code-path test only)")
        bare = BareORT(args.model, args.voices, args.voice, args.threads)
        segments = offline_segments(texts)
        report["bare_ort_offline"] = {"segments": {k: [len(x) for x in v] for k, v in segments.items()},
                                      "first_segment_seconds": {}, "bare_ort": bare.describe()}
        for name, seg in segments.items():
            bare.run(seg[0])
            times = [bare.run(seg[0])[0] for _ in range(args.runs)]
            report["bare_ort_offline"]["first_segment_seconds"][name] = times
            log(f"bare ORT {name} first segment ({len(seg[0])} tokens): median {median(times) * 1000:.1f} ms {times}")
        del bare

    if not args.skip_onnx:
        log("kokoro-onnx")
        try:
            report["kokoro_onnx"] = run_kokoro_onnx(args, args.texts)
        except Exception as error:
            report["errors"].append(f"kokoro-onnx: {type(error).__name__}: {error}")
            log(f"kokoro-onnx phase failed: {error}")
    report["loadavg"]["end"] = loadavg()
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")

    md = markdown(report)
    log("wrote", write_json(out_dir / "bench-peers.json", report))
    (out_dir / "bench-peers.md").write_text(md)
    log("wrote", out_dir / "bench-peers.md")
    print(md)


if __name__ == "__main__":
    main()
