"""Weight averaging over epochs (stochastic weight averaging), resumable.

Izmailov et al. (2018), "Averaging Weights Leads to Wider Optima and Better
Generalization": with a constant (or cyclic) step size, the mean of the weights visited
at the ends of the last epochs generalizes better than any one of them, and it does not
jump from checkpoint to checkpoint the way the last weights do. Keras's optimizers offer
an exponential moving average per step (``use_ema``); this is the equal-weight average
per epoch of the paper, kept in a file beside the run's checkpoint so that a killed and
resumed run goes on averaging where it stopped.

Models without batch normalization (every seqkeras recurrent model) need no statistics
pass after averaging.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

from seqkeras.atomic import atomic_path

AVERAGE_FILE = "average.npz"


class WeightAveraging(keras.callbacks.Callback):
    """Running mean of the model's weights at the end of every epoch from ``start_epoch``.

    Args:
        path: ``.npz`` file holding the average (read when it exists: resuming).
        start_epoch: first epoch (1-based) whose end weights join the average.

    Attributes:
        count: epochs averaged so far.
        last_epoch: the last epoch (1-based) averaged; a resumed run that repeats an
            epoch does not count it twice.

    Example:

    >>> import keras, numpy as np, tempfile, os
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> path = os.path.join(tempfile.mkdtemp(), "average.npz")
    >>> averaging = WeightAveraging(path, start_epoch=2)
    >>> _ = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=3, verbose=0,
    ...               callbacks=[averaging])
    >>> averaging.count, averaging.apply(model)
    (2, True)
    """

    def __init__(self, path: str | os.PathLike[str], start_epoch: int) -> None:
        super().__init__()
        if isinstance(start_epoch, bool) or not isinstance(start_epoch, int) or start_epoch < 1:
            raise ValueError(f"start_epoch must be an int >= 1, got {start_epoch!r}")
        self.path = os.fspath(path)
        self.start_epoch = start_epoch
        self.count = 0
        self.last_epoch = 0
        self._average: list[np.ndarray] | None = None
        if os.path.exists(self.path):
            self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path) as stored:
                count, last, start = (int(stored[k]) for k in ("count", "last_epoch", "start_epoch"))
                average = [stored[f"w{i}"] for i in range(int(stored["weights"]))]
        except (OSError, KeyError, ValueError) as err:
            raise ValueError(
                f"{self.path} is not a seqkeras weight average ({err}); delete it to start "
                "averaging over"
            ) from None
        if start != self.start_epoch:
            raise ValueError(
                f"{self.path} averages from epoch {start}, this run from epoch "
                f"{self.start_epoch}; delete it to start averaging over"
            )
        self.count, self.last_epoch, self._average = count, last, average

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        number = epoch + 1
        if number < self.start_epoch or number <= self.last_epoch:
            return
        weights = [np.asarray(w, np.float64) for w in self.model.get_weights()]
        if self._average is None:
            self._average = weights
        else:
            if len(weights) != len(self._average) or any(
                w.shape != a.shape for w, a in zip(weights, self._average, strict=True)
            ):
                raise ValueError(
                    f"{self.path} holds an average of another model's weights; delete it to "
                    "start averaging over"
                )
            self._average = [
                a + (w - a) / (self.count + 1) for a, w in zip(self._average, weights, strict=True)
            ]
        self.count += 1
        self.last_epoch = number
        if self._is_chief():
            self._save()

    def _is_chief(self) -> bool:
        from .distributed import is_chief

        return is_chief(getattr(self.model, "distribute_strategy", None))

    def _save(self) -> None:
        assert self._average is not None
        arrays: dict[str, Any] = {f"w{i}": a for i, a in enumerate(self._average)}
        arrays.update(
            count=self.count,
            last_epoch=self.last_epoch,
            start_epoch=self.start_epoch,
            weights=len(self._average),
        )
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        with atomic_path(self.path) as temp, open(temp, "wb") as f:
            np.savez(f, **arrays)

    def average(self) -> list[np.ndarray] | None:
        """The averaged weights (``model.get_weights()`` order), or ``None`` before any."""
        return None if self._average is None else [a.copy() for a in self._average]

    def apply(self, model: keras.Model | None = None) -> bool:
        """Set ``model``'s (default: the trained model's) weights to the average.

        Returns:
            ``False`` (weights unchanged) when no epoch has been averaged yet.
        """
        model = model if model is not None else self.model
        if self._average is None:
            return False
        current = model.get_weights()
        model.set_weights([a.astype(c.dtype) for a, c in zip(self._average, current, strict=True)])
        return True
