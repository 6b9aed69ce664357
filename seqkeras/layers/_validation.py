"""Argument checks shared by the seqkeras layers.

Every check raises ``ValueError`` naming the argument and the received value, at
construction time, so a bad configuration never surfaces as a deep backend traceback.
"""

from __future__ import annotations

import numbers

import keras


def check_positive_int(name: str, value, owner: str) -> int:
    """Returns ``value`` if it is an integer > 0, else raises ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(
            f"{owner}: argument `{name}` must be a positive integer; received {name}={value!r}."
        )
    return int(value)


def check_rate(name: str, value, owner: str) -> float:
    """Returns ``value`` as a float if it is in [0, 1), else raises ``ValueError``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0.0 <= float(value) < 1.0
    ):
        raise ValueError(
            f"{owner}: argument `{name}` must be a float in [0, 1); received {name}={value!r}."
        )
    return float(value)


def check_bool(name: str, value, owner: str) -> bool:
    """Returns ``value`` if it is a bool, else raises ``ValueError``."""
    if not isinstance(value, bool):
        raise ValueError(
            f"{owner}: argument `{name}` must be True or False; received {name}={value!r}."
        )
    return value


def check_choice(name: str, value, choices, owner: str):
    """Returns ``value`` if it is one of ``choices``, else raises ``ValueError``."""
    if value not in choices:
        raise ValueError(
            f"{owner}: argument `{name}` must be one of {list(choices)!r}; "
            f"received {name}={value!r}."
        )
    return value


def get_activation(name: str, value, owner: str):
    """Resolves an activation like ``keras.activations.get`` with a specific error."""
    try:
        return keras.activations.get(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{owner}: argument `{name}` is not a known activation; received {name}={value!r}."
        ) from error


def check_sequence_rank(name: str, shape, owner: str) -> None:
    """Raises ``ValueError`` unless ``shape`` is (batch, timesteps, features)."""
    if shape is None:
        return
    shape = tuple(shape)
    if len(shape) != 3:
        raise ValueError(
            f"{owner}: argument `{name}` must have rank 3 (batch, timesteps, features); "
            f"received a tensor of shape {shape} (rank {len(shape)})."
        )
