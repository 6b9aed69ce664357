"""BahdanauAttention against a numpy oracle of e = v·tanh(W1 s + W2 a + b)."""

import keras
import numpy as np
import pytest

from seqkeras.layers.bahdanau_attention import BahdanauAttention


def _oracle(layer, query, values, mask):
    w1 = layer.query_dense.kernel.numpy()
    w2 = layer.value_dense.kernel.numpy()
    b = layer.value_dense.bias.numpy()
    v = layer.score_dense.kernel.numpy()[:, 0]
    batch, steps, _ = values.shape
    weights = np.zeros((batch, steps))
    contexts = np.zeros((batch, values.shape[-1]))
    for i in range(batch):
        real = [t for t in range(steps) if mask[i, t]]
        e = np.array([v @ np.tanh(query[i] @ w1 + values[i, t] @ w2 + b) for t in real])
        alpha = np.exp(e - e.max()) / np.exp(e - e.max()).sum()
        weights[i, real] = alpha
        contexts[i] = sum(a * values[i, t] for a, t in zip(alpha, real, strict=False))
    return contexts, weights


def test_matches_numpy_oracle_and_masks_padding():
    rng = np.random.default_rng(0)
    query = rng.normal(size=(3, 5)).astype("float32")
    values = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = np.array([[1] * 6, [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], bool)
    layer = BahdanauAttention(7)
    layer(query, values)
    # non-zero bias so the oracle checks it
    layer.value_dense.bias.assign(rng.normal(size=(7,)).astype("float32"))
    context, weights = layer(query, values, values_mask=mask)
    context, weights = np.asarray(context), np.asarray(weights)
    ref_context, ref_weights = _oracle(layer, query, values, mask)
    np.testing.assert_allclose(weights, ref_weights, atol=1e-5)
    np.testing.assert_allclose(context, ref_context, atol=1e-5)
    assert (weights >= 0).all()
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-6)
    assert (weights[~mask] == 0.0).all()  # exactly zero on padding
    np.testing.assert_allclose(weights[2, 0], 1.0)


def test_several_queries_and_projected_values_agree_with_single_calls():
    rng = np.random.default_rng(1)
    queries = rng.normal(size=(2, 3, 5)).astype("float32")
    values = rng.normal(size=(2, 4, 6)).astype("float32")
    layer = BahdanauAttention(8, use_bias=False)
    ctx_all, w_all = layer(queries, values)
    keys = layer.project_values(values)
    for t in range(3):
        ctx, w = layer(queries[:, t], values, projected_values=keys)
        np.testing.assert_allclose(np.asarray(ctx), np.asarray(ctx_all)[:, t], atol=1e-6)
        np.testing.assert_allclose(np.asarray(w), np.asarray(w_all)[:, t], atol=1e-6)


def test_config_round_trip_and_trains():
    layer = BahdanauAttention(4, use_bias=False, name="att")
    clone = BahdanauAttention.from_config(layer.get_config())
    assert clone.units == 4 and clone.use_bias is False and clone.name == "att"
    q = keras.Input((3,))
    v = keras.Input((5, 2))
    ctx, _ = layer(q, v)
    model = keras.Model([q, v], keras.layers.Dense(1)(ctx))
    model.compile("adam", "mse")
    rng = np.random.default_rng(2)
    x = [rng.normal(size=(8, 3)), rng.normal(size=(8, 5, 2))]
    model.fit(x, np.ones((8, 1)), epochs=1, verbose=0)
    assert len(layer.trainable_weights) == 3


@pytest.mark.parametrize("bad", [0, -3, 2.5, "8", True])
def test_rejects_bad_units(bad):
    with pytest.raises(ValueError, match="units"):
        BahdanauAttention(bad)
