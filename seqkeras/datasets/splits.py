"""Deterministic splits for small labelled sets: stratified k-fold and every-n-th."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def stratified_kfold(labels: Sequence[str], k: int = 10, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train indices, test indices) pairs; every example is tested exactly once.

    Each class's examples are shuffled with ``seed`` and dealt round-robin to the folds
    (so every fold has the class proportions of the whole set, ±1 example). The same
    ``labels``, ``k`` and ``seed`` give the same folds on every machine.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(f"k must be an int >= 2, got {k!r}")
    labels = list(labels)
    if len(labels) < k:
        raise ValueError(f"{len(labels)} examples cannot make {k} folds")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), int)
    offset = 0
    for name in sorted(set(labels)):
        members = np.flatnonzero(np.array([x == name for x in labels]))
        members = members[rng.permutation(len(members))]
        # continue the round-robin where the previous class stopped: folds stay balanced
        fold_of[members] = (offset + np.arange(len(members))) % k
        offset += len(members)
    everything = np.arange(len(labels))
    return [(everything[fold_of != f], everything[fold_of == f]) for f in range(k)]


def every_nth_split(n: int, every: int = 5, offset: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``(train, test)`` indices of ``n`` examples: example ``i`` is tested when
    ``i % every == offset`` (``every=5``: a fixed 80/20 split spread over the file)."""
    if every < 2 or not 0 <= offset < every:
        raise ValueError(f"need every >= 2 and 0 <= offset < every, got {every}, {offset}")
    index = np.arange(n)
    test = index % every == offset
    return index[~test], index[test]
