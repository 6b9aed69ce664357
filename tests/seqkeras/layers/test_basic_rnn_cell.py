"""BasicRNNCell against keras.layers.SimpleRNN with copied weights."""

import keras
import numpy as np
import pytest

from seqkeras.layers import RNN, BasicRNNCell
from seqkeras.testing import run_layer_test

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES, UNITS = 3, 6, 4, 5


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    # Right padding, a short row and a hole in the middle.
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
    ours = keras.layers.RNN(BasicRNNCell(UNITS), **rnn_kwargs)
    ref = keras.layers.SimpleRNN(UNITS, **rnn_kwargs)
    x, _ = _data()
    ours(x)
    ref(x)
    _random_weights(ours)
    ref.set_weights(ours.get_weights())
    return ours, ref


@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_simple_rnn_sequences_and_state(go_backwards):
    ours, ref = _pair(return_sequences=True, return_state=True, go_backwards=go_backwards)
    x, _ = _data()
    for got, want in zip(ours(x), ref(x), strict=True):
        np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-5)


def test_matches_simple_rnn_with_mask_and_initial_state():
    ours, ref = _pair(return_sequences=True)
    x, mask = _data()
    h0 = np.random.default_rng(3).standard_normal((BATCH, UNITS)).astype("float32")
    got = ours(x, mask=mask, initial_state=[h0])
    want = ref(x, mask=mask, initial_state=[h0])
    np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-5)


def test_bidirectional_matches_builtin():
    x, mask = _data()
    ours = keras.layers.Bidirectional(keras.layers.RNN(BasicRNNCell(UNITS)))
    ref = keras.layers.Bidirectional(keras.layers.SimpleRNN(UNITS))
    ours(x)
    ref(x)
    _random_weights(ours)
    ref.set_weights(ours.get_weights())
    np.testing.assert_allclose(np.array(ours(x, mask=mask)), np.array(ref(x, mask=mask)), atol=1e-5)


def test_one_step_formula():
    """a<1> = tanh(x W + a0 U + b) by hand."""
    cell = BasicRNNCell(UNITS)
    x, _ = _data()
    a0 = np.ones((BATCH, UNITS), "float32") * 0.1
    out, states = cell(x[:, 0], [a0])
    w, u, b = cell.get_weights()
    np.testing.assert_allclose(np.array(out), np.tanh(x[:, 0] @ w + a0 @ u + b), atol=1e-5)
    np.testing.assert_allclose(np.array(states[0]), np.array(out))


def test_dropout_only_in_training():
    x, _ = _data()
    rnn = RNN(BasicRNNCell(UNITS, dropout=0.5, recurrent_dropout=0.5, seed=1))
    ref = keras.layers.RNN(BasicRNNCell(UNITS))
    rnn(x)
    ref(x)
    ref.set_weights(rnn.get_weights())
    np.testing.assert_allclose(np.array(rnn(x, training=False)), np.array(ref(x)), atol=1e-6)
    assert not np.allclose(np.array(rnn(x, training=True)), np.array(ref(x)), atol=1e-3)


def test_layer_contract():
    run_layer_test(
        lambda **kw: keras.layers.RNN(BasicRNNCell(**kw), return_sequences=True),
        {"units": UNITS, "activation": "relu"},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        expected_num_trainable_weights=3,
    )


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"units": 0}, "units=0"),
        ({"units": -3}, "units=-3"),
        ({"units": 2.5}, "units=2.5"),
        ({"units": 4, "activation": "no_such_fn"}, "activation='no_such_fn'"),
        ({"units": 4, "dropout": 1.5}, "dropout=1.5"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        BasicRNNCell(**kwargs)
