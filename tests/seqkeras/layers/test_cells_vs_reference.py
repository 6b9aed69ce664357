"""Every seqkeras cell inside keras.layers.RNN equals the numpy reference (seqkeras.reference).

Forward: outputs and final states over several steps, with and without masks, with
initial states (atol 1e-5, default float32 layers, any backend). Gradients: TensorFlow
autodiff of float64 layers equals the numpy BPTT for every weight, the input and the
initial states (rtol 1e-4).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from seqkeras.layers import BasicRNNCell, GRUCell, LSTMCell
from seqkeras.reference import (
    basic_rnn_backward,
    basic_rnn_forward,
    gru_backward,
    gru_forward,
    lstm_backward,
    lstm_forward,
)

BATCH, STEPS, FEATURES, UNITS = 3, 7, 4, 5
MASK = np.array(
    [
        [True, True, True, True, True, True, True],
        [True, True, False, True, True, False, False],  # a hole and right padding
        [False, True, True, False, True, True, True],  # a leading masked step
    ]
)
# Keras's output at a masked step before any unmasked one: zeros on TensorFlow, the first
# initial state on JAX (seqkeras.reference documents both as ``initial_output``).
INITIAL_OUTPUT = "state" if keras.backend.backend() == "jax" else "zeros"

# id -> (cell factory, reference forward, reference backward, reference options, states)
CASES = {
    "basic-rnn": (
        lambda **kw: BasicRNNCell(UNITS, **kw),
        basic_rnn_forward,
        basic_rnn_backward,
        {},
        1,
    ),
    "basic-rnn-relu": (
        lambda **kw: BasicRNNCell(UNITS, activation="relu", **kw),
        basic_rnn_forward,
        basic_rnn_backward,
        {"activation": "relu"},
        1,
    ),
    "gru": (lambda **kw: GRUCell(UNITS, **kw), gru_forward, gru_backward, {}, 1),
    "gru-reset-after": (
        lambda **kw: GRUCell(UNITS, reset_after=True, **kw),
        gru_forward,
        gru_backward,
        {"reset_after": True},
        1,
    ),
    "gru-simplified": (
        lambda **kw: GRUCell(UNITS, simplified=True, **kw),
        gru_forward,
        gru_backward,
        {"simplified": True},
        1,
    ),
    "lstm": (lambda **kw: LSTMCell(UNITS, **kw), lstm_forward, lstm_backward, {}, 2),
    "lstm-peephole": (
        lambda **kw: LSTMCell(UNITS, peephole=True, **kw),
        lstm_forward,
        lstm_backward,
        {},
        2,
    ),
}
PARAM_ORDER = ("kernel", "recurrent_kernel", "bias", "peephole_kernel")


def _assign_random(cell, rng):
    params = {}
    for variable in cell.weights:
        name = variable.name.split("/")[-1]
        params[name] = rng.normal(0.0, 0.3 if name == "bias" else 0.6, tuple(variable.shape))
        variable.assign(params[name].astype(variable.dtype))
    return params


def _build(case, dtype=None):
    """An RNN layer around a fresh cell, with random (not initializer) weights copied in."""
    factory = CASES[case][0]
    kwargs = {} if dtype is None else {"dtype": dtype}
    cell = factory(**kwargs)
    layer = keras.layers.RNN(cell, return_sequences=True, return_state=True, **kwargs)
    layer.build((BATCH, STEPS, FEATURES))
    params = _assign_random(cell, np.random.default_rng(sorted(CASES).index(case)))
    names = [n for n in PARAM_ORDER if n in params]
    assert len(names) == len(params), f"unexpected weight names {sorted(params)}"
    return layer, cell, params


def _inputs(num_states, seed):
    rng = np.random.default_rng(100 + seed)
    x = rng.normal(size=(BATCH, STEPS, FEATURES))
    states = [rng.normal(0.0, 0.5, (BATCH, UNITS)) for _ in range(num_states)]
    return x, states


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(
    "use_mask, use_initial_state",
    [(False, False), (True, False), (True, True)],
    ids=["no-mask", "mask", "mask-initial-state"],
)
def test_forward_equals_numpy_reference(case, use_mask, use_initial_state):
    _, forward, _, options, num_states = CASES[case]
    layer, _, params = _build(case)
    x, states = _inputs(num_states, seed=1)
    mask = MASK if use_mask else None
    call_kwargs = {}
    if use_initial_state:
        call_kwargs["initial_state"] = [keras.ops.convert_to_tensor(s, "float32") for s in states]
    if use_mask:
        call_kwargs["mask"] = keras.ops.convert_to_tensor(mask)
    result = layer(keras.ops.convert_to_tensor(x, "float32"), **call_kwargs)
    outputs, *final = (keras.ops.convert_to_numpy(r) for r in result)

    ref_outputs, ref_final, _ = forward(
        x,
        params,
        initial_state=states if use_initial_state else None,
        mask=mask,
        initial_output=INITIAL_OUTPUT,
        **options,
    )
    assert outputs.shape == (BATCH, STEPS, UNITS)
    np.testing.assert_allclose(outputs, ref_outputs, atol=1e-5)
    assert len(final) == num_states
    for got, want in zip(final, ref_final, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("use_mask", [False, True], ids=["no-mask", "mask"])
def test_tf_autodiff_gradients_equal_numpy_bptt(case, use_mask):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("GradientTape needs the TensorFlow backend")
    import tensorflow as tf

    _, forward, backward, options, num_states = CASES[case]
    layer, cell, params = _build(case, dtype="float64")
    x, states = _inputs(num_states, seed=2)
    mask = MASK if use_mask else None
    rng = np.random.default_rng(3)
    out_weight = rng.normal(size=(BATCH, STEPS, UNITS))
    state_weights = [rng.normal(size=(BATCH, UNITS)) for _ in range(num_states)]

    x_tf = tf.constant(x)
    states_tf = [tf.constant(s) for s in states]
    weights_by_name = {v.name.split("/")[-1]: v for v in cell.trainable_variables}
    watched = [x_tf, *states_tf]
    with tf.GradientTape() as tape:
        for tensor in watched:
            tape.watch(tensor)
        outputs, *final = layer(
            x_tf, initial_state=states_tf, mask=None if mask is None else tf.constant(mask)
        )
        loss = tf.reduce_sum(out_weight * outputs) + 0.5 * tf.reduce_sum(outputs**2)
        for w, s in zip(state_weights, final, strict=True):
            loss += tf.reduce_sum(w * s)
    names = sorted(weights_by_name)
    tf_grads = tape.gradient(loss, [weights_by_name[n].value for n in names] + watched)
    tf_grads = [np.asarray(g) for g in tf_grads]

    ref_outputs, _, cache = forward(
        x, params, initial_state=states, mask=mask, initial_output="zeros", **options
    )
    np.testing.assert_allclose(outputs.numpy(), ref_outputs, atol=1e-10)
    grads, d_x, d_states = backward(out_weight + ref_outputs, cache, d_final_states=state_weights)
    assert set(grads) == set(names)
    for name, got in zip(names, tf_grads, strict=False):
        np.testing.assert_allclose(got, grads[name], rtol=1e-4, atol=1e-10, err_msg=name)
    np.testing.assert_allclose(tf_grads[len(names)], d_x, rtol=1e-4, atol=1e-10, err_msg="x")
    for i, (got, want) in enumerate(zip(tf_grads[len(names) + 1 :], d_states, strict=True)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-10, err_msg=f"initial state {i}")


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("case", ["gru-simplified", "lstm-peephole"])
def test_bidirectional_with_mask_equals_numpy_reference(case):
    """Bidirectional zeroes masked outputs (zero_output_for_mask) and runs one copy reversed."""
    factory, forward, _, options, num_states = CASES[case]
    layer = keras.layers.Bidirectional(keras.layers.RNN(factory(), return_sequences=True))
    layer.build((BATCH, STEPS, FEATURES))
    rng = np.random.default_rng(9)
    fw_params = _assign_random(layer.forward_layer.cell, rng)
    bw_params = _assign_random(layer.backward_layer.cell, rng)
    x, _ = _inputs(num_states, seed=4)
    got = keras.ops.convert_to_numpy(
        layer(keras.ops.convert_to_tensor(x, "float32"), mask=keras.ops.convert_to_tensor(MASK))
    )
    fw, _, _ = forward(x, fw_params, mask=MASK, zero_output_for_mask=True, **options)
    bw, _, _ = forward(
        x[:, ::-1], bw_params, mask=MASK[:, ::-1], zero_output_for_mask=True, **options
    )
    expected = np.concatenate([fw, bw[:, ::-1]], axis=-1)
    np.testing.assert_allclose(got, expected, atol=1e-5)
