"""The per-time-step output layer of section 1.3/1.4 and its cross-entropy loss.

ŷ<t> = softmax(a<t> Wy + by) and L = Σ_t Σ_batch w[b, t] · (−log ŷ<t>[label]). Together
with a ``*_forward`` / ``*_backward`` pair this gives the full BPTT of a many-to-many RNN
(course 1.4): the loss's ``d_outputs`` is the recurrent layer's upstream gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax."""
    z = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_output_loss(
    outputs: Any, params: dict[str, Any], labels: Any, sample_weight: Any = None
) -> tuple[float, np.ndarray, dict[str, np.ndarray], np.ndarray]:
    """Sequence cross-entropy of a Dense+softmax head and its gradients (float64).

    Args:
        outputs: recurrent outputs a<t>, shape (batch, time, units).
        params: ``{"kernel": Wy (units, classes), "bias": by (classes,)}`` — the layout of
            ``keras.layers.Dense``.
        labels: integer class ids, shape (batch, time).
        sample_weight: optional (batch, time) weights (e.g. the mask as 0/1).

    Returns:
        ``(loss, d_outputs, grads, probabilities)`` where ``loss`` is the weighted *sum*
        of the per-step losses, ``d_outputs`` is dL/d outputs and ``grads`` has keys
        ``kernel`` and ``bias``.
    """
    a = np.asarray(outputs, dtype=np.float64)
    if a.ndim != 3:
        raise ValueError(f"outputs must have shape (batch, time, units), got {a.shape}.")
    kernel = np.asarray(params["kernel"], dtype=np.float64)
    bias = np.asarray(params["bias"], dtype=np.float64)
    if kernel.shape[0] != a.shape[-1] or bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"params kernel {kernel.shape} / bias {bias.shape} do not fit outputs with "
            f"{a.shape[-1]} units."
        )
    labels = np.asarray(labels)
    if labels.shape != a.shape[:2]:
        raise ValueError(f"labels must have shape {a.shape[:2]}, got {labels.shape}.")
    if labels.min() < 0 or labels.max() >= kernel.shape[1]:
        raise ValueError(
            f"labels must lie in [0, {kernel.shape[1]}), got {labels.min()}..{labels.max()}."
        )
    weight = (
        np.ones(a.shape[:2])
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    if weight.shape != a.shape[:2]:
        raise ValueError(f"sample_weight must have shape {a.shape[:2]}, got {weight.shape}.")
    probs = softmax(a @ kernel + bias)
    picked = np.take_along_axis(probs, labels[..., None], axis=-1)[..., 0]
    loss = float(-np.sum(weight * np.log(picked)))
    d_logits = probs.copy()
    np.put_along_axis(
        d_logits, labels[..., None], np.take_along_axis(d_logits, labels[..., None], -1) - 1.0, -1
    )
    d_logits *= weight[..., None]
    grads = {
        "kernel": np.einsum("btu,btk->uk", a, d_logits),
        "bias": d_logits.sum(axis=(0, 1)),
    }
    return loss, d_logits @ kernel.T, grads, probs
