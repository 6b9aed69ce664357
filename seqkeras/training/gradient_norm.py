"""Watching for exploding gradients during ``fit``: the global gradient norm.

Design. Keras 3's ``fit`` computes gradients inside its compiled ``train_step`` and
offers no hook to read them, and overriding ``train_step`` only works for models that
inherit from a seqkeras class. So :class:`GradientNormLogger` is a plain callback that
works with any compiled model: every ``every`` optimizer steps it evaluates the loss on
a fixed *probe batch* with the current weights under a ``tf.GradientTape`` and logs the
global L2 norm of the gradient, ||g|| = sqrt(sum over weights of sum g^2), *before*
clipping. A fixed batch makes the curve comparable from one step to the next (batch
noise does not move it), which is what matters for spotting an explosion; the cost is
one forward and backward pass on one batch every ``every`` steps. The probe runs with
``training=False`` (no dropout, no batch-norm updates), so it never changes the model.

:func:`~seqkeras.training.train_distributed` has the gradients in hand and logs the exact
norm of every training step instead.

TensorFlow backend only (tf.distribute-era training utilities live at the edges).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras

from .nan_guard import TrainingDivergedError, diverged_message


def global_norm(gradients: list[Any]) -> Any:
    """sqrt(sum of squares) over a list of gradient tensors (``None`` entries skipped)."""
    import tensorflow as tf

    squares = [tf.reduce_sum(tf.square(tf.cast(g, tf.float32))) for g in gradients if g is not None]
    if not squares:
        return tf.constant(0.0)
    return tf.sqrt(tf.add_n(squares))


class GradientNormLogger(keras.callbacks.Callback):
    """Logs the global gradient norm on a probe batch every ``every`` steps.

    Adds ``grad_norm`` (the latest value) and ``grad_norm_max`` (largest of the epoch)
    to the epoch logs, so they show in the progress bar and in ``History``; keeps every
    measurement in ``self.norms`` as ``(optimizer_step, norm)``. A non-finite norm
    stops training like :class:`~seqkeras.training.TerminateOnNaN` (exploding
    gradients are about to make the loss NaN).

    Args:
        probe: ``(x, y)`` or ``(x, y, sample_weight)`` — one batch of training data.
        every: optimizer steps between measurements (> 0).
        loss_fn: ``loss_fn(y_true, y_pred) -> scalar``; default: the model's
            ``compute_loss`` (the compiled loss plus regularization losses).
        raise_error: on a non-finite norm raise ``TrainingDivergedError`` (default) or
            only stop training.
        print_fn: called with a one-line report at each measurement; ``None`` for silence.

    Example:
        >>> model.fit(x, y, callbacks=[GradientNormLogger((x[:64], y[:64]), every=50)])
        ... # doctest: +SKIP
    """

    def __init__(
        self,
        probe: tuple[Any, ...],
        every: int = 50,
        loss_fn: Callable[[Any, Any], Any] | None = None,
        raise_error: bool = True,
        print_fn: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(probe, tuple | list) or len(probe) not in (2, 3):
            raise ValueError("probe must be (x, y) or (x, y, sample_weight) for one batch")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.probe = tuple(probe)
        self.every = every
        self.loss_fn = loss_fn
        self.raise_error = raise_error
        self.print_fn = print_fn
        self.norms: list[tuple[int, float]] = []
        self._epoch = 0
        self._epoch_max = 0.0
        self._since = 0
        self._last_batch = 0
        self._fn: Callable[[], Any] | None = None

    def _build_fn(self) -> Callable[[], Any]:
        import tensorflow as tf

        if keras.backend.backend() != "tensorflow":
            raise ValueError(
                f"GradientNormLogger needs the TensorFlow backend, got {keras.backend.backend()!r}"
            )
        x, y = self.probe[0], self.probe[1]
        sample_weight = self.probe[2] if len(self.probe) == 3 else None
        model = self.model

        @tf.function
        def probe_norm() -> Any:
            with tf.GradientTape() as tape:
                y_pred = model(x, training=False)
                if self.loss_fn is not None:
                    loss = self.loss_fn(y, y_pred)
                else:
                    loss = model.compute_loss(
                        x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
                    )
            weights = [w.value for w in model.trainable_weights]
            return global_norm(tape.gradient(loss, weights))

        return probe_norm

    def measure(self) -> float:
        """The global gradient norm on the probe batch with the current weights.

        The model is left exactly as it was: non-trainable variables that a forward
        pass may change (the carried state of a stateful RNN) are restored afterwards.
        """
        if self._fn is None:
            self._fn = self._build_fn()
        saved = [(v, keras.ops.convert_to_numpy(v)) for v in self.model.non_trainable_variables]
        try:
            return float(self._fn())
        finally:
            for variable, value in saved:
                variable.assign(value)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._since = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._epoch_max = 0.0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._last_batch = batch
        self._since += 1
        if self._since < self.every:
            return
        self._since = 0
        self._record(batch)

    def _record(self, batch: int) -> float:
        norm = self.measure()
        step = int(self.model.optimizer.iterations.numpy())
        self.norms.append((step, norm))
        if self.print_fn is not None:
            self.print_fn(f"epoch {self._epoch + 1} step {batch + 1}: gradient norm {norm:.4g}")
        if not math.isfinite(norm):
            message = diverged_message(self._epoch, batch, norm, step).replace(
                "loss is", "gradient norm is"
            )
            self.model.stop_training = True
            if self.raise_error:
                raise TrainingDivergedError(message)
            print(message)
        self._epoch_max = max(self._epoch_max, norm)
        return norm

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is None:
            return
        if not self.norms or self._since:
            self._since = 0
            self._record(self._last_batch)
        logs["grad_norm"] = self.norms[-1][1]
        logs["grad_norm_max"] = self._epoch_max
