"""Weight conversion between the course GRU (``GRUCell``) and ``keras.layers.GRU``.

The course GRU writes ``c<t> = Γu * c̃ + (1 - Γu) * c<t-1>`` while Keras writes
``h = z * h_prev + (1 - z) * hh``, so ``z = 1 - Γu``. With a sigmoid gate
``1 - σ(v) = σ(-v)``, so negating the Γu block (columns ``[:units]``) of ``kernel``,
``recurrent_kernel`` and every bias row turns one parameterization into the other.
The operation is its own inverse; both directions are provided for readability.
"""

from __future__ import annotations

import numpy as np


def _negate_update_block(weights, direction: str) -> list[np.ndarray]:
    weights = [np.asarray(w) for w in weights]
    if len(weights) not in (2, 3):
        raise ValueError(
            f"{direction}: argument `weights` must be [kernel, recurrent_kernel] or "
            f"[kernel, recurrent_kernel, bias]; received {len(weights)} arrays."
        )
    kernel, recurrent_kernel = weights[0], weights[1]
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else -1
    if (
        kernel.ndim != 2
        or recurrent_kernel.shape != (units, 3 * units)
        or kernel.shape[1] != 3 * units
    ):
        raise ValueError(
            f"{direction}: argument `weights` must hold a full GRU's kernel (in, 3u) and "
            f"recurrent_kernel (u, 3u); received shapes "
            f"{[tuple(w.shape) for w in weights]} (a simplified GRU has no Keras twin)."
        )
    converted = [w.copy() for w in weights]
    converted[0][:, :units] *= -1.0
    converted[1][:, :units] *= -1.0
    if len(converted) == 3:
        bias = converted[2]
        if bias.shape not in ((3 * units,), (2, 3 * units)):
            raise ValueError(
                f"{direction}: the bias must have shape ({3 * units},) or "
                f"(2, {3 * units}); received {tuple(bias.shape)}."
            )
        bias[..., :units] *= -1.0
    return converted


def gru_weights_to_keras(weights) -> list[np.ndarray]:
    """Converts ``GRUCell(simplified=False)`` weights for ``keras.layers.GRU``.

    Args:
        weights: ``[kernel, recurrent_kernel, bias]`` (bias optional) as returned by
            ``get_weights()`` of a full ``GRUCell`` (either ``reset_after``).

    Returns:
        New numpy arrays with the update-gate block negated; pass them to
        ``set_weights`` of a Keras GRU with the same ``reset_after``.

    Example:

    >>> keras_gru.set_weights(gru_weights_to_keras(course_rnn.get_weights()))  # doctest: +SKIP
    """
    return _negate_update_block(weights, "gru_weights_to_keras")


def gru_weights_from_keras(weights) -> list[np.ndarray]:
    """Converts ``keras.layers.GRU`` weights for ``GRUCell(simplified=False)``.

    Args:
        weights: ``[kernel, recurrent_kernel, bias]`` (bias optional) of a Keras GRU.

    Returns:
        New numpy arrays with the update-gate block negated.
    """
    return _negate_update_block(weights, "gru_weights_from_keras")
