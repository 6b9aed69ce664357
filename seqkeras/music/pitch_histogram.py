"""Pitch-class histograms of token sequences and the distance between two of them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .encoding import parse_token

PITCH_CLASSES = 12


def pitch_class_histogram(
    pieces: Iterable[Sequence[str]], weight_by_duration: bool = True
) -> np.ndarray:
    """Normalized 12-bin histogram (C, C#, ..., B) of the notes in ``pieces``."""
    hist = np.zeros(PITCH_CLASSES, dtype="float64")
    for tokens in pieces:
        for token in tokens:
            pitch, duration = parse_token(token)
            if pitch is not None:
                hist[pitch % PITCH_CLASSES] += float(duration) if weight_by_duration else 1.0
    if hist.sum() == 0:
        raise ValueError("no note in the pieces: the pitch-class histogram is empty")
    return hist / hist.sum()


def histogram_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Total-variation distance ½·Σ|p − q| between two distributions (0 = same, 1 = disjoint)."""
    p = np.asarray(p, dtype="float64")
    q = np.asarray(q, dtype="float64")
    if p.shape != q.shape:
        raise ValueError(f"histograms differ in shape: {p.shape} vs {q.shape}")
    return float(0.5 * np.abs(p / p.sum() - q / q.sum()).sum())
