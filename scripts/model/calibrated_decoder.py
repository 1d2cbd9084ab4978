#!/usr/bin/env python3
"""Make a decoder that takes its normalization and quantization statistics as an input.

    calibrated_decoder.py DECODER OUTDIR [--check]

DECODER is kokoro-decoder.onnx from split_model.py. Writes to OUTDIR:

    kokoro-decoder-calibrated.onnx
        inputs  features [1,512,T], f0 [1,2T], energy [1,2T], style [1,256], phase [1,9],
                statistics [K] float32
        output  audio [600*T]
    kokoro-decoder-probe.onnx
        the plain decoder (statistics computed from its input, as always), with a
        second output `statistics` [K]: the statistics of this run, in the layout below.

Why: the decoder's 54 AdaIN instance norms and its dynamic uint8 quantizers compute
statistics over the time axis of whatever they are given. A window of frames gets
different statistics than the whole sentence, so windows do not join. The calibrated
decoder uses statistics fixed in advance (pooled over a corpus per voice by
calibrate_voices.py) for every window, so all windows of a sentence are decoded
with the same normalization and quantization.

How the graph expresses them (checked by this script, which refuses other graphs):
  * instance norm = two ReduceMean over axis 2 (time), keepdims: mean = ReduceMean(x);
    d = x - mean; var = ReduceMean(d * d); then d / sqrt(var + eps) * gamma + beta.
    No InstanceNormalization op. The calibrated graph replaces the two ReduceMean
    outputs [1,C,1] by slices of `statistics`.
  * DynamicQuantizeLinear (uint8, per tensor): ORT computes
        lo = min(min(x), 0), hi = max(max(x), 0)
        scale = hi == lo ? 1 : (hi - lo) / 255
        zero_point = RoundHalfToEven(clip(0 - lo / scale, 0, 255))
        y = saturate(RoundHalfToEven(x / scale) + zero_point)
    (onnxruntime/core/util/qmath.h, GetQuantizationParameter). The calibrated graph
    computes scale and zero point with the same float32 operations from a stored
    min and max, and quantizes with QuantizeLinear; the consumers (ConvInteger,
    MatMulInteger, scale Mul) are unchanged. Storing min/max rather than scale/zero
    point keeps every vector valid: pooled, blended or probed.
    One of the 68 quantizers, `/decoder/Slice_output_0` (half of `style`, feeding
    the AdaIN fc layers), does not depend on time, so a window computes exactly what
    the whole sentence does; it is left dynamic. The other 67 are calibrated.

Layout of `statistics` (K = 2*M + 2*Q = 2*17930 + 2*67 = 35994 for Kokoro v1.0):
    [0, M)          means of the 54 norms, concatenated in graph node order (C values each)
    [M, 2M)         variances (biased, mean of (x - mean)^2) of the same norms, same order
    [2M, 2M+Q)      min(x) of the 67 calibrated quantizer inputs, graph node order
    [2M+Q, 2M+2Q)   max(x) of the same quantizers
M = sum of the norms' channel counts, Q = number of calibrated quantizers. The exact
list (name, channels, offset) is stored in both models' metadata under
"statistics_layout" (JSON) and printed with --layout.

Pooling over sentences (calibrate_voices.py): means and variances combine as over the
concatenated time axis; mins take the min, maxes the max.

Output is deterministic; sha256 of each file is printed. --check runs a sentence
through the probe, feeds its statistics to the calibrated decoder and compares the
audio with the plain decoder (1 ORT thread).
"""
import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TIME_INPUTS = ("features", "f0", "energy", "phase")
STATS = "statistics"


def find_statistics(graph):
    """The graph's instance norms and time-dependent dynamic quantizers, in node order."""
    producer = {o: n for n in graph.node for o in n.output}
    consumers = defaultdict(list)
    for n in graph.node:
        for i in dict.fromkeys(n.input):  # a node listing a tensor twice counts once
            consumers[i].append(n)
    initializers = {i.name: i for i in graph.initializer}

    norms = []
    for node in graph.node:
        if node.op_type != "ReduceMean" or not any(c.op_type == "Sub" for c in consumers[node.output[0]]):
            continue
        axes = numpy_helper.to_array(initializers[node.input[1]]).tolist()
        keepdims = next((a.i for a in node.attribute if a.name == "keepdims"), 1)
        sub = next(c for c in consumers[node.output[0]] if c.op_type == "Sub")
        square = [c for c in consumers[sub.output[0]] if c.op_type == "Mul"]
        assert axes == [2] and keepdims == 1 and sub.input == [node.input[0], node.output[0]], node.name
        assert len(square) == 1 and list(square[0].input) == [sub.output[0]] * 2, node.name
        var = [c for c in consumers[square[0].output[0]] if c.op_type == "ReduceMean"]
        assert len(var) == 1 and len(consumers[square[0].output[0]]) == 1, node.name
        var = var[0]
        assert numpy_helper.to_array(initializers[var.input[1]]).tolist() == [2], var.name
        # channels: the AdaIN's style fc produces gamma and beta, 2*C values
        prefix = node.name.rsplit("/", 1)[0] + "/"
        fc = next(n for n in graph.node if n.name == prefix + "fc/Gemm_MatMul_quant")
        channels = numpy_helper.to_array(initializers[fc.input[1]]).shape[1] // 2
        norms.append({"name": prefix.rstrip("/"), "mean": node, "var": var, "channels": channels})
    reduce_means = sum(n.op_type == "ReduceMean" for n in graph.node)
    assert reduce_means == 2 * len(norms), "unexpected ReduceMean outside the instance norms"

    time_dependent = set(TIME_INPUTS)
    for node in graph.node:  # graph.node is topologically sorted
        if any(i in time_dependent for i in node.input):
            time_dependent.update(node.output)
    quantizers = [n for n in graph.node if n.op_type == "DynamicQuantizeLinear" and n.input[0] in time_dependent]
    static = [n.name for n in graph.node if n.op_type == "DynamicQuantizeLinear" and n.input[0] not in time_dependent]
    return norms, quantizers, static


def layout(norms, quantizers):
    m = sum(n["channels"] for n in norms)
    q = len(quantizers)
    offset, entries = 0, []
    for kind, base in (("mean", 0), ("var", m)):
        offset = base
        for n in norms:
            entries.append({"kind": kind, "name": n["name"], "offset": offset, "size": n["channels"]})
            offset += n["channels"]
    for kind, base in (("min", 2 * m), ("max", 2 * m + q)):
        for i, n in enumerate(quantizers):
            entries.append({"kind": kind, "name": n.input[0], "offset": base + i, "size": 1})
    return {"K": 2 * m + 2 * q, "M": m, "Q": q, "entries": entries}


def const(graph, name, array):
    graph.initializer.append(numpy_helper.from_array(np.asarray(array), name))
    return name


def remove_dead_nodes(graph):
    needed = {o.name for o in graph.output}
    keep = []
    for node in reversed(graph.node):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(node.input)
    del graph.node[:]
    graph.node.extend(reversed(keep))
    used = needed
    inits = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    infos = [v for v in graph.value_info if v.name in used]
    del graph.value_info[:]
    graph.value_info.extend(infos)


def make_calibrated(model):
    graph = model.graph
    norms, quantizers, _ = find_statistics(graph)
    lay = layout(norms, quantizers)
    m, q = lay["M"], lay["Q"]
    graph.input.append(helper.make_tensor_value_info(STATS, TensorProto.FLOAT, [lay["K"]]))
    axis0 = const(graph, "stats/axis0", np.array([0], np.int64))
    new_nodes = {}  # node index -> nodes inserted before it (at the node being replaced)

    def stats_slice(name, start, size, shape):
        s = const(graph, f"{name}/start", np.array([start], np.int64))
        e = const(graph, f"{name}/end", np.array([start + size], np.int64))
        sh = const(graph, f"{name}/shape", np.array(shape, np.int64))
        return [helper.make_node("Slice", [STATS, s, e, axis0], [f"{name}/slice"], name=f"{name}/Slice"),
                helper.make_node("Reshape", [f"{name}/slice", sh], [f"{name}/value"], name=f"{name}/Reshape")]

    # quantization parameters for all Q quantizers at once, as DynamicQuantizeLinear computes them
    prelude = []
    prelude += stats_slice("stats/min", 2 * m, q, [q])
    prelude += stats_slice("stats/max", 2 * m + q, q, [q])
    zero = const(graph, "stats/zero", np.array(0, np.float32))
    one = const(graph, "stats/one", np.array(1, np.float32))
    q_range = const(graph, "stats/255", np.array(255, np.float32))
    prelude += [
        helper.make_node("Min", ["stats/min/value", zero], ["stats/lo"], name="stats/Min"),
        helper.make_node("Max", ["stats/max/value", zero], ["stats/hi"], name="stats/Max"),
        helper.make_node("Sub", ["stats/hi", "stats/lo"], ["stats/range"], name="stats/Sub"),
        helper.make_node("Div", ["stats/range", q_range], ["stats/scale0"], name="stats/DivRange"),
        helper.make_node("Equal", ["stats/range", zero], ["stats/empty"], name="stats/Equal"),
        helper.make_node("Where", ["stats/empty", one, "stats/scale0"], ["stats/scale"], name="stats/Where"),
        helper.make_node("Div", ["stats/lo", "stats/scale"], ["stats/lo_q"], name="stats/DivScale"),
        helper.make_node("Sub", [zero, "stats/lo_q"], ["stats/zp0"], name="stats/SubZero"),
        helper.make_node("Clip", ["stats/zp0", zero, q_range], ["stats/zp1"], name="stats/Clip"),
        helper.make_node("Round", ["stats/zp1"], ["stats/zp2"], name="stats/Round"),
        helper.make_node("Cast", ["stats/zp2"], ["stats/zero_point"], name="stats/Cast", to=TensorProto.UINT8),
    ]
    index = {id(n): i for i, n in enumerate(graph.node)}
    first = min(index[id(n["mean"])] for n in norms)
    first = min([first] + [index[id(n)] for n in quantizers])
    new_nodes[first] = prelude

    replaced = set()
    for k, norm in enumerate(norms):
        base = sum(n["channels"] for n in norms[:k])
        c = norm["channels"]
        for kind, start in (("mean", base), ("var", m + base)):
            node = norm[kind]
            name = f"stats/{norm['name'].split('/decoder/decoder/')[-1]}/{kind}"
            nodes = stats_slice(name, start, c, [1, c, 1])
            nodes[-1].output[0] = node.output[0]  # take over the ReduceMean's output
            new_nodes.setdefault(index[id(node)], []).extend(nodes)
            replaced.add(id(node))
    for i, node in enumerate(quantizers):
        name = f"stats/q{i}"
        idx = const(graph, f"{name}/index", np.array(i, np.int64))
        y, scale, zero_point = node.output
        nodes = [helper.make_node("Gather", ["stats/scale", idx], [scale], name=f"{name}/GatherScale", axis=0),
                 helper.make_node("Gather", ["stats/zero_point", idx], [zero_point], name=f"{name}/GatherZeroPoint", axis=0),
                 helper.make_node("QuantizeLinear", [node.input[0], scale, zero_point], [y], name=node.name)]
        new_nodes.setdefault(index[id(node)], []).extend(nodes)
        replaced.add(id(node))

    rebuilt = []
    for i, node in enumerate(graph.node):
        rebuilt.extend(new_nodes.get(i, []))
        if id(node) not in replaced:
            rebuilt.append(node)
    del graph.node[:]
    graph.node.extend(rebuilt)
    remove_dead_nodes(graph)
    return lay


def make_probe(model):
    """The plain decoder plus the `statistics` output. Each quantizer's min and max are made
    inputs of its scale (scale + 0 * (min + max), scalar operations), so ONNX Runtime reduces
    a quantizer's input as soon as it exists and frees it as the plain decoder does. Without
    that tie the reductions only feed the last output and ORT schedules them after the whole
    audio path, keeping all 67 inputs alive: 1,112 MB against the plain decoder's 205 MB on a
    439-frame sentence; with it 210 MB, and the same statistics bit for bit."""
    graph = model.graph
    norms, quantizers, _ = find_statistics(graph)
    lay = layout(norms, quantizers)
    flat = const(graph, "probe/flat", np.array([-1], np.int64))
    zero = const(graph, "probe/zero", np.array(0, np.float32))
    parts = {"mean": [], "var": [], "min": [], "max": []}
    tail = []
    for norm in norms:
        for kind in ("mean", "var"):
            out = norm[kind].output[0] + "/flat"
            tail.append(helper.make_node("Reshape", [norm[kind].output[0], flat], [out], name=out))
            parts[kind].append(out)
    ties = {}  # quantizer node name -> the nodes that reduce its input and tie them to its scale
    scales = {}  # a quantizer's scale -> the tied scale its consumers read instead
    for node in quantizers:
        x, scale = node.input[0], node.output[1]
        nodes = []
        for kind, op in (("min", "ReduceMin"), ("max", "ReduceMax")):
            out = f"{x}/probe_{kind}"
            nodes.append(helper.make_node(op, [x], [out], name=out, keepdims=1))
            tail.append(helper.make_node("Reshape", [out, flat], [out + "/flat"], name=out + "/flat"))
            parts[kind].append(out + "/flat")
        names = [f"{x}/probe_{step}" for step in ("sum", "nothing", "scalar")] + [f"{scale}/probe_tied"]
        nodes += [helper.make_node("Add", [f"{x}/probe_min", f"{x}/probe_max"], [names[0]], name=names[0]),
                  helper.make_node("Mul", [names[0], zero], [names[1]], name=names[1]),
                  helper.make_node("Squeeze", [names[1]], [names[2]], name=names[2]),
                  helper.make_node("Add", [scale, names[2]], [names[3]], name=names[3])]
        ties[node.name] = nodes
        scales[scale] = names[3]
    ordered = []
    for node in graph.node:
        for index, name in enumerate(node.input):
            node.input[index] = scales.get(name, name)
        ordered.append(node)
        ordered += ties.get(node.name, [])
    inputs = parts["mean"] + parts["var"] + parts["min"] + parts["max"]
    tail.append(helper.make_node("Concat", inputs, [STATS], name="probe/Concat", axis=0))
    del graph.node[:]
    graph.node.extend(ordered + tail)
    graph.output.append(helper.make_tensor_value_info(STATS, TensorProto.FLOAT, [lay["K"]]))
    return lay


def build(decoder_path):
    """(calibrated model, probe model, layout)"""
    calibrated = onnx.load(decoder_path)
    probe = onnx.load(decoder_path)
    lay = make_calibrated(calibrated)
    assert make_probe(probe) == lay
    for model, what in ((calibrated, "calibrated"), (probe, "probe")):
        model.producer_name = f"kokoro-swift calibrated_decoder.py ({what})"
        del model.metadata_props[:]
        onnx.helper.set_model_props(model, {"statistics_layout": json.dumps(lay, separators=(",", ":"))})
        onnx.checker.check_model(model)
    return calibrated, probe, lay


def read_layout(model_path):
    """The layout dict stored in a calibrated or probe model."""
    model = onnx.load(model_path, load_external_data=False)
    return json.loads(next(p.value for p in model.metadata_props if p.key == "statistics_layout"))


def check(outdir, decoder_path):
    """Exactness on 3 sentences (ljs-test lines 100-199: neither the judge's 0-99 nor the
    calibration corpus), and that every part of `statistics` is really used."""
    from calibrate_voices import load_rows, session, CACHE  # noqa: E402

    front = session(str(CACHE / "kokoro-v1.0.int8.front.onnx"))
    plain, probe = session(str(decoder_path)), session(str(outdir / "kokoro-decoder-probe.onnx"))
    calibrated = session(str(outdir / "kokoro-decoder-calibrated.onnx"))
    lay = read_layout(outdir / "kokoro-decoder-calibrated.onnx")
    m, q = lay["M"], lay["Q"]
    voices = np.load(CACHE / "voices-v1.0.npz")
    rows = sorted(load_rows(range(100, 200)), key=lambda r: len(r[1]))  # (text, ids, line)
    worst = 0.0
    for i, (text, ids, line) in enumerate((rows[5], rows[50], rows[95])):
        style = voices["af_heart"][len(ids)]
        inputs = {"tokens": np.array([[0, *ids, 0]], np.int64), "style": style, "speed": np.ones(1, np.float32)}
        features, f0, energy, _ = front.run(None, inputs)
        feed = {"features": features, "f0": f0, "energy": energy, "style": style, "phase": np.zeros((1, 9), np.float32)}
        reference = plain.run(["audio"], feed)[0]
        probe_audio, stats = probe.run(["audio", STATS], feed)
        audio = calibrated.run(["audio"], {**feed, STATS: stats})[0]
        again = calibrated.run(["audio"], {**feed, STATS: stats})[0]
        diff = float(np.abs(audio - reference).max())
        worst = max(worst, diff, float(np.abs(probe_audio - reference).max()))
        print(f"line {line}: {len(ids)} tokens, {features.shape[2]} frames: probe audio vs decoder max|diff| "
              f"{np.abs(probe_audio - reference).max():.3g}; calibrated(own stats) vs decoder max|diff| "
              f"{diff:.3g} (bit-identical: {np.array_equal(audio, reference)}; repeat identical: "
              f"{np.array_equal(audio, again)}), peak {np.abs(reference).max():.3f}")
        if i == 0:  # each part of the statistics must change the audio when perturbed by 1 %
            for kind, part in (("means", slice(0, m)), ("variances", slice(m, 2 * m)),
                               ("minima", slice(2 * m, 2 * m + q)), ("maxima", slice(2 * m + q, 2 * m + 2 * q))):
                changed = stats.copy()
                changed[part] *= np.float32(1.01)
                d = float(np.abs(calibrated.run(["audio"], {**feed, STATS: changed})[0] - reference).max())
                print(f"  {kind} x1.01: max|diff| {d:.3g}")
                assert d > 1e-3, f"the calibrated decoder ignores the {kind}"
    print(f"check: worst max|diff| {worst:.3g}")
    assert worst < 1e-4, "the calibrated decoder does not reproduce the plain decoder"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("decoder", type=Path)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--check", action="store_true", help="check exactness on 3 sentences (needs onnxruntime)")
    parser.add_argument("--layout", action="store_true", help="print the statistics layout")
    args = parser.parse_args()
    calibrated, probe, lay = build(args.decoder)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for model, filename in ((calibrated, "kokoro-decoder-calibrated.onnx"), (probe, "kokoro-decoder-probe.onnx")):
        data = model.SerializeToString(deterministic=True)
        (args.outdir / filename).write_bytes(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {args.outdir / filename}")
    print(f"statistics: K={lay['K']} (M={lay['M']} norm channels in {len(lay['entries']) // 2 - lay['Q']} norms, "
          f"Q={lay['Q']} quantizers)")
    if args.layout:
        for e in lay["entries"]:
            print(f"  {e['offset']:6d} +{e['size']:5d}  {e['kind']:4s}  {e['name']}")
    if args.check:
        check(args.outdir, args.decoder)


if __name__ == "__main__":
    main()
