"""Optimizers by name, with gradient clipping on by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

DEFAULT_CLIPNORM = 5.0

_OPTIMIZERS: dict[str, Callable[..., keras.optimizers.Optimizer]] = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": keras.optimizers.SGD,
    "rmsprop": keras.optimizers.RMSprop,
    "adagrad": keras.optimizers.Adagrad,
}


def list_optimizers() -> list[str]:
    """Names accepted by :func:`make_optimizer` (use as CLI ``choices``)."""
    return sorted(_OPTIMIZERS)


def make_optimizer(
    name: str = "adam",
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule = 1e-3,
    clipnorm: float | None = DEFAULT_CLIPNORM,
    global_clipnorm: float | None = None,
    clipvalue: float | None = None,
    **kwargs: Any,
) -> keras.optimizers.Optimizer:
    """A Keras optimizer with gradient clipping (against exploding gradients).

    Args:
        name: one of :func:`list_optimizers`.
        learning_rate: step size (> 0), or a ``keras.optimizers.schedules``
            schedule of the optimizer's step count (a resumed run continues it, since the
            step count is part of the optimizer's checkpointed state).
        clipnorm: rescale each weight's gradient to at most this L2 norm (Keras's
            ``clipnorm``, per variable); ``None`` or 0 turns it off. On by default.
        global_clipnorm: rescale all gradients together so their global L2 norm is at
            most this (Pascanu et al.; use instead of ``clipnorm``).
        clipvalue: clip every gradient element to ``[-clipvalue, clipvalue]``.
        **kwargs: more optimizer arguments (``momentum``, ``weight_decay``, ...).

    Returns:
        A ``keras.optimizers.Optimizer``.

    Raises:
        ValueError: unknown ``name``, non-positive ``learning_rate`` or clip value, or
            more than one clipping mode.

    Example:
        >>> opt = make_optimizer("sgd", learning_rate=1.0, clipnorm=None,
        ...                      global_clipnorm=5.0)
    """
    if name not in _OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}; expected one of {', '.join(list_optimizers())}"
        )
    is_schedule = isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule)
    if not is_schedule and not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    clips = {"clipnorm": clipnorm, "global_clipnorm": global_clipnorm, "clipvalue": clipvalue}
    for key, value in clips.items():
        if value is not None and value < 0:
            raise ValueError(f"{key} must be > 0 (or None to turn it off), got {value!r}")
    active = {k: v for k, v in clips.items() if v}
    if len(active) > 1 and set(active) != {"clipnorm"}:
        if "clipnorm" in active and clipnorm == DEFAULT_CLIPNORM:
            active.pop("clipnorm")  # an explicit other mode replaces the default one
        if len(active) > 1:
            raise ValueError(f"choose one gradient clipping mode, got {sorted(active)}")
    return _OPTIMIZERS[name](learning_rate=learning_rate, **active, **kwargs)

