"""Keep a decoder's activations time-major between its convolutions: the same audio, fewer transposes.

signed_weights.py computes each convolution as a product over [1, T, C] (time-major) and
transposes the int32 product back to the model's [1, C, T]. ONNX Runtime transposes
1-byte tensors with MLAS's blocked kernel but 4-byte ones element by element: on a
112-frame window each int32 transpose back took 2.2 ms, twice the product itself, and the
transposes were 12 % of the calibrated decoder's time (ORT 1.32, 1 thread).

Between two convolutions the model does only element-wise work (bias, AdaIN with
per-channel statistics, Snake, quantization), which computes the same numbers in either
layout. This pass runs every such node time-major once one of its [1, C, T] inputs is held
time-major: per-channel operands ([1, C, 1], [C, 1]) are reshaped to [1, 1, C], time-only
ones ([1, 1, T]) to [1, T, 1], Pad's pads move to the time axis, and a Transpose over
the last two axes becomes a renaming. A tensor is transposed only where a node needs the
other layout (a float convolution, a reduction, a graph output), once.

Which tensors are [1, C, T] is measured, not guessed: `layouts` runs the graph on two
window lengths and records every tensor's shape; the time axis is the one that changes.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

ELEMENTWISE = {"Add", "Sub", "Mul", "Div", "Pow", "Sin", "Cos", "Cast", "LeakyRelu", "Relu", "Tanh",
               "Sigmoid", "Exp", "Sqrt", "Reciprocal", "Neg", "Abs", "Floor", "Ceil", "Round", "Erf",
               "Where", "Equal", "Greater", "Less", "And", "Or", "Not", "Identity", "Clip", "Min", "Max"}
QUANTIZE = {"QuantizeLinear", "DequantizeLinear"}


def layouts(model, feeds):
    """{tensor: (shape on feeds[0], shape on feeds[1])} for every tensor a node makes."""
    import onnxruntime as ort

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    existing = {output.name for output in probe.graph.output}
    names = [name for node in probe.graph.node for name in node.output if name and name not in existing]
    probe.graph.output.extend(helper.ValueInfoProto(name=name) for name in names)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(probe.SerializeToString(), options, providers=["CPUExecutionProvider"])
    outputs = [output.name for output in session.get_outputs()]
    runs = [dict(zip(outputs, (np.shape(value) for value in session.run(None, feed)))) for feed in feeds]
    return {name: (runs[0][name], runs[1][name]) for name in outputs}


def time_axis(shapes):
    """The axis of a rank-3 [1, ., .] tensor whose length follows the window (None: none or several)."""
    first, second = shapes
    if len(first) != 3 or first[0] != 1:
        return None
    varying = [axis for axis in (1, 2) if first[axis] != second[axis]]
    return varying[0] if len(varying) == 1 else None


def rewrite(model, shapes):
    """Rewrites `model` in place; returns how many nodes now run time-major."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}

    def shape_of(name):
        if name in shapes:
            return tuple(shapes[name][0])
        if name in initializers:
            return tuple(initializers[name].dims)
        return None

    def channel_first(name):
        """True for a [1, C, T] tensor (time last), which has a time-major form."""
        return name in shapes and time_axis(shapes[name]) == 2

    plain = {}   # original name -> tensor holding it as the model has it
    flipped = {}  # original name -> tensor holding it with its last two axes swapped
    nodes, added = [], []
    for tensor in list(graph.input) + list(graph.initializer):
        plain[tensor.name] = tensor.name

    def constant(name, array):
        added.append(numpy_helper.from_array(array, name))
        return name

    def need(name):
        """The tensor `name` as the model has it, transposing its other form if needed."""
        if name == "" or name in plain:
            return plain.get(name, name)
        nodes.append(helper.make_node("Transpose", [flipped[name]], [name], perm=[0, 2, 1], name=f"{name}/layout"))
        plain[name] = name
        return name

    def need_flipped(name):
        """`name` with its last two axes swapped (for [1, 1, T]: a reshape, the same bytes)."""
        if name not in flipped:
            source = need(name)
            target = f"{name}/time_major"
            if shape_of(name)[1] == 1:
                shape = constant(f"{target}/shape", np.array([1, -1, 1], np.int64))
                nodes.append(helper.make_node("Reshape", [source, shape], [target], name=f"{target}/Reshape"))
            else:
                nodes.append(helper.make_node("Transpose", [source], [target], perm=[0, 2, 1], name=f"{target}/Transpose"))
            flipped[name] = target
        return flipped[name]

    def kind(name):
        """How an operand of a time-major node broadcasts: "none", "time" ([1, C, T]),
        "scalar", "channel" ([1, C, 1] or [C, 1]), or None (it cannot be held time-major)."""
        if name == "":
            return "none"
        if channel_first(name):
            return "time"
        shape = shape_of(name)
        if shape is None or len(shape) > 3:
            return None
        if int(np.prod(shape)) == 1:
            return "scalar"
        padded = (1,) * (3 - len(shape)) + shape
        return "channel" if padded[0] == 1 and padded[2] == 1 else None

    def operand(name):
        """The operand `name` for a time-major node (`kind` not None)."""
        match kind(name):
            case "none":
                return name
            case "time":
                return need_flipped(name)
            case "scalar":
                return need(name)
        target = f"{name}/per_channel"
        if target not in plain:
            shape_name = constant(f"{target}/shape", np.array([1, 1, -1], np.int64))
            nodes.append(helper.make_node("Reshape", [need(name), shape_name], [target], name=f"{target}/Reshape"))
            plain[target] = target
        return target

    def flexible(node):
        """Whether the node computes the same numbers on its inputs' transposed forms."""
        outputs = [name for name in node.output if name]
        if node.op_type in ELEMENTWISE | {"DynamicQuantizeLinear"}:
            pass
        elif node.op_type in QUANTIZE:
            if any(shape_of(name) not in ((), (1,)) for name in node.input[1:] if name):  # per-axis: along the model's axis 1
                return False
        elif node.op_type == "Pad":
            mode = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "mode"), b"constant")
            pads = numpy_helper.to_array(initializers[node.input[1]]) if node.input[1] in initializers else None
            if mode != b"constant" or pads is None or len(pads) != 6 or any(pads[[0, 1, 3, 4]]):
                return False
        else:
            return False
        operands = [name for index, name in enumerate(node.input) if not (node.op_type == "Pad" and index == 1)]
        return channel_first(outputs[0]) and all(kind(name) is not None for name in operands)

    count = 0
    for node in graph.node:
        if node.op_type == "Transpose" and [a.ints for a in node.attribute if a.name == "perm"] == [[0, 2, 1]] and len(shape_of(node.input[0]) or ()) == 3:
            source, target = node.input[0], node.output[0]
            if source in flipped:
                plain[target] = flipped[source]
            if source in plain:
                flipped[target] = plain[source]
            if target not in plain and target not in flipped:
                nodes.append(node)
                plain[target] = target
            continue
        held = any(name in flipped and name not in plain for name in node.input)
        if held and flexible(node):
            inputs = []
            for index, name in enumerate(node.input):
                if node.op_type == "Pad" and index == 1:
                    pads = numpy_helper.to_array(initializers[name])
                    inputs.append(constant(f"{node.name}/time_major/pads", pads[[0, 2, 1, 3, 5, 4]]))
                else:
                    inputs.append(operand(name))
            first, *rest = node.output
            flipped[first] = f"{first}/time_major"
            plain.update((name, name) for name in rest)
            nodes.append(helper.make_node(node.op_type, inputs, [flipped[first], *rest], name=f"{node.name}/time_major", domain=node.domain,
                                          **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
            count += 1
            continue
        nodes.append(helper.make_node(node.op_type, [need(name) for name in node.input], list(node.output), name=node.name,
                              domain=node.domain, **{a.name: helper.get_attribute_value(a) for a in node.attribute}))
        for name in node.output:
            plain[name] = name
    for output in graph.output:
        if output.name not in plain:
            need(output.name)
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(added)
    used = {name for node in nodes for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    onnx.checker.check_model(model)
    return count
