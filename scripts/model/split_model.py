#!/usr/bin/env python3
"""Split the Kokoro-82M ONNX model into a front graph and a decoder graph.

    split_model.py MODEL OUTDIR

Why: the whole model turns tokens into audio in one call, so nothing can be
played until the slowest part, the iSTFTNet decoder (~95% of the time), has
finished the whole sentence. Cut in two, the server can run the front once per
sentence and the decoder on windows of frames.

    kokoro-front.onnx    tokens [1,N+2] int64, style [1,256], speed [1]
                         -> features [1,512,T]   text features aligned to frames
                            f0 [1,2T], energy [1,2T]   (two values per frame)
                            durations [1,N+2] int64    frames per token, sum = T
    kokoro-decoder.onnx  features, f0, energy, style, phase [1,9]
                         -> audio [600*T] float32 at 24 kHz (600 samples a frame)

`phase` is where the harmonic source's cumulative phase starts, one value per
harmonic h = 1..9. Per f0 value i (300 samples each) the source adds

    r[i][h] = x - floor(x),   x = f0[i] * h / 24000      (float32: multiply, then divide)

and its sine is sin(2*pi*300 * running sum). The decoder starts the running
sum at `phase` instead of 0, so to decode a window whose first f0 value has
index s (s = 2 * first frame) as inside the whole sentence, pass
phase[h-1] = r[0][h] + ... + r[s-1][h], summed in float32 in that order (this
matches the graph's own sum up to float32 rounding). Zeros reproduce the whole
model bit for bit. NOTES.md has the details and measurements.

The cut points were found by reading the graph; check_split.py verifies them.
The output is deterministic: the same model gives the same bytes.
"""
import hashlib
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.utils import Extractor

CUT = {  # tensor in the whole model -> plain name, with its symbolic shape
    "/encoder/MatMul_1_output_0": ("features", [1, 512, "frames"]),
    "/encoder/Reshape_output_0": ("f0", [1, "f0_frames"]),
    "/encoder/Reshape_1_output_0": ("energy", [1, "f0_frames"]),
    "/encoder/Cast_output_0": ("durations", [1, "sequence_length"]),
}
CUMSUM = "/decoder/decoder/generator/m_source/l_sin_gen/CumSum"
HARMONICS = 9


def rename_cut_tensors(graph):
    missing = set(CUT) - {name for node in graph.node for name in node.output}
    if missing:
        sys.exit(f"not the expected Kokoro model, missing tensors: {sorted(missing)}")
    names = {old: new for old, (new, _) in CUT.items()}
    for node in graph.node:
        node.input[:] = [names.get(n, n) for n in node.input]
        node.output[:] = [names.get(n, n) for n in node.output]
    for info in graph.value_info:
        if info.name in CUT:
            new, shape = CUT[info.name]
            elem_type = info.type.tensor_type.elem_type
            info.CopyFrom(helper.make_tensor_value_info(new, elem_type, shape))


def add_phase_input(graph):
    """Feed `phase` into the source's CumSum as a value summed before the first.

    CumSum(x) becomes CumSum(concat(phase, x))[1:], so the running sum goes
    phase, phase + x[0], (phase + x[0]) + x[1], ... in float32: the same
    operations, in the same order, as inside the whole sentence.
    """
    index = next(i for i, n in enumerate(graph.node) if n.name == CUMSUM)
    cumsum = graph.node[index]  # input [1, f0_frames, 9], axis 1
    graph.input.append(helper.make_tensor_value_info("phase", TensorProto.FLOAT, [1, HARMONICS]))
    graph.initializer.extend([
        numpy_helper.from_array(np.array([1], np.int64), "phase/axis"),
        numpy_helper.from_array(np.array([2**63 - 1], np.int64), "phase/end"),
    ])
    before = [
        helper.make_node("Unsqueeze", ["phase", "phase/axis"], ["phase/start"], name="phase/Unsqueeze"),
        helper.make_node("Concat", ["phase/start", cumsum.input[0]], ["phase/Concat"], name="phase/Concat", axis=1),
    ]
    after = helper.make_node("Slice", ["phase/CumSum", "phase/axis", "phase/end", "phase/axis"],
                             [cumsum.output[0]], name="phase/Slice")
    cumsum.input[0] = "phase/Concat"
    cumsum.output[0] = "phase/CumSum"
    graph.node.insert(index + 1, after)
    for node in reversed(before):
        graph.node.insert(index, node)


def main(model_path, outdir):
    model = onnx.load(model_path)
    rename_cut_tensors(model.graph)
    add_phase_input(model.graph)
    extractor = Extractor(model)
    parts = {
        "kokoro-front.onnx": (["tokens", "style", "speed"], ["features", "f0", "energy", "durations"]),
        "kokoro-decoder.onnx": (["features", "f0", "energy", "style", "phase"], ["audio"]),
    }
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    for filename, (inputs, outputs) in parts.items():
        part = extractor.extract_model(inputs, outputs)
        part.producer_name = "kokoro-swift split_model.py"
        onnx.checker.check_model(part)
        data = part.SerializeToString(deterministic=True)
        (outdir / filename).write_bytes(data)
        print(f"{hashlib.sha256(data).hexdigest()}  {outdir / filename}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    main(sys.argv[1], sys.argv[2])
