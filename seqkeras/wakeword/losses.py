"""Losses for the frame labels of a trigger-word model, and their registry.

About one output frame in ten is labelled 1 (the run after each keyword), so the recipe
weights the positive frames (``"weighted"``) or focuses on hard frames (``"focal"``).
:data:`LOSSES` maps a name to a factory of the run's configuration.

``WeightedBinaryCrossentropy`` is registered with Keras under the ``seqkeras`` package:
``import seqkeras`` imports this module (not the training recipe), so a compiled
wake-word checkpoint loads without ``custom_objects``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras


@keras.saving.register_keras_serializable(package="seqkeras")
class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Binary cross-entropy with the positive frames weighted by ``positive_weight``.

    ``loss = -mean(w * y * log(p) + (1 - y) * log(1 - p))`` over the last axis, with
    ``p`` clipped to ``[eps, 1 - eps]``. A weight above 1 counters the rarity of the
    ones after a keyword (class weighting, per frame).

    Args:
        positive_weight: weight of the frames labelled 1 (> 0).
        epsilon: probability clipping.

    Example:
        >>> loss = WeightedBinaryCrossentropy(positive_weight=4.0)
    """

    def __init__(self, positive_weight: float = 4.0, epsilon: float = 1e-7, **kwargs: Any) -> None:
        kwargs.setdefault("name", "weighted_binary_crossentropy")
        super().__init__(**kwargs)
        if not positive_weight > 0:
            raise ValueError(f"positive_weight must be > 0, got {positive_weight!r}")
        if not 0 < epsilon < 0.5:
            raise ValueError(f"epsilon must be in (0, 0.5), got {epsilon!r}")
        self.positive_weight = float(positive_weight)
        self.epsilon = float(epsilon)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        y_true = ops.cast(y_true, y_pred.dtype)
        p = ops.clip(y_pred, self.epsilon, 1.0 - self.epsilon)
        per_entry = -(
            self.positive_weight * y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p)
        )
        return ops.mean(per_entry, axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"positive_weight": self.positive_weight, "epsilon": self.epsilon})
        return config


def _weighted(config: Any) -> keras.losses.Loss:
    return WeightedBinaryCrossentropy(positive_weight=config.positive_weight)


def _focal(config: Any) -> keras.losses.Loss:
    return keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=True, alpha=config.focal_alpha, gamma=config.focal_gamma
    )


def _plain_bce(config: Any) -> keras.losses.Loss:
    return keras.losses.BinaryCrossentropy()


# name -> factory of a ``TrainConfig`` (reads positive_weight / focal_alpha / focal_gamma).
LOSSES: dict[str, Callable[[Any], keras.losses.Loss]] = {
    "weighted": _weighted,
    "focal": _focal,
    "bce": _plain_bce,
}


def list_losses() -> list[str]:
    """Loss names (CLI ``choices``)."""
    return sorted(LOSSES)


def make_loss(config: Any) -> keras.losses.Loss:
    """The loss ``config.loss`` names, built from ``config``."""
    if config.loss not in LOSSES:
        raise ValueError(f"loss must be one of {list_losses()}, got {config.loss!r}")
    return LOSSES[config.loss](config)
