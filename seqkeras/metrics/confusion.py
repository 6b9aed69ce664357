"""Confusion matrix of class labels (rows: true class, columns: predicted class)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(
    true_labels: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> np.ndarray:
    """``(len(labels), len(labels))`` int counts; ``[i, j]`` = true ``labels[i]``
    predicted as ``labels[j]``. A label outside ``labels`` raises ``ValueError``."""
    if len(true_labels) != len(predicted):
        raise ValueError(f"{len(true_labels)} true labels but {len(predicted)} predictions")
    index = {name: i for i, name in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), "int64")
    for truth, guess in zip(true_labels, predicted, strict=True):
        for name in (truth, guess):
            if name not in index:
                raise ValueError(f"label {name!r} is not one of {list(labels)}")
        matrix[index[truth], index[guess]] += 1
    return matrix
