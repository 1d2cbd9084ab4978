#!/usr/bin/env python3
"""Warm-server TTFA of the benchmark sentence and paragraph, against bare ONNX Runtime.

    scripts/bench/ttfa.py http://127.0.0.1:8880 [--runs 5] [--texts ../shared/eval/bench-texts.md]

TTFA = request written -> first audio byte (pcm: first body byte; wav: first byte after the
44-byte header). Each response is read to its end, so the total time, audio length and RTF of
every request come with it and no unfinished work is left behind for the next one.

When numpy + onnxruntime are importable and the model is found, each round also times bare
ORT on the same tokens, interleaved with the server requests so drift in machine load hits
both alike: one Run of the first segment of each text (`segments[0].tokens` from
POST /dev/phonemize, padded with 0 at both ends, style row len(tokens)-1, speed 1) and the
sum of Runs over all the paragraph's segments; and, when set-up made the split model and the
voice's decoder statistics, what the server's first audio waits for: the front on the first
segment and the calibrated decoder on its first window, 16 frames of context on both sides:
the window the server reports in /status (`first_window_frames`: 20, the 5 frames before the
first token and 15 of speech, or longer when its decoder is slow so that the next window keeps
up), and the design's 20 frames when that
differs. The ratio to the first is our overhead on the same work. Writes
reports/bench-ttfa.json."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (BareORT, SAMPLE_RATE, loadavg, loopback, median, parse_texts, ratio,  # noqa: E402
                    get_json, segments_from_server, speech, write_json)

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))


def measure(host: str, port: int, texts: dict[str, str], runs: int, voice: str = "af_heart",
            fmt: str = "pcm", bare: BareORT | None = None, gap: float = 0.3,
            segments: dict[str, list[list[int]]] | None = None, log=print) -> dict:
    """Warm-up, then `runs` interleaved rounds; every raw value is kept."""
    names = ("sentence", "paragraph")
    report: dict = {"runs": runs, "format": fmt, "voice": voice, "loadavg_before": loadavg(),
                    "ttfa_definition": "request written -> first audio byte" +
                                       (" after the 44-byte WAV header" if fmt == "wav" else " (pcm body)")}
    if segments is None:
        segments = {}
        for name in names:
            try:
                segments[name] = segments_from_server(host, port, texts[name], voice)
            except Exception as error:  # the bare-ORT half is skipped, the server half still runs
                log(f"ttfa: no segments for the {name}: {error}")
                report.setdefault("errors", []).append(f"/dev/phonemize ({name}): {error}")
    report["segments"] = {name: {"count": len(s), "tokens_per_segment": [len(t) for t in s],
                                 "first_segment_tokens": s[0]} for name, s in segments.items()}
    if bare is not None and len(segments) < len(names):
        bare = None
    if bare is not None:
        report["bare_ort"] = bare.describe()

    server = {name: {"ttfa": [], "total": [], "audio_seconds": [], "headers_at": []} for name in names}
    bare_first = {name: [] for name in names}
    split = bare is not None and getattr(bare, "decoder", None) is not None
    bare_window = {name: [] for name in names}
    bare_design_window = {name: [] for name in names}
    status = get_json(host, port, "/status")[1] or {}
    served_window = status.get("first_window_frames") or (bare.window if split else None)
    report["server_first_window_frames"] = served_window
    if split:
        report["design_window_frames"] = bare.window
    bare_paragraph: list[float] = []
    bare_paragraph_audio = None

    def server_run(name: str, keep: bool):
        result = speech(host, port, texts[name], voice, fmt)
        if result.status != 200 or result.ttfa is None or result.error:
            raise RuntimeError(f"{name}: status {result.status}, error {result.error}")
        if keep:
            server[name]["ttfa"].append(result.ttfa)
            server[name]["total"].append(result.total)
            server[name]["audio_seconds"].append(result.audio_seconds)
            server[name]["headers_at"].append(result.headers_at)
        return result

    def bare_paragraph_run():
        seconds, samples = 0.0, 0
        for tokens in segments["paragraph"]:
            s, n = bare.run(tokens)
            seconds += s
            samples += n
        return seconds, samples

    # Warm-up: one of everything, untimed.
    for name in names:
        server_run(name, keep=False)
        if bare is not None:
            bare.run(segments[name][0])
    if bare is not None:
        bare_paragraph_run()

    for r in range(runs):
        for name in names:
            time.sleep(gap)
            res = server_run(name, keep=True)
            line = f"ttfa: round {r + 1}/{runs} {name}: server TTFA {res.ttfa * 1000:.1f} ms, total {res.total:.3f} s"
            if bare is not None:
                time.sleep(gap)
                seconds, _ = bare.run(segments[name][0])
                bare_first[name].append(seconds)
                line += f"; bare ORT first segment ({len(segments[name][0])} tokens) {seconds * 1000:.1f} ms"
                if split:
                    time.sleep(gap)
                    window = bare.run_first_window(segments[name][0], served_window)
                    bare_window[name].append(window)
                    line += f", its front + first window ({served_window} frames) {window * 1000:.1f} ms"
                    if served_window != bare.window:
                        time.sleep(gap)
                        design = bare.run_first_window(segments[name][0], bare.window)
                        bare_design_window[name].append(design)
                        line += f", with {bare.window} frames {design * 1000:.1f} ms"
            log(line)
        if bare is not None:
            time.sleep(gap)
            seconds, samples = bare_paragraph_run()
            bare_paragraph.append(seconds)
            bare_paragraph_audio = samples / SAMPLE_RATE
            log(f"ttfa: round {r + 1}/{runs} bare ORT paragraph, {len(segments['paragraph'])} segments: {seconds:.3f} s")

    for name in names:
        entry = server[name]
        entry["ttfa_median"] = median(entry["ttfa"])
        entry["total_median"] = median(entry["total"])
        entry["audio_seconds_median"] = median(entry["audio_seconds"])
        entry["rtf_median"] = ratio(entry["total_median"], entry["audio_seconds_median"])
        if bare is not None:
            entry["bare_ort_first_segment"] = bare_first[name]
            entry["bare_ort_first_segment_median"] = median(bare_first[name])
            entry["ttfa_over_bare_ort"] = ratio(entry["ttfa_median"], entry["bare_ort_first_segment_median"])
        if split:
            entry["bare_ort_front_first_window"] = bare_window[name]
            entry["bare_ort_front_first_window_median"] = median(bare_window[name])
            entry["ttfa_over_bare_first_window"] = ratio(entry["ttfa_median"], entry["bare_ort_front_first_window_median"])
            if bare_design_window[name]:
                entry["bare_ort_front_design_window"] = bare_design_window[name]
                entry["bare_ort_front_design_window_median"] = median(bare_design_window[name])
                entry["ttfa_over_bare_design_window"] = ratio(entry["ttfa_median"], entry["bare_ort_front_design_window_median"])
    report["server"] = server
    report["paragraph_over_sentence_ttfa"] = ratio(server["paragraph"]["ttfa_median"], server["sentence"]["ttfa_median"])
    if bare is not None:
        report["bare_ort_paragraph"] = {"seconds": bare_paragraph, "seconds_median": median(bare_paragraph),
                                        "audio_seconds": bare_paragraph_audio,
                                        "rtf_median": ratio(median(bare_paragraph), bare_paragraph_audio)}
    report["loadavg_after"] = loadavg()
    return report


def summary(report: dict) -> str:
    s = report["server"]
    lines = []
    for name in ("sentence", "paragraph"):
        line = f"{name:9s} TTFA median {s[name]['ttfa_median'] * 1000:7.1f} ms"
        if "bare_ort_first_segment_median" in s[name]:
            line += (f" | bare ORT first segment {s[name]['bare_ort_first_segment_median'] * 1000:7.1f} ms"
                     f" | ratio {s[name]['ttfa_over_bare_ort']:.3f}")
        if "bare_ort_front_first_window_median" in s[name]:
            line += (f" | bare ORT front + the same first window ({report['server_first_window_frames']} frames)"
                     f" {s[name]['bare_ort_front_first_window_median'] * 1000:7.1f} ms"
                     f" | ratio {s[name]['ttfa_over_bare_first_window']:.3f} (target <= 1.10)")
        if "bare_ort_front_design_window_median" in s[name]:
            line += (f" | with the design's {report['design_window_frames']}-frame window {s[name]['bare_ort_front_design_window_median'] * 1000:7.1f} ms"
                     f" | ratio {s[name]['ttfa_over_bare_design_window']:.3f}")
        lines.append(line)
    lines.append(f"paragraph/sentence TTFA ratio {report['paragraph_over_sentence_ttfa']:.3f} (target <= 1.20)")
    p = s["paragraph"]
    lines.append(f"paragraph total {p['total_median']:.3f} s for {p['audio_seconds_median']:.2f} s of audio, RTF {p['rtf_median']:.3f}")
    if "bare_ort_paragraph" in report:
        b = report["bare_ort_paragraph"]
        lines.append(f"bare ORT paragraph {b['seconds_median']:.3f} s for {b['audio_seconds']:.2f} s of audio, RTF {b['rtf_median']:.3f}")
    return "\n".join(lines)


def main() -> None:
    repo = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8880 (loopback only)")
    parser.add_argument("--texts", default=str(repo / "../shared/eval/bench-texts.md"))
    parser.add_argument("--runs", type=int, default=5, help="timed rounds after one warm-up (default 5)")
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--format", choices=("pcm", "wav"), default="pcm")
    parser.add_argument("--model", default=str(CACHE / "kokoro-v1.0.int8.onnx"), help="for bare ORT")
    parser.add_argument("--voices", default=str(CACHE / "voices-v1.0.npz"), help="for bare ORT")
    parser.add_argument("--threads", type=int, default=2, help="bare ORT intra-op threads (default 2)")
    parser.add_argument("--no-bare", action="store_true", help="server only")
    parser.add_argument("--out", default=str(repo / "reports/bench-ttfa.json"))
    args = parser.parse_args()

    host, port = loopback(args.url, "ttfa")
    texts = parse_texts(args.texts)
    bare = None
    if not args.no_bare:
        try:
            bare = BareORT(args.model, args.voices, args.voice, args.threads)
            if not bare.load_split(args.model, str(CACHE / "decoder-statistics"), args.voice):
                print("ttfa: no split model or decoder statistics for the voice: bare ORT times the whole first segment only")
        except Exception as error:
            print(f"ttfa: bare ORT skipped ({type(error).__name__}: {error}); run with the bench venv's python to include it")
    report = measure(host, port, texts, args.runs, args.voice, args.format, bare)
    report["url"] = args.url
    print(summary(report))
    print("wrote", write_json(args.out, report))


if __name__ == "__main__":
    main()
