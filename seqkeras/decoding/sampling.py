"""Ancestral sampling: draw y<t> ~ P(· | x, y<1..t-1>) and feed it back (course 1.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from ._token_search import sampling_choice, token_by_token
from .result import (
    NEG_INF,
    DecodeResult,
    batch_size_of,
    run_compiled,
    to_tensor_state,
    validate_common,
)


def sample_search(
    next_fn: Callable,
    initial_state: Any,
    start_token: Any,
    end_token: int,
    max_length: int,
    min_length: int = 0,
    temperature: float = 1.0,
    top_k: int | None = None,
    seed: int | None = None,
    pad_token: int | None = None,
) -> DecodeResult:
    """Samples one sequence per example.

    At each step the token is drawn from ``softmax(log P / temperature)``
    restricted to the ``top_k`` most probable tokens (all when ``None``), by
    inverse-CDF sampling with one uniform number per example and step; all
    uniforms are drawn up front from ``seed``, so the same seed gives the same
    samples on every backend run and inside ``tf.function``.

    Args:
        next_fn, initial_state, start_token, end_token, max_length, min_length,
        pad_token: as in `greedy_search`.
        temperature: > 0; below 1 sharpens, above 1 flattens the distribution.
        top_k: keep only the ``top_k`` most probable tokens (>= 1) or ``None``.
        seed: int for reproducible samples, ``None`` for fresh randomness.

    Returns:
        `DecodeResult` like `greedy_search`; ``scores`` are Σ log P under the
        model itself (not the tempered / truncated distribution).

    Example:
        >>> import numpy as np
        >>> table = np.log(np.array([[0.1, 0.9], [0.8, 0.2]], "float32"))
        >>> next_fn = lambda tok, s: (ops.take(table, tok, axis=0), s)
        >>> r = sample_search(next_fn, {"h": np.zeros((3, 1))}, 0, end_token=0,
        ...                   max_length=5, seed=1)
        >>> len(r.to_lists())
        3
    """
    validate_common(start_token, end_token, max_length, min_length)
    if not float(temperature) > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be None or an int >= 1, got {top_k!r}")
    if seed is not None and not isinstance(seed, int):
        raise ValueError(f"seed must be None or an int, got {seed!r}")
    pad = end_token if pad_token is None else int(pad_token)
    initial_state = to_tensor_state(initial_state)
    # Drawn outside the compiled search: the seed generator is stateful.
    uniforms = keras.random.uniform(
        (max_length, batch_size_of(initial_state, start_token)), dtype="float32", seed=seed
    )

    def run(state, uniforms, start_token):
        def draw(log_probs, t):
            logits = log_probs / float(temperature)
            if top_k is not None:
                k = top_k
                kth = ops.top_k(logits, k=k)[0][:, -1:]
                logits = ops.where(ops.less(logits, kth), NEG_INF, logits)
            probs = ops.softmax(logits, axis=-1)
            cdf = ops.cumsum(probs, axis=-1)
            u = ops.take(uniforms, t, axis=0)[:, None] * cdf[:, -1:]
            index = ops.sum(ops.cast(ops.less_equal(cdf, u), "int32"), axis=-1)
            # Never pick a zero-probability token through rounding at the top end.
            last_possible = ops.max(
                ops.where(ops.greater(probs, 0.0), ops.arange(ops.shape(probs)[-1], dtype="int32"), 0),
                axis=-1,
            )
            return ops.minimum(index, last_possible)

        return token_by_token(
            next_fn, state, start_token, end_token, max_length, min_length, pad,
            choose=sampling_choice(end_token, draw),
        )

    out = run_compiled(run, initial_state, uniforms, ops.convert_to_tensor(start_token))
    return DecodeResult(**out)
