#!/usr/bin/env python3
"""How close windowed decoding comes to the whole-sentence decode.

    window_fidelity.py [--sentences 20] [--lines 200:240] [--voice af_heart] [--linear]
                       [--stats ~/.cache/kokoro-swift/decoder-statistics]
                       [--settings 10,8 20,8 40,8 40,16 80,16] [--modes calibrated,plain]
                       [--crossfade-ms 5] [--out result.json]

For each of --sentences real sentences (phonemes from ljs-test --lines, picked evenly
by token count; the default 200-239 is neither the judge's 0-99 nor the calibration
corpus 400-499), the front runs once, then the decoder runs window by window:
frames [a-c, b+c) are decoded and the samples of [a, b) kept, with a linear crossfade
of --crossfade-ms centred on each join, the harmonic source started at the exact phase
of frame a (split_model.py's formula). A setting "W,c" uses windows of W frames
(25 ms each) and c frames of context on each side; "F/W,c" makes the first window F
frames. Two decoders:
  calibrated  kokoro-v1.0.int8.decoder-calibrated.onnx fed the voice's corpus statistics
              (calibrate_voices.py: --stats/NAME.npy, interpolated at the sentence's style
              row) -- every window uses the same norms/quantizers. A blend 'a*0.5+b*0.5'
              uses its own NAME.npy when calibrated, else (and with --linear) the weighted
              sum of its voices' statistics;
  plain       kokoro-decoder.onnx, statistics computed per window (today's behaviour).
The reference is the whole model (kokoro-v1.0.int8.onnx) on the whole sentence. Two
extra rows: `floor` = the whole sentence decoded with phase 1 (the same model up to
float rounding: the model's own noise floor for every metric), and `calibrated
whole` = the calibrated decoder on the whole sentence (the constant price of
corpus statistics). Rows "(vs cal. whole)" compare the calibrated windows with the
calibrated whole decode instead: what windowing alone costs, without that price.

Metrics (averaged over sentences unless marked max):
  mel dB      log-mel spectral distance: per 10 ms frame, RMS over 80 mel bands of the
              dB difference (floor 80 dB below the reference's peak), mean over frames
              with speech (reference within 50 dB of its loudest frame)
  offset dB   mean over 250 ms blocks of (windowed - whole) block loudness (RMS dB),
              blocks within 30 dB of the loudest block
  wobble dB   std of that difference within the sentence
  F0 cents    mean |1200 log2(f0_windowed / f0_whole)| over 10 ms frames voiced in both,
              YIN pitch tracker (numpy); vdis % = frames voiced in exactly one
  join        discontinuity at a join: the two overlapping windows' renderings of the
              frame either side of the join, mismatch energy relative to the whole
              decode's energy there, dB (joins in near-silence skipped); `med` = mean
              over sentences of the median over joins, `max` = largest over all joins.
              For the floor row: whole vs phase-1 whole at every 20th frame (the level
              at which two renderings of the same model differ anyway)
  step        largest excess sample step inside a crossfade: max |out[n]-out[n-1]| minus
              the whole decode's max step over the same samples (max; linear units;
              floor row: phase-1 whole at the pseudo-joins)
  work        decoder frames run (windows incl. context) / sentence frames
  RTF         decoder wall time / audio duration (1 ORT thread)
With --dnsmos, a second opinion that needs no reference: Microsoft's DNSMOS P.835 (the
SIG/BAK/OVRL model that PyPI's speechmos 0.0.1.1 ships, fetched with pip and
sha256-checked; scored as speechmos does, on 9.01 s segments of the 16 kHz audio, repeated
to that length when shorter) of every row's audio, the whole model's included.
Prints a table, writes JSON with --out.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))
from calibrate_voices import (CACHE, SAMPLES_PER_FRAME, STYLE, VoicePacks, load_rows,  # noqa: E402
                              parse_spec, pick_by_length, session, statistics_for, style_table)

SR = 24000
DEFAULT_SETTINGS = ["10,8", "20,8", "40,8", "40,16", "80,16"]


# ---------------------------------------------------------------- signal measures

def mel_filterbank(n_fft=1024, n_mels=80, fmin=0.0, fmax=12000.0):
    hz_to_mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    mel_to_hz = lambda m: 700 * (10 ** (m / 2595) - 1)  # noqa: E731
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, 1 / SR)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0, np.minimum((freqs - lower) / (centre - lower), (upper - freqs) / (upper - centre)))


MEL = mel_filterbank()


def log_mel(audio, n_fft=1024, hop=240):
    padded = np.pad(audio.astype(np.float64), n_fft // 2)
    frames = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop] * np.hanning(n_fft)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return 10 * np.log10(power @ MEL.T + 1e-12)


def mel_distance(ref, out):
    a, b = log_mel(ref), log_mel(out)
    floor = a.max() - 80
    a, b = np.maximum(a, floor), np.maximum(b, floor)
    energy = 10 * np.log10(np.sum(10 ** (a / 10), axis=1))
    speech = energy > energy.max() - 50
    return float(np.mean(np.sqrt(np.mean((a - b) ** 2, axis=1))[speech]))


def block_loudness(ref, out, block=SR // 4):
    n = len(ref) // block
    if n == 0:
        return float("nan"), float("nan")
    db = lambda x: 10 * np.log10(np.mean(x[:n * block].astype(np.float64).reshape(n, block) ** 2, axis=1) + 1e-12)  # noqa: E731
    r, o = db(ref), db(out)
    keep = r > r.max() - 30
    diff = (o - r)[keep]
    return float(diff.mean()), float(diff.std())


def yin(audio, fmin=60.0, fmax=500.0, frame=1024, hop=240, threshold=0.15):
    """f0 in Hz per 10 ms frame, 0 where unvoiced (numpy YIN with parabolic refinement)."""
    tau_min, tau_max = int(SR / fmax), int(SR / fmin)
    x = np.pad(audio.astype(np.float64), (frame // 2, frame // 2 + tau_max))
    count = (len(audio) + hop - 1) // hop
    frames = np.lib.stride_tricks.sliding_window_view(x, frame + tau_max)[::hop][:count]
    # difference function d(tau) = sum_j (x_j - x_{j+tau})^2, j < frame, via FFT correlation
    size = 1 << int(np.ceil(np.log2(2 * (frame + tau_max))))
    spec_a = np.fft.rfft(frames[:, :frame], size)
    spec_b = np.fft.rfft(frames, size)
    corr = np.fft.irfft(np.conj(spec_a) * spec_b, size)[:, :tau_max + 1]
    sq = np.cumsum(np.pad(frames ** 2, ((0, 0), (1, 0))), axis=1)
    energy_a = sq[:, frame][:, None]
    taus = np.arange(tau_max + 1)
    energy_b = sq[:, taus + frame] - sq[:, taus]
    d = np.maximum(energy_a + energy_b - 2 * corr, 0)
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = d[:, 1:] * taus[1:] / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-20)
    f0 = np.zeros(len(frames))
    loud = energy_a[:, 0] / frame > 10 ** (-50 / 10) * np.max(energy_a / frame)
    for i in np.nonzero(loud)[0]:
        c = cmnd[i]
        below = np.nonzero(c[tau_min:tau_max] < threshold)[0]
        if len(below) == 0:
            continue
        t = tau_min + below[0]
        while t + 1 < tau_max and c[t + 1] < c[t]:
            t += 1
        a, b, e = c[t - 1], c[t], c[t + 1]
        shift = 0.5 * (a - e) / (a - 2 * b + e) if (a - 2 * b + e) != 0 else 0.0
        f0[i] = SR / (t + np.clip(shift, -1, 1))
    return f0


def f0_error(ref_f0, out_f0):
    n = min(len(ref_f0), len(out_f0))
    r, o = ref_f0[:n], out_f0[:n]
    both = (r > 0) & (o > 0)
    cents = np.abs(1200 * np.log2(o[both] / r[both]))
    return float(cents.mean()) if both.any() else float("nan"), float(np.mean((r > 0) != (o > 0)) * 100)


# ---------------------------------------------------------------- windowed decoding

def source_phase(f0):
    """Cumulative phase of the harmonic source [2T, 9] (split_model.py's formula, float32 in order)."""
    x = f0.reshape(-1, 1) * np.arange(1, 10, dtype=np.float32) / np.float32(24000)
    return np.cumsum(x - np.floor(x), axis=0, dtype=np.float32)


def parse_setting(text):
    """'W,c', 'F/W,c' or a ramp 'F/W2/W3/.../W,c': window sizes in frames, the last repeated."""
    sizes, c = text.split(",")
    sizes = [int(x) for x in sizes.split("/")]
    return {"name": text, "sizes": sizes, "first": sizes[0], "window": sizes[-1], "context": int(c)}


def windows(frames, setting):
    bounds, a, i = [], 0, 0
    while a < frames:
        b = min(frames, a + setting["sizes"][min(i, len(setting["sizes"]) - 1)])
        bounds.append((a, b))
        a, i = b, i + 1
    return bounds


def decode_windowed(decoder, front, style, setting, stats=None, crossfade=120):
    """(audio, seconds, frames decoded, joins); joins: (join sample, first sample compared, previous
    piece's and next piece's renderings of the samples within 1 frame of the join)."""
    features, f0, energy = front
    frames = features.shape[2]
    phase_sum = source_phase(f0)
    h = crossfade // 2
    c = setting["context"]
    out = np.zeros(frames * SAMPLES_PER_FRAME, np.float64)
    pieces, work, elapsed = [], 0, 0.0
    for a, b in windows(frames, setting):
        lo, hi = max(0, a - c), min(frames, b + c)
        phase = phase_sum[2 * lo - 1] if lo > 0 else np.zeros(9, np.float32)
        feed = {"features": np.ascontiguousarray(features[:, :, lo:hi]), "f0": np.ascontiguousarray(f0[:, 2 * lo:2 * hi]),
                "energy": np.ascontiguousarray(energy[:, 2 * lo:2 * hi]), "style": style, "phase": phase.reshape(1, 9)}
        if stats is not None:
            feed["statistics"] = stats
        start = time.perf_counter()
        audio = decoder.run(["audio"], feed)[0].astype(np.float64)
        elapsed += time.perf_counter() - start
        work += hi - lo
        pieces.append((lo * SAMPLES_PER_FRAME, audio))
        # weights: linear ramps of 2h samples centred on a*600 and b*600 (none at the sentence edges)
        n = np.arange(lo * SAMPLES_PER_FRAME, hi * SAMPLES_PER_FRAME)
        weight = np.ones(len(n))
        if a > 0:
            weight *= np.clip((n - (a * SAMPLES_PER_FRAME - h) + 0.5) / (2 * h), 0, 1)
        if b < frames:
            weight *= np.clip(1 - (n - (b * SAMPLES_PER_FRAME - h) + 0.5) / (2 * h), 0, 1)
        out[n] += weight * audio
    joins = []
    for (start_p, prev), (start_n, nxt), (_, b) in zip(pieces, pieces[1:], windows(frames, setting)):
        j = b * SAMPLES_PER_FRAME
        r0, r1 = max(j - SAMPLES_PER_FRAME, start_n), min(j + SAMPLES_PER_FRAME, start_p + len(prev))
        joins.append((j, r0, prev[r0 - start_p:r1 - start_p], nxt[r0 - start_n:r1 - start_n]))
    return out.astype(np.float32), elapsed, work, joins


def measures(ref, out, ref_f0, joins=(), crossfade=120):
    offset, wobble = block_loudness(ref, out)
    cents, vdis = f0_error(ref_f0, yin(out))
    power = np.mean(ref.astype(np.float64) ** 2)
    local, step = [], 0.0
    h = crossfade // 2
    for j, r0, prev, nxt in joins:
        seg = ref[r0:r0 + len(prev)].astype(np.float64)
        if np.mean(seg ** 2) >= 0.01 * power:  # skip joins in near-silence (< -20 dB re sentence mean)
            mismatch = np.sum((prev - nxt) ** 2)
            local.append(10 * np.log10(mismatch / np.sum(seg ** 2)) if mismatch > 0 else -np.inf)
        around = slice(j - h, j + h + 1)
        step = max(step, float(np.abs(np.diff(out[around])).max() - np.abs(np.diff(ref[around])).max()))
    result = {"mel_db": mel_distance(ref, out), "offset_db": offset, "wobble_db": wobble, "f0_cents": cents,
              "vdis_pct": vdis}
    if len(joins):
        local = np.array(local) if local else np.array([np.nan])
        result.update(join_db=float(np.max(local)), join_median_db=float(np.median(local)), step=step)
    return result


def floor_joins(ref, other, every=20):
    """Pseudo-joins every `every` frames: the whole decode vs a rounding-perturbed whole decode."""
    joins = []
    for b in range(every, len(ref) // SAMPLES_PER_FRAME, every):
        j = b * SAMPLES_PER_FRAME
        joins.append((j, j - SAMPLES_PER_FRAME, ref[j - SAMPLES_PER_FRAME:j + SAMPLES_PER_FRAME].astype(np.float64),
                      other[j - SAMPLES_PER_FRAME:j + SAMPLES_PER_FRAME].astype(np.float64)))
    return joins


# ---------------------------------------------------------------- DNSMOS

DNSMOS_WHEEL = "speechmos-0.0.1.1-py3-none-any.whl"
DNSMOS_WHEEL_SHA = "31c4c9d3234f6ee10102edff74333014c50006a3f389daf7ecacae34e68ebbf7"


class DNSMOS:
    """DNSMOS P.835 (SIG, BAK, OVRL, each 1-5) of 24 kHz audio."""
    RATE, SEGMENT = 16000, int(9.01 * 16000)
    # The model's raw scores mapped to MOS by the fitted polynomials speechmos applies
    # (its non-personalized ones), highest power first.
    FITS = {"sig": [-0.08397278, 1.22083953, 0.0052439], "bak": [-0.13166888, 1.60915514, -0.39604546],
            "ovrl": [-0.06766283, 1.11546468, 0.04602535]}

    def __init__(self):
        folder = CACHE / "dnsmos"
        model = folder / "sig_bak_ovr.onnx"
        if not model.exists():
            folder.mkdir(parents=True, exist_ok=True)
            wheel = folder / DNSMOS_WHEEL
            if not wheel.exists():
                subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "speechmos==0.0.1.1",
                                "-d", str(folder)], check=True)
            digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
            if digest != DNSMOS_WHEEL_SHA:
                sys.exit(f"{wheel} has sha256 {digest}, expected {DNSMOS_WHEEL_SHA}: remove it and run again")
            with zipfile.ZipFile(wheel) as archive:
                model.write_bytes(archive.read("speechmos/dnsmos_models/sig_bak_ovr.onnx"))
        self.session = session(str(model))

    def __call__(self, audio):
        # 24 -> 16 kHz by truncating the spectrum (no aliasing; the same for every row).
        audio = np.asarray(audio, np.float64).reshape(-1)
        length = len(audio) * self.RATE // SR
        audio = np.fft.irfft(np.fft.rfft(audio)[:length // 2 + 1], length) * (length / len(audio))
        while len(audio) < self.SEGMENT:
            audio = np.concatenate([audio, audio])
        scores = []
        for start in range(0, int(len(audio) / self.RATE - 9.01) * self.RATE + 1, self.RATE):
            segment = audio[start:start + self.SEGMENT].astype(np.float32)[None]
            scores.append(self.session.run(None, {"input_1": segment})[0][0])
        sig, bak, ovrl = np.mean(scores, axis=0)
        return {f"dnsmos_{key}": float(np.polyval(self.FITS[key], raw)) for key, raw in (("sig", sig), ("bak", bak), ("ovrl", ovrl))}


# ---------------------------------------------------------------- main

def summarise(rows):
    keys = rows[0].keys()
    summary = {}
    for k in keys:
        values = np.array([r[k] for r in rows], np.float64)
        if k in ("join_db", "step"):
            summary[k] = float(np.nanmax(values))
        else:
            summary[k] = float(np.nanmean(values))
    if "offset_db" in rows[0]:
        summary["offset_sd_db"] = float(np.nanstd([r["offset_db"] for r in rows]))
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--voice", default="af_heart", help="voice name or blend 'a*0.5+b*0.5'")
    parser.add_argument("--lines", default="200:240", help="0-based ljs-test lines to pick sentences from")
    parser.add_argument("--stats", type=Path, default=CACHE / "decoder-statistics")
    parser.add_argument("--linear", action="store_true",
                        help="a blend's statistics as the weighted sum of its voices', even if it has its own")
    parser.add_argument("--settings", nargs="+", default=DEFAULT_SETTINGS)
    parser.add_argument("--modes", default="calibrated,plain")
    parser.add_argument("--crossfade-ms", type=float, default=5.0)
    parser.add_argument("--no-reference-rows", action="store_true", help="skip the floor and calibrated-whole rows")
    parser.add_argument("--dnsmos", action="store_true", help="score every row's audio with DNSMOS P.835 too")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    dnsmos = DNSMOS() if args.dnsmos else None

    whole = session(str(CACHE / "kokoro-v1.0.int8.onnx"))
    front = session(str(CACHE / "kokoro-v1.0.int8.front.onnx"))
    decoders = {"plain": session(str(CACHE / "kokoro-v1.0.int8.decoder.onnx")),
                "calibrated": session(str(CACHE / "kokoro-v1.0.int8.decoder-calibrated.onnx"))}
    recipe = json.loads((args.stats / "calibration.json").read_text())
    anchors = np.array(recipe["anchors"])
    own = args.stats / f"{args.voice}.npy"
    if own.exists() and not (args.linear and "+" in args.voice):
        table, stats_name = np.load(own), args.voice
    else:
        terms = parse_spec(args.voice)
        table = sum(np.float32(w) * np.load(args.stats / f"{name}.npy") for name, w in terms).astype(np.float32)
        stats_name = "linear " + " + ".join(f"{w:g} {name}" for name, w in terms)
    table = table[:, STYLE:]
    styles = style_table(VoicePacks(), args.voice)
    lo, hi = (int(x) for x in args.lines.split(":"))
    corpus_lines = {line for lines in recipe["corpus_lines"] for line in lines}
    picked = [r for r in load_rows(range(lo, hi)) if r[2] not in corpus_lines]
    if len(picked) < hi - lo:
        print(f"warning: {hi - lo - len(picked)} of lines {lo}-{hi - 1} are calibration corpus lines, left out")
    sentences = pick_by_length(picked, min(args.sentences, len(picked)))
    crossfade = int(round(args.crossfade_ms * SR / 1000 / 2)) * 2
    settings = [parse_setting(s) for s in args.settings]
    modes = args.modes.split(",")

    runs = {}  # row name -> list of per-sentence measures
    timing = {}  # row name -> [seconds, frames decoded, sentence frames]

    def record(name, m, seconds=0.0, work=0, frames=0, audio=None):
        if dnsmos is not None and audio is not None:
            m = {**m, **dnsmos(audio)}
        runs.setdefault(name, []).append(m)
        t = timing.setdefault(name, [0.0, 0, 0])
        t[0] += seconds
        t[1] += work
        t[2] += frames

    print(f"voice {args.voice}, statistics '{stats_name}' from {args.stats} (anchors {anchors.tolist()}); "
          f"{len(sentences)} sentences "
          f"(ljs-test lines {sorted(r[2] for r in sentences)}); crossfade {crossfade} samples", flush=True)
    for text, ids, line in sentences:
        style = styles[len(ids)]
        stats = statistics_for(table, anchors, len(ids))  # style row len(ids), as `style` below
        inputs = {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style, "speed": np.ones(1, np.float32)}
        start = time.perf_counter()
        ref = whole.run(["audio"], inputs)[0]
        whole_seconds = time.perf_counter() - start
        features, f0, energy, _ = front.run(None, inputs)
        frames = features.shape[2]
        ref_f0 = yin(ref)
        record("whole model", {}, whole_seconds, frames, frames, audio=ref)
        if not args.no_reference_rows:
            base = {"features": features, "f0": f0, "energy": energy, "style": style}
            floor = decoders["plain"].run(["audio"], {**base, "phase": np.ones((1, 9), np.float32)})[0]
            record("floor (phase 1)", measures(ref, floor, ref_f0, floor_joins(ref, floor), crossfade), audio=floor)
            start = time.perf_counter()
            cal = decoders["calibrated"].run(["audio"], {**base, "phase": np.zeros((1, 9), np.float32),
                                                         "statistics": stats})[0]
            record("calibrated whole", measures(ref, cal, ref_f0), time.perf_counter() - start, frames, frames, audio=cal)
            cal_f0 = yin(cal)
        for mode in modes:
            for s in settings:
                out, seconds, work, joins = decode_windowed(decoders[mode], (features, f0, energy), style, s,
                                                            stats if mode == "calibrated" else None, crossfade)
                record(f"{mode} {s['name']}", measures(ref, out, ref_f0, joins, crossfade), seconds, work, frames, audio=out)
                if mode == "calibrated" and not args.no_reference_rows:
                    record(f"  (vs cal. whole) {s['name']}", measures(cal, out, cal_f0, joins, crossfade))
        first = f"{modes[0]} {settings[0]['name']}"
        print(f"  line {line}: {len(ids)} tokens, {frames} frames, {first}: mel {runs[first][-1]['mel_db']:.2f} dB, "
              f"wobble {runs[first][-1]['wobble_db']:.2f} dB", flush=True)

    print(f"\n{'row':22s} {'mel dB':>7s} {'offset':>7s} {'±sd':>5s} {'wobble':>7s} {'F0 ct':>6s} {'vdis%':>6s} "
          f"{'join med':>8s} {'max':>6s} {'step':>6s} {'work':>5s} {'RTF':>5s}")
    result = {"voice": args.voice, "stats": stats_name, "anchors": anchors.tolist(), "crossfade_samples": crossfade,
              "sentences": [{"line": r[2], "tokens": len(r[1])} for r in sentences], "rows": {}}
    for name, rows in runs.items():
        sec, work, frames = timing[name]
        audio_seconds = timing["whole model"][2] * SAMPLES_PER_FRAME / SR
        entry = {"work": work / frames if frames else None, "rtf": sec / audio_seconds if sec else None,
                 "seconds": sec}
        if rows[0]:
            entry.update(summarise(rows))
            entry["per_sentence"] = rows
        result["rows"][name] = entry
        fmt = lambda k, f: (f % entry[k]) if entry.get(k) is not None else " " * len(f % 0)  # noqa: E731
        print(f"{name:22s} {fmt('mel_db', '%7.2f')} {fmt('offset_db', '%+7.2f')} {fmt('offset_sd_db', '%5.2f')} "
              f"{fmt('wobble_db', '%7.2f')} {fmt('f0_cents', '%6.1f')} {fmt('vdis_pct', '%6.1f')} "
              f"{fmt('join_median_db', '%8.1f')} {fmt('join_db', '%6.1f')} {fmt('step', '%6.3f')} {fmt('work', '%5.2f')} {fmt('rtf', '%5.2f')}")
    if dnsmos is not None:
        print(f"\n{'row':22s} {'DNSMOS SIG':>10s} {'BAK':>5s} {'OVRL':>5s}")
        for name, entry in result["rows"].items():
            if "dnsmos_ovrl" in entry:
                print(f"{name:22s} {entry['dnsmos_sig']:10.3f} {entry['dnsmos_bak']:5.3f} {entry['dnsmos_ovrl']:5.3f}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
