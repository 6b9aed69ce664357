"""``NegativeSampler``: draws negative words from P(w) ∝ count(w)^0.75 (course 2.7)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .vocabulary import NOISE_POWER


class NegativeSampler:
    """Samples word ids from the unigram distribution raised to ``power``.

    Sampling inverts the cumulative distribution (a binary search per draw), so every
    probability is exact, not rounded to the slots of a table as in word2vec's C tool.

    Args:
        counts: corpus count of each word id.
        power: the exponent (0.75 in word2vec; 1 is the unigram distribution, 0 uniform).

    Example:
        >>> sampler = NegativeSampler([100, 10, 1])
        >>> sampler.probabilities.round(3).tolist()
        [0.827, 0.147, 0.026]
    """

    def __init__(self, counts: Sequence[int] | np.ndarray, power: float = NOISE_POWER) -> None:
        counts = np.asarray(counts, dtype=np.float64)
        if counts.ndim != 1 or len(counts) == 0:
            raise ValueError(f"counts must be a non-empty 1-D array, got shape {counts.shape}")
        if np.any(counts <= 0):
            raise ValueError("every count must be positive")
        self.power = float(power)
        weights = counts**self.power
        self.probabilities: np.ndarray = weights / weights.sum()
        cdf = np.cumsum(self.probabilities)
        cdf[-1] = 1.0  # rounding must not leave a gap above the last word
        self.cdf: np.ndarray = cdf

    def __len__(self) -> int:
        return len(self.cdf)

    def sample(
        self, shape: int | tuple[int, ...], rng: np.random.Generator | int | None = None
    ) -> np.ndarray:
        """int32 ids of the given shape (numpy)."""
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        draws = rng.random(shape)
        ids = np.searchsorted(self.cdf, draws, side="right")
        return np.minimum(ids, len(self.cdf) - 1).astype(np.int32)

    def sample_tf(self, shape: Any, seed: Any) -> Any:
        """int32 ids of the given shape as a TensorFlow op (for ``tf.data``).

        Args:
            shape: the output shape (a tensor or list).
            seed: a shape-``[2]`` int tensor for ``tf.random.stateless_uniform``: the same
                seed gives the same draws.
        """
        import tensorflow as tf

        cdf = tf.constant(self.cdf, tf.float64)
        draws = tf.random.stateless_uniform(shape, seed, dtype=tf.float64)
        flat = tf.searchsorted(cdf, tf.reshape(draws, [-1]), side="right", out_type=tf.int32)
        flat = tf.minimum(flat, len(self.cdf) - 1)
        return tf.reshape(flat, tf.shape(draws))
