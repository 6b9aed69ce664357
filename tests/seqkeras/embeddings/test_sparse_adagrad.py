"""SparseAdagrad equals Keras' Adagrad on an Embedding's sparse gradient (and on dense
weights), while touching only the looked-up rows; RowwiseSparseAdagrad equals row-wise
AdaGrad computed by hand in numpy."""

import keras
import numpy as np
import pytest

from seqkeras.embeddings.sparse_adagrad import RowwiseSparseAdagrad, SparseAdagrad


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


def _rowwise_reference(table, accumulator, lookups, rate, epsilon):
    """Row-wise AdaGrad by hand (numpy): every lookup adds the mean of its squared
    gradient to its row's sum; then each lookup moves its row by rate·g/sqrt(sum + ε)."""
    table, accumulator = table.copy(), accumulator.copy()
    for row, gradient in lookups:
        accumulator[row] += np.mean(gradient**2)
    for row, gradient in lookups:
        table[row] -= rate * gradient / np.sqrt(accumulator[row] + epsilon)
    return table, accumulator


@pytest.mark.parametrize("jit", [False, True])
def test_rowwise_matches_numpy_on_repeated_lookups(jit):
    import tensorflow as tf

    rng = np.random.default_rng(1)
    table = rng.normal(size=(10, 4)).astype(np.float32)
    indices = np.array([3, 1, 3, 7, 3, 1], np.int32)  # row 3 three times, row 1 twice
    steps = [rng.normal(size=(len(indices), 4)).astype(np.float32) for _ in range(3)]
    variable = keras.Variable(table)
    optimizer = RowwiseSparseAdagrad(0.1, initial_accumulator_value=0.2, epsilon=1e-7)
    optimizer.build([variable])

    @tf.function(jit_compile=jit)
    def apply(values):
        optimizer.apply([tf.IndexedSlices(values, tf.constant(indices))], [variable])

    expected, accumulator = table, np.full(10, 0.2, np.float32)
    for values in steps:
        apply(tf.constant(values))
        expected, accumulator = _rowwise_reference(
            expected, accumulator, list(zip(indices, values, strict=True)), 0.1, 1e-7
        )
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), expected, rtol=1e-5, atol=1e-6)
    state = keras.ops.convert_to_numpy(optimizer._accumulators[0])
    assert state.shape == (10,)  # one number per row, not per weight
    np.testing.assert_allclose(state, accumulator, rtol=1e-5)
    untouched = [0, 2, 4, 5, 6, 8, 9]
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(variable)[untouched], table[untouched])


def test_rowwise_dense_gradients_match_numpy():
    rng = np.random.default_rng(2)
    kernel = rng.normal(size=(3, 5)).astype(np.float32)
    bias = rng.normal(size=(5,)).astype(np.float32)
    variables = [keras.Variable(kernel), keras.Variable(bias)]
    optimizer = RowwiseSparseAdagrad(0.05, initial_accumulator_value=0.1, epsilon=1e-7)
    gradients = [
        rng.normal(size=(3, 5)).astype(np.float32),
        rng.normal(size=(5,)).astype(np.float32),
    ]
    optimizer.apply(gradients, variables)
    kernel_sum = 0.1 + np.mean(gradients[0] ** 2, axis=1, keepdims=True)  # per row
    bias_sum = 0.1 + gradients[1] ** 2  # a 1-D weight: each value is a row
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(variables[0]),
        kernel - 0.05 * gradients[0] / np.sqrt(kernel_sum + 1e-7),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(variables[1]),
        bias - 0.05 * gradients[1] / np.sqrt(bias_sum + 1e-7),
        rtol=1e-5,
    )


def test_rowwise_serializes():
    optimizer = RowwiseSparseAdagrad(0.05, initial_accumulator_value=1.0)
    back = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert isinstance(back, RowwiseSparseAdagrad) and back.initial_accumulator_value == 1.0
