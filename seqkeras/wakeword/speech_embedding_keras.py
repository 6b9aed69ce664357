"""The speech-embedding network as Keras layers, weights read from its ONNX file.

:func:`embedding_network` (76 mel frames → 96 values) rebuilds the network of
``seqkeras.wakeword.speech_embedding`` layer by layer from the ONNX graph (read with the
``onnx`` package), so the detector can run inside Keras/TensorFlow and be converted to
TFLite with its head: :func:`device_model` chains
``seqkeras.audio.embedding_mel.SpeechEmbeddingMel`` (the mel stage, by formula; its
numpy twin ``seqkeras_edge.embedding_features`` runs on the device), :class:`WindowEmbedding`
and a ``--model embedding`` run's head. Tested against onnxruntime on the same input. One
deliberate difference: the ONNX mel floors each input at 80 dB under its own loudest
value; the mel layer keeps only the fixed floor (power 1e-10), so a frame's value depends
on that frame alone, as a stream needs.

Example::

    net = embedding_network()              # (batch, 76, 32, 1) -> (batch, 96)
    detector = device_model(head)          # (batch, samples) -> (batch, steps, 1)
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


@keras.saving.register_keras_serializable(package="seqkeras")
class WindowEmbedding(keras.layers.Layer):
    """:func:`embedding_network` applied to flattened mel windows:
    ``(..., 76 * 32)`` → ``(..., 96)`` (one embedding per window, any leading axes).

    The input is what ``seqkeras.audio.embedding_mel.SpeechEmbeddingMel`` (and the
    device's ``seqkeras_edge.embedding_features``) produce, so a device model is
    ``SpeechEmbeddingMel → WindowEmbedding → head``, and streaming export treats this layer
    as per-frame (one window in, one embedding out).

    Args:
        network: the embedding network (default: :func:`embedding_network`, which reads
            the ONNX file; a saved model carries the weights itself).
    """

    def __init__(self, network: keras.Model | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.network = network if network is not None else embedding_network()

    def call(self, inputs: Any) -> Any:
        ops = keras.ops
        shape = ops.shape(inputs)
        windows = ops.reshape(inputs, (-1, se.WINDOW_FRAMES, se.MEL_BANDS, 1))
        vectors = self.network(windows)
        if len(inputs.shape) == 2:
            return vectors
        return ops.reshape(vectors, (shape[0], shape[1], se.EMBEDDING_DIM))

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], se.EMBEDDING_DIM)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> WindowEmbedding:
        network = keras.saving.deserialize_keras_object(config.pop("network"))
        return cls(network=network, **config)


def device_model(head: keras.Model, directory: str | os.PathLike[str] | None = None) -> keras.Model:
    """The whole detector as one Keras model over float audio: ``SpeechEmbeddingMel`` →
    :class:`WindowEmbedding` → ``head`` (a ``--model embedding`` run's model), i.e.
    ``(batch, samples) -> (batch, steps, 1)``, one score every 80 ms. What
    ``seqkeras wakeword export`` converts (its mel layer becomes the runner's numpy front
    end)."""
    from seqkeras.audio.embedding_mel import SpeechEmbeddingMel

    audio = keras.Input((None,), name="audio")
    windows = SpeechEmbeddingMel(name="mel_windows")(audio)
    vectors = WindowEmbedding(embedding_network(directory), name="speech_embedding")(windows)
    return keras.Model(audio, head(vectors), name=f"{head.name}_device")
