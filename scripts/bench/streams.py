#!/usr/bin/env python3
"""How many simultaneous real-time streams the server sustains.

    scripts/bench/streams.py http://127.0.0.1:8880 [--gap 1] [--min 1] [--max 6] [--pid SERVER_PID]

For N = 1, 2, ... clients at once (stopping after the first level that fails), client i
starts i × gap seconds in (default 1: they join one a second, and all N play together for
most of the paragraph's 51 s; --gap 0: all in the same half second) plus a random 0-500 ms,
requests the paragraph as a pcm stream and reads it as fast as it arrives while a simulated
player consumes it: playback starts `jitter` (100 ms)
after the first audio byte and then plays at real time (48 000 bytes/s). An underrun is a
read that arrives when the audio received before it (bytes / 48 000 s) is less than the
playback time elapsed (time since first byte - jitter): the player would have run dry.
A level is sustained when every client got 200, no client underran and TTFA p95 <= 1 s.
Then one run above capacity (sustained + 2 clients) shows whether the excess requests got
fast 503/429s (with Retry-After) instead of underruns. Loopback only; every request has a
deadline, and the whole test is bounded by the levels' count."""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (BYTES_PER_SECOND, get_json, loadavg, loopback, median, parse_texts, percentile,  # noqa: E402
                    proc_status, speech, write_json)


def underruns(arrivals: list[tuple[float, int]], jitter: float) -> dict:
    """Player simulation over (seconds since request, audio bytes so far) after each read."""
    if not arrivals:
        return {"count": 0, "worst_deficit_seconds": 0.0, "first_at_playback_seconds": None}
    t_first = arrivals[0][0]
    count, worst, first_at = 0, 0.0, None
    previous = arrivals[0][1]
    for t, total in arrivals[1:]:
        played = (t - t_first) - jitter          # playback position when this read arrived
        deficit = played - previous / BYTES_PER_SECOND
        if deficit > 0:
            count += 1
            worst = max(worst, deficit)
            if first_at is None:
                first_at = played
        previous = total
    return {"count": count, "worst_deficit_seconds": round(worst, 4), "first_at_playback_seconds": first_at}


def level(host: str, port: int, text: str, n: int, *, voice: str, stagger: float, jitter: float, gap: float,
          rng: random.Random, timeout: float, server_pid: int | None, log=print) -> dict:
    delays = sorted(i * gap + rng.uniform(0, stagger) for i in range(n))
    results: list[dict | None] = [None] * n
    stop_sampling = threading.Event()
    rss_samples: list[int] = []

    def sample_rss():
        while not stop_sampling.wait(0.1):
            status = proc_status(server_pid)
            if "VmRSS" in status:
                rss_samples.append(status["VmRSS"])

    def client(i: int, start_at: float):
        time.sleep(max(0.0, start_at - time.perf_counter()))
        deadline = time.perf_counter() + timeout
        voices = voice.split(",")
        r = speech(host, port, text, voices[i % len(voices)], "pcm", timeout=min(60.0, timeout), keep_arrivals=True, deadline=deadline)
        u = underruns(r.arrivals, jitter)
        results[i] = {"delay": round(delays[i], 4), "voice": voices[i % len(voices)], "status": r.status, "ttfa": r.ttfa, "total": r.total,
                      "headers_at": r.headers_at, "audio_seconds": r.audio_seconds, "retry_after": r.retry_after,
                      "error": r.error, "reads": len(r.arrivals), "underruns": u["count"],
                      "worst_deficit_seconds": u["worst_deficit_seconds"],
                      "first_underrun_at_playback_seconds": u["first_at_playback_seconds"]}

    sampler = threading.Thread(target=sample_rss, daemon=True) if server_pid else None
    if sampler:
        sampler.start()
    t0 = time.perf_counter() + 0.05
    threads = [threading.Thread(target=client, args=(i, t0 + delays[i]), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + delays[-1] + 30)
    stop_sampling.set()
    wall = time.perf_counter() - t0

    done = [r for r in results if r is not None]
    ok = [r for r in done if r["status"] == 200 and not r["error"]]
    rejected = [r for r in done if r["status"] in (429, 503)]
    ttfas = [r["ttfa"] for r in ok if r["ttfa"] is not None]
    under = sum(r["underruns"] for r in ok)
    summary = {
        "clients": n, "completed_200": len(ok), "rejected_503_429": len(rejected),
        "other_failures": n - len(ok) - len(rejected),
        "underruns": under, "clients_with_underruns": sum(1 for r in ok if r["underruns"]),
        "ttfa_p50": percentile(ttfas, 50), "ttfa_p95": percentile(ttfas, 95), "ttfa_max": max(ttfas) if ttfas else None,
        "rejection_seconds": [r["total"] for r in rejected],
        "rejection_seconds_max": max((r["total"] for r in rejected), default=None),
        "retry_after": sorted({r["retry_after"] for r in rejected if r["retry_after"]}),
        "wall_seconds": wall, "server_peak_rss_kb_sampled": max(rss_samples, default=None),
        "loadavg": loadavg(), "clients_detail": results,
    }
    summary["sustained"] = (len(ok) == n and under == 0 and summary["ttfa_p95"] is not None
                            and summary["ttfa_p95"] <= 1.0)
    log(f"streams: N={n}: {len(ok)} ok, {len(rejected)} rejected, {summary['other_failures']} failed, "
        f"{under} underruns in {summary['clients_with_underruns']} clients, TTFA p50 "
        f"{_ms(summary['ttfa_p50'])} p95 {_ms(summary['ttfa_p95'])}, wall {wall:.1f} s -> "
        f"{'sustained' if summary['sustained'] else 'NOT sustained'}")
    return summary


def _ms(x):
    return "-" if x is None else f"{x * 1000:.0f} ms"


def sweep(host: str, port: int, text: str, *, min_clients: int = 1, max_clients: int = 6, voice: str = "af_heart",
          stagger: float = 0.5, gap: float = 0.0, jitter: float = 0.1, seed: int = 1, timeout: float = 300.0,
          server_pid: int | None = None, overload_extra: int = 2, rest: float = 2.0, log=print) -> dict:
    rng = random.Random(seed)
    levels = []
    sustained = 0
    for n in range(min_clients, max_clients + 1):
        result = level(host, port, text, n, voice=voice, stagger=stagger, gap=gap, jitter=jitter, rng=rng,
                       timeout=timeout, server_pid=server_pid, log=log)
        levels.append(result)
        time.sleep(rest)
        if not result["sustained"]:
            break
        sustained = n
    over_n = sustained + overload_extra
    previous = next((l for l in levels if l["clients"] == over_n), None)
    if previous is not None:
        overload = previous
    else:
        log(f"streams: above capacity: {over_n} clients (sustained {sustained})")
        overload = level(host, port, text, over_n, voice=voice, stagger=stagger, gap=gap, jitter=jitter, rng=rng,
                         timeout=timeout, server_pid=server_pid, log=log)
    verdict = None
    if overload is not None:
        accepted_underran = overload["clients_with_underruns"]
        verdict = {
            "clients": overload["clients"],
            "rejected_503_429": overload["rejected_503_429"],
            "rejection_seconds_max": overload["rejection_seconds_max"],
            "accepted_clients_with_underruns": accepted_underran,
            # None when even this many clients were all served in real time: capacity not reached.
            "fast_rejection_instead_of_underrun": None if overload["sustained"] else (
                overload["rejected_503_429"] > 0 and accepted_underran == 0
                and (overload["rejection_seconds_max"] or 0) <= 0.1),
            "fast_means": "every 503/429 answered within 100 ms and no accepted stream underran",
        }
    return {"text": "paragraph", "stagger_seconds": stagger, "arrival_gap_seconds": gap, "jitter_buffer_seconds": jitter, "seed": seed,
            "sustained_streams": sustained, "ceiling": ceiling(host, port, log), "levels": levels, "above_capacity": overload,
            "above_capacity_verdict": verdict,
            "rule": "sustained = largest N with every client 200, zero underruns and TTFA p95 <= 1 s"}


def ceiling(host: str, port: int, log=print) -> dict | None:
    """The most streams the machine could carry at all: one over the pool's busy real-time
    factor that the server measured while serving these levels (busy seconds per audio
    second, all sessions together), so every second of the machine goes to the model."""
    status, stats = get_json(host, port, "/v1/stats")
    capacity = (stats or {}).get("queue", {}).get("real_time_capacity", {}) if status == 200 else {}
    factor = capacity.get("real_time_factor")
    if not factor:
        return None
    log(f"streams: the pool measured {factor:.3f} busy seconds per audio second ({capacity.get('basis')}): "
        f"at most {1 / factor:.2f} streams at 100% use")
    return {"real_time_factor": factor, "basis": capacity.get("basis"), "streams_at_full_use": round(1 / factor, 2)}


def main() -> None:
    repo = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--texts", default=str(repo / "../shared/eval/bench-texts.md"))
    parser.add_argument("--min", type=int, default=1, help="fewest clients tried (default 1)")
    parser.add_argument("--max", type=int, default=6, help="most clients tried (default 6)")
    parser.add_argument("--voice", default="af_heart", help="a voice, or several comma-separated: client i speaks the (i mod count)th")
    parser.add_argument("--stagger", type=float, default=0.5)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between clients' arrivals (each also waits 0-stagger s)")
    parser.add_argument("--jitter", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pid", type=int, help="server pid, to sample its RSS")
    parser.add_argument("--out", default=str(repo / "reports/bench-streams.json"))
    args = parser.parse_args()
    host, port = loopback(args.url, "streams")
    text = parse_texts(args.texts)["paragraph"]
    report = sweep(host, port, text, min_clients=args.min, max_clients=args.max, voice=args.voice, stagger=args.stagger, gap=args.gap,
                   jitter=args.jitter, seed=args.seed, server_pid=args.pid)
    print("sustained streams:", report["sustained_streams"])
    print("wrote", write_json(args.out, report))


if __name__ == "__main__":
    main()
