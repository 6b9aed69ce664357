"""Field checks the wake-word configs share (``WakewordDataConfig``, ``TrainConfig``):
each raises ``ValueError`` naming the field and the value it got."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def check_non_negative(config: Any, names: Iterable[str]) -> None:
    for name in names:
        value = getattr(config, name)
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def check_fractions(config: Any, names: Iterable[str]) -> None:
    """Each field lies in [0, 1] (a probability or a share)."""
    for name in names:
        value = getattr(config, name)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {value!r}")
