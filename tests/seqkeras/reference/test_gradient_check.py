"""gradient_check itself: the formula, passing and failing cases, argument errors."""

from __future__ import annotations

import numpy as np
import pytest

from seqkeras.reference import (
    GradientCheckError,
    basic_rnn_backward,
    basic_rnn_forward,
    gradient_check,
    relative_error,
)


def _quadratic(p):
    """L = Σ A∘W² + b·v, gradients by hand."""
    a = np.arange(1.0, 7.0).reshape(2, 3)
    v = np.array([2.0, -1.0])
    loss = float(np.sum(a * p["w"] ** 2) + p["b"] @ v)
    return loss, {"w": 2 * a * p["w"], "b": v}


pytestmark = pytest.mark.backend_agnostic


def test_relative_error_formula_by_hand():
    assert relative_error(np.array([3.0, 4.0]), np.zeros(2)) == pytest.approx(1.0)
    # ||(0, 1e-3)|| / (1 + sqrt(1 + 1e-6))
    expected = 1e-3 / (1.0 + np.sqrt(1.0 + 1e-6))
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-3])) == pytest.approx(expected)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_correct_gradient_passes_and_params_untouched():
    w = np.array([[0.5, -1.0, 2.0], [0.1, 0.0, -0.3]])
    params = {"w": w.copy(), "b": np.array([1.0, 2.0])}
    result = gradient_check(_quadratic, params)
    assert result.passed
    assert result.max_error < 1e-8
    assert result.checked == {"w": 6, "b": 2}
    np.testing.assert_array_equal(params["w"], w)


def test_wrong_gradient_fails_and_raises_naming_the_parameter():
    def wrong(p):
        loss, grads = _quadratic(p)
        grads["w"] = grads["w"] * 1.001  # a 0.1 % error is far above float64 noise
        return loss, grads

    params = {"w": np.ones((2, 3)), "b": np.zeros(2)}
    result = gradient_check(wrong, params)
    assert not result.passed
    assert set(result.failures) == {"w"}
    assert result.errors["w"] == pytest.approx(0.001 / 2.001, rel=1e-4)
    with pytest.raises(GradientCheckError, match="w: "):
        result.raise_if_failed()
    with pytest.raises(GradientCheckError):
        gradient_check(wrong, params, raise_on_failure=True)


def test_detects_truncated_bptt():
    """Dropping the gradient that flows from step t+1 to step t is caught."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 3))
    params = {"kernel": rng.normal(size=(3, 4)), "recurrent_kernel": rng.normal(size=(4, 4))}

    def truncated(p):
        outputs, _, _ = basic_rnn_forward(x, p)
        loss = float(np.sum(outputs))
        grads = {k: np.zeros_like(v) for k, v in p.items()}
        for t in range(x.shape[1]):  # each step's loss back to its own step only
            _, _, cache = basic_rnn_forward(
                x[:, t : t + 1], p, initial_state=outputs[:, t - 1] if t else None
            )
            g, _, _ = basic_rnn_backward(np.ones((2, 1, 4)), cache)
            for k in grads:
                grads[k] += g[k]
        return loss, grads

    def full(p):
        outputs, _, cache = basic_rnn_forward(x, p)
        grads, _, _ = basic_rnn_backward(np.ones_like(outputs), cache)
        return float(np.sum(outputs)), grads

    assert gradient_check(full, params).passed
    assert gradient_check(truncated, params).errors["recurrent_kernel"] > 1e-3


def test_max_entries_samples_a_subset():
    params = {"w": np.ones((2, 3)), "b": np.zeros(2)}
    result = gradient_check(_quadratic, params, max_entries=2, seed=1)
    assert result.checked == {"w": 2, "b": 2}
    assert result.passed


def test_bad_arguments():
    params = {"w": np.ones((2, 3)), "b": np.zeros(2)}
    with pytest.raises(ValueError, match="eps"):
        gradient_check(_quadratic, params, eps=0.0)
    with pytest.raises(ValueError, match="max_entries"):
        gradient_check(_quadratic, params, max_entries=0)
    with pytest.raises(ValueError, match=r"no gradient for parameters \['extra'\]"):
        gradient_check(_quadratic, dict(params, extra=np.ones(1)))
    with pytest.raises(ValueError, match="shape"):
        gradient_check(lambda p: (0.0, {"w": np.ones(6), "b": np.ones(2)}), params)
