"""Additive (Bahdanau) attention: e<t,t'> = v · tanh(W1 s<t-1> + W2 a<t'> + b)."""

from __future__ import annotations

import keras
from keras import ops

# Score given to padded source positions before the softmax; exp(-1e9 - max) is 0.0 in
# float32, and the weights are zeroed with `where` afterwards anyway.
_MASKED_SCORE = -1e9


@keras.saving.register_keras_serializable(package="seqkeras")
class BahdanauAttention(keras.layers.Layer):
    """Additive attention of a decoder state over encoder features (course 3.7–3.8).

    For a decoder state ``s<t-1>`` (the query) and encoder features ``a<t'>`` (the
    values), the energy of source position ``t'`` is

        e<t,t'> = v · tanh(W1 s<t-1> + W2 a<t'> + b)

    the weights are ``α<t,t'> = softmax over t'`` of the energies (padded source
    positions get weight exactly 0), and the context is ``c<t> = Σ_t' α<t,t'> a<t'>``.

    ``W2 a`` does not depend on the decoder step, so a decoder can compute it once with
    :meth:`project_values` and pass it to every step as ``projected_values``.

    Args:
        units: size of the hidden layer of the scoring network (rows of W1, W2).
        use_bias: whether the scoring network has the bias ``b``.

    Call arguments:
        query: ``(batch, query_dim)`` decoder state, or ``(batch, Tq, query_dim)`` for
            several queries at once.
        values: ``(batch, Tv, value_dim)`` encoder features.
        values_mask: optional ``(batch, Tv)`` boolean (or 0/1) mask, true on real
            source positions.
        projected_values: optional ``(batch, Tv, units)``, the output of
            :meth:`project_values` for these ``values`` (saves recomputing it).

    Returns:
        ``(context, weights)``: context ``(batch, value_dim)`` and weights
        ``(batch, Tv)`` (or with a ``Tq`` axis after batch when the query had one).

    Example:
        >>> layer = BahdanauAttention(8)
        >>> context, weights = layer(ops.ones((2, 4)), ops.ones((2, 5, 6)))
        >>> tuple(context.shape), tuple(weights.shape)
        ((2, 6), (2, 5))
    """

    def __init__(self, units: int, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"units must be a positive int, got {units!r}")
        if not isinstance(use_bias, bool):
            raise ValueError(f"use_bias must be a bool, got {use_bias!r}")
        self.units = units
        self.use_bias = use_bias
        self.query_dense = keras.layers.Dense(units, use_bias=False, name="W1")
        self.value_dense = keras.layers.Dense(units, use_bias=use_bias, name="W2")
        self.score_dense = keras.layers.Dense(1, use_bias=False, name="v")

    def build(self, query_shape, values_shape=None, *args, **kwargs):
        if values_shape is None:
            raise ValueError("BahdanauAttention.build needs the query and values shapes")
        # project_values() may have built W2 already (a decoder caches W2 a<t'>).
        for dense, shape in (
            (self.query_dense, tuple(query_shape)),
            (self.value_dense, tuple(values_shape)),
            (self.score_dense, (None, self.units)),
        ):
            if not dense.built:
                dense.build(shape)
        self.built = True

    def project_values(self, values):
        """``W2 a<t'> + b`` for every source position: ``(batch, Tv, units)``."""
        return self.value_dense(values)

    def call(self, query, values, values_mask=None, projected_values=None):
        single_query = len(query.shape) == 2
        if single_query:
            query = ops.expand_dims(query, 1)  # (B, 1, Dq)
        keys = self.project_values(values) if projected_values is None else projected_values
        # (B, Tq, 1, A) + (B, 1, Tv, A) -> (B, Tq, Tv, A) -> energies (B, Tq, Tv)
        hidden = ops.tanh(ops.expand_dims(self.query_dense(query), 2) + ops.expand_dims(keys, 1))
        scores = ops.squeeze(self.score_dense(hidden), -1)
        if values_mask is not None:
            keep = ops.expand_dims(ops.cast(values_mask, "bool"), 1)  # (B, 1, Tv)
            scores = ops.where(keep, scores, ops.cast(_MASKED_SCORE, scores.dtype))
        weights = ops.softmax(scores, axis=-1)
        if values_mask is not None:
            weights = ops.where(keep, weights, ops.zeros_like(weights))
        context = ops.matmul(weights, values)  # (B, Tq, Dv)
        if single_query:
            return ops.squeeze(context, 1), ops.squeeze(weights, 1)
        return context, weights

    def compute_output_shape(self, query_shape, values_shape, *args, **kwargs):
        if len(query_shape) == 2:
            return (query_shape[0], values_shape[-1]), (query_shape[0], values_shape[1])
        return (
            (query_shape[0], query_shape[1], values_shape[-1]),
            (query_shape[0], query_shape[1], values_shape[1]),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "use_bias": self.use_bias})
        return config
