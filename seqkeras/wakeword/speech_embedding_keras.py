"""The speech-embedding front end as Keras models, weights read from its ONNX files.

:func:`mel_model` (16 kHz audio in int16 units → rescaled 32-band log-mel frames) and
:func:`embedding_network` (76 mel frames → 96 values) rebuild the two networks of
``seqkeras.wakeword.speech_embedding`` layer by layer from the ONNX graphs (read with the
``onnx`` package), so the front end can run inside Keras/TensorFlow (and later be
converted with the head) instead of onnxruntime. Tested against onnxruntime on the same
input. One deliberate difference: the ONNX mel floors each input at 80 dB under its own
loudest value; :func:`mel_model` keeps only the fixed floor (power 1e-10), so a frame's
value depends on that frame alone, as a stream needs.

Example::

    mel = mel_model()                      # (batch, samples) -> (batch, frames, 32)
    net = embedding_network()              # (batch, 76, 32, 1) -> (batch, 96)
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

from seqkeras.wakeword import speech_embedding as se


@keras.saving.register_keras_serializable(package="seqkeras")
class FloorAt(keras.layers.Layer):
    """``maximum(x, floor)`` (the ONNX graph's ``Max`` with a constant)."""

    def __init__(self, floor: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.floor = float(floor)

    def call(self, inputs: Any) -> Any:
        return keras.ops.maximum(inputs, self.floor)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "floor": self.floor}


@keras.saving.register_keras_serializable(package="seqkeras")
class PowerToScaledDb(keras.layers.Layer):
    """``(10 log10(max(power, 1e-10))) * scale + offset`` (openWakeWord's rescaling)."""

    def call(self, power: Any) -> Any:
        ops = keras.ops
        db = 10.0 * ops.log(ops.maximum(power, 1e-10)) / np.log(10.0)
        return db * se.MEL_SCALE + se.MEL_OFFSET


def _graph(path: str | os.PathLike[str]) -> tuple[list[Any], dict[str, np.ndarray]]:
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as missing:
        raise ImportError(
            "reading the speech-embedding weights needs the `onnx` package "
            "(pip install 'seqkeras[audio]')"
        ) from missing
    model = onnx.load(os.fspath(path))
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return list(model.graph.node), weights


def _attributes(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def mel_model(directory: str | os.PathLike[str] | None = None) -> keras.Model:
    """Audio ``(batch, samples)`` in int16 units → ``(batch, frames, 32)`` rescaled log-mel
    (frame ``f``: samples ``[160 f, 160 f + 512)``), from ``melspectrogram.onnx``."""
    nodes, weights = _graph(se.ensure_files(directory) / se.MEL_FILE)
    convs = [n for n in nodes if n.op_type == "Conv"]
    if len(convs) != 2:
        raise ValueError(f"{se.MEL_FILE}: expected 2 Conv nodes (real, imaginary), found {len(convs)}")
    real, imag = (weights[n.input[1]] for n in convs)
    mel_matrix = next(weights[i] for n in nodes if n.op_type == "MatMul" for i in n.input if i in weights)
    audio = keras.Input((None,), name="audio")
    x = keras.layers.Reshape((-1, 1))(audio)
    layers = []
    for name, kernel in (("stft_real", real), ("stft_imag", imag)):
        conv = keras.layers.Conv1D(
            kernel.shape[0], se.MEL_FRAME, strides=se.MEL_HOP, use_bias=False, name=name
        )
        layers.append((conv, kernel))
    re, im = (conv(x) for conv, _ in layers)
    power = keras.layers.Add()([keras.layers.Multiply()([re, re]), keras.layers.Multiply()([im, im])])
    mel = keras.layers.Dense(se.MEL_BANDS, use_bias=False, name="mel")(power)
    model = keras.Model(audio, PowerToScaledDb(name="db")(mel), name="speech_embedding_mel")
    for conv, kernel in layers:
        conv.set_weights([kernel.transpose(2, 1, 0)])
    model.get_layer("mel").set_weights([mel_matrix])
    return model


def embedding_network(directory: str | os.PathLike[str] | None = None) -> keras.Model:
    """``(batch, 76, 32, 1)`` rescaled mel frames → ``(batch, 96)``, rebuilt node by node
    from ``embedding_model.onnx`` (a chain of Pad, Conv, Relu, BatchNormalization,
    LeakyRelu, Max-with-a-constant and MaxPool)."""
    nodes, weights = _graph(se.ensure_files(directory) / se.EMBEDDING_FILE)
    inputs = keras.Input((se.WINDOW_FRAMES, se.MEL_BANDS, 1), name="mel_window")
    x = inputs
    pending: list[tuple[keras.layers.Layer, list[np.ndarray]]] = []
    for index, node in enumerate(nodes):
        op, attrs = node.op_type, _attributes(node)
        name = f"{op.lower()}_{index}"
        if op == "Pad":  # NHWC pads (begin..., end...): time and band axes
            pads = weights[node.input[1]]
            x = keras.layers.ZeroPadding2D(((pads[1], pads[5]), (pads[2], pads[6])), name=name)(x)
        elif op == "Reshape":
            continue  # NHWC <-> NCHW of the ONNX export; Keras stays NHWC
        elif op == "Conv":
            kernel = weights[node.input[1]]  # (out, in, kh, kw)
            bias = weights[node.input[2]] if len(node.input) > 2 else None
            top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
            if any((top, left, bottom, right)):
                x = keras.layers.ZeroPadding2D(((top, bottom), (left, right)), name=f"{name}_pad")(x)
            conv = keras.layers.Conv2D(
                kernel.shape[0], kernel.shape[2:], strides=tuple(attrs.get("strides", (1, 1))),
                use_bias=bias is not None, name=name,
            )  # fmt: skip
            x = conv(x)
            pending.append((conv, [kernel.transpose(2, 3, 1, 0)] + ([bias] if bias is not None else [])))
        elif op == "Relu":
            x = keras.layers.ReLU(name=name)(x)
        elif op == "LeakyRelu":
            x = keras.layers.LeakyReLU(negative_slope=float(attrs["alpha"]), name=name)(x)
        elif op == "Max":
            x = FloorAt(float(weights[node.input[1]].reshape(-1)[0]), name=name)(x)
        elif op == "BatchNormalization":
            gamma, beta, mean, var = (weights[i] for i in node.input[1:5])
            norm = keras.layers.BatchNormalization(epsilon=float(attrs.get("epsilon", 1e-5)), name=name)
            x = norm(x)
            pending.append((norm, [gamma, beta, mean, var]))
        elif op == "MaxPool":
            size = tuple(attrs["kernel_shape"])
            x = keras.layers.MaxPooling2D(size, strides=tuple(attrs["strides"]), name=name)(x)
        else:
            raise ValueError(f"{se.EMBEDDING_FILE}: node {index} is a {op!r}, which this port does not map")
    outputs = keras.layers.Reshape((se.EMBEDDING_DIM,), name="embedding")(x)
    model = keras.Model(inputs, outputs, name="speech_embedding_network")
    for layer, values in pending:
        layer.set_weights(values)
    return model
