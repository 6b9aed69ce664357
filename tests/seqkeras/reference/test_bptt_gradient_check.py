"""The numpy BPTT of every cell variant agrees with centered finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from seqkeras.reference import (
    basic_rnn_backward,
    basic_rnn_forward,
    gradient_check,
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
    softmax_output_loss,
)

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 3
TOLERANCE = 1e-6

# Masks with a masked step in the middle, right padding, and (row 2) leading masked steps.
MASK = np.array(
    [
        [True, True, False, True, True],
        [True, True, True, False, False],
        [False, False, True, True, False],
    ]
)


def _weights(kind, rng, simplified=False, reset_after=False, peephole=False):
    blocks = {"rnn": 1, "gru": 2 if simplified else 3, "lstm": 4}[kind]
    params = {
        "kernel": rng.normal(0, 0.6, (FEATURES, blocks * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.6, (UNITS, blocks * UNITS)),
        "bias": rng.normal(0, 0.3, (2, blocks * UNITS) if reset_after else (blocks * UNITS,)),
    }
    if peephole:
        params["peephole_kernel"] = rng.normal(0, 0.5, (3, UNITS))
    return params


VARIANTS = {
    "rnn": ("rnn", {}, {}),
    "rnn-relu": ("rnn", {}, {"activation": "relu"}),
    "gru": ("gru", {}, {}),
    "gru-reset-after": ("gru", {"reset_after": True}, {"reset_after": True}),
    "gru-simplified": ("gru", {"simplified": True}, {"simplified": True}),
    "lstm": ("lstm", {}, {}),
    "lstm-peephole": ("lstm", {"peephole": True}, {}),
}
FORWARD = {"rnn": basic_rnn_forward, "gru": gru_forward, "lstm": lstm_forward}
BACKWARD = {"rnn": basic_rnn_backward, "gru": gru_backward, "lstm": lstm_backward}
NUM_STATES = {"rnn": 1, "gru": 1, "lstm": 2}


def _make_loss(kind, options, mask, zero_output_for_mask=False, initial_output="zeros"):
    """A scalar loss touching every output and every final state, with random weights."""
    rng = np.random.default_rng(7)
    out_weight = rng.normal(size=(BATCH, STEPS, UNITS))
    state_weights = [rng.normal(size=(BATCH, UNITS)) for _ in range(NUM_STATES[kind])]

    def f(theta):
        weights = {k: v for k, v in theta.items() if k not in ("x",) and not k.startswith("s")}
        initial = [theta[f"s{i}"] for i in range(NUM_STATES[kind])]
        outputs, final, cache = FORWARD[kind](
            theta["x"],
            weights,
            initial_state=initial,
            mask=mask,
            zero_output_for_mask=zero_output_for_mask,
            initial_output=initial_output,
            **options,
        )
        # Nonlinear in the outputs so d_outputs differs from step to step.
        loss = np.sum(out_weight * outputs) + 0.5 * np.sum(outputs**2)
        loss += sum(np.sum(w * s) for w, s in zip(state_weights, final, strict=True))
        d_outputs = out_weight + outputs
        grads, d_x, d_initial = BACKWARD[kind](d_outputs, cache, d_final_states=state_weights)
        grads = dict(grads, x=d_x)
        grads.update({f"s{i}": d for i, d in enumerate(d_initial)})
        return float(loss), grads

    return f


def _theta(kind, weight_options, seed=0):
    rng = np.random.default_rng(seed)
    theta = _weights(kind, rng, **weight_options)
    theta["x"] = rng.normal(size=(BATCH, STEPS, FEATURES))
    for i in range(NUM_STATES[kind]):
        theta[f"s{i}"] = rng.normal(0, 0.5, (BATCH, UNITS))
    return theta


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("use_mask", [False, True], ids=["no-mask", "mask"])
def test_bptt_matches_finite_differences(variant, use_mask):
    kind, weight_options, options = VARIANTS[variant]
    f = _make_loss(kind, options, MASK if use_mask else None)
    result = gradient_check(f, _theta(kind, weight_options), tolerance=TOLERANCE)
    assert result.passed, str(result)
    expected = {"kernel", "recurrent_kernel", "bias", "x"} | {
        f"s{i}" for i in range(NUM_STATES[kind])
    }
    if weight_options.get("peephole"):
        expected.add("peephole_kernel")
    assert set(result.errors) == expected


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize(
    "zero_output_for_mask, initial_output", [(True, "zeros"), (False, "state")]
)
def test_bptt_masking_options(kind, zero_output_for_mask, initial_output):
    f = _make_loss(kind, {}, MASK, zero_output_for_mask, initial_output)
    gradient_check(f, _theta(kind, {}, seed=3), tolerance=TOLERANCE, raise_on_failure=True)


@pytest.mark.backend_agnostic
def test_bptt_without_bias_and_with_softmax_head():
    """Course 1.4: many-to-many RNN, y<t> = softmax(a<t> Wy + by), L = Σ_t cross-entropy."""
    rng = np.random.default_rng(11)
    classes = 5
    labels = rng.integers(0, classes, size=(BATCH, STEPS))
    theta = {
        "kernel": rng.normal(0, 0.6, (FEATURES, UNITS)),
        "recurrent_kernel": rng.normal(0, 0.6, (UNITS, UNITS)),
        "Wy": rng.normal(0, 0.6, (UNITS, classes)),
        "by": rng.normal(0, 0.1, (classes,)),
    }
    x = rng.normal(size=(BATCH, STEPS, FEATURES))

    def f(p):
        outputs, _, cache = basic_rnn_forward(
            x, {"kernel": p["kernel"], "recurrent_kernel": p["recurrent_kernel"]}, mask=MASK
        )
        loss, d_out, head, _ = softmax_output_loss(
            outputs, {"kernel": p["Wy"], "bias": p["by"]}, labels, sample_weight=MASK
        )
        grads, _, _ = basic_rnn_backward(d_out, cache)
        assert "bias" not in grads
        return loss, dict(grads, Wy=head["kernel"], by=head["bias"])

    gradient_check(f, theta, tolerance=TOLERANCE, raise_on_failure=True)


@pytest.mark.backend_agnostic
def test_return_sequences_false_style_gradient_through_final_state_only():
    """Only the final state carries loss (many-to-one); the whole sequence still gets gradient."""
    rng = np.random.default_rng(5)
    theta = _theta("lstm", {"peephole": True}, seed=5)
    w = rng.normal(size=(BATCH, UNITS))

    def f(p):
        weights = {k: p[k] for k in ("kernel", "recurrent_kernel", "bias", "peephole_kernel")}
        outputs, (a_T, c_T), cache = lstm_forward(p["x"], weights, [p["s0"], p["s1"]], MASK)
        grads, d_x, (d_a0, d_c0) = lstm_backward(np.zeros_like(outputs), cache, [w, None])
        return float(np.sum(w * a_T)), dict(grads, x=d_x, s0=d_a0, s1=d_c0)

    result = gradient_check(f, theta, tolerance=TOLERANCE)
    assert result.passed, str(result)
    # The first input step of an unmasked row must receive gradient.
    _, grads = f(theta)
    assert np.abs(grads["x"][0, 0]).sum() > 0
