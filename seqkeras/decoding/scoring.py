"""Teacher-forced scoring of given targets through the same ``next_fn`` a search uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from keras import ops

from .result import batch_size_of, call_next, start_tokens, to_tensor_state


def score_sequences(
    next_fn: Callable,
    initial_state: Any,
    start_token: Any,
    end_token: int,
    targets: Sequence[Sequence[int]],
    append_end: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Σ log P(y | x) of given targets, feeding y<t-1> back (teacher forcing).

    Uses the same callback and the same ``log_softmax`` as the searches, so a
    hypothesis found by `beam_search` scores exactly its search score here.

    Args:
        next_fn: ``next_fn(tokens, state) -> (logits, state[, aux])``.
        initial_state: nested tensors with leading dim ``batch``.
        start_token: int or int ``(batch,)``.
        end_token: id of the end token.
        targets: ``batch`` lists of token ids (without the end token when
            ``append_end``; lists may have different lengths).
        append_end: append ``end_token`` to each target, so its probability
            counts (Ty = len(target) + 1) — the convention of the searches.

    Returns:
        ``(totals (batch,), per_token (batch, T), lengths (batch,))`` as numpy
        float64/float32/int arrays; ``per_token`` is 0 after each target's end.
    """
    rows = [list(map(int, y)) + ([end_token] if append_end else []) for y in targets]
    if not rows:
        raise ValueError("targets must hold at least one sequence")
    lengths = np.array([len(r) for r in rows], dtype="int32")
    if lengths.min() == 0:
        raise ValueError("targets contain an empty sequence and append_end=False")
    steps = int(lengths.max())
    padded = np.full((len(rows), steps), end_token, dtype="int32")
    for i, r in enumerate(rows):
        padded[i, : len(r)] = r
    state = to_tensor_state(initial_state)
    batch = batch_size_of(state, start_token)
    if int(batch) != len(rows):
        raise ValueError(f"targets has {len(rows)} sequences but the state's batch is {batch}")
    tokens = start_tokens(start_token, batch)
    per_token = []
    for t in range(steps):
        log_probs, state, _ = call_next(next_fn, tokens, state)
        target = ops.convert_to_tensor(padded[:, t])
        per_token.append(ops.take_along_axis(log_probs, target[:, None], axis=-1)[:, 0])
        tokens = target
    per = np.stack([np.asarray(ops.convert_to_numpy(p)) for p in per_token], axis=1)
    per = np.where(np.arange(steps)[None, :] < lengths[:, None], per, 0.0).astype("float32")
    totals = per.astype("float64").sum(axis=1)
    return totals, per, lengths
