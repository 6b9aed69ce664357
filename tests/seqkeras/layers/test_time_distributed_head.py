"""TimeDistributedHead: per-step dense stack against numpy, step independence, errors."""

import keras
import numpy as np
import pytest

from seqkeras.layers import Recurrent, TimeDistributedHead
from seqkeras.testing import run_layer_test

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES = 2, 4, 3


def _data(seed=0):
    return np.random.default_rng(seed).standard_normal((BATCH, STEPS, FEATURES)).astype("float32")


def test_matches_numpy_dense_stack():
    x = _data()
    head = TimeDistributedHead([6, 5, 2], activation="tanh", output_activation="softmax")
    head(x)
    rng = np.random.default_rng(1)
    head.set_weights([rng.standard_normal(w.shape).astype("float32") for w in head.get_weights()])
    w1, b1, w2, b2, w3, b3 = head.get_weights()
    hidden = np.tanh(np.tanh(x @ w1 + b1) @ w2 + b2)
    logits = hidden @ w3 + b3
    expected = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    np.testing.assert_allclose(np.array(head(x)), expected, atol=1e-5)


def test_no_horizontal_connections():
    """Changing the input at one step changes the output at that step only."""
    x = _data()
    head = TimeDistributedHead([4, 3])
    before = np.array(head(x))
    x[:, 2] += 5.0
    after = np.array(head(x))
    changed = ~np.isclose(before, after).all(axis=(0, 2))
    assert changed.tolist() == [False, False, True, False]


def test_mask_passes_through():
    head = TimeDistributedHead([3])
    mask = np.array([[True, True, False, False]] * BATCH)
    np.testing.assert_array_equal(head.compute_mask(_data(), mask), mask)


def test_deep_rnn_with_head_in_a_model():
    inputs = keras.Input((None, FEATURES))
    seq = Recurrent("gru", 8, depth=2, return_sequences=True)(inputs)
    outputs = TimeDistributedHead([16, 5], output_activation="softmax")(seq)
    model = keras.Model(inputs, outputs)
    probs = np.array(model(_data()))
    assert probs.shape == (BATCH, STEPS, 5)
    np.testing.assert_allclose(probs.sum(-1), 1.0, atol=1e-5)


def test_layer_contract():
    run_layer_test(
        TimeDistributedHead,
        {"units_list": [5, 2], "dropout": 0.1, "output_activation": "sigmoid"},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, 2),
        expected_num_trainable_weights=4,
    )


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"units_list": []}, r"units_list=\[\]"),
        ({"units_list": 5}, "units_list=5"),
        ({"units_list": [4, 0]}, "units_list=0"),
        ({"units_list": [4], "activation": "zzz"}, "activation='zzz'"),
        ({"units_list": [4], "output_activation": "zzz"}, "output_activation='zzz'"),
        ({"units_list": [4], "dropout": 2}, "dropout=2"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        TimeDistributedHead(**kwargs)


def test_rank_two_input_is_rejected():
    with pytest.raises(ValueError, match=r"`sequences` must have rank 3.*\(2, 3\)"):
        TimeDistributedHead([4])(np.zeros((2, 3), "float32"))
