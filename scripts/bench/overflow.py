#!/usr/bin/env python3
"""What runs cost on the pool's sessions: a piece's cost by its length, and what a stream's first
piece costs on the overflow session and the runs beside it.

    ~/.cache/kokoro-swift/bench-venv/bin/python scripts/bench/overflow.py [--runs 5] [--out reports/overflow.json]

The server's pool has one session per core with one thread each (throughput sessions) and one
session with every core's threads (the latency session). When every throughput session is busy,
a stream's first piece may run on the latency session beside them: three runs then share the
cores. This measures, with bare ONNX Runtime and the same session options as the server (no
spinning), the median time of
  - a short first piece (16 tokens) on a 1-thread session alone, and on the all-core session alone;
  - the same piece on the all-core session while two 1-thread sessions run 60-token pieces;
  - a 60-token piece on a 1-thread session alone, and beside another 1-thread run, with and
    without overflow pieces running back to back on the all-core session, and from that what
    it loses per overflow run, in units of the overflow piece's own time;
  - pieces of 16 to 200 tokens on a 1-thread session beside another running the same length,
    and the straight line through them: seconds = fixed + per_token × tokens, whose
    fixed ÷ per_token is the fixed part in tokens (DeadlineScheduler.RunCost.overheadTokens).
DeadlineScheduler.RunCost (overheadTokens, initialOverflowSlowdown) and the admission forecast
use these figures. Needs the
bench venv (scripts/bench-peers makes it) and the set-up cache (model, voices)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))


def session(model: str, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(CACHE / "kokoro-v1.0.int8.onnx"))
    parser.add_argument("--voices", default=str(CACHE / "voices-v1.0.npz"))
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[2] / "reports/overflow.json"))
    args = parser.parse_args()
    cores = os.cpu_count() or 2
    style = np.load(args.voices)[args.voice][20].reshape(1, 256).astype(np.float32)

    def run(s: ort.InferenceSession, tokens: int) -> float:
        ids = np.array([[0] + [50 + i % 40 for i in range(tokens)] + [0]], dtype=np.int64)
        start = time.perf_counter()
        s.run(None, {"tokens": ids, "style": style, "speed": np.ones(1, np.float32)})
        return time.perf_counter() - start

    def median(measure, runs=args.runs) -> float:
        return statistics.median(measure() for _ in range(runs))

    def beside(background: list[tuple[ort.InferenceSession, int]], measure) -> tuple[float, list[int]]:
        """`measure` while each background session runs its pieces back to back; also how many
        runs each background session finished meanwhile."""
        stop = threading.Event()
        counts = [0] * len(background)

        def loop(index, s, tokens):
            while not stop.is_set():
                run(s, tokens)
                counts[index] += 1

        threads = [threading.Thread(target=loop, args=(i, *pair)) for i, pair in enumerate(background)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        try:
            before = list(counts)
            result = measure()
            return result, [after - start for after, start in zip(counts, before)]
        finally:
            stop.set()
            for t in threads:
                t.join()

    single = [session(args.model, 1) for _ in range(3)]
    every = session(args.model, cores)
    for s in single + [every]:
        run(s, 16)
        run(s, 16)
    long_runs = 3
    beside_one, _ = beside([(single[2], 60)], lambda: median(lambda: run(single[1], 60), long_runs))
    beside_overflow, counts = beside([(single[2], 60), (every, 16)], lambda: median(lambda: run(single[1], 60), long_runs))
    r = {
        "first_piece_single_thread_alone": median(lambda: run(single[0], 16)),
        "first_piece_every_core_alone": median(lambda: run(every, 16)),
        "first_piece_overflow_beside_two": beside([(single[1], 60), (single[2], 60)], lambda: median(lambda: run(every, 16)))[0],
        "long_piece_single_thread_alone": median(lambda: run(single[1], 60), long_runs),
        "long_piece_beside_one": beside_one,
        "long_piece_beside_one_and_overflow": beside_overflow,
    }
    r["overflow_slowdown"] = r["first_piece_overflow_beside_two"] / r["first_piece_single_thread_alone"]
    # What a run beside the overflow loses per overflow run it shared the cores with, as a
    # multiple of the overflow piece's own time on a 1-thread session (the forecast takes 1).
    overflow_runs_per_long_run = counts[1] / long_runs
    if overflow_runs_per_long_run > 0:
        r["loss_per_overflow_run_in_own_costs"] = ((beside_overflow - beside_one) / overflow_runs_per_long_run
                                                  / r["first_piece_single_thread_alone"])
    # The cost curve of a throughput session beside another, and its straight line.
    lengths = [16, 32, 64, 128, 200]
    curve = [beside([(single[2], n)], lambda: median(lambda: run(single[1], n), long_runs))[0] for n in lengths]
    per_token, fixed = statistics.linear_regression(lengths, curve)
    r["cost_fixed"], r["cost_per_token"] = fixed, per_token
    r["cost_fixed_in_tokens"] = fixed / per_token
    r["cost_line_worst_error"] = max(abs(fixed + per_token * n - t) / t for n, t in zip(lengths, curve))
    report = {"cores": cores, "onnxruntime": ort.__version__, "model": Path(args.model).name, "runs": args.runs,
              "seconds": r, "cost_curve": dict(zip(map(str, lengths), curve)), "generated": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    for name, value in r.items():
        print(f"{name:40s} {value:.3f}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
