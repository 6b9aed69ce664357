"""Build the one-step ("streaming") graph of a causal sequence model.

A whole-sequence Keras model ``(batch, time, features) -> (batch, time, outputs)`` made of
recurrent layers, per-frame layers and causal convolutions is rewritten as a function of
one frame and explicit state::

    prediction, new_states = step(frame, states)

Recurrent layers carry their cell state; a causal ``Conv1D`` carries a ring buffer of its
last ``(kernel_size - 1) * dilation_rate`` input frames. Every stage is a fresh clone of
the original layer with the weights copied, so the step graph has no ``WHILE`` loop and
converts to full-int8 TFLite (the whole-sequence Keras 3 LSTM/GRU does not: the converter
crashes, see SPEC.md "Facts measured").

Which layer types are supported is decided by :data:`STAGE_BUILDERS` (a registry keyed by
layer class); anything else raises :class:`UnsupportedLayerError` naming the layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

FRAME_INPUT = "frame"
PREDICTION_OUTPUT = "prediction"


def state_input_name(index: int) -> str:
    return f"state_{index}"


def state_output_name(index: int) -> str:
    return f"new_state_{index}"


class UnsupportedLayerError(ValueError):
    """The model contains a layer the streaming builder cannot turn into a step."""


@dataclass
class Stage:
    """One layer of the step graph: ``(x, states) -> (y, new_states)``.

    ``state_shapes`` are the per-example shapes (no batch axis) of the states the stage
    owns, in order. ``source`` names the original layer (for messages and reports).
    """

    source: str
    call: Callable[[Any, list[Any]], tuple[Any, list[Any]]]
    state_shapes: list[tuple[int, ...]] = field(default_factory=list)
    kind: str = "frame"
    layers: list[Any] = field(default_factory=list)


StageBuilder = Callable[[keras.layers.Layer, tuple[int, ...]], list[Stage]]

# (layer class, builder) in lookup order: the first isinstance match wins, so subclasses
# must come before their bases (keras.layers.LSTM before keras.layers.RNN).
STAGE_BUILDERS: list[tuple[type, StageBuilder]] = []

IDENTITY_AT_INFERENCE = (
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.GaussianNoise,
    keras.layers.GaussianDropout,
    keras.layers.AlphaDropout,
    keras.layers.ActivityRegularization,
)


def register_stage_builder(layer_class: type) -> Callable[[StageBuilder], StageBuilder]:
    """Decorator: ``builder(layer, input_shape) -> [Stage, ...]`` for ``layer_class``."""

    def decorator(builder: StageBuilder) -> StageBuilder:
        STAGE_BUILDERS.append((layer_class, builder))
        return builder

    return decorator


def supported_layer_names() -> list[str]:
    return sorted({cls.__name__ for cls, _ in STAGE_BUILDERS} | {"InputLayer"})


def _clone(layer: keras.layers.Layer, input_shape: tuple[int | None, ...], **overrides):
    config = dict(layer.get_config())
    config.update(overrides)
    config["name"] = f"step_{layer.name}"
    clone = layer.__class__.from_config(config)
    clone.build(input_shape)
    clone.set_weights(layer.get_weights())
    return clone


def _frame_stage(layer: keras.layers.Layer, clone: keras.layers.Layer) -> Stage:
    def call(x, states):
        return clone(x, training=False), []

    return Stage(source=layer.name, call=call, layers=[clone])


@register_stage_builder(keras.layers.Dense)
@register_stage_builder(keras.layers.Activation)
@register_stage_builder(keras.layers.ReLU)
@register_stage_builder(keras.layers.LeakyReLU)
@register_stage_builder(keras.layers.ELU)
@register_stage_builder(keras.layers.PReLU)
def _per_frame(layer, input_shape):
    """A layer that maps each frame on its own (its clone takes ``(batch, features)``)."""
    return [_frame_stage(layer, _clone(layer, (None, input_shape[-1])))]


def _last_axis_only(layer, axis_name: str = "axis"):
    axis = getattr(layer, axis_name, -1)
    axes = axis if isinstance(axis, list | tuple) else [axis]
    if any(a not in (-1, 2) for a in axes):
        raise UnsupportedLayerError(
            f"layer {layer.name!r} ({type(layer).__name__}) normalizes over axis {axis}; "
            "streaming export needs the feature (last) axis so each frame is independent"
        )


@register_stage_builder(keras.layers.BatchNormalization)
def _batch_norm(layer, input_shape):
    _last_axis_only(layer)
    return [_frame_stage(layer, _clone(layer, (None, input_shape[-1]), axis=-1))]


@register_stage_builder(keras.layers.LayerNormalization)
def _layer_norm(layer, input_shape):
    _last_axis_only(layer)
    return [_frame_stage(layer, _clone(layer, (None, input_shape[-1]), axis=-1))]


@register_stage_builder(keras.layers.Softmax)
def _softmax(layer, input_shape):
    _last_axis_only(layer)
    return [_frame_stage(layer, _clone(layer, (None, input_shape[-1])))]


def _identity(layer, input_shape):
    return [Stage(source=layer.name, call=lambda x, states: (x, []), kind="identity")]


for _cls in IDENTITY_AT_INFERENCE:
    register_stage_builder(_cls)(_identity)


@register_stage_builder(keras.layers.TimeDistributed)
def _time_distributed(layer, input_shape):
    inner = layer.layer
    stages = _stages_for(inner, input_shape)
    if any(stage.state_shapes for stage in stages):
        raise UnsupportedLayerError(
            f"layer {layer.name!r} wraps {type(inner).__name__}, which keeps state; "
            "TimeDistributed must wrap a per-frame layer"
        )
    return stages


@register_stage_builder(keras.layers.Conv1D)
def _conv1d(layer, input_shape):
    name = layer.name
    if layer.padding != "causal":
        raise UnsupportedLayerError(
            f"layer {name!r} (Conv1D) uses padding={layer.padding!r}; streaming export needs "
            "padding='causal' (an output may not depend on future frames)"
        )
    strides = layer.strides[0] if isinstance(layer.strides, tuple | list) else layer.strides
    if strides != 1:
        raise UnsupportedLayerError(
            f"layer {name!r} (Conv1D) has strides={strides}; streaming export supports "
            "stride 1 (dilation is fine)"
        )
    if layer.data_format != "channels_last":
        raise UnsupportedLayerError(f"layer {name!r} (Conv1D) must use data_format='channels_last'")
    kernel = layer.kernel_size[0]
    dilation = layer.dilation_rate[0]
    history = (kernel - 1) * dilation
    channels = int(input_shape[-1])
    clone = _clone(layer, (None, history + 1, channels), padding="valid")
    ops = keras.ops

    def call(x, states):
        frame = ops.expand_dims(x, 1)
        if history == 0:
            return clone(frame)[:, 0, :], []
        window = ops.concatenate([states[0], frame], axis=1)
        return clone(window)[:, 0, :], [window[:, 1:, :]]

    shapes = [(history, channels)] if history else []
    return [Stage(source=name, call=call, state_shapes=shapes, kind="causal_conv", layers=[clone])]


def _state_shapes(cell) -> list[tuple[int, ...]]:
    sizes = cell.state_size
    sizes = list(sizes) if isinstance(sizes, list | tuple) else [sizes]
    shapes = []
    for size in sizes:
        shapes.append(tuple(size) if isinstance(size, list | tuple) else (int(size),))
    return shapes


@register_stage_builder(keras.layers.Bidirectional)
def _bidirectional(layer, input_shape):
    raise UnsupportedLayerError(
        f"layer {layer.name!r} (Bidirectional) reads future frames; a streaming model must be "
        "causal — use a unidirectional recurrent layer or export the whole sequence "
        "(drop --streaming)"
    )


@register_stage_builder(keras.layers.RNN)
def _rnn(layer, input_shape):
    """keras.layers.RNN(cell) and its subclasses LSTM, GRU, SimpleRNN."""
    name = layer.name
    if getattr(layer, "go_backwards", False):
        raise UnsupportedLayerError(
            f"layer {name!r} ({type(layer).__name__}) has go_backwards=True; streaming needs "
            "a forward-in-time recurrent layer"
        )
    if getattr(layer, "return_state", False):
        raise UnsupportedLayerError(
            f"layer {name!r} ({type(layer).__name__}) has return_state=True; streaming export "
            "supports a chain of single-output layers"
        )
    cell = layer.cell
    if isinstance(cell, keras.layers.StackedRNNCells) or isinstance(cell, list | tuple):
        raise UnsupportedLayerError(
            f"layer {name!r} uses stacked cells; stack separate RNN layers instead"
        )
    clone = _clone(cell, (None, int(input_shape[-1])))

    def call(x, states):
        output, new_states = clone(x, list(states), training=False)
        new_states = list(new_states) if isinstance(new_states, list | tuple) else [new_states]
        return output, new_states

    return [
        Stage(source=name, call=call, state_shapes=_state_shapes(clone), kind="recurrent", layers=[clone])
    ]


def _recurrent(layer, input_shape):
    """seqkeras.layers.Recurrent: a stack of keras RNN layers (see CELLS.md)."""
    if getattr(layer, "bidirectional", False):
        return _bidirectional(layer, input_shape)
    stages: list[Stage] = []
    shape = input_shape
    for sub in layer.recurrent_layers:
        sub_stages = _stages_for(sub, shape)
        stages.extend(sub_stages)
        shape = (*shape[:-1], _output_size(sub))
    return stages


def _output_size(layer) -> int:
    cell = getattr(layer, "cell", None)
    if cell is not None:
        size = getattr(cell, "output_size", None) or _state_shapes(cell)[0][0]
        return int(size)
    return int(layer.units)


def _time_distributed_head(layer, input_shape):
    """seqkeras.layers.TimeDistributedHead: Dense layers per step (dropout is identity)."""
    stages: list[Stage] = []
    width = int(input_shape[-1])
    for dense in layer.dense_layers:
        stages.extend(_per_frame(dense, (None, width)))
        width = int(dense.units)
    return stages


def _register_seqkeras_layers() -> None:
    # seqkeras.layers ships with seqkeras_export: an ImportError here is a broken install
    # and must surface as itself, not as "layer not supported" later.
    from seqkeras.layers import Recurrent, TimeDistributedHead
    from seqkeras.wakeword.speech_embedding_keras import WindowEmbedding

    STAGE_BUILDERS.insert(0, (Recurrent, _recurrent))
    STAGE_BUILDERS.insert(0, (TimeDistributedHead, _time_distributed_head))
    STAGE_BUILDERS.insert(0, (WindowEmbedding, _per_frame))  # one mel window -> one vector


_register_seqkeras_layers()


def _is_feature_layer(layer) -> bool:
    return type(layer).__module__.startswith("seqkeras.audio")


def _stages_for(layer, input_shape) -> list[Stage]:
    for cls, builder in STAGE_BUILDERS:
        if isinstance(layer, cls):
            return builder(layer, input_shape)
    raise UnsupportedLayerError(
        f"layer {layer.name!r} ({type(layer).__name__}) is not supported by streaming export; "
        f"supported: {', '.join(supported_layer_names())} (plus seqkeras recurrent cells in "
        "keras.layers.RNN and causal Conv1D)"
    )


def producer(tensor) -> tuple[Any, list[Any]]:
    """The operation that produced the symbolic ``tensor`` and that call's input tensors.

    Keras 3 has no public API for a functional model's links: ``layer.input`` /
    ``layer.output`` describe a layer's *first* call only (for a model nested in another
    model that is its own graph, not the outer call), and the serialized form
    (``model.get_config()["layers"][i]["inbound_nodes"]``) is no more stable. So this reads
    ``KerasTensor._keras_history`` (operation, node index, tensor index) and
    ``Operation._inbound_nodes`` as of Keras 3.15; ``tests/export/test_private_apis.py``
    fails with a clear message if Keras changes them.
    """
    try:
        operation, node_index, _ = tensor._keras_history
        inputs = list(operation._inbound_nodes[node_index].input_tensors)
    except (AttributeError, IndexError, TypeError, ValueError) as err:
        raise RuntimeError(
            f"streaming export cannot follow the layer graph under Keras {keras.__version__}: "
            "it reads the private KerasTensor._keras_history and Operation._inbound_nodes, "
            f"which changed ({type(err).__name__}: {err})"
        ) from err
    return operation, inputs


def layer_chain(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers in call order; the model must be a single-input chain."""
    if isinstance(model, keras.Sequential):
        chain: list[keras.layers.Layer] = []
        for layer in model.layers:
            chain.extend(_expand(layer))
        return chain
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise UnsupportedLayerError(
            f"model {model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} "
            "outputs; streaming export supports one input and one output"
        )
    reversed_chain = []
    tensor = model.outputs[0]
    while True:
        operation, inputs = producer(tensor)
        if isinstance(operation, keras.layers.InputLayer):
            break
        if len(inputs) != 1:
            raise UnsupportedLayerError(
                f"layer {operation.name!r} ({type(operation).__name__}) takes "
                f"{len(inputs)} inputs; streaming export supports a chain of layers"
            )
        reversed_chain.append(operation)
        tensor = inputs[0]
    chain = []
    for layer in reversed(reversed_chain):
        chain.extend(_expand(layer))
    return chain


def _expand(layer) -> list[keras.layers.Layer]:
    if isinstance(layer, keras.Model):
        return layer_chain(layer)
    if isinstance(layer, keras.layers.InputLayer):
        return []
    return [layer]


@dataclass
class StepGraph:
    """The one-step graph of a streaming model.

    Attributes:
        stages: the per-layer step functions, in call order.
        frame_shape: shape of one input frame (no batch axis).
        state_shapes: shapes of the states (no batch axis), in input order.
        output_shape: shape of one prediction (no batch axis).
        feature_config: config of a leading ``seqkeras.audio`` feature layer that was
            removed from the graph (the runner computes features itself), else None.
        sequence_output: whether the Keras model returns one output per frame.
    """

    stages: list[Stage]
    frame_shape: tuple[int, ...]
    state_shapes: list[tuple[int, ...]]
    output_shape: tuple[int, ...]
    feature_config: dict | None
    sequence_output: bool
    model_name: str
    feature_layer: Any = None

    def frames(self, inputs: np.ndarray) -> np.ndarray:
        """Model inputs -> the frames the step graph consumes (applies a removed feature layer)."""
        if self.feature_layer is None:
            return np.asarray(inputs, np.float32)
        return np.asarray(self.feature_layer(inputs, training=False), np.float32)

    @property
    def state_input_names(self) -> list[str]:
        return [state_input_name(i) for i in range(len(self.state_shapes))]

    @property
    def state_output_names(self) -> list[str]:
        return [state_output_name(i) for i in range(len(self.state_shapes))]

    def step(self, frame, states: Sequence[Any]):
        """One frame: returns ``(prediction, new_states)`` (backend tensors)."""
        x = frame
        cursor = 0
        new_states: list[Any] = []
        for stage in self.stages:
            count = len(stage.state_shapes)
            x, produced = stage.call(x, list(states[cursor : cursor + count]))
            if len(produced) != count:
                raise RuntimeError(f"stage {stage.source!r} returned {len(produced)} states")
            new_states.extend(produced)
            cursor += count
        return x, new_states

    def initial_states(self, batch_size: int) -> list[np.ndarray]:
        return [np.zeros((batch_size, *shape), np.float32) for shape in self.state_shapes]

    def run_sequence(self, frames: np.ndarray) -> np.ndarray:
        """Step through ``frames`` (batch, time, *frame_shape) with Keras; (batch, time, *out)."""
        import tensorflow as tf

        signature = self._signature(batch_size=None)
        step = tf.function(self.named_step, input_signature=[signature])
        states = self.initial_states(frames.shape[0])
        outputs = []
        for t in range(frames.shape[1]):
            feeds = {FRAME_INPUT: frames[:, t].astype(np.float32)}
            feeds.update(zip(self.state_input_names, states, strict=True))
            result = step(feeds)
            outputs.append(np.asarray(result[PREDICTION_OUTPUT]))
            states = [np.asarray(result[name]) for name in self.state_output_names]
        return np.stack(outputs, axis=1)

    def calibration_samples(self, frames: np.ndarray, limit: int = 400, seed: int = 0):
        """(frame, states) feeds seen while stepping through ``frames``: int8 calibration."""
        import tensorflow as tf

        step = tf.function(self.named_step, input_signature=[self._signature(batch_size=None)])
        states = self.initial_states(frames.shape[0])
        samples = []
        for t in range(frames.shape[1]):
            feeds = {FRAME_INPUT: frames[:, t].astype(np.float32)}
            feeds.update(zip(self.state_input_names, states, strict=True))
            for b in range(frames.shape[0]):
                samples.append({k: v[b : b + 1] for k, v in feeds.items()})
            result = step(feeds)
            states = [np.asarray(result[name]) for name in self.state_output_names]
        rng = np.random.default_rng(seed)
        if len(samples) > limit:
            keep = rng.choice(len(samples), size=limit, replace=False)
            samples = [samples[i] for i in sorted(keep)]
        return samples

    def named_step(self, feeds: dict) -> dict:
        prediction, new_states = self.step(
            feeds[FRAME_INPUT], [feeds[name] for name in self.state_input_names]
        )
        outputs = {PREDICTION_OUTPUT: prediction}
        outputs.update(zip(self.state_output_names, new_states, strict=True))
        return outputs

    def _signature(self, batch_size: int | None) -> dict:
        import tensorflow as tf

        spec = {FRAME_INPUT: tf.TensorSpec((batch_size, *self.frame_shape), tf.float32, FRAME_INPUT)}
        for name, shape in zip(self.state_input_names, self.state_shapes, strict=True):
            spec[name] = tf.TensorSpec((batch_size, *shape), tf.float32, name)
        return spec

    def save_serving(self, directory: str) -> None:
        """Save a batch-1 SavedModel whose ``serving_default`` signature is the step.

        Going through a SavedModel (not ``from_concrete_functions``) keeps the input and
        output names in the ``.tflite`` signature, which the edge runner looks up.
        """
        import tensorflow as tf

        specs = self._signature(batch_size=1)
        names = list(specs)

        def serve(*args):
            return self.named_step(dict(zip(names, args, strict=True)))

        module = tf.Module()
        module.step_variables = [
            weight.value for stage in self.stages for layer in stage.layers for weight in layer.weights
        ]
        module.serve = tf.function(serve, input_signature=[specs[n] for n in names])
        tf.saved_model.save(
            module, directory, signatures={"serving_default": module.serve.get_concrete_function()}
        )


def build_step_graph(model: keras.Model) -> StepGraph:
    """Rewrite ``model`` as a one-step graph with explicit state (weights copied).

    Raises:
        UnsupportedLayerError: a layer cannot be streamed (the message names it).
    """
    if len(model.inputs) != 1:
        raise UnsupportedLayerError(
            f"model {model.name!r} has {len(model.inputs)} inputs; streaming export supports one"
        )
    chain = layer_chain(model)
    feature_config = None
    feature_layer = None
    input_shape = tuple(model.inputs[0].shape)
    if chain and _is_feature_layer(chain[0]):
        feature_layer = chain[0]
        describe = getattr(feature_layer, "feature_config", None)
        if not callable(describe):
            raise UnsupportedLayerError(
                f"layer {feature_layer.name!r} ({type(feature_layer).__name__}) computes "
                "features the edge runner cannot reproduce; streaming models start with "
                "LogMelSpectrogram (or take feature frames as input)"
            )
        feature_config = describe().to_dict()
        input_shape = tuple(chain[0].compute_output_shape(input_shape))
        chain = chain[1:]
    for layer in chain:
        if _is_feature_layer(layer):
            raise UnsupportedLayerError(
                f"layer {layer.name!r} ({type(layer).__name__}) computes audio features; it "
                "must be the model's first layer (the runner computes features itself)"
            )
    if len(input_shape) != 3:
        raise UnsupportedLayerError(
            f"model {model.name!r} input has shape {input_shape}; streaming export needs "
            "(batch, time, features) frames"
        )
    frame_shape = (int(input_shape[-1]),)
    stages: list[Stage] = []
    shape: tuple = (None, None, frame_shape[0])
    sequence_output = True
    for layer in chain:
        stages.extend(_stages_for(layer, shape))
        out_shape = layer.compute_output_shape(shape)
        if isinstance(out_shape, list):
            raise UnsupportedLayerError(f"layer {layer.name!r} returns several tensors")
        if len(out_shape) == 2:  # many-to-one recurrent layer: its step output is per frame
            sequence_output = False
            out_shape = (out_shape[0], None, out_shape[1])
        shape = tuple(out_shape)
    if not stages:
        raise UnsupportedLayerError(f"model {model.name!r} has no layers to stream")
    state_shapes = [s for stage in stages for s in stage.state_shapes]
    return StepGraph(
        stages=stages,
        frame_shape=frame_shape,
        state_shapes=state_shapes,
        output_shape=(int(shape[-1]),),
        feature_config=feature_config,
        sequence_output=sequence_output,
        model_name=model.name,
        feature_layer=feature_layer,
    )
