#!/usr/bin/env python3
"""Rewrite the split model's convolutions as products with int8 weights: the same audio, faster.

    signed_weights.py CACHE OUTDIR [--check] [--time THREADS [--json FILE]]

CACHE holds the graphs split_model.py and calibrated_decoder.py made
(kokoro-v1.0.int8.front.onnx, .decoder.onnx, .decoder-probe.onnx,
.decoder-calibrated.onnx). Writes to OUTDIR the same four graphs, rewritten:

    kokoro-front-s8.onnx  kokoro-decoder-s8.onnx  kokoro-decoder-probe-s8.onnx
    kokoro-decoder-calibrated-s8.onnx

Why: the model was quantized with uint8 weights. ONNX Runtime's CPU ConvInteger takes
only uint8 weights and multiplies uint8 by uint8 (MLAS's U8U8 kernels, no VNNI or AMX),
and its 68 ConvInteger nodes are ~60 % of the decoder's time. MatMulInteger takes int8
weights, and MLAS multiplies uint8 by int8 with VNNI or AMX where the CPU has them.
So each stride-1 ConvInteger over time becomes

    Pad (with the input's zero point, as ConvInteger pads) -> Transpose to [1, T, C]
    -> Gather of rows t + tap * dilation -> Reshape to [1, T, k*C]
    -> MatMulInteger with the weights as int8 [k*C, M] -> Transpose back to [1, M, T]

(the model's MatMulInteger nodes have int8 weights already). A uint8 weight w with zero
point z becomes w - 128 with zero point z - 128: the same w - z, so the int32 sums are
the same integers and the graph computes the same floats. Measured on a 2-core AVX-512
VNNI/AMX machine (bare ORT, 2 threads, calibrated decoder): 43 frames 359 -> 207 ms,
112 frames 951 -> 546 ms (1 thread: 596 -> 274 ms); peak memory of a 272-frame run
the same (165 vs 166 MB), 8 MB more after loading. In the calibrated decoder (the one
streams use), time_major.py then keeps the activations [1, T, C] between convolutions,
so the transposes back mostly vanish: with the Gather, 112 frames on 1 thread
583 -> 459 ms, on 2 threads 404 -> 325 ms (scripts/model/NOTES.md; TIME_MAJOR says why
only that decoder).

Exact only where MLAS's uint8 x int8 kernels are: x86 CPUs without VNNI multiply with
vpmaddubsw, which saturates 16-bit pair sums, so the product can differ there. --check
therefore decodes real windows with the original and the rewritten graphs (corpus
sentences of calibration-corpus.json, the probe's statistics fed to the calibrated
decoder) and exits with status 3 unless every output is bit for bit the same on this
machine; set-up then keeps the original graphs. --time THREADS times the originals
against the rewritten graphs, interleaved, medians of 5 (the front on the corpus's longest
sentence; the calibrated decoder on 43 frames, a first window with its context, and on
112, a longest window), printed and written as JSON. Deterministic: the same input graphs
give the same bytes.
"""
import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

import time_major

CACHE = Path(os.environ.get("KOKORO_CACHE", Path.home() / ".cache/kokoro-swift"))
CORPUS = Path(__file__).resolve().parent / "calibration-corpus.json"
GRAPHS = {  # graph in the cache -> rewritten file
    "kokoro-v1.0.int8.front.onnx": "kokoro-front-s8.onnx",
    "kokoro-v1.0.int8.decoder.onnx": "kokoro-decoder-s8.onnx",
    "kokoro-v1.0.int8.decoder-probe.onnx": "kokoro-decoder-probe-s8.onnx",
    "kokoro-v1.0.int8.decoder-calibrated.onnx": "kokoro-decoder-calibrated-s8.onnx",
}
# Graphs time_major.py rewrites: the calibrated decoder, the one streams use. In the plain
# decoder and the probe, time-major, ORT's graph optimizations decoded other audio (corpus
# windows up to 1.1 apart; the same with them off), so they keep the model's layout.
TIME_MAJOR = {"kokoro-v1.0.int8.decoder-calibrated.onnx"}
MISMATCH = 3  # exit status: the rewritten graphs compute something else on this machine


def signed(weights, zero_point):
    """uint8 weights and zero point as int8, with the same differences."""
    return (weights.astype(np.int16) - 128).astype(np.int8), np.array(np.int8(int(zero_point.reshape(-1)[0]) - 128))


def uint8_initializer(name, initializers):
    tensor = initializers.get(name)
    return tensor is not None and tensor.data_type == onnx.TensorProto.UINT8


def convolution_as_product(node, initializers, attributes):
    """(nodes, initializers) computing the ConvInteger `node` as one MatMulInteger."""
    weights = numpy_helper.to_array(initializers[node.input[1]])
    outputs, channels, taps = weights.shape
    dilation = attributes.get("dilations", [1])[0]
    left, right = attributes.get("pads", [0, 0])
    prefix = f"{node.name}/s8"
    int8_weights, zero_point = signed(weights, numpy_helper.to_array(initializers[node.input[3]]))
    # Row tap * C + c of the product's weights is weights[:, c, tap].
    matrix = np.ascontiguousarray(int8_weights.transpose(2, 1, 0).reshape(taps * channels, outputs))
    inits = [numpy_helper.from_array(matrix, f"{prefix}/weights"), numpy_helper.from_array(zero_point, f"{prefix}/zero_point")]
    nodes = []
    source, input_zero_point = node.input[0], node.input[2]
    if left or right:
        inits.append(numpy_helper.from_array(np.array([0, 0, left, 0, 0, right], np.int64), f"{prefix}/pads"))
        nodes.append(helper.make_node("Pad", [source, f"{prefix}/pads", input_zero_point], [f"{prefix}/padded"], name=f"{prefix}/Pad"))
        source = f"{prefix}/padded"
    nodes.append(helper.make_node("Transpose", [source], [f"{prefix}/time_major"], perm=[0, 2, 1], name=f"{prefix}/Transpose"))
    columns = f"{prefix}/time_major"
    if taps > 1:
        # Row t of the columns is the input's rows t, t + dilation, ..., t + span: one Gather of
        # [T, taps] row indices, reshaped to [1, T, taps * C] (k Slices and a Concat took 1.4x
        # as long on 13,440 rows of 64 channels, taps 7, dilation 3).
        span = dilation * (taps - 1)
        inits += [numpy_helper.from_array(np.array([span], np.int64), f"{prefix}/span"),
                  numpy_helper.from_array(np.arange(taps, dtype=np.int64) * dilation, f"{prefix}/taps"),
                  numpy_helper.from_array(np.array([1], np.int64), f"{prefix}/time_axis"),
                  numpy_helper.from_array(np.array(0, np.int64), f"{prefix}/zero"),
                  numpy_helper.from_array(np.array(1, np.int64), f"{prefix}/one"),
                  numpy_helper.from_array(np.array([1, -1, taps * channels], np.int64), f"{prefix}/columns_shape")]
        nodes += [helper.make_node("Shape", [f"{prefix}/time_major"], [f"{prefix}/padded_length"], start=1, end=2, name=f"{prefix}/Shape"),
                  helper.make_node("Sub", [f"{prefix}/padded_length", f"{prefix}/span"], [f"{prefix}/length"], name=f"{prefix}/Sub"),
                  helper.make_node("Squeeze", [f"{prefix}/length"], [f"{prefix}/count"], name=f"{prefix}/Squeeze"),
                  helper.make_node("Range", [f"{prefix}/zero", f"{prefix}/count", f"{prefix}/one"], [f"{prefix}/rows"], name=f"{prefix}/Range"),
                  helper.make_node("Unsqueeze", [f"{prefix}/rows", f"{prefix}/time_axis"], [f"{prefix}/row_column"], name=f"{prefix}/Unsqueeze"),
                  helper.make_node("Add", [f"{prefix}/row_column", f"{prefix}/taps"], [f"{prefix}/indices"], name=f"{prefix}/Indices"),
                  helper.make_node("Gather", [f"{prefix}/time_major", f"{prefix}/indices"], [f"{prefix}/gathered"], axis=1, name=f"{prefix}/Gather"),
                  helper.make_node("Reshape", [f"{prefix}/gathered", f"{prefix}/columns_shape"], [f"{prefix}/columns"], name=f"{prefix}/Reshape")]
        columns = f"{prefix}/columns"
    nodes.append(helper.make_node("MatMulInteger", [columns, f"{prefix}/weights", input_zero_point, f"{prefix}/zero_point"],
                                  [f"{prefix}/product"], name=f"{prefix}/MatMulInteger"))
    nodes.append(helper.make_node("Transpose", [f"{prefix}/product"], [node.output[0]], perm=[0, 2, 1], name=f"{prefix}/TransposeBack"))
    return nodes, inits


def rewrite(model):
    """Rewrites `model` in place; returns how many convolutions it rewrote."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    nodes, added, convolutions = [], [], 0
    for node in graph.node:
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        weighted = len(node.input) >= 4 and uint8_initializer(node.input[1], initializers) and node.input[3] in initializers
        if (node.op_type == "ConvInteger" and weighted and attributes.get("group", 1) == 1
                and attributes.get("strides", [1]) == [1] and len(initializers[node.input[1]].dims) == 3):
            new_nodes, new_initializers = convolution_as_product(node, initializers, attributes)
            nodes += new_nodes
            added += new_initializers
            convolutions += 1
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in nodes for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept + added)
    model.producer_name = f"{model.producer_name} + kokoro-swift signed_weights.py"
    onnx.checker.check_model(model)
    return convolutions


def sessions(cache, outdir, threads):
    """{graph: (original session, rewritten session)}."""
    import onnxruntime as ort

    def session(path):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    return {name: (session(cache / name), session(outdir / rewritten)) for name, rewritten in GRAPHS.items()}


def corpus_inputs(cache):
    """[(token ids, style)] of the corpus sentences the checks and timings use, af_heart."""
    vocab = json.loads((cache / "vocab.json").read_text())["vocab"]
    style_pack = np.load(cache / "voices-v1.0.npz")["af_heart"]
    corpus = json.loads(CORPUS.read_text())
    sentences = [anchor["sentences"][0]["phonemes"] for anchor in corpus["entries"][1::2]]
    inputs = []
    for phonemes in sentences:
        ids = [vocab[c] for c in phonemes if c in vocab]
        inputs.append((ids, style_pack[len(ids)].astype(np.float32)))
    return inputs


def front_feed(ids, style):
    return {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style, "speed": np.ones(1, np.float32)}


def decoder_feed(front, style, window, phase):
    features, f0, energy = front[:3]
    a, b = window
    return {"features": features[:, :, a:b], "f0": f0[:, 2 * a:2 * b], "energy": energy[:, 2 * a:2 * b], "style": style, "phase": phase}


def probe_statistics(probe, front, style):
    """The statistics the probe session `probe` measures over the whole sentence `front` made."""
    return probe.run(None, decoder_feed(front, style, (0, front[0].shape[2]), np.zeros((1, 9), np.float32)))[1]


def window_feeds(cache, decoder):
    """Two feeds of the decoder graph `decoder`, windows of 40 and 57 frames of a corpus sentence."""
    import onnxruntime as ort

    def session(name):
        return ort.InferenceSession(str(cache / name), providers=["CPUExecutionProvider"])

    ids, style = corpus_inputs(cache)[0]
    front = session("kokoro-v1.0.int8.front.onnx").run(None, front_feed(ids, style))
    feeds = [decoder_feed(front, style, window, np.zeros((1, 9), np.float32)) for window in ((0, 40), (3, 60))]
    if "statistics" in {tensor.name for tensor in decoder.graph.input}:
        statistics = probe_statistics(session("kokoro-v1.0.int8.decoder-probe.onnx"), front, style)
        feeds = [{**feed, "statistics": statistics} for feed in feeds]
    return feeds


def check(cache, outdir):
    """True when every rewritten graph gives bit for bit what its original gives on real windows."""
    pairs = sessions(cache, outdir, threads=1)
    same = True

    def compare(what, name, feed):
        nonlocal same
        original, rewritten = (session.run(None, feed) for session in pairs[name])
        identical = all(np.array_equal(a, b) for a, b in zip(original, rewritten))
        worst = max(float(np.abs(a.astype(np.float64) - b).max()) for a, b in zip(original, rewritten))
        print(f"  {what}: {'bit for bit the same' if identical else f'DIFFERENT, max |difference| {worst:.3g}'}")
        same = same and identical
        return original

    for ids, style in corpus_inputs(cache):
        print(f"{len(ids)} tokens")
        front = compare("front", "kokoro-v1.0.int8.front.onnx", front_feed(ids, style))
        frames = front[0].shape[2]
        low, high = frames // 4, min(frames, frames // 4 + 47)
        phase = np.arange(1, 10, dtype=np.float32).reshape(1, 9) / 7
        for span, window in (("whole", (0, frames)), ("window", (low, high))):
            feed = decoder_feed(front, style, window, phase if span == "window" else np.zeros((1, 9), np.float32))
            compare(f"decoder, {span}", "kokoro-v1.0.int8.decoder.onnx", feed)
            _, statistics = compare(f"probe, {span}", "kokoro-v1.0.int8.decoder-probe.onnx", feed)
            compare(f"calibrated decoder, {span}", "kokoro-v1.0.int8.decoder-calibrated.onnx", {**feed, "statistics": statistics})
    return same


def timing(cache, outdir, threads):
    """Milliseconds of the originals and the rewritten graphs on the same inputs (see the docstring)."""
    pairs = sessions(cache, outdir, threads)
    ids, style = max(corpus_inputs(cache), key=lambda inputs: len(inputs[0]))
    front = pairs["kokoro-v1.0.int8.front.onnx"][0].run(None, front_feed(ids, style))
    zero = np.zeros((1, 9), np.float32)
    statistics = probe_statistics(pairs["kokoro-v1.0.int8.decoder-probe.onnx"][0], front, style)
    runs = {f"front, {len(ids)} tokens": ("kokoro-v1.0.int8.front.onnx", front_feed(ids, style))}
    for frames in (43, 112):
        runs[f"calibrated decoder, {frames} frames"] = ("kokoro-v1.0.int8.decoder-calibrated.onnx",
                                                        {**decoder_feed(front, style, (0, frames), zero), "statistics": statistics})
    report = {"threads": threads, "runs": {}}
    for what, (name, feed) in runs.items():
        times = ([], [])
        for _ in range(6):  # the first round warms up
            for session, spent in zip(pairs[name], times):
                start = time.perf_counter()
                session.run(None, feed)
                spent.append(1000 * (time.perf_counter() - start))
        original, rewritten = (float(np.median(spent[1:])) for spent in times)
        report["runs"][what] = {"original_ms": round(original, 1), "int8_weights_ms": round(rewritten, 1), "speed_up": round(original / rewritten, 2)}
        print(f"{what}, {threads} thread(s): original {original:.1f} ms, int8 weights {rewritten:.1f} ms, {original / rewritten:.2f}x")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cache", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--check", action="store_true", help="compare with the originals on this machine (needs onnxruntime)")
    parser.add_argument("--time", type=int, metavar="THREADS", help="time the originals against the rewritten graphs")
    parser.add_argument("--json", type=Path, default=Path(__file__).resolve().parents[2] / "reports/signed-weights.json")
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    for name, rewritten in GRAPHS.items():
        model = onnx.load(args.cache / name)
        convolutions = rewrite(model)
        held = time_major.rewrite(model, time_major.layouts(model, window_feeds(args.cache, model))) if name in TIME_MAJOR else 0
        data = model.SerializeToString(deterministic=True)
        (args.outdir / rewritten).write_bytes(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {args.outdir / rewritten}: {convolutions} convolutions, {held} nodes time-major")
    if args.check and not check(args.cache, args.outdir):
        print("the rewritten graphs compute something else on this CPU (its uint8 x int8 kernels or its graph optimizations differ): keep the originals")
        sys.exit(MISMATCH)
    if args.time:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(timing(args.cache, args.outdir, args.time), indent=2) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
