"""Graft a trained head onto the front-end's graphs: TF.js graph JSON and TFLite flatbuffer.

Both graphs get the same four ops after the front-end's ``features`` output::

    probabilities = softmax((features - mean) * inv_std @ kernel + bias)

Pure functions of the front-end's files and the head's arrays; no TensorFlow.
The TF.js side edits ``model.json`` (nodes, signature, weights manifest) and
appends the head's weights to the last shard. The TFLite side edits the
flatbuffer with its generated object API (shipped with LiteRT).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

import numpy as np

from model_export.model_folder.layout import OUTPUT_NAME
from model_export.training.head import Head

PREFIX = "pac_head"
"""Name prefix of the grafted nodes, tensors and weights."""


def _head_constants(head: Head) -> list[tuple[str, np.ndarray]]:
    return [
        (f"{PREFIX}/mean", head.mean),
        (f"{PREFIX}/inv_std", head.inv_std),
        (f"{PREFIX}/kernel", head.kernel),
        (f"{PREFIX}/bias", head.bias),
    ]


# --- TF.js graph model ---------------------------------------------------------------------


def _dims(shape: tuple[int, ...]) -> dict[str, Any]:
    return {"dim": [{"size": str(d)} for d in shape]}


def graft_tfjs(manifest: dict[str, Any], shards: list[bytes], head: Head) -> tuple[dict, list]:
    """A TF.js graph model of front-end + head, from the front-end's ``model.json`` and shards.

    manifest : the front-end's parsed model.json (one input, one output ``features``)
    shards : the bytes of its weight files, in ``weightsManifest`` order

    Returns the new manifest and shards (the head's weights are appended to the last).
    """
    out = copy.deepcopy(manifest)
    signature = out["signature"]
    ((_, features),) = signature["outputs"].items()
    features_node = features["name"].split(":")[0]
    nodes = out["modelTopology"]["node"]
    taken = {node["name"] for node in nodes}
    float32 = {"type": "DT_FLOAT"}

    weights = []
    for name, value in _head_constants(head):
        if name in taken:
            raise ValueError(f"model.json: the front-end already has a node named {name!r}")
        nodes.append(
            {
                "name": name,
                "op": "Const",
                "attr": {
                    "value": {"tensor": {"dtype": "DT_FLOAT", "tensorShape": _dims(value.shape)}},
                    "dtype": float32,
                },
            }
        )
        weights.append({"name": name, "shape": list(value.shape), "dtype": "float32"})
    nodes += [
        {
            "name": f"{PREFIX}/centred",
            "op": "Sub",
            "input": [features_node, f"{PREFIX}/mean"],
            "attr": {"T": float32},
        },
        {
            "name": f"{PREFIX}/standardised",
            "op": "Mul",
            "input": [f"{PREFIX}/centred", f"{PREFIX}/inv_std"],
            "attr": {"T": float32},
        },
        {
            "name": f"{PREFIX}/logits",
            "op": "_FusedMatMul",
            "input": [f"{PREFIX}/standardised", f"{PREFIX}/kernel", f"{PREFIX}/bias"],
            "attr": {
                "T": float32,
                "transpose_a": {"b": False},
                "transpose_b": {"b": False},
                "num_args": {"i": "1"},
                "fused_ops": {"list": {"s": [base64.b64encode(b"BiasAdd").decode()]}},
                "epsilon": {"f": 0.0},
                "leakyrelu_alpha": {"f": 0.2},
            },
        },
        {
            "name": OUTPUT_NAME,
            "op": "Softmax",
            "input": [f"{PREFIX}/logits"],
            "attr": {"T": float32},
        },
    ]
    n_labels = head.bias.shape[0]
    signature["outputs"] = {
        OUTPUT_NAME: {
            "name": f"{OUTPUT_NAME}:0",
            "dtype": "DT_FLOAT",
            "tensorShape": _dims((-1, n_labels)),
        }
    }
    out["weightsManifest"][-1]["weights"] += weights
    appended = b"".join(np.ascontiguousarray(v, "<f4").tobytes() for _, v in _head_constants(head))
    return out, [*shards[:-1], shards[-1] + appended]


# --- TFLite flatbuffer ---------------------------------------------------------------------


def graft_tflite(flatbuffer: bytes, head: Head) -> bytes:
    """A TFLite model of front-end + head, from the front-end's flatbuffer (one output)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    model = schema.ModelT.InitFromPackedBuf(flatbuffer, 0)
    if len(model.subgraphs) != 1:
        raise ValueError(f"front-end TFLite model has {len(model.subgraphs)} subgraphs; expected 1")
    graph = model.subgraphs[0]
    (features,) = graph.outputs
    signature_of_features = graph.tensors[features].shapeSignature
    batch_signature = [-1 if signature_of_features is None else int(signature_of_features[0])]

    def opcode(builtin: int) -> int:
        for i, code in enumerate(model.operatorCodes):
            if max(code.builtinCode, code.deprecatedBuiltinCode) == builtin:
                return i
        code = schema.OperatorCodeT()
        code.builtinCode = builtin
        code.deprecatedBuiltinCode = min(
            builtin, schema.BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES
        )
        code.version = 1
        model.operatorCodes.append(code)
        return len(model.operatorCodes) - 1

    def tensor(name: str, shape: tuple[int, ...], data: np.ndarray | None = None) -> int:
        t = schema.TensorT()
        t.name = name
        t.type = schema.TensorType.FLOAT32
        t.shape = np.asarray(shape, np.int32)
        buffer = schema.BufferT()
        if data is None:  # an activation: [batch, n], batch as the front-end's output has it
            t.shapeSignature = np.asarray(batch_signature + list(shape[1:]), np.int32)
        else:
            buffer.data = np.frombuffer(np.ascontiguousarray(data, "<f4").tobytes(), np.uint8)
        model.buffers.append(buffer)
        t.buffer = len(model.buffers) - 1
        graph.tensors.append(t)
        return len(graph.tensors) - 1

    def operator(
        builtin: int, inputs: list[int], outputs: list[int], options_type: int, options: Any
    ) -> None:
        op = schema.OperatorT()
        op.opcodeIndex = opcode(builtin)
        op.inputs = np.asarray(inputs, np.int32)
        op.outputs = np.asarray(outputs, np.int32)
        op.builtinOptionsType = options_type
        op.builtinOptions = options
        graph.operators.append(op)

    ops, options = schema.BuiltinOperator, schema.BuiltinOptions
    batch = int(graph.tensors[features].shape[0])
    n_features, n_labels = head.kernel.shape
    mean = tensor(f"{PREFIX}/mean", head.mean.shape, head.mean)
    inv_std = tensor(f"{PREFIX}/inv_std", head.inv_std.shape, head.inv_std)
    kernel = tensor(f"{PREFIX}/kernel", head.kernel.T.shape, head.kernel.T)  # TFLite: [out, in]
    bias = tensor(f"{PREFIX}/bias", head.bias.shape, head.bias)
    centred = tensor(f"{PREFIX}/centred", (batch, n_features))
    standardised = tensor(f"{PREFIX}/standardised", (batch, n_features))
    logits = tensor(f"{PREFIX}/logits", (batch, n_labels))
    probabilities = tensor(OUTPUT_NAME, (batch, n_labels))
    operator(ops.SUB, [features, mean], [centred], options.SubOptions, schema.SubOptionsT())
    operator(ops.MUL, [centred, inv_std], [standardised], options.MulOptions, schema.MulOptionsT())
    operator(
        ops.FULLY_CONNECTED,
        [standardised, kernel, bias],
        [logits],
        options.FullyConnectedOptions,
        schema.FullyConnectedOptionsT(),
    )
    softmax_options = schema.SoftmaxOptionsT()
    softmax_options.beta = 1.0
    operator(ops.SOFTMAX, [logits], [probabilities], options.SoftmaxOptions, softmax_options)
    graph.outputs = np.asarray([probabilities], np.int32)
    for signature in model.signatureDefs or []:
        output = schema.TensorMapT()
        output.name = OUTPUT_NAME
        output.tensorIndex = probabilities
        signature.outputs = [output]

    builder = flatbuffers.Builder(len(flatbuffer) + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())
