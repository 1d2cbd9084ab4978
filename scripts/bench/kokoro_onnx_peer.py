#!/usr/bin/env python3
"""kokoro-onnx (the PyPI package, used as is) on the benchmark texts, in its own process so
its peak RSS is its own. Prints progress on stderr and one JSON object on stdout.

    python kokoro_onnx_peer.py --model M --voices V --texts T [--runs 5]     full measurement
    python kokoro_onnx_peer.py --model M --voices V --startup-only             import + construct

TTFA: time to the first chunk yielded by `create_stream` on a warm instance (the stream is
then drained, which gives the streamed total). Paragraph total also with `create`.
Start-up: `Kokoro(model, voices)` construction (no synthesis), and import + construction.
kokoro-onnx builds its session with ORT's default options: intra_op_num_threads = 0, which
ORT turns into one thread per physical core; the threads it actually started are counted."""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import loadavg, parse_texts  # noqa: E402


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def log(*parts):
    print("kokoro-onnx:", *parts, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--voices", required=True)
    parser.add_argument("--texts")
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--lang", default="en-us")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-only", action="store_true")
    parser.add_argument("--no-create", action="store_true", help="skip the create() paragraph runs")
    args = parser.parse_args()

    t_import = time.perf_counter()
    import importlib.metadata

    import onnxruntime as ort
    from kokoro_onnx import Kokoro
    import_seconds = time.perf_counter() - t_import

    threads_before = threads()
    t0 = time.perf_counter()
    kokoro = Kokoro(args.model, args.voices)
    construct_seconds = time.perf_counter() - t0
    ready_since_start = time.perf_counter() - T_START
    options = kokoro.sess.get_session_options()
    info = {
        "kokoro_onnx": importlib.metadata.version("kokoro-onnx"),
        "onnxruntime": ort.__version__,
        "providers": kokoro.sess.get_providers(),
        "session_options": {"intra_op_num_threads": options.intra_op_num_threads,
                            "inter_op_num_threads": options.inter_op_num_threads,
                            "graph_optimization_level": str(options.graph_optimization_level),
                            "execution_mode": str(options.execution_mode)},
        "threads_started_by_construction": threads() - threads_before,
        "os_cpu_count": os.cpu_count(),
        "import_seconds": import_seconds,
        "construct_seconds": construct_seconds,
        "process_start_to_constructed_seconds": ready_since_start,
    }
    if args.startup_only:
        print(json.dumps(info))
        return

    texts = parse_texts(args.texts)

    async def stream(text):
        t0 = time.perf_counter()
        first, samples, chunks, sr = None, 0, 0, 24000
        async for audio, sr in kokoro.create_stream(text, args.voice, speed=1.0, lang=args.lang):
            if first is None:
                first = time.perf_counter() - t0
            samples += len(audio)
            chunks += 1
        return first, time.perf_counter() - t0, samples / sr, chunks

    # Warm-up, untimed (first synthesis also measured: construction + first audio)
    t0 = time.perf_counter()
    asyncio.run(stream(texts["sentence"]))
    info["first_sentence_stream_seconds"] = time.perf_counter() - t0
    asyncio.run(stream(texts["paragraph"]))

    results = {name: {"ttfa": [], "stream_total": [], "audio_seconds": [], "chunks": None}
               for name in ("sentence", "paragraph")}
    for r in range(args.runs):
        for name in ("sentence", "paragraph"):
            time.sleep(0.3)
            first, total, seconds, chunks = asyncio.run(stream(texts[name]))
            entry = results[name]
            entry["ttfa"].append(first)
            entry["stream_total"].append(total)
            entry["audio_seconds"].append(seconds)
            entry["chunks"] = chunks
            log(f"round {r + 1}/{args.runs} {name}: TTFA {first * 1000:.1f} ms, stream total {total:.3f} s, "
                f"{seconds:.2f} s audio in {chunks} chunks")
    create = {"total": [], "audio_seconds": []}
    if not args.no_create:
        for r in range(args.runs):
            time.sleep(0.3)
            t0 = time.perf_counter()
            audio, sr = kokoro.create(texts["paragraph"], args.voice, speed=1.0, lang=args.lang)
            create["total"].append(time.perf_counter() - t0)
            create["audio_seconds"].append(len(audio) / sr)
            log(f"round {r + 1}/{args.runs} paragraph create(): {create['total'][-1]:.3f} s")

    for entry in (*results.values(), create):
        for key in ("ttfa", "stream_total", "total", "audio_seconds"):
            if entry.get(key):
                entry[key + "_median"] = statistics.median(entry[key])
    info["stream"] = results
    info["create_paragraph"] = create
    info["threads_now"] = threads()
    info["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    info["loadavg_after"] = loadavg()
    print(json.dumps(info))


if __name__ == "__main__":
    main()
