"""gru_weights_to_keras / gru_weights_from_keras: exact block negation and shape errors."""

import numpy as np
import pytest

from seqkeras.layers import gru_weights_from_keras, gru_weights_to_keras

pytestmark = pytest.mark.backend_agnostic

UNITS, FEATURES = 3, 2


def _weights(bias_shape):
    rng = np.random.default_rng(0)
    return [
        rng.standard_normal((FEATURES, 3 * UNITS)),
        rng.standard_normal((UNITS, 3 * UNITS)),
        rng.standard_normal(bias_shape),
    ]


@pytest.mark.parametrize("bias_shape", [(3 * UNITS,), (2, 3 * UNITS)])
def test_negates_update_block_only(bias_shape):
    weights = _weights(bias_shape)
    converted = gru_weights_to_keras(weights)
    for original, new in zip(weights, converted, strict=True):
        np.testing.assert_array_equal(new[..., :UNITS], -original[..., :UNITS])
        np.testing.assert_array_equal(new[..., UNITS:], original[..., UNITS:])


def test_round_trip_and_inputs_untouched():
    weights = _weights((2, 3 * UNITS))
    copies = [w.copy() for w in weights]
    back = gru_weights_from_keras(gru_weights_to_keras(weights))
    for original, copy, new in zip(weights, copies, back, strict=True):
        np.testing.assert_array_equal(original, copy)
        np.testing.assert_array_equal(new, original)


def test_without_bias():
    weights = _weights((3 * UNITS,))[:2]
    assert len(gru_weights_to_keras(weights)) == 2


def test_simplified_gru_weights_are_rejected():
    weights = [np.zeros((FEATURES, 2 * UNITS)), np.zeros((UNITS, 2 * UNITS)), np.zeros(6)]
    with pytest.raises(ValueError, match="simplified GRU"):
        gru_weights_to_keras(weights)


def test_wrong_count_and_bias_shape():
    with pytest.raises(ValueError, match="received 1 arrays"):
        gru_weights_from_keras([np.zeros((2, 9))])
    weights = _weights((4,))
    with pytest.raises(ValueError, match=r"received \(4,\)"):
        gru_weights_to_keras(weights)
