"""Two-stage top-k and one-pass log-probabilities against full numpy / keras references."""

import keras
import numpy as np
import pytest
from keras import ops

from seqkeras.decoding.beam_search import beam_candidates
from seqkeras.decoding.result import NEG_INF, run_compiled
from seqkeras.decoding.top_k import chunk_size_for, row_top_k, top_log_probs


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _full_top_k(x, k):
    """Reference: a stable sort of each whole row (ties: lowest index first)."""
    index = np.argsort(-x, axis=-1, kind="stable")[:, :k]
    return np.take_along_axis(x, index, axis=-1), index


def _logits(rng, rows, vocab, kind):
    if kind == "normal":
        return (rng.normal(size=(rows, vocab)) * 3).astype("float32")
    if kind == "ties":  # few distinct values: many exact ties
        return rng.integers(-3, 3, size=(rows, vocab)).astype("float32")
    x = rng.normal(size=(rows, vocab)).astype("float32")  # masked tokens
    x[rng.random(size=x.shape) < 0.9] = -np.inf
    return x


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("kind", ["normal", "ties", "masked"])
def test_two_stage_row_top_k_equals_a_full_sort(kind):
    rng = np.random.default_rng({"normal": 0, "ties": 1, "masked": 2}[kind])
    for _ in range(12):
        vocab = int(rng.choice([1024, 1500, 2048, 3001, 8000]))
        k = int(rng.integers(2, 17))
        chunk = int(rng.choice([8, 16, 32, 64]))
        if -(-vocab // chunk) < k:
            continue
        x = _logits(rng, 5, vocab, kind)
        values, index = row_top_k(ops.convert_to_tensor(x), k, chunk=chunk)
        ref_values, ref_index = _full_top_k(x, k)
        np.testing.assert_array_equal(_np(index), ref_index)
        np.testing.assert_array_equal(_np(values), ref_values)


def test_chunking_is_used_only_where_it_pays():
    assert chunk_size_for(8000, 10) == 32
    assert chunk_size_for(8000, 1) is None  # top-1 is a single max pass already
    assert chunk_size_for(500, 3) is None  # small vocabulary
    assert chunk_size_for(None, 3) is None  # unknown vocabulary
    assert chunk_size_for(1024, 40) is None  # too few chunks per wanted element
    with pytest.raises(ValueError, match="fewer than k"):
        row_top_k(ops.zeros((2, 64)), 5, chunk=16)


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("vocab,k", [(7, 1), (7, 7), (50, 4), (3000, 10), (8000, 3)])
def test_top_log_probs_equal_log_softmax_then_top_k(vocab, k):
    rng = np.random.default_rng(vocab + k)
    x = (rng.normal(size=(6, vocab)) * 4).astype("float32")
    log_probs, tokens = top_log_probs(ops.convert_to_tensor(x), k)
    # float64 reference; near-equal values may swap places, so compare the values
    # and check that every returned token carries its own log-probability.
    x64 = x.astype("float64")
    reference = x64 - x64.max(-1, keepdims=True)
    reference -= np.log(np.exp(reference).sum(-1, keepdims=True))
    ref_values, _ = _full_top_k(reference, k)
    np.testing.assert_allclose(_np(log_probs), ref_values, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        np.take_along_axis(reference, _np(tokens), axis=-1), _np(log_probs),
        rtol=1e-6, atol=1e-6,
    )


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("vocab,k", [(5, 2), (5, 5), (2000, 6)])
def test_top_log_probs_forbids_the_end_token(vocab, k):
    end = 3
    x = np.zeros((2, vocab), "float32")
    x[:, end] = 5.0  # the end token is by far the most likely
    x[1, :] = np.linspace(0, 1, vocab)  # row 1: distinct values
    x[1, end] = 9.0
    for forbid in (False, True):
        log_probs, tokens = top_log_probs(
            ops.convert_to_tensor(x), k, end_token=end,
            forbid_end=ops.convert_to_tensor(forbid),
        )
        log_probs, tokens = _np(log_probs), _np(tokens)
        reference = x - x.max(-1, keepdims=True)
        reference = reference - np.log(np.exp(reference).sum(-1, keepdims=True))
        if forbid:
            reference[:, end] = NEG_INF
        ref_values, ref_tokens = _full_top_k(reference, k)
        np.testing.assert_array_equal(tokens, ref_tokens)
        np.testing.assert_allclose(log_probs, ref_values, rtol=1e-5)
        assert (end in tokens[0]) == (not forbid or k == vocab)


def _full_beam_step(logits, scores, finished, end):
    """Reference beam step: full log-softmax, finished rows frozen, one top-k over B * V."""
    batch, width = scores.shape
    vocab = logits.shape[-1]
    log_probs = _np(ops.maximum(ops.log_softmax(ops.convert_to_tensor(logits), axis=-1),
                                NEG_INF)).reshape(batch, width, vocab)
    frozen = np.where(np.arange(vocab) == end, 0.0, NEG_INF).astype("float32")
    log_probs = np.where(finished[:, :, None], frozen, log_probs)
    candidates = (scores[:, :, None] + log_probs).reshape(batch, width * vocab)
    values, flat = _full_top_k(candidates, width)
    return values, flat // vocab, flat % vocab


@pytest.mark.backend_agnostic
def test_two_stage_beam_step_returns_the_beams_of_a_full_top_k():
    # Many seeds, B up to 16, vocabularies below and above the chunked threshold,
    # some beams finished, some exact ties.
    end = 1
    # Every new shape is a new XLA compile under JAX (~1 s): fewer seeds there.
    seeds = 40 if keras.backend.backend() == "tensorflow" else 12
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        width = int(rng.integers(1, 17))
        vocab = int(rng.choice([2, 5, 40, 1200, 4000]))
        batch = int(rng.integers(1, 4))
        logits = (rng.normal(size=(batch * width, vocab)) * 2).astype("float32")
        if seed % 3 == 0:
            logits = np.round(logits)  # ties inside rows
            logits[::2] = logits[0]  # and identical rows
        scores = (rng.normal(size=(batch, width)) * 3 - 5).astype("float32")
        if seed % 4 == 1:
            scores[:, 1:] = NEG_INF  # the first step: only beam 0 is live
        finished = rng.random(size=(batch, width)) < 0.3
        # One compiled program per shape (JAX would otherwise compile op by op).
        top_scores, parent, token = run_compiled(
            lambda x, s, f: beam_candidates(x, s, f, end), logits, scores, finished
        )
        ref_scores, ref_parent, ref_token = _full_beam_step(logits, scores, finished, end)
        top_scores, parent, token = _np(top_scores), _np(parent), _np(token)
        np.testing.assert_allclose(top_scores, ref_scores, rtol=1e-6, err_msg=f"seed {seed}")
        # Only real hypotheses are compared token by token: candidates of score
        # ~NEG_INF (fewer than B possible) never reach a result.
        real = ref_scores > NEG_INF / 2
        np.testing.assert_array_equal(parent[real], ref_parent[real], err_msg=f"seed {seed}")
        ref_token = np.where(np.take_along_axis(finished, ref_parent, 1), end, ref_token)
        np.testing.assert_array_equal(token[real], ref_token[real], err_msg=f"seed {seed}")


@pytest.mark.backend_agnostic
def test_a_higher_logit_wins_even_when_float32_log_probs_round_to_a_tie():
    # Token 5 is more probable than every other token by exp(1e-7); in float32 its
    # log-probability rounds to theirs (log V ~ 9, one ulp ~ 1e-6). The searches
    # rank by the logits, so token 5 wins; among the exact ties the lowest id.
    from seqkeras.decoding import beam_search, greedy_search

    vocab, end = 8000, 7999
    row = np.zeros(vocab, "float32")
    row[5] = 1e-7
    table = np.stack([row, row])

    def next_fn(tokens, state):
        return ops.take(table, ops.zeros_like(tokens), axis=0), state

    state = {"h": np.zeros((1, 1), "float32")}
    greedy = greedy_search(next_fn, state, 1, end, max_length=2)
    assert greedy.to_lists() == [[5, 5]]
    beam = beam_search(next_fn, state, 1, end, beam_width=2, max_length=1, num_return=2)
    assert beam.to_lists() == [[[5], [0]]]
    np.testing.assert_allclose(_np(beam.scores)[0], -np.log(vocab), rtol=1e-6)
