"""Greedy search: take the most probable token at every step (course 3.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from ._token_search import greedy_choice, token_by_token
from .result import DecodeResult, run_compiled, to_tensor_state, validate_common


def greedy_search(
    next_fn: Callable,
    initial_state: Any,
    start_token: Any,
    end_token: int,
    max_length: int,
    min_length: int = 0,
    pad_token: int | None = None,
) -> DecodeResult:
    """Decodes by taking argmax P(y<t> | x, y<1..t-1>) at every step.

    A hypothesis stops at the end token (which is counted in its length) or
    after ``max_length`` tokens. The token with the highest logit wins (it has
    the highest probability even where float32 log-probabilities round to a
    tie); equal logits go to the lowest token id. Runs inside
    ``tf.function`` / ``jax.jit`` (one ``keras.ops.while_loop``).

    Args:
        next_fn: ``next_fn(tokens (N,), state) -> (logits (N, V), state[, aux])``;
            the search applies ``log_softmax`` (see ``seqkeras.decoding.result``).
        initial_state: nested structure of tensors with leading dim ``batch``.
        start_token: int, or int tensor ``(batch,)``: the first input token.
        end_token: int id that ends a hypothesis.
        max_length: maximum number of generated tokens, end token included.
        min_length: the end token is forbidden while fewer than ``min_length``
            tokens have been generated (so ``Ty >= min_length + 1`` when finished).
        pad_token: written after the end token; defaults to ``end_token``.

    Returns:
        `DecodeResult` with ``tokens (batch, max_length)``, ``lengths``,
        ``scores`` (Σ log P), ``normalized_scores`` (= scores), ``finished``,
        ``aux (batch, max_length, ...)`` or ``None``.

    Example:
        >>> import numpy as np
        >>> table = np.log(np.array([[0.1, 0.9], [0.8, 0.2]], "float32"))
        >>> next_fn = lambda tok, s: (ops.take(table, tok, axis=0), s)
        >>> r = greedy_search(next_fn, {"h": np.zeros((1, 1))}, 0, end_token=0,
        ...                   max_length=4)
        >>> r.to_lists()
        [[1]]
    """
    validate_common(start_token, end_token, max_length, min_length)
    pad = end_token if pad_token is None else int(pad_token)

    def run(state, start_token):
        return token_by_token(
            next_fn, state, start_token, end_token, max_length, min_length, pad,
            choose=greedy_choice(end_token),
        )

    out = run_compiled(run, to_tensor_state(initial_state), ops.convert_to_tensor(start_token))
    return DecodeResult(**out)
