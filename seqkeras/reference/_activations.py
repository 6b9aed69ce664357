"""Activation functions and their derivatives for the numpy reference (float64)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Activation(NamedTuple):
    """An elementwise activation ``fn`` and its derivative ``grad`` w.r.t. the input."""

    fn: Callable[[np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 0.5 * (1 + tanh(z / 2)) equals 1 / (1 + exp(-z)) without overflow for large |z|.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _sigmoid_grad(z: np.ndarray) -> np.ndarray:
    s = _sigmoid(z)
    return s * (1.0 - s)


def _tanh_grad(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(np.tanh, _tanh_grad),
    "sigmoid": Activation(_sigmoid, _sigmoid_grad),
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(z.dtype)),
    "linear": Activation(lambda z: z, np.ones_like),
}


def get_activation(name: str, argument: str = "activation") -> Activation:
    """Look up an activation by name; ``ValueError`` naming ``argument`` if unknown."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown {argument}={name!r}; the numpy reference supports {sorted(ACTIVATIONS)}."
        ) from None


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic sigmoid."""
    return _sigmoid(z)
