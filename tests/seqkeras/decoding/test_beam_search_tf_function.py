"""Beam and greedy search compile inside tf.function and agree with eager runs."""

import numpy as np
import tensorflow as tf
from keras import ops

from seqkeras.decoding import beam_search, greedy_search

END = 0


def _gru_like_next_fn(vocab=7, units=5, seed=0):
    rng = np.random.default_rng(seed)
    emb = rng.normal(size=(vocab + 1, units)).astype("float32")
    w = rng.normal(size=(units, units)).astype("float32") * 0.5
    out = rng.normal(size=(units, vocab)).astype("float32")

    def next_fn(tokens, state):
        h = ops.tanh(ops.take(emb, tokens, axis=0) + ops.matmul(state["h"], w))
        return ops.matmul(h, out), {"h": h, "nested": [state["nested"][0] + 1.0]}, h

    return next_fn


def test_beam_search_runs_inside_tf_function_with_unknown_batch():
    next_fn = _gru_like_next_fn()
    state = {"h": np.random.default_rng(1).normal(size=(3, 5)).astype("float32"),
             "nested": [np.zeros((3, 2), "float32")]}

    @tf.function(input_signature=[{"h": tf.TensorSpec([None, 5], tf.float32),
                                   "nested": [tf.TensorSpec([None, 2], tf.float32)]}])
    def decode(s):
        r = beam_search(next_fn, s, 7, END, beam_width=4, max_length=9, num_return=2)
        return r.tokens, r.scores, r.lengths, r.aux

    graph = decode(state)
    eager = beam_search(next_fn, state, 7, END, beam_width=4, max_length=9, num_return=2)
    np.testing.assert_array_equal(graph[0].numpy(), np.asarray(eager.tokens))
    np.testing.assert_allclose(graph[1].numpy(), np.asarray(eager.scores), rtol=1e-5)
    np.testing.assert_array_equal(graph[2].numpy(), np.asarray(eager.lengths))
    np.testing.assert_allclose(graph[3].numpy(), np.asarray(eager.aux), atol=1e-6)
    assert graph[3].shape == (3, 2, 9, 5)


def test_greedy_search_runs_inside_tf_function():
    next_fn = _gru_like_next_fn(seed=2)
    state = {"h": np.ones((2, 5), "float32"), "nested": [np.zeros((2, 1), "float32")]}
    graph = tf.function(lambda s: greedy_search(next_fn, s, 7, END, max_length=6).tokens)(state)
    eager = greedy_search(next_fn, state, 7, END, max_length=6).tokens
    np.testing.assert_array_equal(graph.numpy(), np.asarray(eager))
