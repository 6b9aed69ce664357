"""LSTMCell against keras.layers.LSTM (no peephole) and the section 1.10 formulas."""

import keras
import numpy as np
import pytest

from seqkeras.layers import RNN, LSTMCell
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


def _pair(**rnn_kwargs):
    x, _ = _data()
    ours = keras.layers.RNN(LSTMCell(UNITS), **rnn_kwargs)
    ref = keras.layers.LSTM(UNITS, **rnn_kwargs)
    ours(x)
    ref(x)
    _random_weights(ours)
    ref.set_weights(ours.get_weights())
    return ours, ref


def test_matches_keras_lstm_sequences_and_states():
    ours, ref = _pair(return_sequences=True, return_state=True)
    x, _ = _data()
    outputs = ours(x)
    assert len(outputs) == 3
    for got, want in zip(outputs, ref(x), strict=True):
        np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-5)


def test_matches_keras_lstm_with_mask_and_initial_state():
    ours, ref = _pair(return_sequences=True, return_state=True, go_backwards=True)
    x, mask = _data()
    rng = np.random.default_rng(6)
    init = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(2)]
    got = ours(x, mask=mask, initial_state=init)
    want = ref(x, mask=mask, initial_state=init)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(np.array(g), np.array(w), atol=1e-5)


def test_bidirectional_matches_builtin():
    x, mask = _data()
    ours = keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(UNITS)), merge_mode="sum")
    ref = keras.layers.Bidirectional(keras.layers.LSTM(UNITS), merge_mode="sum")
    ours(x)
    ref(x)
    _random_weights(ours)
    ref.set_weights(ours.get_weights())
    np.testing.assert_allclose(np.array(ours(x, mask=mask)), np.array(ref(x, mask=mask)), atol=1e-5)


def test_peephole_formula_over_sequence():
    """Peephole LSTM: all three gates see c<t-1> (section 1.10), numpy loop with mask."""
    x, mask = _data()
    rnn = keras.layers.RNN(LSTMCell(UNITS, peephole=True), return_sequences=True, return_state=True)
    rnn(x)
    _random_weights(rnn)
    k, r, b, p = rnn.get_weights()
    assert p.shape == (3, UNITS)
    u = UNITS
    a = np.zeros((BATCH, u))
    c = np.zeros((BATCH, u))
    expected = []
    for t in range(STEPS):
        z = x[:, t] @ k + a @ r + b
        gu = _sigmoid(z[:, :u] + p[0] * c)
        gf = _sigmoid(z[:, u : 2 * u] + p[1] * c)
        cand = np.tanh(z[:, 2 * u : 3 * u])
        go = _sigmoid(z[:, 3 * u :] + p[2] * c)
        c_new = gu * cand + gf * c
        a_new = go * np.tanh(c_new)
        keep = mask[:, t : t + 1]
        a, c = np.where(keep, a_new, a), np.where(keep, c_new, c)
        expected.append(a)
    seq, a_last, c_last = rnn(x, mask=mask)
    np.testing.assert_allclose(np.array(seq), np.stack(expected, 1), atol=1e-5)
    np.testing.assert_allclose(np.array(a_last), a, atol=1e-5)
    np.testing.assert_allclose(np.array(c_last), c, atol=1e-5)


def test_peephole_changes_the_function():
    x, _ = _data()
    plain = keras.layers.RNN(LSTMCell(UNITS))
    peep = keras.layers.RNN(LSTMCell(UNITS, peephole=True))
    plain(x)
    peep(x)
    _random_weights(peep)
    plain.set_weights(peep.get_weights()[:3])
    assert not np.allclose(np.array(plain(x)), np.array(peep(x)), atol=1e-3)


def test_weight_layout_and_unit_forget_bias():
    rnn = keras.layers.RNN(LSTMCell(UNITS, peephole=True))
    rnn(_data()[0])
    names = [w.path.split("/")[-1] for w in rnn.weights]
    assert names == ["kernel", "recurrent_kernel", "bias", "peephole_kernel"]
    shapes = [tuple(w.shape) for w in rnn.weights]
    assert shapes == [(FEATURES, 4 * UNITS), (UNITS, 4 * UNITS), (4 * UNITS,), (3, UNITS)]
    bias = np.array(rnn.weights[2])
    np.testing.assert_array_equal(bias[UNITS : 2 * UNITS], 1.0)
    np.testing.assert_array_equal(np.delete(bias, np.s_[UNITS : 2 * UNITS]), 0.0)


def test_dropout_only_in_training():
    x, _ = _data()
    rnn = RNN(LSTMCell(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=3))
    ref = keras.layers.RNN(LSTMCell(UNITS))
    rnn(x)
    ref(x)
    ref.set_weights(rnn.get_weights())
    np.testing.assert_allclose(np.array(rnn(x, training=False)), np.array(ref(x)), atol=1e-6)
    assert not np.allclose(np.array(rnn(x, training=True)), np.array(ref(x)), atol=1e-3)


@pytest.mark.parametrize("peephole, n_weights", [(False, 3), (True, 4)])
def test_layer_contract(peephole, n_weights):
    x, mask = _data()
    run_layer_test(
        lambda **kw: keras.layers.RNN(LSTMCell(**kw), return_sequences=True),
        {"units": UNITS, "peephole": peephole},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        expected_num_trainable_weights=n_weights,
        input_mask=mask,
    )


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"units": 0}, "units=0"),
        ({"units": -1, "peephole": True}, "units=-1"),
        ({"units": 4, "activation": "bogus"}, "activation='bogus'"),
        ({"units": 4, "peephole": 1}, "peephole=1"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        LSTMCell(**kwargs)
