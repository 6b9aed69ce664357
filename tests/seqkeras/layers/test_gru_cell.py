"""GRUCell against keras.layers.GRU (update-gate block negated) and a hand formula."""

import keras
import numpy as np
import pytest

from seqkeras.layers import RNN, GRUCell, gru_weights_from_keras, gru_weights_to_keras
from seqkeras.testing import run_layer_test

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5


def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    mask = np.ones((BATCH, STEPS), bool)
    mask[1, 4:] = False
    mask[2, 2] = False
    return x, mask


def _random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [0.5 * rng.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    )


def _pair(reset_after, **rnn_kwargs):
    x, _ = _data()
    ours = keras.layers.RNN(GRUCell(UNITS, reset_after=reset_after), **rnn_kwargs)
    ref = keras.layers.GRU(UNITS, reset_after=reset_after, **rnn_kwargs)
    ours(x)
    ref(x)
    _random_weights(ours)
    ref.set_weights(gru_weights_to_keras(ours.get_weights()))
    return ours, ref


@pytest.mark.parametrize("reset_after", [False, True])
def test_matches_keras_gru_with_negated_update_block(reset_after):
    ours, ref = _pair(reset_after, return_sequences=True, return_state=True)
    x, _ = _data()
    for got, want in zip(ours(x), ref(x), strict=True):
        np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-5)


@pytest.mark.parametrize("reset_after", [False, True])
def test_matches_keras_gru_with_mask_and_initial_state(reset_after):
    ours, ref = _pair(reset_after, return_sequences=True, go_backwards=True)
    x, mask = _data()
    h0 = np.random.default_rng(4).standard_normal((BATCH, UNITS)).astype("float32")
    got = ours(x, mask=mask, initial_state=[h0])
    want = ref(x, mask=mask, initial_state=[h0])
    np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-5)


def test_weights_from_keras_gru():
    """Keras weights converted in give the Keras outputs."""
    x, _ = _data()
    ref = keras.layers.GRU(UNITS)
    ref(x)
    _random_weights(ref, seed=7)
    ours = keras.layers.RNN(GRUCell(UNITS, reset_after=True))
    ours(x)
    ours.set_weights(gru_weights_from_keras(ref.get_weights()))
    np.testing.assert_allclose(np.array(ours(x)), np.array(ref(x)), atol=1e-5)


def test_without_conversion_differs():
    """The negation is needed: copying weights verbatim gives another function."""
    x, _ = _data()
    ours, ref = _pair(True)
    ref.set_weights(ours.get_weights())
    assert not np.allclose(np.array(ours(x)), np.array(ref(x)), atol=1e-3)


def test_bidirectional_matches_builtin():
    x, mask = _data()
    ours = keras.layers.Bidirectional(
        keras.layers.RNN(GRUCell(UNITS, reset_after=True), return_sequences=True)
    )
    ref = keras.layers.Bidirectional(keras.layers.GRU(UNITS, return_sequences=True))
    ours(x)
    ref(x)
    _random_weights(ours)
    w = ours.get_weights()
    ref.set_weights(gru_weights_to_keras(w[:3]) + gru_weights_to_keras(w[3:]))
    np.testing.assert_allclose(np.array(ours(x, mask=mask)), np.array(ref(x, mask=mask)), atol=1e-5)


def test_course_formula_one_step():
    """Full GRU, reset_after=False, against section 1.9 written out in numpy."""
    x, _ = _data()
    cell = GRUCell(UNITS)
    rng = np.random.default_rng(5)
    c0 = rng.standard_normal((BATCH, UNITS)).astype("float32")
    cell(x[:, 0], [c0])
    _random_weights(cell)
    out, states = cell(x[:, 0], [c0])
    k, r, b = cell.get_weights()
    u = UNITS
    x0 = x[:, 0]
    gu = _sigmoid(x0 @ k[:, :u] + c0 @ r[:, :u] + b[:u])
    gr = _sigmoid(x0 @ k[:, u : 2 * u] + c0 @ r[:, u : 2 * u] + b[u : 2 * u])
    cand = np.tanh(x0 @ k[:, 2 * u :] + (gr * c0) @ r[:, 2 * u :] + b[2 * u :])
    np.testing.assert_allclose(np.array(out), gu * cand + (1 - gu) * c0, atol=1e-5)
    np.testing.assert_allclose(np.array(states[0]), np.array(out))


def test_simplified_formula_over_sequence():
    """Simplified GRU (update gate only) against a numpy loop, with a mask."""
    x, mask = _data()
    rnn = keras.layers.RNN(GRUCell(UNITS, simplified=True), return_sequences=True)
    rnn(x)
    _random_weights(rnn)
    k, r, b = rnn.get_weights()
    assert k.shape == (FEATURES, 2 * UNITS) and r.shape == (UNITS, 2 * UNITS)
    assert b.shape == (2 * UNITS,)
    u = UNITS
    c = np.zeros((BATCH, UNITS))
    expected = []
    for t in range(STEPS):
        gu = _sigmoid(x[:, t] @ k[:, :u] + c @ r[:, :u] + b[:u])
        cand = np.tanh(x[:, t] @ k[:, u:] + c @ r[:, u:] + b[u:])
        new = gu * cand + (1 - gu) * c
        keep = mask[:, t : t + 1]
        c = np.where(keep, new, c)
        expected.append(c)
    got = np.array(rnn(x, mask=mask))
    # Keras RNN repeats the previous output at masked steps.
    np.testing.assert_allclose(got, np.stack(expected, axis=1), atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, shapes",
    [
        ({}, [(FEATURES, 15), (UNITS, 15), (15,)]),
        ({"reset_after": True}, [(FEATURES, 15), (UNITS, 15), (2, 15)]),
        ({"simplified": True}, [(FEATURES, 10), (UNITS, 10), (10,)]),
        ({"use_bias": False}, [(FEATURES, 15), (UNITS, 15)]),
    ],
)
def test_weight_names_and_shapes(kwargs, shapes):
    rnn = keras.layers.RNN(GRUCell(UNITS, **kwargs))
    rnn(_data()[0])
    assert [tuple(w.shape) for w in rnn.weights] == shapes
    names = ["kernel", "recurrent_kernel", "bias"][: len(shapes)]
    assert [w.path.split("/")[-1] for w in rnn.weights] == names


def test_dropout_only_in_training():
    x, _ = _data()
    rnn = RNN(GRUCell(UNITS, dropout=0.5, recurrent_dropout=0.3, seed=2))
    ref = keras.layers.RNN(GRUCell(UNITS))
    rnn(x)
    ref(x)
    ref.set_weights(rnn.get_weights())
    np.testing.assert_allclose(np.array(rnn(x, training=False)), np.array(ref(x)), atol=1e-6)
    assert not np.allclose(np.array(rnn(x, training=True)), np.array(ref(x)), atol=1e-3)


@pytest.mark.parametrize(
    "kwargs, n_weights",
    [({"reset_after": True}, 3), ({"simplified": True, "dropout": 0.2}, 3)],
)
def test_layer_contract(kwargs, n_weights):
    run_layer_test(
        lambda **kw: RNN(GRUCell(**kw), return_state=True),
        {"units": UNITS, **kwargs},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=[(BATCH, UNITS), (BATCH, UNITS)],
        expected_num_trainable_weights=n_weights,
    )


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"units": 0}, "units=0"),
        ({"units": 4, "activation": "nope"}, "activation='nope'"),
        ({"units": 4, "recurrent_activation": "nope"}, "recurrent_activation='nope'"),
        ({"units": 4, "simplified": "yes"}, "simplified='yes'"),
        ({"units": 4, "recurrent_dropout": -0.1}, "recurrent_dropout=-0.1"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        GRUCell(**kwargs)
