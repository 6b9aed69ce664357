"""Per-example losses of the embedding trainers (``keras.ops`` only).

Each returns one value per example, summed over that example's pairs; the recipe
compiles them with ``reduction="sum"`` (``SummedLoss``) so that every pair's gradient
reaches the optimizer at full size, as in word2vec and GloVe, whatever the batch size.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def _sum_all_but_batch(values: Any) -> Any:
    rank = len(values.shape)
    return ops.sum(values, axis=list(range(1, rank))) if rank > 1 else values


@keras.saving.register_keras_serializable(package="seqkeras")
def negative_sampling_loss(y_true: Any, logits: Any) -> Any:
    """Negative sampling (course 2.7): −log σ(θ_tᵀe_c) − Σ_k log σ(−θ_kᵀe_c) per pair.

    Args:
        y_true: weight of each pair (1, or 0 for an empty context slot), shape
            ``logits.shape[:-1]``.
        logits: ``(..., 1 + K)``: the true target's score first, then the K negatives'.

    Returns:
        ``(batch,)``: the weighted sum over each example's pairs.
    """
    logits = ops.convert_to_tensor(logits)
    y_true = ops.cast(y_true, logits.dtype)
    positive = ops.softplus(-logits[..., 0])  # -log sigmoid(x) = softplus(-x)
    negative = ops.sum(ops.softplus(logits[..., 1:]), axis=-1)
    return _sum_all_but_batch(y_true * (positive + negative))


@keras.saving.register_keras_serializable(package="seqkeras")
def masked_softmax_loss(y_true: Any, logits: Any) -> Any:
    """Full-softmax cross-entropy summed over the target ids of each example.

    Args:
        y_true: int target ids ``(batch,)`` or ``(batch, C)``; ``-1`` marks an empty slot.
        logits: ``(batch, V)`` scores over the vocabulary.

    Returns:
        ``(batch,)``: −Σ log softmax(logits)[target] over the example's targets.
    """
    logits = ops.convert_to_tensor(logits)
    y_true = ops.cast(y_true, "int32")
    if len(y_true.shape) == 1:
        y_true = ops.expand_dims(y_true, 1)
    log_probabilities = ops.log_softmax(logits, axis=-1)
    picked = ops.take_along_axis(log_probabilities, ops.maximum(y_true, 0), axis=1)
    valid = ops.cast(y_true >= 0, logits.dtype)
    return -ops.sum(picked * valid, axis=1)


@keras.saving.register_keras_serializable(package="seqkeras")
def glove_loss(y_true: Any, prediction: Any) -> Any:
    """GloVe's weighted least squares f(X_ij)·(θ_iᵀe_j + b_i + b'_j − log X_ij)².

    Args:
        y_true: ``(batch, 2)``: ``[log X_ij, f(X_ij)]``.
        prediction: ``(batch,)``: θ_iᵀe_j + b_i + b'_j.
    """
    prediction = ops.convert_to_tensor(prediction)
    y_true = ops.cast(y_true, prediction.dtype)
    return y_true[:, 1] * ops.square(prediction - y_true[:, 0])


@keras.saving.register_keras_serializable(package="seqkeras")
class SummedLoss(keras.losses.Loss):
    """A per-example loss function reduced by a sum over the batch (each pair's
    gradient at full size, whatever the batch size).

    Args:
        fn: a registered per-example loss such as ``negative_sampling_loss``.
        name: defaults to the function's name.
    """

    def __init__(self, fn: Any, name: str | None = None, **kwargs: Any) -> None:
        if isinstance(fn, (str, dict)):
            fn = keras.saving.deserialize_keras_object(fn)
        if not callable(fn):
            raise ValueError(f"fn must be a loss function, got {fn!r}")
        kwargs.pop("reduction", None)
        super().__init__(name=name or fn.__name__, reduction="sum", **kwargs)
        self.fn = fn

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return self.fn(y_true, y_pred)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["fn"] = keras.saving.serialize_keras_object(self.fn)
        return config


def summed(loss: Any) -> keras.losses.Loss:
    """``loss`` reduced by a sum over the batch."""
    return SummedLoss(loss)
