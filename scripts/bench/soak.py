#!/usr/bin/env python3
"""Memory soak: does the server's resident memory stay flat over many varied requests?

    scripts/bench/soak.py [--binary .build/release/kokoro] [--requests 1000] [--concurrency 2]
    scripts/bench/soak.py http://127.0.0.1:8880 --pid SERVER_PID [--requests 100]

Without a URL the script starts its own server (127.0.0.1, a free port, the default pool) and
waits for /ready. Then `--concurrency` clients (2; the server admits at most as many
requests as it keeps in real time, so 503s are expected) send `--requests` requests
between them, each the next one of a fixed, seeded mix:
 - text: in every 49 non-paragraph requests, the benchmark sentence 9 times, short phrases 18,
   numbers/dates/money 14 and one phrase repeated with the audio cache on 8; the benchmark
   paragraph (~50 s of audio, ~15 s of synthesis on 2 cores) is every `--paragraph-every`-th
   request (default 50, 0 = never);
 - voice af_heart, am_michael, bf_emma or the blend af_heart(2)+am_michael(1), format pcm,
   mp3, opus or wav, stream true or false: drawn per request;
 - no_cache true on all but the repeated phrase, so the model runs.
A 503/429 (every synthesis slot busy) is retried after its Retry-After and counted; anything
else that is not a 200 with a body within --timeout (300 s, retries included) is a failure.

The server's VmRSS (/proc/PID/status) is sampled every 0.5 s and after every request.
Reported: RSS at ready, after the first 100 requests and at the end, the peak (VmHWM), the
least-squares slope of RSS over the second half of the requests, against requests done
(MiB per 100 requests, from the after-request samples) and against time (MiB per minute,
from the 0.5 s samples); "flat" when |MiB per 100 requests| <= --flat (2). Also status
counts and GET /v1/stats before and after. Writes reports/soak.json (every sample and
request) and reports/soak.md. Exits 1 when any request failed (retried 503s are not failures)."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (REPO, Server, free_port, get_json, loadavg, loopback, median, parse_texts,  # noqa: E402
                    proc_status, speech, write_json)

SHORT = ["Yes.", "Thank you very much.", "Good morning, how can I help you today?",
         "Please hold while I transfer your call.", "The meeting has been moved to the afternoon.",
         "Turn left at the next intersection.", "Your order is on its way.", "Could you repeat that, please?",
         "Battery low.", "I'll be right back."]
NUMBERS = ["It is 3:45 PM on March 3rd, 2024.", "Your total is $1,249.99, including tax.",
           "Call 555-0123 before 9 a.m. tomorrow.", "The population grew by 12.5% between 1990 and 2020.",
           "Flight UA 837 departs from gate 42 at 17:05.", "The package weighs 2.3 kg and measures 40 by 25 cm."]
CACHED = "Welcome back! You have three new messages."
VOICES = ["af_heart", "am_michael", "bf_emma", "af_heart(2)+am_michael(1)"]
FORMATS = ["pcm", "mp3", "opus", "wav"]
PATTERN = {"sentence": 9, "short": 18, "numbers": 14, "cached": 8}
# For the up-front estimate only: seconds of audio per character (numbers read long), and
# synthesis seconds per audio second on 2 cores (model runs go one at a time).
AUDIO_SECONDS_PER_CHAR = 1 / 16
RTF = 0.35


@dataclass
class Request:
    index: int
    kind: str
    text: str
    voice: str
    fmt: str
    stream: bool
    no_cache: bool


def plan(texts: dict[str, str], n: int, paragraph_every: int, seed: int) -> list[Request]:
    rng = random.Random(seed)
    pattern = [kind for kind, count in PATTERN.items() for _ in range(count)]
    rng.shuffle(pattern)
    pools = {"sentence": [texts["sentence"]], "paragraph": [texts["paragraph"]], "short": SHORT,
             "numbers": NUMBERS, "cached": [CACHED]}
    used: Counter = Counter()
    out = []
    for i in range(n):
        if paragraph_every and (i + 1) % paragraph_every == 0:
            kind = "paragraph"
        else:
            kind = pattern[(i - (i + 1) // paragraph_every if paragraph_every else i) % len(pattern)]
        pool = pools[kind]
        text = pool[used[kind] % len(pool)]
        used[kind] += 1
        out.append(Request(i, kind, text, rng.choice(VOICES), rng.choice(FORMATS), rng.random() < 0.5,
                           kind != "cached"))
    return out


def expected_seconds(requests: list[Request]) -> float:
    return sum(0.05 + (len(r.text) * AUDIO_SECONDS_PER_CHAR * RTF if r.no_cache else 0) for r in requests)


def retry_delay(retry_after: str | None) -> float:
    try:
        return max(0.0, float(retry_after))
    except (TypeError, ValueError):
        return 1.0


def send(host: str, port: int, req: Request, timeout: float) -> dict:
    """One request, retried after Retry-After while the server answers 503/429, for up to
    `timeout` seconds in all."""
    busy: list[int] = []
    deadline = time.perf_counter() + timeout
    while True:
        r = speech(host, port, req.text, req.voice, req.fmt, timeout=min(120.0, timeout), deadline=deadline,
                   stream=req.stream, no_cache=req.no_cache)
        delay = retry_delay(r.retry_after)
        if r.status in (429, 503) and time.perf_counter() + delay < deadline:
            busy.append(r.status)
            time.sleep(delay)
            continue
        error = r.error or (None if r.status == 200 and r.audio_bytes > 0 else f"status {r.status}, {r.audio_bytes} bytes")
        return {"status": r.status, "busy_retries": busy, "ttfa": r.ttfa, "total": r.total,
                "bytes": r.audio_bytes, "error": error}


def least_squares_slope(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 3 or len({x for x, _ in points}) < 2:
        return None
    return statistics.linear_regression([x for x, _ in points], [y for _, y in points]).slope


def run(host: str, port: int, pid: int, texts: dict[str, str], *, requests: int = 1000, concurrency: int = 2,
        paragraph_every: int = 50, seed: int = 1, flat: float = 2.0, timeout: float = 300.0,
        fresh: bool = True, log=print) -> dict:
    """The soak against a running server; `fresh` when it was started just now (RSS at ready)."""
    if not proc_status(pid):
        raise SystemExit(f"soak: no process {pid} to sample")
    todo = plan(texts, requests, paragraph_every, seed)
    expected = expected_seconds(todo)
    log(f"soak: {requests} requests, {concurrency} at a time, mix {dict(Counter(r.kind for r in todo))}; "
        f"expected about {expected / 60:.1f} min on an idle 2-core machine")
    status, stats_before = get_json(host, port, "/v1/stats")
    rss_start = proc_status(pid).get("VmRSS")

    lock = threading.Lock()
    stop = threading.Event()
    results: list[dict | None] = [None] * requests
    timed: list[dict] = []  # every 0.5 s
    after_request: list[dict] = []  # after each request, in completion order
    next_index = 0
    t0 = time.perf_counter()

    def sampler():
        while not stop.wait(0.5):
            rss = proc_status(pid).get("VmRSS")
            if rss is not None:
                with lock:
                    timed.append({"t": round(time.perf_counter() - t0, 3), "rss_kb": rss, "done": len(after_request)})

    def client():
        nonlocal next_index
        while not stop.is_set():
            with lock:
                if next_index >= requests:
                    return
                req = todo[next_index]
                next_index += 1
            result = send(host, port, req, timeout)
            rss = proc_status(pid).get("VmRSS")
            with lock:
                results[req.index] = {**asdict(req), **result}
                after_request.append({"done": len(after_request) + 1, "t": round(time.perf_counter() - t0, 3),
                                      "rss_kb": rss, "index": req.index})
                done = len(after_request)
            if rss is None:
                log(f"soak: the server (pid {pid}) is gone after {done} requests")
                stop.set()
            if done % 50 == 0 or done == requests:
                elapsed = time.perf_counter() - t0
                log(f"soak: {done}/{requests} in {elapsed / 60:.1f} min, RSS {rss / 1024 if rss else 0:.0f} MiB, "
                    f"ETA {elapsed / done * (requests - done) / 60:.1f} min")

    sampling = threading.Thread(target=sampler, daemon=True)
    sampling.start()
    clients = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for c in clients:
        c.start()
    for c in clients:
        c.join()
    stop.set()
    sampling.join()
    wall = time.perf_counter() - t0
    end = proc_status(pid)
    _, stats_after = get_json(host, port, "/v1/stats") if end else (None, None)

    done = [r for r in results if r is not None]
    failed = [r for r in done if r["error"]]
    half = requests // 2
    t_half = next((s["t"] for s in after_request if s["done"] >= half), None)
    per_request = [(s["done"], s["rss_kb"]) for s in after_request if s["done"] > half and s["rss_kb"]]
    per_time = [(s["t"], s["rss_kb"]) for s in timed if t_half is not None and s["t"] >= t_half]
    kb_per_request = least_squares_slope(per_request)
    kb_per_second = least_squares_slope(per_time)
    slope_100 = None if kb_per_request is None else kb_per_request * 100 / 1024
    slope_minute = None if kb_per_second is None else kb_per_second * 60 / 1024
    after_100 = next((s["rss_kb"] for s in after_request if s["done"] == min(100, requests)), None)
    busy = Counter(code for r in done for code in r["busy_retries"])
    summary = {
        "requests": requests, "concurrency": concurrency, "sent": len(done),
        "ok_200": sum(1 for r in done if not r["error"]),
        "busy_retries": {str(code): n for code, n in sorted(busy.items())},
        "requests_retried": sum(1 for r in done if r["busy_retries"]),
        "failures": len(failed) + (requests - len(done)),
        "wall_seconds": wall, "expected_seconds": expected,
        "rss_ready_kb" if fresh else "rss_start_kb": rss_start,
        "rss_after_first_n": min(100, requests), "rss_after_first_n_kb": after_100,
        "rss_end_kb": end.get("VmRSS"), "peak_rss_kb": end.get("VmHWM"), "threads_end": end.get("Threads"),
        "slope_mib_per_100_requests": slope_100, "slope_mib_per_minute": slope_minute,
        "slope_window": f"requests {half + 1}-{requests} (least squares; per minute from the 0.5 s samples)",
        "flat_threshold_mib_per_100_requests": flat,
        "flat": None if slope_100 is None else abs(slope_100) <= flat,
        "server_exited": not end,
    }
    by_kind = {}
    for kind in sorted({r["kind"] for r in done}):
        rs = [r for r in done if r["kind"] == kind and not r["error"]]
        by_kind[kind] = {"count": sum(1 for r in done if r["kind"] == kind),
                         "total_median": median([r["total"] for r in rs]),
                         "ttfa_median": median([r["ttfa"] for r in rs if r["ttfa"] is not None])}
    for r in failed[:10]:
        log(f"soak: request {r['index']} ({r['kind']}, {r['voice']}, {r['fmt']}, stream {r['stream']}) failed: {r['error']}")
    return {"summary": summary, "by_kind": by_kind, "server_fresh": fresh, "seed": seed,
            "paragraph_every": paragraph_every, "loadavg_end": loadavg(),
            "stats_before": stats_before if status == 200 else None, "stats_after": stats_after,
            "samples_every_half_second": timed, "samples_after_request": after_request, "requests_detail": results}


def launch_and_run(binary: str, server_args: list[str], log_path: Path,
                   texts: dict[str, str], log=print, **options) -> dict:
    """Start a server of our own, soak it from /ready on, stop it."""
    server = Server(binary, free_port(), server_args, log_path)
    try:
        ready = server.start()
        log(f"soak: server ready after {ready['ready_seconds']:.2f} s")
        report = run("127.0.0.1", server.port, server.pid, texts, fresh=True, log=log, **options)
        report["startup"] = ready
        report["server_command"] = server.cmd
        return report
    finally:
        server.stop()


def mib(kb) -> str:
    return "—" if kb is None else f"{kb / 1024:.1f} MiB"


def signed(x, unit) -> str:
    return "—" if x is None else f"{x:+.2f} {unit}"


def markdown(report: dict) -> str:
    s = report["summary"]
    before = (report.get("stats_before") or {}).get("memory") or {}
    after = (report.get("stats_after") or {}).get("memory") or {}
    requests_after = (report.get("stats_after") or {}).get("requests") or {}
    retries = ", ".join(f"{n} × {code}" for code, n in s["busy_retries"].items()) or "none"
    flat = "—" if s["flat"] is None else ("yes" if s["flat"] else "**no**")
    rows = [
        ("requests", f"{s['requests']}, {s['concurrency']} at a time: {s['ok_200']} × 200, "
                     f"busy answers retried: {retries}, failures: {s['failures']}"),
        ("duration", f"{s['wall_seconds'] / 60:.1f} min (estimate {s['expected_seconds'] / 60:.1f} min on an idle machine)"),
        ("RSS at ready" if report["server_fresh"] else "RSS at start (server already running)",
         mib(s.get("rss_ready_kb", s.get("rss_start_kb")))),
        (f"RSS after the first {s['rss_after_first_n']} requests", mib(s["rss_after_first_n_kb"])),
        ("RSS at the end", mib(s["rss_end_kb"])),
        ("peak RSS (VmHWM)", mib(s["peak_rss_kb"])),
        (f"RSS slope, {s['slope_window']}", f"{signed(s['slope_mib_per_100_requests'], 'MiB / 100 requests')}, "
                                           f"{signed(s['slope_mib_per_minute'], 'MiB / min')}"),
        (f"flat (slope within ±{s['flat_threshold_mib_per_100_requests']} MiB / 100 requests)", flat),
        ("server /v1/stats memory: resident, peak, trend (before → after)",
         f"{before.get('resident_mb', 0):.0f}, {before.get('peak_mb', 0):.0f}, {before.get('trend_mb_per_minute', 0):+.2f} → "
         f"{after.get('resident_mb', 0):.0f}, {after.get('peak_mb', 0):.0f}, {after.get('trend_mb_per_minute', 0):+.2f} MB(/min)"),
        ("server /v1/stats requests after: completed, refused, cancelled",
         f"{requests_after.get('requests_completed')}, {requests_after.get('requests_refused')}, "
         f"{requests_after.get('requests_cancelled')}"),
    ]
    mix = ", ".join(f"{k} {v['count']}" for k, v in report["by_kind"].items())
    lines = ["# Memory soak", "", f"Mix: {mix}; voices {', '.join(VOICES)}; formats {', '.join(FORMATS)}; "
             f"stream true/false; no_cache on all but the repeated phrase. Load average at the end "
             f"{report['loadavg_end']}.", "", "| figure | value |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="a running server (loopback; needs --pid); default: start one")
    parser.add_argument("--pid", type=int, help="the running server's pid, for its RSS")
    parser.add_argument("--binary", "--bin", default=str(REPO / ".build/release/kokoro"))
    parser.add_argument("--server-arg", action="append", default=[], help="extra argument for `kokoro serve`")
    parser.add_argument("--texts", default=str(REPO / "../shared/eval/bench-texts.md"))
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--paragraph-every", type=int, default=50, help="every Nth request is the paragraph (0 = never)")
    parser.add_argument("--flat", type=float, default=2.0, help="flat when |slope| <= this many MiB per 100 requests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per request, retries included")
    parser.add_argument("--out", default=str(REPO / "reports/soak.json"))
    args = parser.parse_args()

    texts = parse_texts(args.texts)
    options = dict(requests=args.requests, concurrency=args.concurrency, paragraph_every=args.paragraph_every,
                   seed=args.seed, flat=args.flat, timeout=args.timeout)
    if args.url:
        if args.pid is None:
            raise SystemExit("soak: with a URL, --pid SERVER_PID is needed to sample its RSS")
        host, port = loopback(args.url, "soak")
        report = run(host, port, args.pid, texts, fresh=False, **options)
        report["url"] = args.url
    else:
        report = launch_and_run(args.binary, args.server_arg, Path(args.out).with_name("soak-server.log"),
                                texts, **options)
    path = write_json(args.out, report, markdown(report))
    print(markdown(report))
    print("wrote", path)
    sys.exit(1 if report["summary"]["failures"] else 0)


if __name__ == "__main__":
    main()
