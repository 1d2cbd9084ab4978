#!/usr/bin/env python3
"""Check the front/decoder split made by split_model.py against the whole model.

    check_split.py MODEL OUTDIR [--sentences 5] [--window 40] [--time]

On real sentences (phonemes from the LJSpeech test list, picked evenly by
length), it checks that:
  1. front + decoder with phase 0 give the whole model's audio (expect 0 diff);
  2. the phase formula in split_model.py matches the graph's own cumulative
     phase up to float32 rounding, and a window decoded with that start phase
     has the harmonic source it has inside the whole sentence;
  3. how close decoding window by window -- frames [a-c, b+c), keeping the
     samples of [a,b) -- comes to decoding the whole sentence, with the start
     phase from the formula and, for comparison, with phase 0. Instance norms
     and dynamic quantization see only the window, so this is not exact; as a
     yardstick, the "noise floor" line decodes the whole sentence with phase 1,
     which changes nothing but float rounding.
With --time it times front and decoder (1 thread) on ~30- and ~150-token sentences.
ONNX Runtime runs with 1 thread throughout.
"""
import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))
SENTENCES = Path(__file__).resolve().parents[3] / "shared/eval/ljs-test.misaki.tsv"
CUMSUM_OUT = "/decoder/decoder/generator/m_source/l_sin_gen/CumSum_output_0"
SINES_OUT = "/decoder/decoder/generator/m_source/l_sin_gen/Sin_output_0"  # [1, samples, 9]
SAMPLES_PER_FRAME = 600
CONTEXTS = (0, 8, 16, 32)


def session(model):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def load_sentences():
    vocab = json.loads((CACHE / "vocab.json").read_text())["vocab"]
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        text, phonemes = line.split("\t")
        ids = [vocab[ch] for ch in phonemes if ch in vocab]
        rows.append((text, ids))
    return sorted(rows, key=lambda row: len(row[1]))


def model_inputs(ids, voices):
    return {
        "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
        "style": voices[len(ids)],  # [1, 256]
        "speed": np.ones(1, dtype=np.float32),
    }


def source_phase(f0):
    """Cumulative phase of the harmonic source, [2T, 9]: the formula of split_model.py."""
    harmonics = np.arange(1, 10, dtype=np.float32)
    x = f0.reshape(-1, 1) * harmonics / np.float32(24000)
    return np.cumsum(x - np.floor(x), axis=0, dtype=np.float32)  # sequential, float32


def snr_db(ref, out):
    ref, out = ref.astype(np.float64), out.astype(np.float64)
    noise = np.sum((ref - out) ** 2)
    return np.inf if noise == 0 else 10 * np.log10(np.sum(ref ** 2) / noise)


def magnitudes(audio, size=1024, hop=256):
    frames = np.lib.stride_tricks.sliding_window_view(audio, size)[::hop] * np.hanning(size)
    return np.abs(np.fft.rfft(frames, axis=1))


def compare(ref, out):
    """max |diff|, waveform SNR and (phase-blind) magnitude-spectrum SNR, in dB."""
    return (f"{np.abs(ref - out).max():.3f} / {snr_db(ref, out):4.1f} / "
            f"{snr_db(magnitudes(ref), magnitudes(out)):4.1f}")


def window_inputs(front, style, phase_sum, lo, hi, use_phase=True):
    """Decoder inputs for frames [lo, hi), with the start phase from the sentence's f0."""
    phase = phase_sum[2 * lo - 1] if use_phase and lo > 0 else np.zeros(9, np.float32)
    return {"features": front["features"][:, :, lo:hi], "f0": front["f0"][:, 2 * lo:2 * hi],
            "energy": front["energy"][:, 2 * lo:2 * hi], "style": style, "phase": phase.reshape(1, 9)}


def decode_windows(decoder, front, style, phase_sum, window, context, use_phase):
    frames = front["features"].shape[2]
    pieces = []
    for a in range(0, frames, window):
        b = min(a + window, frames)
        lo, hi = max(0, a - context), min(frames, b + context)
        audio = decoder.run(["audio"], window_inputs(front, style, phase_sum, lo, hi, use_phase))[0]
        pieces.append(audio[(a - lo) * SAMPLES_PER_FRAME:(b - lo) * SAMPLES_PER_FRAME])
    return np.concatenate(pieces)


def median_ms(run, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return np.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--sentences", type=int, default=5)
    parser.add_argument("--window", type=int, default=40, help="frames kept per window (25 ms each)")
    parser.add_argument("--time", action="store_true")
    args = parser.parse_args()

    whole = session(args.model)
    front_session = session(str(args.outdir / "kokoro-front.onnx"))
    decoder = session(str(args.outdir / "kokoro-decoder.onnx"))
    probe = onnx.load(args.outdir / "kokoro-decoder.onnx")  # decoder that also returns its source's phase
    for name in (CUMSUM_OUT, SINES_OUT):
        probe.graph.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    probe = session(probe.SerializeToString())
    voices = np.load(CACHE / "voices-v1.0.npz")["af_heart"]
    rows = load_sentences()
    picks = np.linspace(0, len(rows) - 1, args.sentences).round().astype(int)

    print(f"window {args.window} frames; cells: max |diff| / waveform SNR / spectrum SNR (dB),"
          " stitched windows vs whole model")
    for text, ids in (rows[i] for i in picks):
        inputs = model_inputs(ids, voices)
        reference = whole.run(["audio"], inputs)[0]
        front = dict(zip(["features", "f0", "energy", "durations"], front_session.run(None, inputs)))
        frames = front["features"].shape[2]
        assert front["durations"].sum() == frames and front["f0"].shape[1] == 2 * frames
        decoder_inputs = {k: front[k] for k in ("features", "f0", "energy")}
        decoder_inputs.update(style=inputs["style"], phase=np.zeros((1, 9), np.float32))
        audio = decoder.run(["audio"], decoder_inputs)[0]
        cumsum, sines = probe.run([CUMSUM_OUT, SINES_OUT], decoder_inputs)
        assert len(reference) == frames * SAMPLES_PER_FRAME
        phase_sum = source_phase(front["f0"])
        print(f"\n{len(ids)} tokens, {frames} frames ({len(reference) / 24000:.2f} s): {text[:60]}")
        print(f"  front+decoder vs whole: max |diff| = {np.abs(audio - reference).max():.3g}"
              f"{' (bit-identical)' if np.array_equal(audio, reference) else ''}")
        print(f"  phase formula vs graph cumsum: max |diff| = {np.abs(phase_sum - cumsum[0]).max():.3g}"
              f"{' (bit-identical)' if np.array_equal(phase_sum, cumsum[0]) else ''}")
        lo, hi = frames // 3, 2 * frames // 3  # a window's harmonic source, but its first and last frame
        expected = sines[:, (lo + 1) * SAMPLES_PER_FRAME:(hi - 1) * SAMPLES_PER_FRAME]
        cells = []
        for use_phase in (True, False):
            window = probe.run([SINES_OUT], window_inputs(front, inputs["style"], phase_sum, lo, hi, use_phase))[0]
            window = window[:, SAMPLES_PER_FRAME:-SAMPLES_PER_FRAME]
            cells.append(f"{snr_db(expected, window):.1f} dB ({np.mean(expected == window):.0%} bit-identical)")
        print(f"  harmonic source of frames [{lo},{hi}) decoded alone vs whole: "
              f"with phase {cells[0]}, phase 0 {cells[1]}")
        floor = decoder.run(["audio"], {**decoder_inputs, "phase": np.ones((1, 9), np.float32)})[0]
        print(f"  noise floor, whole decode with phase 1 (the same but for float rounding): {compare(reference, floor)}")
        for use_phase in (True, False):
            cells = []
            for context in CONTEXTS:
                out = decode_windows(decoder, front, inputs["style"], phase_sum, args.window, context, use_phase)
                cells.append(f"c={context}: {compare(reference, out)}")
            print(f"  {'with phase' if use_phase else 'phase 0   '}  " + "  ".join(cells))

    if args.time:
        print("\ntiming, 1 thread, median of 3 runs after a warm-up")
        for target in (30, 150):
            text, ids = min(rows, key=lambda row: abs(len(row[1]) - target))
            inputs = model_inputs(ids, voices)
            outputs = front_session.run(None, inputs)
            decoder_inputs = dict(zip(["features", "f0", "energy"], outputs[:3]))
            decoder_inputs.update(style=inputs["style"], phase=np.zeros((1, 9), np.float32))
            decoder.run(None, decoder_inputs)
            seconds = outputs[0].shape[2] * SAMPLES_PER_FRAME / 24000
            front_ms = median_ms(lambda: front_session.run(None, inputs))
            decoder_ms = median_ms(lambda: decoder.run(None, decoder_inputs))
            whole_ms = median_ms(lambda: whole.run(None, inputs))
            print(f"  {len(ids)} tokens, {seconds:.2f} s audio: front {front_ms:.0f} ms, "
                  f"decoder {decoder_ms:.0f} ms, whole model {whole_ms:.0f} ms")


if __name__ == "__main__":
    main()
