"""Stop a run the moment its loss stops being a number, and say what to do."""

from __future__ import annotations

import math
from typing import Any

import keras


class TrainingDivergedError(ValueError):
    """Training produced a NaN/inf loss.

    A ``ValueError`` so that the ``seqkeras`` CLI reports it as one line (exit code 2)
    instead of a traceback: the fix is a setting the user chooses.
    """


def diverged_message(epoch: int, step: int, value: float, global_step: int | None = None) -> str:
    """The message shown when the loss of ``epoch`` (0-based) / ``step`` is ``value``."""
    where = f"epoch {epoch + 1}, step {step + 1}"
    if global_step is not None:
        where += f" (optimizer step {global_step})"
    return (
        f"training diverged: loss is {value} at {where}. Exploding gradients are the usual "
        "cause: lower the learning rate (e.g. by 3-10x) or clip gradients harder "
        "(a smaller clipnorm, e.g. 1.0); the last checkpoint is from before this step"
    )


class TerminateOnNaN(keras.callbacks.Callback):
    """Stops training at the first batch whose loss is NaN or infinite.

    Unlike ``keras.callbacks.TerminateOnNaN`` it says where it happened (epoch, step,
    optimizer step) and what to change, and by default raises
    :class:`TrainingDivergedError` so a recipe ends with that message rather than
    writing results of a broken model. Put it before checkpoint callbacks so a bad
    step is never saved.

    Args:
        raise_error: raise :class:`TrainingDivergedError` (default); if ``False``, set
            ``model.stop_training`` and print the message instead.
        monitor: the log key to check.

    Attributes:
        message: the message, once training diverged (else ``None``).

    Example:
        >>> model.fit(x, y, callbacks=[TerminateOnNaN()])  # doctest: +SKIP
    """

    def __init__(self, raise_error: bool = True, monitor: str = "loss") -> None:
        super().__init__()
        self.raise_error = raise_error
        self.monitor = monitor
        self.message: str | None = None
        self._epoch = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.message = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        value = float(value)
        if math.isfinite(value):
            return
        optimizer = getattr(self.model, "optimizer", None)
        global_step = int(optimizer.iterations.numpy()) if optimizer is not None else None
        self.message = diverged_message(self._epoch, batch, value, global_step)
        self.model.stop_training = True
        if self.raise_error:
            raise TrainingDivergedError(self.message)
        print(self.message)
