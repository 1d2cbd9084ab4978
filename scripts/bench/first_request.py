#!/usr/bin/env python3
"""Does the first request after /ready run at steady-state speed?

    scripts/bench/first_request.py [--binary .build/release/kokoro] [--starts 3] [--repeats 8]
                                   [--paragraph-starts 1] [--tolerance 0.10]

The question is about a server that has just become ready, so the script launches its own
(127.0.0.1, a free port, the default pool; a running server's URL would not do): first one
untimed launch so the binary, model and voices are in the page cache (--no-warm-up-start
skips it), then for each of --starts launches:
 - start-up: process launch -> first 200 from GET /ready, polled every 10 ms;
 - at that moment the benchmark sentence (pcm, stream true, no_cache true): TTFA (request
   written -> first body byte) and total (-> last byte);
 - the same request --repeats (8) more times, 0.3 s apart, and their medians;
 - first ÷ median, for TTFA and for total.
Then --paragraph-starts (1) more launches whose first request after /ready is the benchmark
paragraph, for its TTFA only: the client hangs up at the first audio byte (the server cancels
the rest) and waits until /v1/stats shows nothing in flight before the next request.
Met (the project's target) when every first ÷ median is <= 1 + --tolerance (0.10).
Writes reports/first-request.json (every value) and reports/first-request.md."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (REPO, Server, free_port, get_json, loadavg, median, parse_texts, ratio,  # noqa: E402
                    speech, write_json)


def wait_idle(host: str, port: int, timeout: float = 30.0) -> float:
    """Seconds until /v1/stats shows no admitted request and no model run running or waiting."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        _, stats = get_json(host, port, "/v1/stats", timeout=5)
        queue, scheduler = (stats or {}).get("queue") or {}, (stats or {}).get("scheduler") or {}
        if stats and not queue.get("active") and not scheduler.get("running") and not scheduler.get("waiting"):
            return time.perf_counter() - t0
        time.sleep(0.02)
    raise RuntimeError(f"server still busy {timeout:.0f} s after the client hung up")


def one_start(server: Server, text: str, *, voice: str, repeats: int, gap: float, ttfa_only: bool) -> dict:
    """Launch, send `text` the moment /ready is 200, then `repeats` more times; stop."""
    ready = server.start()
    host, port = "127.0.0.1", server.port
    idle_waits = []

    def request():
        r = speech(host, port, text, voice, "pcm", first_audio_only=ttfa_only)
        if r.status != 200 or r.ttfa is None or r.error:
            raise RuntimeError(f"status {r.status}, error {r.error}")
        if ttfa_only:
            idle_waits.append(wait_idle(host, port))
        return r

    try:
        first = request()
        rest = []
        for _ in range(repeats):
            time.sleep(gap)
            rest.append(request())
        _, stats = get_json(host, port, "/v1/stats")
    finally:
        server.stop()
    out = {"ready_seconds": ready["ready_seconds"], "first_answer_seconds": ready["first_answer_seconds"],
           "first_ttfa": first.ttfa, "ttfa": [r.ttfa for r in rest], "ttfa_median": median([r.ttfa for r in rest])}
    out["ttfa_ratio"] = ratio(out["first_ttfa"], out["ttfa_median"])
    if ttfa_only:
        out["idle_wait_seconds"] = idle_waits
    else:
        out.update({"first_total": first.total, "total": [r.total for r in rest],
                    "total_median": median([r.total for r in rest]), "audio_seconds": first.audio_seconds})
        out["total_ratio"] = ratio(out["first_total"], out["total_median"])
    out["server_warmup"] = (stats or {}).get("warmup")
    return out


def verdict(starts: list[dict], key: str, limit: float) -> dict:
    ratios = [s[key] for s in starts if s.get(key) is not None]
    return {"ratios": ratios, "worst": max(ratios, default=None), "median": median(ratios),
            "within": None if not ratios else max(ratios) <= limit}


def measure(binary: str, server_args: list[str], log_path: Path, texts: dict[str, str], *,
            starts: int = 3, repeats: int = 8, paragraph_starts: int = 1, tolerance: float = 0.10,
            voice: str = "af_heart", warm_up_start: bool = True, gap: float = 0.3, log=print) -> dict:
    server = Server(binary, free_port(), server_args, log_path)
    limit = 1 + tolerance
    report: dict = {"starts": starts, "repeats": repeats, "paragraph_starts": paragraph_starts, "voice": voice,
                    "tolerance": tolerance, "server_command": server.cmd, "loadavg_before": loadavg(),
                    "method": "launch, poll /ready every 10 ms, at its first 200 send the text (pcm, stream, "
                              f"no_cache), then {repeats} more {gap} s apart; first ÷ median of those"}
    if warm_up_start:
        report["warm_up_start"] = server.start()
        server.stop()
        log(f"first-request: warm-up start, ready after {report['warm_up_start']['ready_seconds']:.2f} s")
    runs = {"sentence": [], "paragraph": []}
    for name, count in (("sentence", starts), ("paragraph", paragraph_starts)):
        for i in range(count):
            time.sleep(0.5)
            run = one_start(server, texts[name], voice=voice, repeats=repeats, gap=gap, ttfa_only=name == "paragraph")
            runs[name].append(run)
            line = (f"first-request: {name} start {i + 1}/{count}: ready after {run['ready_seconds']:.2f} s; TTFA first "
                    f"{run['first_ttfa'] * 1000:.0f} ms, median {run['ttfa_median'] * 1000:.0f} ms, ratio {run['ttfa_ratio']:.3f}")
            if "total_ratio" in run:
                line += (f"; total first {run['first_total']:.2f} s, median {run['total_median']:.2f} s, "
                         f"ratio {run['total_ratio']:.3f}")
            log(line)
    report["sentence"] = {"runs": runs["sentence"], "ttfa": verdict(runs["sentence"], "ttfa_ratio", limit),
                          "total": verdict(runs["sentence"], "total_ratio", limit)}
    report["paragraph"] = {"runs": runs["paragraph"], "ttfa": verdict(runs["paragraph"], "ttfa_ratio", limit)}
    ready = [r["ready_seconds"] for r in runs["sentence"] + runs["paragraph"]]
    report["ready_seconds"] = ready
    report["ready_seconds_median"] = median(ready)
    checks = [report["sentence"]["ttfa"]["within"], report["sentence"]["total"]["within"],
              report["paragraph"]["ttfa"]["within"]]
    report["met"] = None if all(c is None for c in checks) else all(c for c in checks if c is not None)
    report["loadavg_after"] = loadavg()
    return report


def cell(v: dict) -> str:
    """'worst 1.04× (1.01, 1.04, 0.98)'."""
    if v["worst"] is None:
        return "—"
    return f"worst {v['worst']:.3f}× ({', '.join(f'{x:.3f}' for x in v['ratios'])})"


def met(ok) -> str:
    return "—" if ok is None else ("yes" if ok else "**no**")


def markdown(report: dict) -> str:
    limit = f"≤ {1 + report['tolerance']:.2f}×"
    lines = ["# First request after /ready", "",
             f"{report['method']}. Load average {report['loadavg_before']} before, {report['loadavg_after']} after.", "",
             "| start | text | ready (s) | first TTFA (ms) | median TTFA (ms) | TTFA ratio | first total (s) | "
             "median total (s) | total ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for name in ("sentence", "paragraph"):
        for i, r in enumerate(report[name]["runs"]):
            total = (f"{r['first_total']:.3f} | {r['total_median']:.3f} | {r['total_ratio']:.3f}×"
                     if "total_ratio" in r else "— | — | —")
            lines.append(f"| {i + 1} | {name} | {r['ready_seconds']:.3f} | {r['first_ttfa'] * 1000:.0f} | "
                         f"{r['ttfa_median'] * 1000:.0f} | {r['ttfa_ratio']:.3f}× | {total} |")
    s, p = report["sentence"], report["paragraph"]
    lines += ["", "| first ÷ median of the next requests | value | target | met |", "|---|---|---|---|",
              f"| sentence TTFA | {cell(s['ttfa'])} | {limit} | {met(s['ttfa']['within'])} |",
              f"| sentence total | {cell(s['total'])} | {limit} | {met(s['total']['within'])} |",
              f"| paragraph TTFA | {cell(p['ttfa'])} | {limit} | {met(p['ttfa']['within'])} |",
              "", f"Start-up to ready: median {report['ready_seconds_median']:.3f} s. "
              f"All within: {met(report['met'])}."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", "--bin", default=str(REPO / ".build/release/kokoro"))
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for `kokoro serve`")
    parser.add_argument("--texts", default=str(REPO / "../shared/eval/bench-texts.md"))
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--starts", type=int, default=3, help="launches measured with the sentence (default 3)")
    parser.add_argument("--repeats", type=int, default=8, help="requests after the first, for the median (default 8)")
    parser.add_argument("--paragraph-starts", type=int, default=1, help="launches measured with the paragraph's TTFA")
    parser.add_argument("--tolerance", type=float, default=0.10, help="first ÷ median must be <= 1 + this")
    parser.add_argument("--no-warm-up-start", action="store_true", help="no untimed launch first")
    parser.add_argument("--out", default=str(REPO / "reports/first-request.json"))
    args = parser.parse_args()
    report = measure(args.binary, args.server_arg, Path(args.out).with_name("first-request-server.log"),
                     parse_texts(args.texts), starts=args.starts, repeats=args.repeats,
                     paragraph_starts=args.paragraph_starts, tolerance=args.tolerance, voice=args.voice,
                     warm_up_start=not args.no_warm_up_start)
    path = write_json(args.out, report, markdown(report))
    print(markdown(report))
    print("wrote", path)


if __name__ == "__main__":
    main()
