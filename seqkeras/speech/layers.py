"""Keras layers of the CTC recognizer: per-utterance feature normalization and SpecAugment."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def _length_mask(features: Any, lengths: Any) -> Any:
    """``(batch, time, 1)`` float mask of the valid frames."""
    steps = ops.shape(features)[1]
    if lengths is None:
        return ops.ones_like(features[..., :1])
    valid = ops.arange(steps)[None, :] < ops.cast(lengths, "int32")[:, None]
    return ops.expand_dims(ops.cast(valid, features.dtype), -1)


@keras.saving.register_keras_serializable(package="seqkeras")
class UtteranceNormalization(keras.layers.Layer):
    """Each utterance's features to zero mean and unit variance per feature, over its
    valid frames only (padding stays 0). Removes level and channel differences between
    recordings (a telephone line, a microphone) that a fixed normalization keeps.

    Args:
        epsilon: added to the variance.

    Call arguments:
        features: ``(batch, time, features)``.
        lengths: optional ``(batch,)`` valid frames per utterance (default: all).

    Returns:
        Normalized features, same shape; frames past ``lengths`` are 0.

    Example:
        >>> import numpy as np
        >>> out = UtteranceNormalization()(np.random.rand(2, 5, 3).astype("float32"))
        >>> bool(abs(float(out.numpy().mean())) < 1e-5)
        True
    """

    def __init__(self, epsilon: float = 1e-5, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not epsilon > 0:
            raise ValueError(f"UtteranceNormalization: epsilon must be > 0, got {epsilon!r}")
        self.epsilon = float(epsilon)

    def call(self, features, lengths=None):
        mask = _length_mask(features, lengths)
        count = ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
        mean = ops.sum(features * mask, axis=1, keepdims=True) / count
        centred = (features - mean) * mask
        variance = ops.sum(centred * centred, axis=1, keepdims=True) / count
        return centred / ops.sqrt(variance + self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="seqkeras")
class SpecAugment(keras.layers.Layer):
    """SpecAugment masking (Park et al. 2019): during training, zero ``freq_masks`` bands
    of up to ``freq_width`` features and ``time_masks`` spans of up to ``time_width``
    frames (and at most ``max_time_fraction`` of the utterance) in each utterance.
    Apply after normalization, so a masked value is the utterance mean. Identity at
    inference.

    Args:
        freq_masks: frequency masks per utterance.
        freq_width: widest frequency mask (features).
        time_masks: time masks per utterance.
        time_width: longest time mask (frames).
        max_time_fraction: a time mask covers at most this fraction of the valid frames.
        seed: random seed.

    Call arguments:
        features: ``(batch, time, features)``.
        lengths: optional ``(batch,)`` valid frames.
        training: masks only when true.

    Returns:
        The masked features.

    Example:
        >>> import numpy as np
        >>> layer = SpecAugment(freq_masks=1, freq_width=2, time_masks=0)
        >>> out = layer(np.ones((1, 4, 6), "float32"), training=True)
        >>> int((out.numpy()[0, 0] == 0).sum()) <= 2
        True
    """

    def __init__(
        self,
        freq_masks: int = 2,
        freq_width: int = 8,
        time_masks: int = 2,
        time_width: int = 20,
        max_time_fraction: float = 0.2,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for name, value in (("freq_masks", freq_masks), ("freq_width", freq_width),
                            ("time_masks", time_masks), ("time_width", time_width)):  # fmt: skip
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"SpecAugment: {name} must be an integer >= 0, got {value!r}")
        if not 0.0 <= max_time_fraction <= 1.0:
            raise ValueError(
                f"SpecAugment: max_time_fraction must be in [0, 1], got {max_time_fraction!r}"
            )
        self.freq_masks = freq_masks
        self.freq_width = freq_width
        self.time_masks = time_masks
        self.time_width = time_width
        self.max_time_fraction = float(max_time_fraction)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _masks(self, batch, size, count, widest, limit):
        """``(batch, size)`` 1.0 where any of ``count`` random spans covers a position."""
        if count == 0 or widest == 0:
            return ops.zeros((batch, size))
        shape = (batch, count, 1)
        width = ops.floor(
            keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)
            * (ops.minimum(widest, limit) + 1.0)
        )
        start = ops.floor(
            keras.random.uniform(shape, 0.0, 1.0, seed=self.seed_generator)
            * ops.maximum(limit - width + 1.0, 1.0)
        )
        position = ops.cast(ops.arange(size), "float32")[None, None, :]
        covered = ops.logical_and(position >= start, position < start + width)
        return ops.max(ops.cast(covered, "float32"), axis=1)

    def call(self, features, lengths=None, training=None):
        if not training:
            return features
        batch, steps, bins = ops.shape(features)[0], ops.shape(features)[1], ops.shape(features)[2]
        if lengths is None:
            valid = ops.full((batch,), ops.cast(steps, "float32"))
        else:
            valid = ops.cast(lengths, "float32")
        freq_limit = ops.full((batch, 1, 1), ops.cast(bins, "float32"))
        freq = self._masks(batch, bins, self.freq_masks, float(self.freq_width), freq_limit)
        time_limit = ops.reshape(ops.floor(valid * self.max_time_fraction), (-1, 1, 1))
        time = self._masks(batch, steps, self.time_masks, float(self.time_width), time_limit)
        keep = (1.0 - freq[:, None, :]) * (1.0 - time[:, :, None])
        return features * ops.cast(keep, features.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "freq_masks": self.freq_masks,
            "freq_width": self.freq_width,
            "time_masks": self.time_masks,
            "time_width": self.time_width,
            "max_time_fraction": self.max_time_fraction,
            "seed": self.seed,
        }
