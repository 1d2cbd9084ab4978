#!/usr/bin/env python3
"""How to calibrate the decoder's statistics per voice: cost against fidelity.

    calibration_study.py [--voice af_heart] [--dev-lines 100:200] [--dev 16]
                         [--corpus-lines 400:500] [--corpus 12] [--experiments all|NAME,...]
                         [--out study.json]

Research tool behind NOTES.md's "Calibrated windows". It does not decode windows:
windowing with calibrated statistics costs little beside the calibration itself
(window_fidelity.py's "(vs cal. whole)" rows), so a calibration is judged by the
calibrated decoder on whole sentences against the plain whole decode (log-mel
distance, loudness offset and wobble, F0 error; the metrics of window_fidelity.py).

Sentences: the corpus from ljs-test lines --corpus-lines (calibration; never 0-99),
the development set from --dev-lines (neither the judge's 0-99 nor the corpus, nor
200-240 which window_fidelity.py reports on). Each corpus sentence is run through the
front and the probe once per style row ("anchor") and its statistics are cached in
CACHE/calibration/study/, with the seconds it took (1 ORT thread), so the experiments
below only pool and decode.

Experiments (a calibration = anchors x corpus sentences x pooling rule):
  anchors     which style rows to calibrate at (statistics for N tokens are interpolated
              linearly in log N between the two anchors around N)
  corpus      how many / which corpus sentences
  pooling     'concat' (calibrate_voices.pool: as over the concatenated time axis, range =
              min of mins / max of maxes) or 'average' (frame-weighted average of the
              sentences' own means, variances, minima and maxima)
  blend       a 50/50 blend: its own calibration vs the weighted sum of its voices' (--linear)
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from calibrate_voices import (CACHE, load_rows, pick_by_length, pool, read_layout,  # noqa: E402
                              session, style_table)
from window_fidelity import block_loudness, f0_error, mel_distance, yin  # noqa: E402

CALIBRATION = CACHE / "calibration"
STUDY = CALIBRATION / "study"
ALL_ANCHORS = [8, 11, 16, 23, 32, 45, 64, 90, 128, 181, 256, 362, 509]
ZERO_PHASE = np.zeros((1, 9), np.float32)


class Lab:
    def __init__(self, args):
        self.front = session(str(CACHE / "kokoro-v1.0.int8.front.onnx"))
        self.probe = session(str(CALIBRATION / "kokoro-decoder-probe.onnx"))
        self.calibrated = session(str(CALIBRATION / "kokoro-decoder-calibrated.onnx"))
        self.layout = read_layout(CALIBRATION / "kokoro-decoder-probe.onnx")
        self.voices = np.load(CACHE / "voices-v1.0.npz")
        lo, hi = (int(x) for x in args.corpus_lines.split(":"))
        assert lo >= 100
        self.pool = load_rows(range(lo, hi))  # every corpus line, for length-matched picks
        self.corpus = pick_by_length(self.pool, args.corpus)
        lo, hi = (int(x) for x in args.dev_lines.split(":"))
        assert lo >= 100
        self.dev = pick_by_length(load_rows(range(lo, hi)), args.dev)
        self.tables = {}

    def decoder_inputs(self, ids, style):
        inputs = {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style, "speed": np.ones(1, np.float32)}
        features, f0, energy, _ = self.front.run(None, inputs)
        return {"features": features, "f0": f0, "energy": energy, "style": style, "phase": ZERO_PHASE}

    def table(self, spec):
        if spec not in self.tables:
            self.tables[spec] = style_table(self.voices, spec)
        return self.tables[spec]

    def corpus_stats(self, spec, row, line, ids):
        """(statistics [K], frames, seconds of front + probe) of one corpus sentence at one style row."""
        path = STUDY / spec.replace("*", "x").replace("+", "_") / f"row{row}-line{line}.npz"
        if not path.exists():
            start = time.perf_counter()
            feed = self.decoder_inputs(ids, self.table(spec)[row])
            stats = self.probe.run(["statistics"], feed)[0]
            seconds = time.perf_counter() - start
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, stats=stats, frames=feed["features"].shape[2], seconds=seconds)
        data = np.load(path)
        return data["stats"], int(data["frames"]), float(data["seconds"])

    def dev_item(self, spec, text_ids_line):
        """Reference (plain whole decode == probe audio) and the sentence's own statistics."""
        _, ids, line = text_ids_line
        path = STUDY / spec.replace("*", "x").replace("+", "_") / f"dev-line{line}.npz"
        feed = self.decoder_inputs(ids, self.table(spec)[len(ids)])
        if not path.exists():
            audio, stats = self.probe.run(["audio", "statistics"], feed)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, audio=audio, stats=stats, f0=yin(audio))
        data = np.load(path)
        return feed, data["audio"], data["stats"], data["f0"]

    def calibrate(self, spec, anchors, corpus, rule="concat"):
        """([A, K] statistics, seconds it took to probe them)."""
        rows, seconds = [], 0.0
        for a in anchors:
            got = [self.corpus_stats(spec, a, line, ids) for _, ids, line in corpus]
            stats = np.stack([g[0] for g in got])
            frames = np.array([g[1] for g in got])
            seconds += sum(g[2] for g in got)
            rows.append(pool_rule(stats, frames, self.layout, rule))
        return np.stack(rows), seconds

    def evaluate(self, spec, stats_for_tokens):
        """Mean metrics of the calibrated whole decode vs the plain whole decode over the dev set."""
        per = []
        for item in self.dev:
            feed, ref, _, ref_f0 = self.dev_item(spec, item)
            out = self.calibrated.run(["audio"], {**feed, "statistics": stats_for_tokens(len(item[1]))})[0]
            offset, wobble = block_loudness(ref, out)
            cents, vdis = f0_error(ref_f0, yin(out))
            per.append({"line": item[2], "tokens": len(item[1]), "mel_db": mel_distance(ref, out),
                        "offset_db": offset, "wobble_db": wobble, "f0_cents": cents, "vdis_pct": vdis})
        summary = {k: float(np.nanmean([p[k] for p in per])) for k in ("mel_db", "offset_db", "wobble_db",
                                                                        "f0_cents", "vdis_pct")}
        summary["offset_sd_db"] = float(np.nanstd([p["offset_db"] for p in per]))
        summary["wobble_max_db"] = float(np.nanmax([p["wobble_db"] for p in per]))
        summary["per_sentence"] = per
        return summary


def pool_rule(stats, frames, lay, rule):
    if rule == "concat":
        return pool(stats, frames, lay)
    w = (np.asarray(frames, np.float64) / np.sum(frames))[:, None]
    if rule == "average":
        return np.sum(w * np.asarray(stats, np.float64), axis=0).astype(np.float32)
    if rule == "concat-var/average-range":
        out = pool(stats, frames, lay)
        m = lay["M"]
        out[2 * m:] = np.sum(w * np.asarray(stats, np.float64), axis=0)[2 * m:]
        return out
    raise ValueError(rule)


def interpolate(stats, anchors, tokens):
    """calibrate_voices.statistics_for, with anchors as a list."""
    anchors = np.asarray(anchors)
    if len(anchors) == 1:
        return stats[0]
    n = np.clip(tokens, anchors[0], anchors[-1])
    i = min(int(np.searchsorted(anchors, n, side="right")) - 1, len(anchors) - 2)
    t = (np.log(n) - np.log(anchors[i])) / (np.log(anchors[i + 1]) - np.log(anchors[i]))
    return ((1 - t) * stats[i] + t * stats[i + 1]).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voice", default="af_heart")
    parser.add_argument("--blend-with", default="am_adam", help="second voice of the blend experiment")
    parser.add_argument("--dev-lines", default="100:200")
    parser.add_argument("--dev", type=int, default=16)
    parser.add_argument("--corpus-lines", default="400:500")
    parser.add_argument("--corpus", type=int, default=12, help="corpus sentences probed (subsets are picked from them)")
    parser.add_argument("--experiments", default="all")
    parser.add_argument("--rule", default="average", help="pooling rule of the experiments other than 'pooling'")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lab = Lab(args)
    voice = args.voice
    corpus = lab.corpus  # sorted by token count
    sub = lambda idx: [corpus[i] for i in idx]  # noqa: E731
    # corpus subsets, picked evenly by length from the probed sentences
    subsets = {n: sub(np.linspace(0, len(corpus) - 1, n).round().astype(int)) for n in (1, 2, 3, 4, 6, 12)
               if n <= len(corpus)}
    subsets[1] = sub([len(corpus) // 2])  # the median-length sentence alone
    shortest = sub([0, 1])                 # the two shortest: cheapest corpus
    results = {}

    def run(name, spec, anchors, corpus_rows, rule=None, stats=None, seconds=float("nan"), audio=None):
        """Evaluate a calibration; audio: seconds of corpus audio probed per voice (default: the
        corpus at every anchor)."""
        rule = rule or args.rule
        if stats is None:
            stats, seconds = lab.calibrate(spec, anchors, corpus_rows, rule)
        r = lab.evaluate(spec, lambda n: interpolate(stats, anchors, n))
        if audio is None:
            audio = len(anchors) * sum(lab.corpus_stats(spec, anchors[0], line, ids)[1]
                                       for _, ids, line in corpus_rows) * 600 / 24000
        r.update(spec=spec, anchors=list(anchors), corpus_lines=[c[2] for c in corpus_rows], rule=rule,
                 probe_seconds=seconds, corpus_audio_seconds=audio)
        results[name] = r
        print(f"{name:38s} mel {r['mel_db']:5.2f}  offset {r['offset_db']:+5.2f} ±{r['offset_sd_db']:.2f}  "
              f"wobble {r['wobble_db']:.2f} (max {r['wobble_max_db']:.2f})  F0 {r['f0_cents']:5.1f} ct  "
              f"vdis {r['vdis_pct']:4.1f}%  | {len(anchors)} anchors, {len(corpus_rows)} sent: "
              f"{audio:.1f} s audio probed, {seconds:.1f} s", flush=True)
        return stats

    wanted = None if args.experiments == "all" else set(args.experiments.split(","))
    want = lambda name: wanted is None or name in wanted  # noqa: E731
    print(f"voice {voice}; dev: {len(lab.dev)} sentences, lines {sorted(r[2] for r in lab.dev)}, tokens "
          f"{sorted(len(r[1]) for r in lab.dev)}; corpus lines {[c[2] for c in corpus]} tokens "
          f"{[len(c[1]) for c in corpus]}", flush=True)

    if want("pooling"):
        for rule in ("concat", "average", "concat-var/average-range"):
            run(f"13 anchors, 6 sent, {rule}", voice, ALL_ANCHORS, subsets[6], rule)
    def matched(anchors, k, pool, label, spec=None, evaluate_as=None):
        """At each anchor A, the k sentences of `pool` nearest to A tokens (in log), probed at row A.
        Returns the [A, K] statistics; evaluate_as: evaluate on this voice instead (None: spec)."""
        spec = spec or voice
        rows_by_anchor = [sorted(pool, key=lambda r: (abs(np.log(len(r[1]) / a)), r[2]))[:k] for a in anchors]
        stats, seconds, audio = [], 0.0, 0.0
        for a, rows in zip(anchors, rows_by_anchor):
            st, sec = lab.calibrate(spec, [a], rows, args.rule)
            stats.append(st[0])
            seconds += sec
            audio += sum(lab.corpus_stats(spec, a, line, ids)[1] for _, ids, line in rows) * 600 / 24000
        stats = np.stack(stats)
        if evaluate_as != "":
            run(f"{','.join(map(str, anchors))} x {k} {label}", evaluate_as or spec, anchors,
                sorted({r[2]: r for rows in rows_by_anchor for r in rows}.values(), key=lambda r: r[2]),
                stats=stats, seconds=seconds, audio=audio)
            results[list(results)[-1]]["matched_tokens"] = [[len(r[1]) for r in rows] for rows in rows_by_anchor]
        return stats

    if want("matched"):  # from the 12 sentences picked by length
        for k in (1, 2):
            for anchors in (ALL_ANCHORS, [16, 32, 64, 128, 256]):
                matched(anchors, k, corpus, "matched")
    if want("matched-pool"):  # from every line of --corpus-lines
        for anchors, k in (([16, 32, 64, 128, 256], 2), ([16, 32, 64, 128, 256], 3), ([16, 32, 64, 128], 2),
                           ([23, 45, 90, 181], 2), ([20, 40, 80, 160], 2), ([16, 32, 64, 128, 256], 1),
                           ([12, 24, 48, 96, 160], 2)):
            matched(anchors, k, lab.pool, "matched (pool)")
    if want("corpus"):
        for n in sorted(subsets):
            run(f"13 anchors, {n} sent", voice, ALL_ANCHORS, subsets[n])
        run("13 anchors, 2 shortest sent", voice, ALL_ANCHORS, shortest)
    if want("anchors"):
        for anchors in ([23, 64, 181], [16, 32, 64, 128, 256], [11, 23, 45, 90, 181, 362],
                        [8, 16, 32, 64, 128, 256, 509], [64]):
            run(f"anchors {','.join(map(str, anchors))}, 6 sent", voice, anchors, subsets[6])
    if want("small"):
        for anchors in ([16, 32, 64, 128, 256], [11, 23, 45, 90, 181, 362]):
            for n in (2, 3):
                run(f"anchors {','.join(map(str, anchors))}, {n} sent", voice, anchors, subsets[n])
    if want("blend"):  # a 50/50 blend with --blend-with, length-matched calibration from the pool
        other = args.blend_with
        blend = f"{voice}*0.5+{other}*0.5"
        anchors, k = [16, 32, 64, 128, 256], 2
        a = matched(anchors, k, lab.pool, f"{voice}: own", voice, "")
        b = matched(anchors, k, lab.pool, f"{other}: own", other)
        run(f"{other}: {voice}'s statistics", other, anchors, [], stats=a, audio=0.0)
        matched(anchors, k, lab.pool, "blend: own calibration", blend)
        run("blend: linear (0.5 a + 0.5 b)", blend, anchors, [], stats=(0.5 * a + 0.5 * b).astype(np.float32),
            audio=0.0)
        run(f"blend: {voice}'s statistics", blend, anchors, [], stats=a, audio=0.0)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
