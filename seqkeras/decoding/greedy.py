"""Greedy search: take the most probable token at every step (course 3.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from .result import (
    NEG_INF,
    DecodeResult,
    batch_size_of,
    call_next,
    empty_history,
    end_mask,
    run_compiled,
    start_tokens,
    to_tensor_state,
    validate_common,
    write_at,
)


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
    after ``max_length`` tokens. Ties go to the lowest token id. Runs inside
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
        state = to_tensor_state(state)
        batch = batch_size_of(state, start_token)
        tokens = start_tokens(start_token, batch)

        def step(t, carry, log_probs, new_state, aux):
            vocab = ops.shape(log_probs)[-1]
            is_end = end_mask(end_token, vocab)
            if min_length > 0:
                log_probs = ops.where(
                    ops.logical_and(ops.less(t, min_length), is_end[None, :]), NEG_INF, log_probs
                )
            token = ops.cast(ops.argmax(log_probs, axis=-1), "int32")
            token_logp = ops.take_along_axis(log_probs, token[:, None], axis=-1)[:, 0]
            done = carry["finished"]
            alive = ops.logical_not(done)
            token = ops.where(done, end_token, token)
            out = dict(carry)
            out["t"] = t + 1
            out["tokens"] = token
            out["state"] = new_state
            out["scores"] = carry["scores"] + ops.where(done, 0.0, token_logp)
            out["lengths"] = carry["lengths"] + ops.cast(alive, "int32")
            out["finished"] = ops.logical_or(done, ops.equal(token, end_token))
            out["history"] = write_at(
                carry["history"], t, ops.where(done, pad, token), max_length, time_axis=1
            )
            if aux is not None:
                keep = ops.reshape(alive, (-1,) + (1,) * (len(aux.shape) - 1))
                step_aux = ops.where(keep, aux, ops.zeros_like(aux))
                out["aux"] = write_at(carry["aux"], t, step_aux, max_length, time_axis=1)
            return out

        log_probs, new_state, aux = call_next(next_fn, tokens, state)
        carry = {
            "t": ops.convert_to_tensor(0, dtype="int32"),
            "tokens": tokens,
            "state": new_state,
            "scores": ops.zeros((batch,), dtype="float32"),
            "lengths": ops.zeros((batch,), dtype="int32"),
            "finished": ops.zeros((batch,), dtype="bool"),
            "history": ops.full((batch, max_length), pad, dtype="int32"),
        }
        if aux is not None:
            carry["aux"] = empty_history((batch,), max_length, aux, aux.dtype)
        carry = step(carry["t"], carry, log_probs, new_state, aux)

        def cond(c):
            return ops.logical_and(
                ops.less(c["t"], max_length), ops.logical_not(ops.all(c["finished"]))
            )

        def body(c):
            lp, st, ax = call_next(next_fn, c["tokens"], c["state"])
            return (step(c["t"], c, lp, st, ax),)

        (carry,) = ops.while_loop(cond, body, (carry,), maximum_iterations=max_length)
        return dict(
            tokens=carry["history"],
            lengths=carry["lengths"],
            scores=carry["scores"],
            normalized_scores=carry["scores"],
            finished=carry["finished"],
            aux=carry.get("aux"),
        )

    out = run_compiled(run, to_tensor_state(initial_state), ops.convert_to_tensor(start_token))
    return DecodeResult(**out)
