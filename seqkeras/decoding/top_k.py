"""The k most probable tokens of each row, without a full ``(N, V)`` log-softmax.

Greedy and beam search need, per hypothesis, only the log-probabilities of its
best few tokens. ``log_softmax`` would write a whole ``(N, V)`` tensor that the
search then reads again; here the k best *logits* are found first (log-softmax
is monotone within a row) and only those k are normalized:

    log P(v) = (x_v - m) - log Σ_u exp(x_u - m),   m = max_u x_u

— the same formula, term for term, as ``log_softmax`` (TensorFlow's kernel and
``jax.nn.log_softmax``). The only full passes left are the row maximum and the
``exp``/sum that the normalizer needs (one fused pass under XLA).

The per-row top-k itself is split in two exact stages for large vocabularies
(`row_top_k`): the maximum of every chunk of ``c`` consecutive logits, the k
best chunks by that maximum, then the k best logits inside those k chunks.
Every one of a row's k best elements lies in one of the k best chunks (a chunk
ranked above it holds an element at least as large with a lower index), so the
result equals a full ``top_k`` — ties included, which go to the lowest index as
in ``ops.top_k`` — at about the cost of one ``max`` pass over the row.
"""

from __future__ import annotations

import math
from typing import Any

from keras import ops

from .result import NEG_INF, gather_rows

# Below this many candidates per row a plain top_k is already cheap.
MIN_CHUNKED_VOCAB = 1024
# Chunk lengths tried (powers of two keep the per-chunk max vectorized).
CHUNK_SIZES = (16, 32, 64, 128)
# A chunked search needs at least this many chunks per wanted element to pay off.
MIN_CHUNKS_PER_K = 4


def chunk_size_for(vocab: int | None, k: int) -> int | None:
    """The chunk length `row_top_k` uses for rows of ``vocab`` logits, or ``None``.

    Minimizes the candidates the two small top-k's read (``vocab / c`` chunk
    maxima plus ``k * c`` survivors), i.e. ``c ≈ sqrt(vocab / k)``.
    """
    if vocab is None or k <= 1 or vocab < MIN_CHUNKED_VOCAB:
        return None
    best = min(CHUNK_SIZES, key=lambda c: math.ceil(vocab / c) + k * c)
    if math.ceil(vocab / best) < MIN_CHUNKS_PER_K * k:
        return None
    return best


def row_top_k(x: Any, k: int, chunk: int | None = -1) -> tuple[Any, Any]:
    """``ops.top_k(x, k)`` for a 2-D ``x (N, V)``: values and int32 indices, best first.

    Args:
        x: float ``(N, V)``; ``V`` must be static when ``chunk`` is not ``None``.
        k: how many per row, ``1 <= k <= V``.
        chunk: chunk length of the two-stage search; ``-1`` picks it with
            `chunk_size_for`, ``None`` forces the plain ``ops.top_k``.

    Returns:
        ``(values (N, k), indices (N, k) int32)``, equal to ``ops.top_k``'s
        (ties go to the lowest index).
    """
    vocab = x.shape[-1]
    if chunk == -1:
        chunk = chunk_size_for(vocab, k)
    if chunk is None:
        values, index = ops.top_k(x, k=k)
        return values, ops.cast(index, "int32")
    chunks = -(-vocab // chunk)
    if chunks < k:
        raise ValueError(f"chunk={chunk} leaves {chunks} chunks of {vocab} values, fewer than k={k}")
    if chunks * chunk != vocab:
        # -inf padding sorts after every real value and, at equal value, after
        # every real index, so it is never picked while k <= V.
        x = ops.pad(x, ((0, 0), (0, chunks * chunk - vocab)), constant_values=float("-inf"))
    blocks = ops.reshape(x, (-1, chunks, chunk))
    _, best_chunks = ops.top_k(ops.max(blocks, axis=-1), k=k)
    # In index order, so that equal values inside the survivors still resolve
    # to the lowest original index.
    best_chunks = ops.sort(ops.cast(best_chunks, "int32"), axis=-1)
    survivors = gather_rows(blocks, best_chunks)  # (N, k, chunk)
    values, position = ops.top_k(ops.reshape(survivors, (-1, k * chunk)), k=k)
    position = ops.cast(position, "int32")
    chunk_of = gather_rows(best_chunks, position // chunk)
    return values, chunk_of * chunk + position % chunk


def top_log_probs(
    logits: Any, k: int, end_token: int | None = None, forbid_end: Any = None
) -> tuple[Any, Any]:
    """The ``k`` highest log-probabilities of each row of ``logits`` and their tokens.

    Equal to ``top_k(maximum(log_softmax(logits), NEG_INF), k)`` — with the end
    token's log-probability set to ``NEG_INF`` first where ``forbid_end`` holds —
    without writing the ``(N, V)`` log-softmax. Tokens are ranked by logit:
    where two different logits give the same float32 log-probability (a
    rounding tie), the higher logit comes first, not the lower token id.

    Args:
        logits: float32 ``(N, V)``.
        k: ``1 <= k <= V``.
        end_token: the end token id (needed with ``forbid_end``).
        forbid_end: ``None`` or a bool scalar tensor: when true, the end token
            cannot be chosen (its log-probability becomes ``NEG_INF``).

    Returns:
        ``(log_probs (N, k) float32, tokens (N, k) int32)``, best first.
    """
    vocab = logits.shape[-1]
    # One spare candidate replaces the end token when it is forbidden.
    spare = int(forbid_end is not None and (vocab is None or k < vocab))
    values, tokens = row_top_k(logits, k + spare)
    # Equal to values[:, :1]; taken apart because XLA recomputes the top-k
    # output inside the fused exp-sum over (N, V) (~100x slower on CPU).
    row_max = ops.max(logits, axis=-1, keepdims=True)
    log_norm = ops.log(ops.sum(ops.exp(logits - row_max), axis=-1, keepdims=True))
    log_probs = ops.maximum((values - row_max) - log_norm, NEG_INF)
    if forbid_end is not None:
        is_end = ops.logical_and(forbid_end, ops.equal(tokens, end_token))
        # Re-rank: the end token moves behind every allowed token.
        log_probs, position = ops.top_k(ops.where(is_end, NEG_INF, log_probs), k=k)
        tokens = gather_rows(tokens, ops.cast(position, "int32"))
    return log_probs, tokens
