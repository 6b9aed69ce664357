"""Forward passes of the numpy reference against independent references.

- Keras built-ins with copied weights (SimpleRNN, GRU with either reset_after, LSTM),
  with masks and initial states, on whichever Keras backend runs the test.
- Naive per-example loops written straight from the course formulas (with the course's
  Wa[a<t-1>, x<t>] concatenation) for the peephole LSTM and the simplified GRU.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from seqkeras.reference import basic_rnn_forward, gru_forward, lstm_forward

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5
MASK = np.array(
    [
        [True, True, True, True, True, True],
        [True, True, False, True, False, False],
        [False, False, True, True, True, False],  # leading masked steps
    ]
)
# What Keras outputs at a masked step before any unmasked one: zeros on TensorFlow, the
# initial state on JAX (see seqkeras/reference/_scan.py).
INITIAL_OUTPUT = "state" if keras.backend.backend() == "jax" else "zeros"


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _negate_block0(array, units):
    array = np.array(array, copy=True)
    array[..., :units] *= -1.0
    return array


def _run_keras(layer, x, initial_state, mask):
    inputs = keras.ops.convert_to_tensor(x, dtype="float64")
    kwargs = {}
    if initial_state is not None:
        kwargs["initial_state"] = [keras.ops.convert_to_tensor(s, "float64") for s in initial_state]
    if mask is not None:
        kwargs["mask"] = keras.ops.convert_to_tensor(mask)
    result = [keras.ops.convert_to_numpy(r) for r in layer(inputs, **kwargs)]
    # JAX without jax_enable_x64 computes in float32 even for dtype="float64" layers.
    atol = 1e-10 if result[0].dtype == np.float64 else 1e-5
    return result, atol


def _data(num_states, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    states = [rng.normal(0, 0.5, (BATCH, UNITS)) for _ in range(num_states)]
    return rng, x, states


@pytest.mark.parametrize("use_mask", [False, True], ids=["no-mask", "mask"])
def test_basic_rnn_equals_keras_simple_rnn(use_mask):
    rng, x, states = _data(1)
    layer = keras.layers.SimpleRNN(UNITS, return_sequences=True, return_state=True, dtype="float64")
    layer.build((BATCH, STEPS, FEATURES))
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, UNITS)),
        "recurrent_kernel": rng.normal(0, 0.5, (UNITS, UNITS)),
        "bias": rng.normal(0, 0.2, (UNITS,)),
    }
    layer.set_weights([params["kernel"], params["recurrent_kernel"], params["bias"]])
    mask = MASK if use_mask else None
    (expected_seq, expected_state), atol = _run_keras(layer, x, states, mask)
    outputs, (a_T,), _ = basic_rnn_forward(x, params, states, mask, initial_output=INITIAL_OUTPUT)
    np.testing.assert_allclose(outputs, expected_seq, atol=atol)
    np.testing.assert_allclose(a_T, expected_state, atol=atol)


@pytest.mark.parametrize("reset_after", [False, True], ids=["reset-before", "reset-after"])
@pytest.mark.parametrize("use_mask", [False, True], ids=["no-mask", "mask"])
def test_gru_equals_keras_gru_with_negated_update_block(reset_after, use_mask):
    rng, x, states = _data(1, seed=1)
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, 3 * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.5, (UNITS, 3 * UNITS)),
        "bias": rng.normal(0, 0.3, (2, 3 * UNITS) if reset_after else (3 * UNITS,)),
    }
    layer = keras.layers.GRU(
        UNITS, reset_after=reset_after, return_sequences=True, return_state=True, dtype="float64"
    )
    layer.build((BATCH, STEPS, FEATURES))
    layer.set_weights(
        [_negate_block0(params[k], UNITS) for k in ("kernel", "recurrent_kernel", "bias")]
    )
    mask = MASK if use_mask else None
    (expected_seq, expected_state), atol = _run_keras(layer, x, states, mask)
    outputs, (c_T,), _ = gru_forward(
        x, params, states, mask, reset_after=reset_after, initial_output=INITIAL_OUTPUT
    )
    np.testing.assert_allclose(outputs, expected_seq, atol=atol)
    np.testing.assert_allclose(c_T, expected_state, atol=atol)


@pytest.mark.parametrize("use_mask", [False, True], ids=["no-mask", "mask"])
def test_lstm_equals_keras_lstm(use_mask):
    rng, x, states = _data(2, seed=2)
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, 4 * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.5, (UNITS, 4 * UNITS)),
        "bias": rng.normal(0, 0.3, (4 * UNITS,)),
    }
    layer = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True, dtype="float64")
    layer.build((BATCH, STEPS, FEATURES))
    layer.set_weights([params["kernel"], params["recurrent_kernel"], params["bias"]])
    mask = MASK if use_mask else None
    (expected_seq, expected_h, expected_c), atol = _run_keras(layer, x, states, mask)
    outputs, (a_T, c_T), _ = lstm_forward(x, params, states, mask, initial_output=INITIAL_OUTPUT)
    np.testing.assert_allclose(outputs, expected_seq, atol=atol)
    np.testing.assert_allclose(a_T, expected_h, atol=atol)
    np.testing.assert_allclose(c_T, expected_c, atol=atol)


def _naive_peephole_lstm(x, params, a0, c0):
    """Course 1.10 per example: Γ = σ(W[a<t-1>, x<t>] + b + p*c<t-1>)."""
    u = UNITS
    kernel, recurrent, bias, peep = (
        params[k] for k in ("kernel", "recurrent_kernel", "bias", "peephole_kernel")
    )
    # Course layout: one matrix per gate acting on the column vector [a; x].
    w = {
        g: np.concatenate([recurrent[:, i * u : (i + 1) * u], kernel[:, i * u : (i + 1) * u]]).T
        for i, g in enumerate("ufco")
    }
    b = {g: bias[i * u : (i + 1) * u] for i, g in enumerate("ufco")}
    out = np.zeros((BATCH, STEPS, u))
    for n in range(BATCH):
        a, c = a0[n], c0[n]
        for t in range(STEPS):
            ax = np.concatenate([a, x[n, t]])
            gu = _sigmoid(w["u"] @ ax + b["u"] + peep[0] * c)
            gf = _sigmoid(w["f"] @ ax + b["f"] + peep[1] * c)
            go = _sigmoid(w["o"] @ ax + b["o"] + peep[2] * c)
            cand = np.tanh(w["c"] @ ax + b["c"])
            c = gu * cand + gf * c
            a = go * np.tanh(c)
            out[n, t] = a
    return out


def test_peephole_lstm_equals_naive_course_loop():
    rng, x, (a0, c0) = _data(2, seed=3)
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, 4 * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.5, (UNITS, 4 * UNITS)),
        "bias": rng.normal(0, 0.3, (4 * UNITS,)),
        "peephole_kernel": rng.normal(0, 0.8, (3, UNITS)),
    }
    outputs, _, _ = lstm_forward(x, params, [a0, c0])
    np.testing.assert_allclose(outputs, _naive_peephole_lstm(x, params, a0, c0), atol=1e-12)
    # The peepholes matter: without them the result differs.
    plain, _, _ = lstm_forward(
        x, {k: v for k, v in params.items() if k != "peephole_kernel"}, [a0, c0]
    )
    assert np.max(np.abs(plain - outputs)) > 1e-3


def test_simplified_gru_equals_naive_course_loop_and_saturated_full_gru():
    rng, x, (c0,) = _data(1, seed=4)
    u = UNITS
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, 2 * u)),
        "recurrent_kernel": rng.normal(0, 0.5, (u, 2 * u)),
        "bias": rng.normal(0, 0.3, (2 * u,)),
    }
    outputs, _, _ = gru_forward(x, params, [c0], simplified=True)
    expected = np.zeros_like(outputs)
    for n in range(BATCH):
        c = c0[n]
        for t in range(STEPS):
            cx = np.concatenate([c, x[n, t]])
            w_u = np.concatenate([params["recurrent_kernel"][:, :u], params["kernel"][:, :u]]).T
            w_c = np.concatenate([params["recurrent_kernel"][:, u:], params["kernel"][:, u:]]).T
            gu = _sigmoid(w_u @ cx + params["bias"][:u])
            cand = np.tanh(w_c @ cx + params["bias"][u:])
            c = gu * cand + (1 - gu) * c
            expected[n, t] = c
    np.testing.assert_allclose(outputs, expected, atol=1e-12)

    # A full GRU whose relevance gate is pinned at 1 (σ(60) = 1 in float64) is the same.
    zeros_r = np.zeros((FEATURES, u)), np.zeros((u, u)), np.full(u, 60.0)
    full = {
        "kernel": np.concatenate([params["kernel"][:, :u], zeros_r[0], params["kernel"][:, u:]], 1),
        "recurrent_kernel": np.concatenate(
            [params["recurrent_kernel"][:, :u], zeros_r[1], params["recurrent_kernel"][:, u:]], 1
        ),
        "bias": np.concatenate([params["bias"][:u], zeros_r[2], params["bias"][u:]]),
    }
    full_outputs, _, _ = gru_forward(x, full, [c0])
    np.testing.assert_allclose(outputs, full_outputs, atol=1e-12)


@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_masked_steps_carry_state_and_repeat_or_zero_output(zero_output_for_mask):
    rng, x, states = _data(2, seed=5)
    params = {
        "kernel": rng.normal(0, 0.5, (FEATURES, 4 * UNITS)),
        "recurrent_kernel": rng.normal(0, 0.5, (UNITS, 4 * UNITS)),
    }
    outputs, (a_T, c_T), _ = lstm_forward(
        x, params, states, MASK, zero_output_for_mask=zero_output_for_mask
    )
    # Row 1 keeps steps 0, 1, 3: it equals the unmasked run over those steps only.
    kept = [0, 1, 3]
    sub, (a_sub, c_sub), _ = lstm_forward(x[1:2, kept], params, [s[1:2] for s in states])
    np.testing.assert_allclose(outputs[1, kept], sub[0], atol=1e-12)
    np.testing.assert_allclose(a_T[1], a_sub[0], atol=1e-12)
    np.testing.assert_allclose(c_T[1], c_sub[0], atol=1e-12)
    masked_value = np.zeros(UNITS) if zero_output_for_mask else sub[0, 1]
    np.testing.assert_allclose(outputs[1, 2], masked_value, atol=1e-12)
    # Row 2: leading masked steps output zeros with the default initial_output="zeros".
    np.testing.assert_array_equal(outputs[2, :2], 0.0)


def test_bad_input_is_rejected_with_named_argument():
    rng, x, _ = _data(1)
    good = {"kernel": np.ones((FEATURES, UNITS)), "recurrent_kernel": np.ones((UNITS, UNITS))}
    with pytest.raises(ValueError, match="x must have shape"):
        basic_rnn_forward(x[0], good)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        basic_rnn_forward(x, {"kernel": good["kernel"], "recurrent_kernel": np.ones((2, 2))})
    with pytest.raises(ValueError, match="unknown keys"):
        basic_rnn_forward(x, dict(good, peephole_kernel=np.ones((3, UNITS))))
    with pytest.raises(ValueError, match="mask"):
        basic_rnn_forward(x, good, mask=np.ones((BATCH, STEPS + 1), bool))
    with pytest.raises(ValueError, match="initial_state"):
        lstm_forward(
            x,
            {
                "kernel": np.ones((FEATURES, 4 * UNITS)),
                "recurrent_kernel": np.ones((UNITS, 4 * UNITS)),
            },
            initial_state=[np.zeros((BATCH, UNITS))],
        )
    with pytest.raises(ValueError, match="activation='softsign'"):
        basic_rnn_forward(x, good, activation="softsign")
    with pytest.raises(ValueError, match=r"bias.*reset_after=True"):
        gru_forward(
            x,
            {
                "kernel": np.ones((FEATURES, 3 * UNITS)),
                "recurrent_kernel": np.ones((UNITS, 3 * UNITS)),
                "bias": np.ones(3 * UNITS),
            },
            reset_after=True,
        )
    with pytest.raises(ValueError, match="initial_output"):
        basic_rnn_forward(x, good, initial_output="previous")
    _, _, cache = basic_rnn_forward(x, good)
    from seqkeras.reference import lstm_backward

    with pytest.raises(ValueError, match="basic_rnn"):
        lstm_backward(np.zeros((BATCH, STEPS, UNITS)), cache)
