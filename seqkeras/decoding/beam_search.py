"""Beam search with length normalization (course 3.3–3.4).

The search keeps ``B`` hypotheses per example. At every step each unfinished
hypothesis is extended by every token (score + log P), a finished hypothesis
contributes exactly one candidate — itself, unchanged (it stops growing and no
log-probability is added) — and the ``B`` candidates with the highest summed
log-probability Σ log P form the next beam. Every hypothesis that ends with the
end token is also copied into a pool of finished hypotheses of every length
(the best ``B`` by the normalized objective are kept), so a short hypothesis
that later drops out of the beam is still a candidate. The search stops when
every hypothesis in the beam has finished, or after ``max_length`` tokens;
hypotheses still unfinished then join the pool (``finished=False``,
``Ty = max_length``). The pool is ranked by the objective

    (1 / penalty(Ty)) · Σ_{t=1..Ty} log P(y<t> | x, y<1..t-1>)

with ``Ty`` the number of generated tokens **including** the end token, and

* ``length_penalty="course"``: penalty = Ty^α (α = 0: no normalization);
* ``length_penalty="gnmt"``:   penalty = ((5 + Ty) / 6)^α (Wu et al., 2016);
* ``length_penalty=None``:     penalty = 1.

With ``beam_width=1`` the search is greedy search (same tokens and scores).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from .result import (
    _VALID_THRESHOLD,
    NEG_INF,
    DecodeResult,
    batch_size_of,
    call_next_logits,
    empty_history,
    gather_rows,
    run_compiled,
    start_tokens,
    to_tensor_state,
    validate_common,
    write_at,
)
from .top_k import top_log_probs


def _course_penalty(lengths: Any, alpha: float) -> Any:
    return ops.power(ops.cast(ops.maximum(lengths, 1), "float32"), alpha)


def _gnmt_penalty(lengths: Any, alpha: float) -> Any:
    return ops.power((5.0 + ops.cast(lengths, "float32")) / 6.0, alpha)


def _no_penalty(lengths: Any, alpha: float) -> Any:
    return ops.ones_like(ops.cast(lengths, "float32"))


LENGTH_PENALTIES: dict[str | None, Callable[[Any, float], Any]] = {
    "course": _course_penalty,
    "gnmt": _gnmt_penalty,
    None: _no_penalty,
}


def length_penalty_value(lengths: Any, alpha: float, length_penalty: str | None = "course") -> Any:
    """The divisor of Σ log P for hypotheses of ``lengths`` tokens (end included)."""
    if length_penalty not in LENGTH_PENALTIES:
        raise ValueError(
            f"length_penalty must be one of {sorted(map(str, LENGTH_PENALTIES))}, "
            f"got {length_penalty!r}"
        )
    return LENGTH_PENALTIES[length_penalty](lengths, float(alpha))


def normalized_score(
    score: Any, lengths: Any, alpha: float, length_penalty: str | None = "course"
) -> Any:
    """The beam-search objective: ``score / penalty(lengths)`` (see module doc)."""
    return ops.cast(score, "float32") / length_penalty_value(lengths, alpha, length_penalty)


def _gather_flat(x: Any, flat_index: Any) -> Any:
    """Rows of ``x (batch*B, ...)`` picked by ``flat_index (batch*B,)``."""
    return ops.take(x, flat_index, axis=0)


def beam_candidates(
    logits: Any, scores: Any, finished: Any, end_token: int, forbid_end: Any = None
) -> tuple[Any, Any, Any]:
    """One beam step: the best B extensions of B hypotheses per example.

    Candidates are every hypothesis extended by every token (score + log P);
    a finished hypothesis offers exactly one, itself (the end token, score
    unchanged). The B best by score are found in two exact stages: the best
    ``min(B, V)`` tokens of each hypothesis (`top_log_probs`, no full
    log-softmax), then the best B of those ``B * min(B, V)`` survivors. A row
    holds at most B of the example's best B candidates, so nothing is lost.
    The survivors are laid out by parent, then by rank within the row, so
    equal float32 scores go to the lowest parent, then to the higher logit,
    then to the lowest token id (a full top-k over ``B * V`` log-probabilities
    would prefer the lower id where two logits only round to the same score).

    Args:
        logits: float32 ``(batch * B, V)``, row ``b * B + j`` for beam j of example b.
        scores: float32 ``(batch, B)``, Σ log P of each hypothesis so far.
        finished: bool ``(batch, B)``.
        end_token: the end token id.
        forbid_end: ``None`` or a bool scalar tensor: forbid the end token.

    Returns:
        ``(new_scores (batch, B), parent (batch, B) int32, token (batch, B) int32)``,
        best first; ``token`` is the end token where the parent had finished.
    """
    width = scores.shape[1]
    vocab = logits.shape[-1]
    # Candidates kept per hypothesis in stage 1 (a row has only V tokens).
    per_beam = width if vocab is None else min(width, vocab)
    log_probs, row_tokens = top_log_probs(logits, per_beam, end_token, forbid_end)
    log_probs = ops.reshape(log_probs, (-1, width, per_beam))
    # Log-probabilities a finished hypothesis adds: 0 for its one candidate.
    frozen = ops.where(ops.equal(ops.arange(per_beam, dtype="int32"), 0), 0.0, NEG_INF)
    log_probs = ops.where(finished[:, :, None], frozen, log_probs)
    candidates = ops.reshape(scores[:, :, None] + log_probs, (-1, width * per_beam))
    top_scores, index = ops.top_k(candidates, k=width)
    index = ops.cast(index, "int32")
    parent = index // per_beam
    token = gather_rows(ops.reshape(row_tokens, (-1, width * per_beam)), index)
    token = ops.where(gather_rows(finished, parent), end_token, token)
    return top_scores, parent, token


def _moving_leaves(state: Any, new_state: Any, moving_before: list) -> list:
    """For each leaf of ``new_state``: does it need reordering by parent beam?

    A leaf that ``next_fn`` returned unchanged (the very tensor it was given,
    such as an encoder output or a source mask) keeps what it held; if that
    was equal for all beams of an example (the B copies made at the start,
    never reordered since), reordering it would only copy it.
    """
    old = keras.tree.flatten(state)
    new = keras.tree.flatten(new_state)
    if len(old) != len(new):
        return [True] * len(new)
    return [
        moved or n is not o for n, o, moved in zip(new, old, moving_before, strict=True)
    ]


def beam_search(
    next_fn: Callable,
    initial_state: Any,
    start_token: Any,
    end_token: int,
    beam_width: int,
    max_length: int,
    alpha: float = 0.7,
    length_penalty: str | None = "course",
    min_length: int = 0,
    num_return: int = 1,
    pad_token: int | None = None,
) -> DecodeResult:
    """Batched, vectorized beam search (``keras.ops``; runs inside ``tf.function``).

    Args:
        next_fn: ``next_fn(tokens (N,), state) -> (logits (N, V), state[, aux])``
            with ``N = batch * beam_width``; the search applies ``log_softmax``.
            Row ``b * beam_width + j`` is beam ``j`` of example ``b``.
        initial_state: nested structure of tensors with leading dim ``batch``;
            the search repeats it ``beam_width`` times (``ops.repeat`` on axis 0)
            and reorders it by parent beam (``ops.take``) after every step.
        start_token: int, or int tensor ``(batch,)``.
        end_token: int id that ends a hypothesis.
        beam_width: B >= 1. B = 1 gives greedy search.
        max_length: maximum number of generated tokens, end token included.
        alpha: length-normalization exponent α (0 = plain Σ log P).
        length_penalty: ``"course"`` (Ty^α), ``"gnmt"`` (((5+Ty)/6)^α) or
            ``None`` (no normalization).
        min_length: the end token is forbidden while fewer than ``min_length``
            tokens have been generated.
        num_return: how many hypotheses to return per example (<= beam_width).
        pad_token: written after the end token; defaults to ``end_token``.

    Returns:
        `DecodeResult` with ``tokens (batch, num_return, max_length)``,
        ``lengths``, ``scores`` (Σ log P), ``normalized_scores`` (the objective),
        ``finished`` (all ``(batch, num_return)``, best first) and ``aux``
        ``(batch, num_return, max_length, ...)`` or ``None``. Slots for which
        no valid hypothesis exists (tiny vocabularies) have score ``-inf``.

    Example:
        >>> import numpy as np
        >>> table = np.log(np.array([[0.1, 0.9], [0.8, 0.2]], "float32"))
        >>> next_fn = lambda tok, s: (ops.take(table, tok, axis=0), s)
        >>> r = beam_search(next_fn, {"h": np.zeros((1, 1))}, 0, end_token=0,
        ...                 beam_width=2, max_length=4)
        >>> r.to_lists()
        [[[1]]]
    """
    validate_common(start_token, end_token, max_length, min_length)
    if not isinstance(beam_width, int) or beam_width < 1:
        raise ValueError(f"beam_width must be an int >= 1, got {beam_width!r}")
    if not isinstance(num_return, int) or not 1 <= num_return <= beam_width:
        raise ValueError(
            f"num_return must be an int with 1 <= num_return <= beam_width={beam_width}, "
            f"got {num_return!r}"
        )
    if float(alpha) < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    length_penalty_value(1, alpha, length_penalty)  # validates the name
    width = beam_width
    pool_size = beam_width
    pad = end_token if pad_token is None else int(pad_token)

    def objective(scores, lengths):
        return normalized_score(scores, lengths, alpha, length_penalty)

    def run(state, start_token):
        state = to_tensor_state(state)
        batch = batch_size_of(state, start_token)
        tokens = ops.repeat(start_tokens(start_token, batch), width, axis=0)
        state = keras.tree.map_structure(lambda x: ops.repeat(x, width, axis=0), state)
        row_offsets = ops.arange(batch, dtype="int32")[:, None] * width  # (batch, 1)

        def merge_pool(carry, cand_key, cand):
            """Keeps the best ``pool_size`` of pool + candidates by ``cand_key``."""
            keys = ops.concatenate([carry["pool_key"], cand_key], axis=1)
            top_key, index = ops.top_k(keys, k=pool_size)
            out = {"pool_key": top_key}
            for name in ("tokens", "scores", "lengths", "finished", "aux"):
                if "pool_" + name not in carry:
                    continue
                both = ops.concatenate([carry["pool_" + name], cand[name]], axis=1)
                out["pool_" + name] = gather_rows(both, index)
            return out

        def step(t, carry, logits, new_state, aux, moving):
            forbid_end = ops.less(t, min_length) if min_length > 0 else None
            done = carry["finished"]  # (batch, B)
            top_scores, parent, token = beam_candidates(
                logits, carry["scores"], done, end_token, forbid_end
            )
            parent_done = gather_rows(done, parent)
            parent_alive = ops.logical_not(parent_done)
            is_end_token = ops.equal(token, end_token)
            flat_parent = ops.reshape(parent + row_offsets, (-1,))

            out = dict(carry)
            out["t"] = t + 1
            out["scores"] = top_scores
            out["finished"] = ops.logical_or(parent_done, is_end_token)
            out["lengths"] = gather_rows(carry["lengths"], parent) + ops.cast(parent_alive, "int32")
            out["tokens"] = write_at(
                gather_rows(carry["tokens"], parent), t, ops.where(parent_done, pad, token),
                max_length, time_axis=2,
            )
            out["next_tokens"] = ops.reshape(token, (-1,))
            # Leaves that are the same for every beam of an example (see
            # `_moving_leaves`) need no reordering: only the others are copied.
            leaves = [
                _gather_flat(x, flat_parent) if move else x
                for x, move in zip(keras.tree.flatten(new_state), moving, strict=True)
            ]
            out["state"] = keras.tree.pack_sequence_as(new_state, leaves)
            if aux is not None:
                step_aux = _gather_flat(aux, flat_parent)
                step_aux = ops.reshape(step_aux, (batch, width) + tuple(ops.shape(aux)[1:]))
                keep = ops.reshape(parent_alive, (batch, width) + (1,) * (len(aux.shape) - 1))
                step_aux = ops.where(keep, step_aux, ops.zeros_like(step_aux))
                out["aux"] = write_at(
                    gather_rows(carry["aux"], parent), t, step_aux, max_length, time_axis=2
                )
            # Hypotheses that end here join the pool of finished hypotheses.
            newly = ops.logical_and(
                ops.logical_and(parent_alive, is_end_token),
                ops.greater(top_scores, _VALID_THRESHOLD),
            )
            cand_key = ops.where(newly, objective(top_scores, out["lengths"]), NEG_INF)
            cand = {name: out[name] for name in ("tokens", "scores", "lengths", "finished", "aux")
                    if name in out}
            out.update(merge_pool(carry, cand_key, cand))
            return out

        logits, new_state, aux = call_next_logits(next_fn, tokens, state)
        # Every leaf starts as B equal copies; one that next_fn hands back as
        # it came stays equal across the beams of each example.
        first_moving = _moving_leaves(state, new_state, [False] * len(keras.tree.flatten(state)))
        # Only beam 0 is live at the start: the B copies would otherwise fill the beam.
        first_scores = ops.where(
            ops.equal(ops.arange(width, dtype="int32"), 0), 0.0, NEG_INF
        )
        carry = {
            "t": ops.convert_to_tensor(0, dtype="int32"),
            "next_tokens": tokens,
            "state": new_state,
            "scores": ops.broadcast_to(first_scores[None, :], (batch, width)),
            "lengths": ops.zeros((batch, width), dtype="int32"),
            "finished": ops.zeros((batch, width), dtype="bool"),
            "tokens": ops.full((batch, width, max_length), pad, dtype="int32"),
            "pool_key": ops.full((batch, pool_size), NEG_INF, dtype="float32"),
            "pool_scores": ops.full((batch, pool_size), NEG_INF, dtype="float32"),
            "pool_lengths": ops.zeros((batch, pool_size), dtype="int32"),
            "pool_finished": ops.zeros((batch, pool_size), dtype="bool"),
            "pool_tokens": ops.full((batch, pool_size, max_length), pad, dtype="int32"),
        }
        if aux is not None:
            carry["aux"] = empty_history((batch, width), max_length, aux, aux.dtype)
            carry["pool_aux"] = empty_history((batch, pool_size), max_length, aux, aux.dtype)
        carry = step(carry["t"], carry, logits, new_state, aux, first_moving)

        def active(c):
            return ops.logical_and(
                ops.logical_not(c["finished"]), ops.greater(c["scores"], _VALID_THRESHOLD)
            )

        def cond(c):
            return ops.logical_and(ops.less(c["t"], max_length), ops.any(active(c)))

        def body(c):
            logits, st, ax = call_next_logits(next_fn, c["next_tokens"], c["state"])
            moving = _moving_leaves(c["state"], st, first_moving)
            return (step(c["t"], c, logits, st, ax, moving),)

        (carry,) = ops.while_loop(cond, body, (carry,), maximum_iterations=max_length)

        # Hypotheses cut at max_length compete with the finished ones.
        still = active(carry)
        cand_key = ops.where(still, objective(carry["scores"], carry["lengths"]), NEG_INF)
        cand = {name: carry[name] for name in ("tokens", "scores", "lengths", "finished", "aux")
                if name in carry}
        pool = merge_pool(carry, cand_key, cand)
        valid = ops.greater(pool["pool_key"], _VALID_THRESHOLD)[:, :num_return]
        neg_inf = float("-inf")
        return dict(
            tokens=pool["pool_tokens"][:, :num_return],
            lengths=ops.where(valid, pool["pool_lengths"][:, :num_return], 0),
            scores=ops.where(valid, pool["pool_scores"][:, :num_return], neg_inf),
            normalized_scores=ops.where(valid, pool["pool_key"][:, :num_return], neg_inf),
            finished=ops.logical_and(valid, pool["pool_finished"][:, :num_return]),
            aux=pool["pool_aux"][:, :num_return] if "pool_aux" in pool else None,
        )

    out = run_compiled(run, to_tensor_state(initial_state), ops.convert_to_tensor(start_token))
    return DecodeResult(**out)
