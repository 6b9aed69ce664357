"""Sampling search (frequencies vs the softmax, seeds, top-k) and the decoder registry."""

import numpy as np
import pytest
from keras import ops

from seqkeras.decoding import (
    beam_search,
    get_decoder,
    greedy_search,
    list_decoders,
    register_decoder,
    sample_search,
)

END = 0
PROBS = np.array([0.1, 0.4, 0.3, 0.15, 0.05])


def _one_step_next_fn(tokens, state):
    logits = ops.broadcast_to(np.log(PROBS).astype("float32"), (ops.shape(tokens)[0], 5))
    return logits, state


def _first_token_frequencies(n, **kwargs):
    state = {"h": np.zeros((n, 1), "float32")}
    r = sample_search(_one_step_next_fn, state, 1, END, max_length=1, **kwargs)
    first = np.asarray(ops.convert_to_numpy(r.tokens))[:, 0]
    return np.bincount(first, minlength=5) / n


@pytest.mark.parametrize(
    "kwargs,expected",
    [({}, PROBS),
     ({"temperature": 0.5}, PROBS**2 / np.sum(PROBS**2)),
     ({"top_k": 2}, np.array([0, 0.4, 0.3, 0, 0]) / 0.7)],
)
def test_sample_frequencies_follow_the_tempered_truncated_softmax(kwargs, expected):
    n = 20000
    freq = _first_token_frequencies(n, seed=3, **kwargs)
    sigma = np.sqrt(expected * (1 - expected) / n)
    assert np.all(np.abs(freq - expected) <= 5 * sigma + 1e-12), (freq, expected)


def test_seed_reproducible_and_top_k_one_is_greedy():
    rng = np.random.default_rng(0)
    table = np.log(rng.dirichlet(np.ones(6), size=6)).astype("float32")

    def next_fn(tokens, state):
        return ops.take(table, tokens, axis=0), state

    state = {"h": np.zeros((8, 1), "float32")}
    a = sample_search(next_fn, state, 1, END, max_length=7, seed=42)
    b = sample_search(next_fn, state, 1, END, max_length=7, seed=42)
    np.testing.assert_array_equal(np.asarray(a.tokens), np.asarray(b.tokens))
    # The scores are Σ log P of the sampled tokens under the model.
    for seq, score in zip(a.to_lists(include_end=True), np.asarray(a.scores), strict=True):
        prev, total = 1, 0.0
        for v in seq:
            total += table[prev, v] - np.log(np.exp(table[prev]).sum())
            prev = v
        assert score == pytest.approx(total, abs=1e-4)
    top1 = sample_search(next_fn, state, 1, END, max_length=7, seed=5, top_k=1)
    greedy = greedy_search(next_fn, state, 1, END, max_length=7)
    np.testing.assert_array_equal(np.asarray(top1.tokens), np.asarray(greedy.tokens))


@pytest.mark.parametrize("kwargs,match", [({"temperature": 0.0}, "temperature"),
                                          ({"top_k": 0}, "top_k"), ({"seed": "x"}, "seed")])
def test_sampling_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample_search(_one_step_next_fn, {"h": np.zeros((1, 1))}, 1, END, max_length=3, **kwargs)


def test_registry_names_and_errors():
    assert {"greedy", "beam", "sample"} <= set(list_decoders())
    assert get_decoder("beam") is beam_search
    assert get_decoder("greedy") is greedy_search
    assert get_decoder("sample") is sample_search
    with pytest.raises(ValueError, match="unknown decoder 'viterbi'.*beam"):
        get_decoder("viterbi")
    with pytest.raises(ValueError, match="already registered"):
        register_decoder("beam", greedy_search)
