"""SparseAdagrad equals Keras' Adagrad on an Embedding's sparse gradient (and on dense
weights), while touching only the looked-up rows."""

import keras
import numpy as np
import pytest

from seqkeras.embeddings.sparse_adagrad import SparseAdagrad


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((3,), dtype="int32"),
            keras.layers.Embedding(12, 4),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )


@pytest.mark.parametrize("jit", [False, True])
def test_matches_keras_adagrad(jit):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 6, (32, 3))  # repeated rows in every batch; rows 6..11 never used
    y = rng.normal(size=(32, 1))
    weights = []
    for optimizer in (keras.optimizers.Adagrad(0.1), SparseAdagrad(0.1)):
        model = _model()
        model.compile(optimizer, "mse", jit_compile=jit)
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for reference, ours in zip(*weights, strict=True):
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)
    start = _model().get_weights()[0]
    np.testing.assert_array_equal(weights[1][0][6:], start[6:])  # untouched rows stay
    assert not np.allclose(weights[1][0][:6], start[:6])


def test_serializes():
    optimizer = SparseAdagrad(0.05, initial_accumulator_value=1.0)
    back = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(back, SparseAdagrad) and back.initial_accumulator_value == 1.0
