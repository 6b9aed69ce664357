"""Learning-rate schedules by name.

Keras is imported only when a schedule is built, so command-line parsers can offer
``LR_SCHEDULES`` as ``choices`` without loading it (tests/seqkeras/cli/test_startup.py).
"""

from __future__ import annotations

from typing import Any

LR_SCHEDULES = ("constant", "cosine")


def learning_rate_schedule(
    kind: str, learning_rate: float, total_steps: int, final_fraction: float = 0.05
) -> Any:
    """The step size of a run: ``learning_rate`` itself (``"constant"``), or a cosine
    decay from it to ``final_fraction`` of it over ``total_steps`` optimizer steps
    (``"cosine"``; the step count is the optimizer's, so a resumed run continues it).

    Returns:
        A float, or a ``keras.optimizers.schedules.CosineDecay``.

    Raises:
        ValueError: unknown ``kind``, non-positive ``learning_rate`` or ``total_steps``,
            or ``final_fraction`` outside [0, 1].
    """
    if kind not in LR_SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {kind!r}; expected one of {LR_SCHEDULES}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    if kind == "constant":
        return learning_rate
    if total_steps < 1:
        raise ValueError(f"a cosine schedule needs total_steps >= 1, got {total_steps}")
    if not 0.0 <= final_fraction <= 1.0:
        raise ValueError(f"final_fraction must be in [0, 1], got {final_fraction!r}")
    import keras

    return keras.optimizers.schedules.CosineDecay(
        learning_rate, decay_steps=total_steps, alpha=final_fraction
    )
