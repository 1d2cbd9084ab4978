#!/usr/bin/env python3
"""Calibrate the decoder's normalization and quantization statistics per voice.

    calibrate_voices.py PROBE OUTDIR [--voices af_heart,am_adam | all] [--corpus FILE]
                        [--linear NAME=SPEC ...] [--skip-existing] [--check]
    calibrate_voices.py --make-corpus FILE [--lines 400:500] [--anchors 16,32,64,128,256] [--per-anchor 3]

PROBE is kokoro-decoder-probe.onnx from calibrated_decoder.py (the plain decoder with a
second output, `statistics` [K]; its metadata gives the layout). The recipe (NOTES.md,
"Calibrated windows", has the measurements behind it):

  * anchors: style rows 16, 32, 64, 128, 256. Kokoro's style row depends on the token
    count, and the statistics depend strongly on the style row (and on the voice: a
    voice decoded with another voice's statistics is 7-10 dB log-mel off).
  * at anchor A, the 3 corpus sentences whose token count is nearest to A (in log)
    run through the front and the probe with style row A of the voice; the statistics
    of the 3 runs are averaged, weighted by their frame counts (means, variances,
    minima and maxima alike: the typical sentence's own statistics, not those of the
    concatenation, which were slightly worse). 15 runs, ~82 s of audio per voice.
  * a sentence decoded with style row r uses the statistics interpolated linearly in
    ln(r) between the anchors around r, clamped to the first/last anchor outside.
  * a blend (positive weights summing to 1) uses the same weighted sum of its voices'
    statistics (--linear; measured as good as calibrating the blend itself).

The corpus (--corpus, default calibration-corpus.json beside this script) holds the
phonemes of the chosen sentences of ljs-test lines 400-499 (never the judge's 0-99);
--make-corpus writes it from /work/shared/eval/ljs-test.misaki.tsv.

OUTDIR gets:
  calibration.json   the recipe as data: anchors, per anchor the token ids of its corpus
                     sentences (without the two 0 pads), K/M/Q of the layout, pooling;
                     what a server needs to calibrate a voice itself with the probe graph
  NAME.npy           float32 [A, 256 + K]: row i = style row anchors[i] of the voice
                     (256 values, the exact floats it was calibrated with), then the
                     K statistics for that anchor. A reader checks the style part against
                     the voice it has and recalibrates when they differ.
Voices come from voices_ja.npz then voices-v1.0.npz in the cache (later packs win, as in
the server). --check decodes one sentence (ljs-test line 300, kept in the corpus file) with each voice's
statistics and the calibrated decoder, compares with the plain whole decode and fails
if the log-mel distance or the loudness offset is far off (a wrong calibration is
7-10 dB log-mel off; a good one ~3 dB). ORT runs with 1 thread.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))
SENTENCES = Path(__file__).resolve().parents[3] / "shared/eval/ljs-test.misaki.tsv"
CORPUS = Path(__file__).resolve().parent / "calibration-corpus.json"
SAMPLES_PER_FRAME = 600
STYLE = 256
ANCHORS = [16, 32, 64, 128, 256]
PER_ANCHOR = 3
VOICE_PACKS = ["voices_ja.npz", "voices-v1.0.npz"]  # later packs override earlier ones, as in the server


def session(model):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def vocabulary():
    return json.loads((CACHE / "vocab.json").read_text())["vocab"]


def tokenize(phonemes, vocab):
    return [vocab[ch] for ch in phonemes if ch in vocab]


def load_rows(lines):
    """[(text, token ids, line number)] for the given 0-based line numbers of the TSV."""
    vocab = vocabulary()
    all_lines = SENTENCES.read_text(encoding="utf-8").splitlines()
    rows = []
    for i in lines:
        text, phonemes = all_lines[i].split("\t")
        rows.append((text, tokenize(phonemes, vocab), i))
    return rows


def pick_by_length(rows, count):
    rows = sorted(rows, key=lambda r: (len(r[1]), r[2]))
    return [rows[i] for i in np.linspace(0, len(rows) - 1, count).round().astype(int)]


def parse_spec(spec):
    """'af_heart' or 'af_heart*0.6+am_adam*0.4' -> [(name, weight)]"""
    parts = []
    for term in spec.split("+"):
        name, _, weight = term.partition("*")
        parts.append((name.strip(), float(weight) if weight else 1.0))
    return parts


class VoicePacks:
    """name -> [510, 1, 256] style table, from the cache's packs (later packs win)."""

    def __init__(self, packs=VOICE_PACKS):
        self.files = {}
        for pack in packs:
            path = CACHE / pack
            if path.exists():
                data = np.load(path)
                self.files.update({name: data for name in data.files})

    def __getitem__(self, name):
        return self.files[name][name]

    @property
    def names(self):
        return sorted(self.files)


def style_table(voices, spec):
    """[510, 1, 256] style rows of a voice or blend."""
    return sum(np.float32(w) * voices[name] for name, w in parse_spec(spec)).astype(np.float32)


def read_layout(model_path):
    import onnx
    model = onnx.load(str(model_path), load_external_data=False)
    return json.loads(next(p.value for p in model.metadata_props if p.key == "statistics_layout"))


def pool(stats, frames, lay):
    """Pool per-sentence statistics [S, K] as over the concatenated time axis (the first
    plan, kept for comparison): means/variances of the concatenation, min of the minima,
    max of the maxima."""
    stats = np.asarray(stats, np.float64)
    w = np.asarray(frames, np.float64)[:, None] / np.sum(frames)
    m, q = lay["M"], lay["Q"]
    means, variances = stats[:, :m], stats[:, m:2 * m]
    mean = np.sum(w * means, axis=0)
    var = np.sum(w * (variances + (means - mean) ** 2), axis=0)
    lo = stats[:, 2 * m:2 * m + q].min(axis=0)
    hi = stats[:, 2 * m + q:].max(axis=0)
    return np.concatenate([mean, var, lo, hi]).astype(np.float32)


def pool_average(stats, frames):
    """The recipe's pooling: every statistic averaged over the sentences, weighted by frames."""
    w = np.asarray(frames, np.float64)[:, None] / np.sum(frames)
    return np.sum(w * np.asarray(stats, np.float64), axis=0).astype(np.float32)


def statistics_for(stats, anchors, row):
    """Statistics [K] for a sentence decoded with style row `row`, from a voice's [A, K]
    table: linear in ln(row) between the neighbouring anchors, clamped at the ends."""
    anchors = np.asarray(anchors)
    if len(anchors) <= 1:
        return stats[0]
    r = np.clip(row, anchors[0], anchors[-1])
    i = min(int(np.searchsorted(anchors, r, side="right")) - 1, len(anchors) - 2)
    t = (np.log(r) - np.log(anchors[i])) / (np.log(anchors[i + 1]) - np.log(anchors[i]))
    return ((1 - t) * stats[i] + t * stats[i + 1]).astype(np.float32)


# ---------------------------------------------------------------- corpus and recipe

CHECK_LINE = 300  # the set-up's check sentence: not the judge's 0-99, the study's 100-199,
                  # window_fidelity's 200-240 nor the corpus 400-499


def make_corpus(path, lines, anchors, per_anchor):
    lo, hi = lines
    assert lo >= 100, "lines 0-99 are the judge's test set"
    all_lines = SENTENCES.read_text(encoding="utf-8").splitlines()
    vocab = vocabulary()
    pool_rows = [(i, *all_lines[i].split("\t")) for i in range(lo, hi)]
    entries = []
    for a in anchors:
        near = sorted(pool_rows, key=lambda r: (abs(np.log(len(tokenize(r[2], vocab)) / a)), r[0]))[:per_anchor]
        entries.append({"anchor": a, "sentences": [{"line": i, "text": t, "phonemes": p} for i, t, p in near]})
    corpus = {"source": f"ljs-test.misaki.tsv, 0-based lines {lo}-{hi - 1}: at each anchor the {per_anchor} "
                        "sentences nearest to that many tokens (ln ratio; ties by line)",
              "anchors": anchors, "entries": entries,
              "check": {"line": CHECK_LINE, "text": all_lines[CHECK_LINE].split("\t")[0],
                        "phonemes": all_lines[CHECK_LINE].split("\t")[1]}}
    Path(path).write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def recipe(corpus_path, lay):
    """calibration.json's content: the corpus as token ids, and how to use the statistics."""
    corpus = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    vocab = vocabulary()
    return {
        "format": 1,
        "anchors": corpus["anchors"],
        "corpus": [[tokenize(s["phonemes"], vocab) for s in e["sentences"]] for e in corpus["entries"]],
        "corpus_lines": [[s["line"] for s in e["sentences"]] for e in corpus["entries"]],
        "K": lay["K"], "M": lay["M"], "Q": lay["Q"], "style_width": STYLE,
        "voice_file": "NAME.npy: float32 [A, 256 + K]; row i = style row anchors[i], then its K statistics",
        "run": "per anchor A and corpus sentence: front(tokens [0, ids..., 0], style row A, speed 1), then the "
               "probe (phase zeros) -> statistics [K]; the probe's audio is not needed",
        "pooling": "per anchor: sum over its sentences of frames_i * statistics_i / sum of frames_i "
                   "(frames = the front's T), every one of the K values alike, in float64, stored as float32",
        "interpolation": "style row r: clamp r to [anchors[0], anchors[-1]]; between anchors a_i <= r <= a_i+1, "
                         "t = ln(r / a_i) / ln(a_i+1 / a_i), statistics = (1 - t) s_i + t s_i+1",
        "blend": "positive weights w_v summing to 1: statistics = sum_v w_v statistics_v (per anchor, before "
                 "interpolating); blends with a subtracted voice: calibrate the blend itself",
    }


class Calibrator:
    def __init__(self, probe_path, corpus_path=CORPUS):
        self.layout = read_layout(probe_path)
        self.recipe = recipe(corpus_path, self.layout)
        self.recipe["probe_sha256"] = sha256(probe_path)
        self.probe_path = probe_path
        self.voices = VoicePacks()

    def open(self):
        self.front = session(str(CACHE / "kokoro-v1.0.int8.front.onnx"))
        self.probe = session(str(self.probe_path))

    def up_to_date(self, path, spec):
        """True when `path` holds statistics calibrated on the voice's current style rows."""
        if not path.exists():
            return False
        table = np.load(path)
        expected = style_table(self.voices, spec)[self.recipe["anchors"], 0]
        return table.shape == (len(expected), STYLE + self.layout["K"]) and np.array_equal(table[:, :STYLE], expected)

    def run(self, spec):
        """([A, 256 + K] float32, seconds)"""
        table = style_table(self.voices, spec)
        start = time.perf_counter()
        rows = []
        for anchor, sentences in zip(self.recipe["anchors"], self.recipe["corpus"]):
            style = table[anchor]  # [1, 256]
            stats, frames = [], []
            for ids in sentences:
                inputs = {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style,
                          "speed": np.ones(1, np.float32)}
                features, f0, energy, _ = self.front.run(None, inputs)
                stats.append(self.probe.run(["statistics"], {"features": features, "f0": f0, "energy": energy,
                                                             "style": style, "phase": np.zeros((1, 9), np.float32)})[0])
                frames.append(features.shape[2])
            rows.append(np.concatenate([style[0], pool_average(stats, frames)]))
        return np.stack(rows).astype(np.float32), time.perf_counter() - start


def sha256(path):
    import hashlib
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save(path, array):
    """np.save, atomically."""
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array)
    os.replace(tmp, path)


def load_voice_statistics(outdir, spec):
    """(anchors, style rows [A, 256], statistics [A, K]) of a calibrated voice, or of a
    blend 'a*0.5+b*0.5' made linearly from its calibrated voices."""
    anchors = json.loads((Path(outdir) / "calibration.json").read_text())["anchors"]
    path = Path(outdir) / f"{spec}.npy"
    if path.exists():
        table = np.load(path)
    else:
        table = sum(np.float32(w) * np.load(Path(outdir) / f"{name}.npy") for name, w in parse_spec(spec))
        table = table.astype(np.float32)
    return np.array(anchors), table[:, :STYLE], table[:, STYLE:]


def check(outdir, specs, corpus_path):
    """Decode the corpus file's check sentence whole with each voice's statistics; fail when far off."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from window_fidelity import block_loudness, mel_distance  # noqa: E402
    sentence = json.loads(Path(corpus_path).read_text(encoding="utf-8"))["check"]
    line, ids = sentence["line"], tokenize(sentence["phonemes"], vocabulary())
    front = session(str(CACHE / "kokoro-v1.0.int8.front.onnx"))
    probe = session(str(CACHE / "kokoro-v1.0.int8.decoder-probe.onnx"))
    calibrated = session(str(CACHE / "kokoro-v1.0.int8.decoder-calibrated.onnx"))
    voices = VoicePacks()
    for spec in specs:
        style = style_table(voices, spec)[len(ids)]
        anchors, _, stats = load_voice_statistics(outdir, spec)
        features, f0, energy, _ = front.run(None, {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style,
                                                   "speed": np.ones(1, np.float32)})
        feed = {"features": features, "f0": f0, "energy": energy, "style": style, "phase": np.zeros((1, 9), np.float32)}
        ref = probe.run(["audio"], feed)[0]
        out = calibrated.run(["audio"], {**feed, "statistics": statistics_for(stats, anchors, len(ids))})[0]
        mel = mel_distance(ref, out)
        offset, wobble = block_loudness(ref, out)
        ok = mel < 5.0 and abs(offset) < 2.0
        print(f"check {spec}: line {line} ({len(ids)} tokens), calibrated vs plain whole decode: log-mel {mel:.2f} dB, "
              f"loudness offset {offset:+.2f} dB, wobble {wobble:.2f} dB: {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            sys.exit(f"the statistics of {spec} in {outdir} are wrong (expected log-mel < 5 dB, |offset| < 2 dB)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("probe", type=Path, nargs="?")
    parser.add_argument("outdir", type=Path, nargs="?")
    parser.add_argument("--voices", default="af_heart", help="comma-separated names or blends, or 'all'")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--linear", action="append", default=[], metavar="NAME=SPEC",
                        help="also write NAME.npy, the weighted sum of calibrated voices (no decoding)")
    parser.add_argument("--skip-existing", action="store_true",
                        help="leave voices whose NAME.npy was calibrated on their current style rows")
    parser.add_argument("--check", action="store_true", help="check each new voice on the corpus file's check sentence")
    parser.add_argument("--make-corpus", type=Path, metavar="FILE")
    parser.add_argument("--lines", default="400:500")
    parser.add_argument("--anchors", default=",".join(map(str, ANCHORS)))
    parser.add_argument("--per-anchor", type=int, default=PER_ANCHOR)
    args = parser.parse_args()
    if args.make_corpus:
        make_corpus(args.make_corpus, tuple(int(x) for x in args.lines.split(":")),
                    [int(a) for a in args.anchors.split(",")], args.per_anchor)
        return
    if not args.probe or not args.outdir:
        parser.error("PROBE and OUTDIR are required")
    args.outdir.mkdir(parents=True, exist_ok=True)
    calibrator = Calibrator(args.probe, args.corpus)
    recipe_text = json.dumps(calibrator.recipe, indent=1) + "\n"
    recipe_path = args.outdir / "calibration.json"
    if recipe_path.exists() and recipe_path.read_text() != recipe_text:
        sys.exit(f"{recipe_path} holds another recipe (other graphs or corpus): delete {args.outdir} first")
    recipe_path.write_text(recipe_text)
    specs = [] if not args.voices else args.voices.split(",")
    if specs == ["all"]:
        specs = calibrator.voices.names
    todo = [s for s in specs if not (args.skip_existing and calibrator.up_to_date(args.outdir / f"{s}.npy", s))]
    tokens = sum(len(ids) for s in calibrator.recipe["corpus"] for ids in s)
    print(f"calibrating {len(todo)} voice(s) ({len(specs) - len(todo)} up to date) at anchors "
          f"{calibrator.recipe['anchors']}, {sum(map(len, calibrator.recipe['corpus']))} runs ({tokens} tokens) each; "
          f"K={calibrator.layout['K']}", flush=True)
    if todo:
        calibrator.open()
    for spec in todo:
        table, seconds = calibrator.run(spec)
        save(args.outdir / f"{spec}.npy", table)
        print(f"  {spec}: {seconds:.1f} s (1 thread) -> {args.outdir / (spec + '.npy')} {table.shape}, "
              f"sha256 {sha256(args.outdir / (spec + '.npy'))[:16]}", flush=True)
    for item in args.linear:
        name, spec = item.split("=", 1)
        table = sum(np.float32(w) * np.load(args.outdir / f"{v}.npy") for v, w in parse_spec(spec))
        save(args.outdir / f"{name}.npy", table.astype(np.float32))
        print(f"  {name}: linear blend of {spec}")
    if args.check and (todo or args.linear):
        check(args.outdir, todo + [i.split("=", 1)[0] for i in args.linear], args.corpus)


if __name__ == "__main__":
    main()
