"""Add-α bigram model over token ids: the baseline the LSTM must beat (same ids, same
``<eos>``, same per-token log-probability code)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class BigramModel:
    """P(y<t> | y<t-1>) = (count(y<t-1>, y<t>) + α) / (count(y<t-1>) + α·(V-1)).

    Id 0 is both the start context and padding: it is never predicted.

    Args:
        vocabulary_size: number of ids V.
        alpha: additive smoothing (> 0).
    """

    def __init__(self, vocabulary_size: int, alpha: float = 0.1):
        if vocabulary_size < 2:
            raise ValueError(f"vocabulary_size must be >= 2; got {vocabulary_size}")
        if not alpha > 0:
            raise ValueError(f"alpha must be > 0; got {alpha}")
        self.vocabulary_size = vocabulary_size
        self.alpha = float(alpha)
        self.counts = np.zeros((vocabulary_size, vocabulary_size), dtype="float64")

    def fit(self, sequences: Sequence[np.ndarray]) -> BigramModel:
        for seq in sequences:
            seq = np.asarray(seq, dtype="int64")
            prev = np.concatenate([[0], seq[:-1]])
            np.add.at(self.counts, (prev, seq), 1.0)
        return self

    def log_probs(self) -> np.ndarray:
        smoothed = self.counts + self.alpha
        smoothed[:, 0] = 0.0  # padding is never a target
        with np.errstate(divide="ignore"):
            return np.log(smoothed / smoothed.sum(axis=1, keepdims=True))

    def score_ids(self, sequences: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per-token natural log P of each sequence (the ``LanguageModel.score_ids`` contract)."""
        table = self.log_probs()
        out = []
        for seq in sequences:
            seq = np.asarray(seq, dtype="int64")
            prev = np.concatenate([[0], seq[:-1]])
            out.append(table[prev, seq])
        return out


def perplexity_of(score_ids, sequences: Sequence[np.ndarray]) -> float:  # type: ignore[no-untyped-def]
    """exp(-mean log P per token) for any ``score_ids(sequences)`` — LSTM and bigram alike."""
    scores = score_ids(list(sequences))
    total = sum(float(s.sum()) for s in scores)
    count = sum(len(s) for s in scores)
    if count == 0:
        raise ValueError("no token to score")
    return float(np.exp(-total / count))
