"""Gradient checking: analytic gradients against centered finite differences."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_EPS = 1e-6
DEFAULT_TOLERANCE = 1e-6


class GradientCheckError(AssertionError):
    """Raised by :meth:`GradientCheckResult.raise_if_failed` when a check fails."""


@dataclass(frozen=True)
class GradientCheckResult:
    """Outcome of :func:`gradient_check`.

    Attributes:
        errors: relative error ``||g - g'|| / (||g|| + ||g'||)`` per parameter name.
        tolerance: the threshold a parameter's error must stay below.
        checked: how many entries of each parameter were perturbed.
    """

    errors: dict[str, float]
    tolerance: float
    checked: dict[str, int]

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    @property
    def passed(self) -> bool:
        return all(err < self.tolerance for err in self.errors.values())

    @property
    def failures(self) -> dict[str, float]:
        return {k: v for k, v in self.errors.items() if not v < self.tolerance}

    def raise_if_failed(self) -> GradientCheckResult:
        """Raise :class:`GradientCheckError` listing every failing parameter."""
        if not self.passed:
            detail = ", ".join(f"{k}: {v:.3e}" for k, v in sorted(self.failures.items()))
            raise GradientCheckError(
                f"gradient check failed (relative error >= {self.tolerance:g}) for {detail}"
            )
        return self

    def __str__(self) -> str:
        rows = ", ".join(f"{k}={v:.2e}" for k, v in self.errors.items())
        return f"GradientCheckResult({'passed' if self.passed else 'FAILED'}; {rows})"


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``||g - g'||₂ / (||g||₂ + ||g'||₂)``; 0 when both gradients are exactly zero."""
    analytic = np.ravel(np.asarray(analytic, dtype=np.float64))
    numeric = np.ravel(np.asarray(numeric, dtype=np.float64))
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def gradient_check(
    f: Callable[[dict[str, np.ndarray]], tuple[float, Mapping[str, Any]]],
    params: Mapping[str, Any],
    eps: float = DEFAULT_EPS,
    tolerance: float = DEFAULT_TOLERANCE,
    max_entries: int | None = None,
    seed: int = 0,
    raise_on_failure: bool = False,
) -> GradientCheckResult:
    """Compare the gradients returned by ``f`` with centered finite differences.

    For every entry θᵢ of every parameter, the numerical derivative is
    ``(L(θ + eps·eᵢ) - L(θ - eps·eᵢ)) / (2·eps)``; per parameter the analytic gradient g
    and the numerical g' are compared with ``||g - g'||₂ / (||g||₂ + ||g'||₂)``
    (the course's gradient-checking formula). In float64 a correct implementation gives
    about 1e-9 .. 1e-7 with ``eps=1e-6``; 1e-5 or more means a bug.

    Args:
        f: ``f(params) -> (loss, grads)`` where ``grads`` maps each checked name to an
            array of the parameter's shape. ``f`` must be deterministic and compute in
            float64, and must not modify its argument.
        params: name → array. Any input can be checked this way (inputs, initial states),
            not only weights. Arrays are copied to float64; the caller's are untouched.
        eps: finite-difference step.
        tolerance: a parameter passes when its relative error is below this.
        max_entries: check at most this many randomly chosen entries per parameter
            (the analytic gradient is compared on the same entries); None checks all.
        seed: seed of the entry sampling.
        raise_on_failure: raise :class:`GradientCheckError` instead of returning a
            failed result.

    Returns:
        A :class:`GradientCheckResult` with the relative error per parameter.

    Example:
        >>> import numpy as np
        >>> f = lambda p: (float(np.sum(p["w"] ** 2)), {"w": 2 * p["w"]})
        >>> gradient_check(f, {"w": np.arange(3.0)}).passed
        True
    """
    if eps <= 0:
        raise ValueError(f"eps must be > 0, got {eps}.")
    if max_entries is not None and max_entries <= 0:
        raise ValueError(f"max_entries must be a positive int or None, got {max_entries}.")
    theta = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    _, analytic = f({k: v.copy() for k, v in theta.items()})
    missing = sorted(set(theta) - set(analytic))
    if missing:
        raise ValueError(f"f returned no gradient for parameters {missing}.")
    rng = np.random.default_rng(seed)
    errors: dict[str, float] = {}
    checked: dict[str, int] = {}
    for name, value in theta.items():
        grad = np.asarray(analytic[name], dtype=np.float64)
        if grad.shape != value.shape:
            raise ValueError(
                f"gradient for {name!r} has shape {grad.shape}, parameter has {value.shape}."
            )
        indices = np.arange(value.size)
        if max_entries is not None and value.size > max_entries:
            indices = rng.choice(value.size, size=max_entries, replace=False)
        numeric = np.empty(len(indices))
        for j, flat_index in enumerate(indices):
            index = np.unravel_index(flat_index, value.shape)
            original = value[index]
            value[index] = original + eps
            loss_plus, _ = f({k: v.copy() for k, v in theta.items()})
            value[index] = original - eps
            loss_minus, _ = f({k: v.copy() for k, v in theta.items()})
            value[index] = original
            numeric[j] = (float(loss_plus) - float(loss_minus)) / (2.0 * eps)
        errors[name] = relative_error(grad.ravel()[indices], numeric)
        checked[name] = len(indices)
    result = GradientCheckResult(errors=errors, tolerance=tolerance, checked=checked)
    if raise_on_failure:
        result.raise_if_failed()
    return result
