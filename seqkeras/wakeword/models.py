"""Trigger-word models (course section 3.10): the course's reference, an edge model, and a
detector over a frozen front end trained on real speech.

The first two take log-mel feature frames ``(batch, frames, mel_bins)`` (10 ms hop, see
``seqkeras_edge.features``) and return one keyword probability per output step
``(batch, steps, 1)``.

- :func:`course_model` is the course's architecture, kept for reference:
  ``Conv1D(196, 15, strides=4)`` → BN → ReLU → dropout → GRU(128) → dropout → BN →
  GRU(128) → dropout → BN → dropout → time-distributed sigmoid. Its valid, strided
  convolution sees 15 future frames and emits one step per 4 frames, so it cannot
  stream frame by frame.
- :func:`streaming_model` is sized for the edge (≈ 16 k parameters, ≤ 40 KB as full
  int8): per-bin input normalization → causal ``Conv1D`` (stride 1) → BN → ReLU →
  unidirectional GRU or LSTM → sigmoid per frame. Every layer is one that
  ``seqkeras-export --streaming`` turns into a one-step graph with explicit state (a
  ring buffer for the convolution, the cell state for the recurrent layer).
- :func:`embedding_head_model` takes the 96-value vectors of Google's speech embedding
  (``seqkeras.wakeword.speech_embedding``, one per 80 ms) instead of log-mel frames.

:func:`label_config` gives the output grid of each kind (for
``seqkeras.wakeword.labels.make_labels``) and :func:`with_features` prepends the
``LogMelSpectrogram`` layer so the exported model carries its feature configuration.

Example::

    model = streaming_model()                    # (None, None, 40) -> (None, None, 1)
    audio_model = with_features(model)           # (None, samples) -> (None, frames, 1)
    labels_grid = label_config("streaming")      # stride 1, causal
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from seqkeras_edge.features import NUM_MEL_BINS, FeatureConfig

from seqkeras.wakeword.labels import ONES_STEPS, LabelConfig

COURSE_FILTERS = 196
COURSE_KERNEL = 15
COURSE_STRIDE = 4
COURSE_UNITS = 128
# The course notebook wrote Dropout(0.8) in an old Keras whose argument was the keep
# probability; as a drop rate that would destroy the signal. 0.2 drops what it meant to.
COURSE_DROPOUT = 0.2

STREAMING_FILTERS = 24
STREAMING_KERNEL = 5
STREAMING_UNITS = 64
STREAMING_DROPOUT = 0.1
STREAMING_CONV_LAYERS = 1

RECURRENT_CELLS: dict[str, Callable[..., keras.layers.Layer]] = {
    "gru": keras.layers.GRU,
    "lstm": keras.layers.LSTM,
}


def list_cells() -> list[str]:
    """Recurrent layer kinds accepted by :func:`streaming_model` (CLI ``choices``)."""
    return sorted(RECURRENT_CELLS)


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _rate(name: str, value: Any) -> float:
    if not isinstance(value, int | float) or not 0.0 <= float(value) < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def course_model(
    num_mel_bins: int = NUM_MEL_BINS,
    filters: int = COURSE_FILTERS,
    kernel_size: int = COURSE_KERNEL,
    strides: int = COURSE_STRIDE,
    units: int = COURSE_UNITS,
    dropout: float = COURSE_DROPOUT,
    name: str = "course_trigger_word",
) -> keras.Model:
    """The course's trigger-word model (section 3.10), for reference.

    Args:
        num_mel_bins: features per input frame.
        filters, kernel_size, strides: the first convolution (196, 15, 4 in the course).
        units: size of each of the two GRU layers (128).
        dropout: drop rate of the dropout layers.
        name: model name.

    Returns:
        A ``keras.Model`` ``(batch, frames, num_mel_bins) -> (batch, steps, 1)`` with
        ``steps = 1 + (frames - kernel_size) // strides`` (see ``label_config("course")``).
    """
    num_mel_bins = _positive_int("num_mel_bins", num_mel_bins)
    filters = _positive_int("filters", filters)
    kernel_size = _positive_int("kernel_size", kernel_size)
    strides = _positive_int("strides", strides)
    units = _positive_int("units", units)
    dropout = _rate("dropout", dropout)
    layers = keras.layers
    inputs = keras.Input((None, num_mel_bins), name="features")
    x = layers.Conv1D(filters, kernel_size, strides=strides, padding="valid", name="conv")(inputs)
    x = layers.BatchNormalization(name="conv_norm")(x)
    x = layers.ReLU(name="conv_relu")(x)
    x = layers.Dropout(dropout, name="conv_dropout")(x)
    x = layers.GRU(units, return_sequences=True, name="gru_1")(x)
    x = layers.Dropout(dropout, name="gru_1_dropout")(x)
    x = layers.BatchNormalization(name="gru_1_norm")(x)
    x = layers.GRU(units, return_sequences=True, name="gru_2")(x)
    x = layers.Dropout(dropout, name="gru_2_dropout")(x)
    x = layers.BatchNormalization(name="gru_2_norm")(x)
    x = layers.Dropout(dropout, name="head_dropout")(x)
    outputs = layers.TimeDistributed(layers.Dense(1, activation="sigmoid"), name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def streaming_model(
    num_mel_bins: int = NUM_MEL_BINS,
    filters: int = STREAMING_FILTERS,
    kernel_size: int = STREAMING_KERNEL,
    units: int = STREAMING_UNITS,
    cell: str = "gru",
    dropout: float = STREAMING_DROPOUT,
    conv_layers: int = STREAMING_CONV_LAYERS,
    name: str = "streaming_trigger_word",
) -> keras.Model:
    """A causal, frame-by-frame trigger-word model sized for the edge.

    ``BatchNormalization`` of the input (per mel bin) → causal ``Conv1D(filters,
    kernel_size)`` → BN → ReLU → dropout → ``GRU``/``LSTM(units)`` → dropout →
    ``Dense(1, sigmoid)`` per frame. With ``conv_layers > 1`` more causal convolutions
    (same width, BN, ReLU, dropout) follow the first, layer ``i`` dilated by ``2**i``
    (a WaveNet-style stack: 2 layers of width 5 see 13 frames, 3 layers 29) so the
    recurrent layer gets syllable-sized context per frame. The output at frame ``t``
    depends only on frames ``<= t``, so the whole-clip output equals the frame-by-frame
    output of the exported step graph. With the defaults: 22.4 k parameters (GRU),
    ≈ 37 KB as int16x8 with per-tensor int8 weights, ≈ 35 KB as full int8 with per-tensor
    weights (44 KB with per-channel weights). 64 units rather than 48 (30 KB): on the
    recipe both seeds missed fewer unseen-voice keywords at low false-accept rates
    (BENCHMARKS.md, session 4).

    Args:
        num_mel_bins: features per input frame.
        filters: convolution channels.
        kernel_size: convolution width in frames (its ring buffer holds
            ``kernel_size - 1`` frames on the device).
        units: recurrent state size.
        cell: ``"gru"`` or ``"lstm"`` (:func:`list_cells`).
        dropout: drop rate during training.
        conv_layers: causal convolutions before the recurrent layer (>= 1).
        name: model name.

    Returns:
        A ``keras.Model`` ``(batch, frames, num_mel_bins) -> (batch, frames, 1)``.

    Example:
        >>> model = streaming_model(units=32)
        >>> model.output_shape
        (None, None, 1)
    """
    num_mel_bins = _positive_int("num_mel_bins", num_mel_bins)
    filters = _positive_int("filters", filters)
    kernel_size = _positive_int("kernel_size", kernel_size)
    units = _positive_int("units", units)
    conv_layers = _positive_int("conv_layers", conv_layers)
    dropout = _rate("dropout", dropout)
    if cell not in RECURRENT_CELLS:
        raise ValueError(f"cell must be one of {list_cells()}, got {cell!r}")
    layers = keras.layers
    inputs = keras.Input((None, num_mel_bins), name="features")
    x = layers.BatchNormalization(name="input_norm")(inputs)
    for level in range(conv_layers):
        suffix = f"_{level + 1}" if level else ""
        x = layers.Conv1D(
            filters,
            kernel_size,
            padding="causal",
            dilation_rate=2**level,
            name=f"conv{suffix}",
        )(x)
        x = layers.BatchNormalization(name=f"conv_norm{suffix}")(x)
        x = layers.ReLU(name=f"conv_relu{suffix}")(x)
        x = layers.Dropout(dropout, name=f"conv_dropout{suffix}")(x)
    x = RECURRENT_CELLS[cell](units, return_sequences=True, name=cell)(x)
    x = layers.Dropout(dropout, name=f"{cell}_dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


EMBEDDING_CONTEXT_STEPS = 16  # 1.28 s of 80 ms speech-embedding steps (openWakeWord's 16)
EMBEDDING_UNITS = 128


def embedding_head_model(
    num_mel_bins: int = 96,
    units: int = EMBEDDING_UNITS,
    dropout: float = 0.0,
    context_steps: int = EMBEDDING_CONTEXT_STEPS,
    name: str = "speech_embedding_head",
) -> keras.Model:
    """A detector over the frozen speech-embedding front end
    (``seqkeras.wakeword.speech_embedding``: 96 values every 80 ms).

    Causal ``Conv1D(units, context_steps)`` (each output sees the last 1.28 s of
    embeddings, like openWakeWord's 16-step window) → LayerNorm → ReLU → dropout →
    ``Dense(units)`` → LayerNorm → ReLU → dropout → ``Dense(1, sigmoid)`` per step.

    Args:
        num_mel_bins: values per input step (96: the embedding size; named like the
            other builders' feature width).
        units: width of the convolution and the dense layer.
        dropout: drop rate during training.
        context_steps: embedding steps each output sees.
        name: model name.

    Returns:
        A ``keras.Model`` ``(batch, steps, 96) -> (batch, steps, 1)`` (see
        ``label_config("embedding")`` for the time grid).
    """
    num_mel_bins = _positive_int("num_mel_bins", num_mel_bins)
    units = _positive_int("units", units)
    context_steps = _positive_int("context_steps", context_steps)
    dropout = _rate("dropout", dropout)
    layers = keras.layers
    inputs = keras.Input((None, num_mel_bins), name="embeddings")
    x = layers.Conv1D(units, context_steps, padding="causal", name="context")(inputs)
    x = layers.LayerNormalization(name="context_norm")(x)
    x = layers.ReLU(name="context_relu")(x)
    x = layers.Dropout(dropout, name="context_dropout")(x)
    x = layers.Dense(units, name="dense")(x)
    x = layers.LayerNormalization(name="dense_norm")(x)
    x = layers.ReLU(name="dense_relu")(x)
    x = layers.Dropout(dropout, name="dense_dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


MODEL_BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "streaming": streaming_model,
    "course": course_model,
    "embedding": embedding_head_model,
}
# Model kinds whose input is the speech-embedding front end rather than log-mel frames.
EMBEDDING_MODELS = ("embedding",)


def embedding_grid() -> FeatureConfig:
    """The speech-embedding front end's framing as a ``FeatureConfig`` (32 bands, 512-sample
    frames every 160 samples), for ``LabelConfig``: with ``frames_per_step=8`` and
    ``kernel_frames=76`` step ``j`` ends at sample ``1280 j + 12512``, as
    ``speech_embedding.step_end_sample``."""
    return FeatureConfig(num_mel_bins=32, frame_ms=32.0, hop_ms=10.0, fft_size=512)


def list_models() -> list[str]:
    """Model kinds of :func:`build_model` (CLI ``choices``)."""
    return sorted(MODEL_BUILDERS)


def build_model(kind: str, **kwargs: Any) -> keras.Model:
    """``streaming_model(**kwargs)`` or ``course_model(**kwargs)`` by name."""
    if kind not in MODEL_BUILDERS:
        raise ValueError(f"model kind must be one of {list_models()}, got {kind!r}")
    return MODEL_BUILDERS[kind](**kwargs)


def label_config(
    kind: str,
    ones_steps: int = ONES_STEPS,
    features: FeatureConfig | None = None,
    kernel_size: int = COURSE_KERNEL,
    strides: int = COURSE_STRIDE,
) -> LabelConfig:
    """The output grid of a model kind, for ``make_labels``.

    The streaming model emits one step per feature frame and is causal; the course
    model emits one step per ``strides`` frames after a ``kernel_size``-frame valid
    convolution; the embedding model one step per 80 ms embedding (``ones_steps`` is then
    read in 10 ms frames and rounded up to whole steps: 50 → 7 steps, 0.56 s).
    """
    if kind == "embedding":
        # ones_steps counts 10 ms frames for this kind (the streaming model's steps):
        # the same time after the keyword, in 80 ms steps
        return LabelConfig(
            ones_steps=-(-ones_steps // 8),
            frames_per_step=8,
            kernel_frames=76,
            features=embedding_grid(),
        )
    features = features or FeatureConfig()
    if kind == "streaming":
        return LabelConfig(ones_steps=ones_steps, features=features)
    if kind == "course":
        return LabelConfig(
            ones_steps=ones_steps,
            frames_per_step=strides,
            kernel_frames=kernel_size,
            features=features,
        )
    raise ValueError(f"model kind must be one of {list_models()}, got {kind!r}")


def with_features(model: keras.Model, features: FeatureConfig | None = None) -> keras.Model:
    """``model`` behind a ``LogMelSpectrogram`` layer: raw 16 kHz audio in.

    The exporter removes this leading layer from the step graph and writes its
    configuration into the ``.tflite`` metadata, so the device computes exactly the
    features the model was trained on. The layers (and weights) are shared with
    ``model``.
    """
    from seqkeras.audio import LogMelSpectrogram

    features = features or FeatureConfig()
    mel_bins = model.inputs[0].shape[-1]
    if mel_bins != features.num_mel_bins:
        raise ValueError(
            f"model {model.name!r} takes {mel_bins} features per frame but the feature "
            f"config has num_mel_bins={features.num_mel_bins}"
        )
    audio = keras.Input((None,), name="audio")
    frames = LogMelSpectrogram.from_feature_config(features, name="log_mel")(audio)
    return keras.Model(audio, model(frames), name=f"{model.name}_audio")


def feature_model(model: keras.Model) -> keras.Model:
    """The feature-input model inside a saved ``with_features`` model (or ``model`` itself)."""
    from seqkeras.audio import LogMelSpectrogram

    if any(isinstance(layer, LogMelSpectrogram) for layer in model.layers):
        inner = [layer for layer in model.layers if isinstance(layer, keras.Model)]
        if len(inner) != 1:
            raise ValueError(f"model {model.name!r} has a feature layer but no single inner model")
        return inner[0]
    return model


def model_feature_config(model: keras.Model) -> Any:
    """The ``FeatureConfig`` of a ``with_features`` model's ``LogMelSpectrogram`` (else default)."""
    from seqkeras_edge.features import FeatureConfig

    from seqkeras.audio import LogMelSpectrogram

    for layer in model.layers:
        if isinstance(layer, LogMelSpectrogram):
            return layer.feature_config()
    return FeatureConfig()
