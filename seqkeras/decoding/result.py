"""The result of a search and the helpers every search shares.

A search drives a ``next_fn(tokens, state)`` callback:

* ``tokens``: int tensor ``(N,)``, the last token of each hypothesis (the start
  token on the first call);
* ``state``: a nested structure (dict / list / tuple) of tensors whose leading
  dimension is ``N``;
* it returns ``(logits, new_state)`` or ``(logits, new_state, aux)``, where
  ``logits`` is ``(N, V)`` and ``aux`` an optional per-step tensor ``(N, ...)``
  (for example attention weights ``(N, Tx)``) that the search collects along
  the returned hypotheses.

Every search applies ``log_softmax`` to what ``next_fn`` returns, so a model may
return logits *or* log-probabilities: ``log_softmax`` leaves normalized
log-probabilities unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import ops

# A finite stand-in for log(0): keeps arithmetic free of inf - inf = nan.
NEG_INF = -1e9
# Scores below this are "impossible" hypotheses (padding beams, masked tokens).
_VALID_THRESHOLD = NEG_INF / 2


@dataclasses.dataclass
class DecodeResult:
    """What a search returns.

    Greedy and sampling searches return one hypothesis per example; beam search
    returns ``num_return`` hypotheses per example, best first, and every field
    then has an extra axis of size ``num_return`` after the batch axis.

    Attributes:
        tokens: int32 ``(batch, T)`` or ``(batch, num_return, T)`` with
            ``T = max_length``: the generated tokens y<1>..y<Ty> (no start
            token), the end token included when the hypothesis finished,
            then ``pad_token``.
        lengths: int32, ``Ty``: the number of generated tokens *including* the
            end token (a hypothesis cut at ``max_length`` has ``Ty = max_length``).
        scores: float32, Σ log P(y<t> | x, y<1..t-1>) over the ``Ty`` tokens.
        normalized_scores: float32, the search objective used to rank the
            hypotheses (beam search: ``scores / penalty(Ty)``; greedy and
            sampling: equal to ``scores``).
        finished: bool, whether the hypothesis ended with the end token.
        aux: the per-step ``aux`` tensors along the hypothesis,
            ``(batch, [num_return,] T, ...)``, zero after the end token; ``None``
            when ``next_fn`` returns no aux.
    """

    tokens: Any
    lengths: Any
    scores: Any
    normalized_scores: Any
    finished: Any
    aux: Any = None

    def to_lists(self, include_end: bool = False) -> list:
        """The hypotheses as Python lists of ints, cut at their length.

        Args:
            include_end: keep the end token of finished hypotheses.

        Returns:
            ``list[list[int]]`` (greedy / sampling) or ``list[list[list[int]]]``
            (beam search: one list of ``num_return`` hypotheses per example).
        """
        tokens = np.asarray(ops.convert_to_numpy(self.tokens))
        lengths = np.asarray(ops.convert_to_numpy(self.lengths))
        finished = np.asarray(ops.convert_to_numpy(self.finished))

        def cut(row, length, done):
            keep = int(length) - (1 if (done and not include_end) else 0)
            return [int(v) for v in row[: max(keep, 0)]]

        if tokens.ndim == 2:
            return [cut(r, n, d) for r, n, d in zip(tokens, lengths, finished, strict=True)]
        return [
            [cut(r, n, d) for r, n, d in zip(rr, nn, dd, strict=True)]
            for rr, nn, dd in zip(tokens, lengths, finished, strict=True)
        ]


def validate_common(
    start_token: Any, end_token: int, max_length: int, min_length: int
) -> None:
    """Checks the arguments every search takes; raises ``ValueError``."""
    if not isinstance(end_token, (int, np.integer)) or end_token < 0:
        raise ValueError(f"end_token must be a non-negative int, got {end_token!r}")
    if not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"max_length must be an int >= 1, got {max_length!r}")
    if not isinstance(min_length, (int, np.integer)) or not 0 <= min_length < max_length:
        raise ValueError(
            f"min_length must be an int with 0 <= min_length < max_length={max_length}, "
            f"got {min_length!r}"
        )
    if start_token is None:
        raise ValueError("start_token must be an int or an int tensor (batch,), got None")


def call_next_logits(next_fn: Callable, tokens: Any, state: Any) -> tuple[Any, Any, Any]:
    """Calls ``next_fn`` and returns ``(logits float32 (N, V), state, aux | None)``.

    Checks what ``next_fn`` returned; the searches normalize the logits
    themselves (`log_softmax`, or `seqkeras.decoding.top_k.top_log_probs` when
    they need only the best few tokens of each row).
    """
    out = next_fn(tokens, state)
    if not isinstance(out, (tuple, list)) or len(out) not in (2, 3):
        raise ValueError(
            "next_fn(tokens, state) must return (logits, new_state) or "
            f"(logits, new_state, aux); got {type(out).__name__}"
            + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else "")
        )
    logits, new_state = out[0], out[1]
    aux = out[2] if len(out) == 3 else None
    logits = ops.cast(logits, "float32")
    if len(logits.shape) != 2:
        raise ValueError(
            f"next_fn must return logits of shape (N, V); got shape {tuple(logits.shape)}"
        )
    rows, expected = logits.shape[0], tokens.shape[0]
    if rows is not None and expected is not None and rows != expected:
        raise ValueError(
            f"next_fn returned logits for {rows} rows but was called with {expected} tokens "
            "(beam search calls it with batch * beam_width rows)"
        )
    if aux is not None:
        aux = ops.convert_to_tensor(aux)
    return logits, new_state, aux


def log_softmax(logits: Any) -> Any:
    """float32 log-probabilities, clamped at ``NEG_INF`` (no ``-inf``)."""
    return ops.maximum(ops.log_softmax(logits, axis=-1), NEG_INF)


def call_next(next_fn: Callable, tokens: Any, state: Any) -> tuple[Any, Any, Any]:
    """Calls ``next_fn`` and returns ``(log_probs float32 (N, V), state, aux | None)``."""
    logits, new_state, aux = call_next_logits(next_fn, tokens, state)
    return log_softmax(logits), new_state, aux


def to_tensor_state(state: Any) -> Any:
    """Converts every leaf of a nested state to a tensor; checks the batch axis."""
    state = keras.tree.map_structure(ops.convert_to_tensor, state)
    sizes = set()
    for leaf in keras.tree.flatten(state):
        if len(leaf.shape) == 0:
            raise ValueError(
                "every initial_state tensor needs a leading batch axis; got a scalar"
            )
        if leaf.shape[0] is not None:
            sizes.add(int(leaf.shape[0]))
    if len(sizes) > 1:
        raise ValueError(
            f"initial_state tensors have different batch sizes {sorted(sizes)}; "
            "every leaf must have the batch on axis 0"
        )
    return state


def batch_size_of(state: Any, start_token: Any) -> Any:
    """The batch size: from the state's first leaf, else from ``start_token``."""
    leaves = keras.tree.flatten(state)
    if leaves:
        return ops.shape(leaves[0])[0]
    start = ops.convert_to_tensor(start_token)
    if len(start.shape) == 1:
        return ops.shape(start)[0]
    raise ValueError(
        "cannot infer the batch size: initial_state has no tensors and start_token "
        f"is a scalar ({start_token!r}); pass start_token as an int tensor (batch,)"
    )


def start_tokens(start_token: Any, batch: Any) -> Any:
    """``start_token`` (int or ``(batch,)``) as an int32 ``(batch,)`` tensor."""
    start = ops.cast(ops.convert_to_tensor(start_token), "int32")
    if len(start.shape) == 0:
        return ops.broadcast_to(start, (batch,))
    if len(start.shape) != 1:
        raise ValueError(
            f"start_token must be an int or an int tensor (batch,), got shape {tuple(start.shape)}"
        )
    return start


def gather_rows(x: Any, index: Any) -> Any:
    """``x (R, W, ...)``, int32 ``index (R, k)`` -> ``x[r, index[r, j], ...]`` ``(R, k, ...)``.

    ``ops.take_along_axis`` would do, but under TensorFlow it transposes ``x``
    (a full copy); one flat ``take`` reads only the picked rows.
    """
    shape = ops.shape(x)
    offsets = ops.arange(shape[0], dtype="int32")[:, None] * shape[1]
    flat = ops.reshape(x, (-1,) + tuple(shape[2:]))
    return ops.take(flat, index + offsets, axis=0)


def end_mask(end_token: int, vocab_size: Any) -> Any:
    """bool ``(V,)``: True at the end token."""
    return ops.equal(ops.arange(vocab_size, dtype="int32"), end_token)


def position_mask(t: Any, max_length: int) -> Any:
    """bool ``(max_length,)``: True at position ``t``."""
    return ops.equal(ops.arange(max_length, dtype="int32"), t)


def write_at(history: Any, t: Any, values: Any, max_length: int, time_axis: int) -> Any:
    """Writes ``values`` into ``history`` at index ``t`` along ``time_axis``.

    ``history`` has shape ``values.shape[:time_axis] + (max_length,) +
    values.shape[time_axis:]``. A one-hot select keeps this a pure, shape-stable
    keras.ops expression inside while loops on every backend.
    """
    rank = len(history.shape)
    mask_shape = [1] * rank
    mask_shape[time_axis] = max_length
    mask = ops.reshape(position_mask(t, max_length), mask_shape)
    return ops.where(mask, ops.expand_dims(values, time_axis), history)


def empty_history(leading: tuple, max_length: int, step_value: Any, dtype: str) -> Any:
    """zeros ``leading + (max_length,) + step_value.shape[len(leading):]``."""
    trailing = tuple(ops.shape(step_value)[1:])
    return ops.zeros(tuple(leading) + (max_length,) + trailing, dtype=dtype)


def run_compiled(fn: Callable, *args: Any) -> Any:
    """Runs ``fn(*args)``; under JAX through ``jax.jit``.

    Eager JAX dispatches (and compiles) every op outside the while loop one by
    one, which costs tens of seconds on a new shape; one ``jax.jit`` of the
    whole search compiles once. Inside an outer ``jax.jit`` this just inlines.
    """
    if keras.backend.backend() == "jax":
        import jax

        return jax.jit(fn)(*args)
    return fn(*args)
