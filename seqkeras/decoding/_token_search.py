"""The token-by-token loop shared by greedy search and sampling.

Both feed one chosen token per hypothesis back into ``next_fn`` until every
hypothesis has produced the end token or ``max_length`` tokens; they differ only
in how a token is chosen from the step's logits (`greedy_choice`: the most
probable one, without a full log-softmax; `sampling_choice`: drawn from the
full distribution).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras import ops

from .result import (
    NEG_INF,
    batch_size_of,
    call_next_logits,
    empty_history,
    end_mask,
    log_softmax,
    start_tokens,
    write_at,
)
from .top_k import top_log_probs


def greedy_choice(end_token: int) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    """``choose`` for `token_by_token`: the token with the highest logit (ties: lowest id)."""

    def choose(logits, forbid_end, t):
        log_probs, tokens = top_log_probs(logits, 1, end_token, forbid_end)
        return tokens[:, 0], log_probs[:, 0]

    return choose


def sampling_choice(
    end_token: int, draw: Callable[[Any, Any], Any]
) -> Callable[[Any, Any, Any], tuple[Any, Any]]:
    """``choose`` for `token_by_token` from ``draw(log_probs (N, V), t) -> tokens (N,)``."""

    def choose(logits, forbid_end, t):
        log_probs = log_softmax(logits)
        if forbid_end is not None:
            vocab = ops.shape(log_probs)[-1]
            forbidden = ops.logical_and(forbid_end, end_mask(end_token, vocab)[None, :])
            log_probs = ops.where(forbidden, NEG_INF, log_probs)
        token = ops.cast(draw(log_probs, t), "int32")
        return token, ops.take_along_axis(log_probs, token[:, None], axis=-1)[:, 0]

    return choose


def token_by_token(
    next_fn: Callable,
    state: Any,
    start_token: Any,
    end_token: int,
    max_length: int,
    min_length: int,
    pad: int,
    choose: Callable[[Any, Any, Any], tuple[Any, Any]],
) -> dict:
    """Runs the decoding loop.

    ``choose(logits (N, V) float32, forbid_end, t) -> (token ids (N,) int32,
    their log-probabilities (N,))``, where ``forbid_end`` is ``None`` or a bool
    scalar tensor (true while ``t < min_length``: the end token is not allowed).

    Returns the fields of a `DecodeResult` (scores are Σ log P under the model).
    Must be called inside the compiled function (`run_compiled`).
    """
    batch = batch_size_of(state, start_token)
    tokens = start_tokens(start_token, batch)

    def step(t, carry, logits, new_state, aux):
        forbid_end = ops.less(t, min_length) if min_length > 0 else None
        token, token_logp = choose(logits, forbid_end, t)
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

    logits, new_state, aux = call_next_logits(next_fn, tokens, state)
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
    carry = step(carry["t"], carry, logits, new_state, aux)

    def cond(c):
        return ops.logical_and(
            ops.less(c["t"], max_length), ops.logical_not(ops.all(c["finished"]))
        )

    def body(c):
        logits, st, ax = call_next_logits(next_fn, c["tokens"], c["state"])
        return (step(c["t"], c, logits, st, ax),)

    (carry,) = ops.while_loop(cond, body, (carry,), maximum_iterations=max_length)
    return dict(
        tokens=carry["history"],
        lengths=carry["lengths"],
        scores=carry["scores"],
        normalized_scores=carry["scores"],
        finished=carry["finished"],
        aux=carry.get("aux"),
    )
