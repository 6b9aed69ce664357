"""Beam search against a known-probability model and a brute-force oracle."""

import math

import numpy as np
import pytest
from keras import ops

from seqkeras.decoding import beam_search, greedy_search, score_sequences

END = 0  # token 0 ends a hypothesis in every test here


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.backend_agnostic
def test_beam_finds_the_argmax_sequence_where_greedy_fails(prefix_model, enumerate_best):
    # P(a)=0.6, P(b)=0.4; after "a" the next token is nearly uniform, after "b"
    # the end is almost certain: P(a,</s>) = 0.21 < P(b,</s>) = 0.36.
    model = prefix_model(
        {(): [0.0, 0.6, 0.4], (1,): [0.35, 0.33, 0.32], (2,): [0.9, 0.05, 0.05]},
        vocab=3, max_length=4, default=[0.8, 0.1, 0.1],
    )
    greedy = greedy_search(model.next_fn, model.initial_state(), 1, END, max_length=4)
    beam = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=2,
                       max_length=4, alpha=0.0)
    assert greedy.to_lists(include_end=True)[0] == [1, 0]
    assert beam.to_lists(include_end=True)[0][0] == [2, 0]
    expected, _ = enumerate_best(model, END, 4, alpha=0.0)
    assert expected == [2, 0]
    np.testing.assert_allclose(_np(beam.scores)[0, 0], math.log(0.4 * 0.9), rtol=1e-6)
    np.testing.assert_allclose(_np(greedy.scores)[0], math.log(0.6 * 0.35), rtol=1e-6)


def _bigram_next_fn(tables):
    """Per-example, per-position bigram model: logits = tables[example, t, last token].

    ``tables``: (batch, max_length, V, V); position dependence avoids exact ties
    between reorderings of the same tokens.
    """
    tables = np.asarray(tables, "float32")
    steps, vocab = tables.shape[1], tables.shape[-1]

    def next_fn(tokens, state):
        index = (state["example"] * steps + state["t"]) * vocab + tokens
        logits = ops.take(np.reshape(tables, (-1, vocab)), index, axis=0)
        new_state = {"example": state["example"], "t": state["t"] + 1}
        return logits, new_state, ops.one_hot(tokens, vocab)

    return next_fn


def _state(batch):
    return {"example": np.arange(batch, dtype="int32"), "t": np.zeros((batch,), "int32")}


@pytest.mark.parametrize(
    "min_length,alpha",
    [pytest.param(0, 0.7, marks=pytest.mark.backend_agnostic), (2, 0.0), (0, 1.0)],
)
def test_width_one_equals_greedy(min_length, alpha):
    rng = np.random.default_rng(7 + min_length)
    batch, vocab = 5, 6
    tables = np.log(rng.dirichlet(np.full(vocab, 0.5), size=(batch, 8, vocab)))
    next_fn = _bigram_next_fn(tables)
    state = _state(batch)
    start = np.array([1, 2, 3, 4, 5], "int32")
    greedy = greedy_search(next_fn, state, start, END, max_length=8, min_length=min_length)
    beam = beam_search(next_fn, state, start, END, beam_width=1, max_length=8,
                       alpha=alpha, min_length=min_length)
    np.testing.assert_array_equal(_np(beam.tokens)[:, 0], _np(greedy.tokens))
    np.testing.assert_array_equal(_np(beam.lengths)[:, 0], _np(greedy.lengths))
    np.testing.assert_array_equal(_np(beam.finished)[:, 0], _np(greedy.finished))
    np.testing.assert_allclose(_np(beam.scores)[:, 0], _np(greedy.scores), rtol=1e-6)
    np.testing.assert_allclose(_np(beam.aux)[:, 0], _np(greedy.aux))


@pytest.mark.parametrize(
    "alpha,penalty", [(0.0, "course"), (0.7, "course"), (1.0, "course"), (0.7, "gnmt"),
                      (0.7, None)]
)
def test_exhaustive_beam_equals_brute_force(prefix_model, enumerate_best, alpha, penalty):
    # B = 27 >= every candidate that can exist with V=3, max_length=4, so the beam is
    # an exact search and must return the brute-force argmax of the objective.
    rng = np.random.default_rng(3)
    probs = {p: rng.dirichlet(np.ones(3)) for p in [(), (1,), (2,), (1, 1), (1, 2), (2, 1),
                                                   (2, 2)]}
    model = prefix_model(probs, vocab=3, max_length=4, default=[0.2, 0.5, 0.3])
    result = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=27,
                         max_length=4, alpha=alpha, length_penalty=penalty)
    expected, objective = enumerate_best(model, END, 4, alpha=alpha, penalty=penalty)
    assert result.to_lists(include_end=True)[0][0] == expected
    np.testing.assert_allclose(_np(result.normalized_scores)[0, 0], objective, rtol=1e-5)


def test_length_normalization_changes_the_winner_as_the_formula_says(prefix_model):
    # "</s>" right away: P = 0.3; "a a </s>": P = 0.7 * 0.6 * 0.6 = 0.252.
    model = prefix_model(
        {(): [0.3, 0.7, 0.0], (1,): [0.0, 0.6, 0.4], (1, 1): [0.6, 0.2, 0.2],
         (1, 2): [0.5, 0.25, 0.25]},
        vocab=3, max_length=3, default=[0.9, 0.05, 0.05],
    )
    short, long_ = math.log(0.3), math.log(0.7 * 0.6 * 0.6)
    # By hand: alpha=0 compares -1.204 with -1.378 -> short wins;
    # alpha=1 compares -1.204/1 with -1.378/3 = -0.459 -> long wins.
    assert short > long_ and long_ / 3 > short / 1
    runs = {}
    for alpha in (0.0, 1.0):
        r = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=3,
                        max_length=3, alpha=alpha, num_return=2)
        runs[alpha] = r
    assert runs[0.0].to_lists(include_end=True)[0][0] == [0]
    assert runs[1.0].to_lists(include_end=True)[0][0] == [1, 1, 0]
    np.testing.assert_allclose(_np(runs[1.0].normalized_scores)[0, 0], long_ / 3, rtol=1e-6)
    np.testing.assert_allclose(_np(runs[0.0].normalized_scores)[0, 0], short, rtol=1e-6)
    # gnmt penalty at alpha=1: ((5+1)/6)=1 vs ((5+3)/6)=4/3 -> -1.204 vs -1.034: long wins.
    r = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=3,
                    max_length=3, alpha=1.0, length_penalty="gnmt")
    assert r.to_lists(include_end=True)[0][0] == [1, 1, 0]
    np.testing.assert_allclose(_np(r.normalized_scores)[0, 0], long_ / (8 / 6), rtol=1e-6)


def test_finished_hypotheses_stop_growing(prefix_model):
    rng = np.random.default_rng(11)
    probs = {(): [0.5, 0.3, 0.2]}
    model = prefix_model(probs, vocab=3, max_length=6, default=[0.3, 0.4, 0.3])
    r = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=4,
                    max_length=6, alpha=0.7, num_return=4)
    del rng
    hyps = r.to_lists(include_end=True)[0]
    tokens, lengths = _np(r.tokens)[0], _np(r.lengths)[0]
    scores, norm = _np(r.scores)[0], _np(r.normalized_scores)[0]
    finished = _np(r.finished)[0]
    assert hyps[0] == [0]  # the 1-token hypothesis survives as the best
    for k, seq in enumerate(hyps):
        # The score is exactly Σ log P of the tokens up to and including </s>.
        np.testing.assert_allclose(scores[k], model.log_prob(seq), rtol=1e-5)
        np.testing.assert_allclose(norm[k], model.log_prob(seq) / len(seq) ** 0.7, rtol=1e-5)
        if finished[k]:
            assert seq[-1] == END and END not in seq[:-1]
            assert (tokens[k, lengths[k]:] == END).all()  # padded, not extended
    assert (np.diff(norm) <= 1e-7).all()  # best first


@pytest.mark.backend_agnostic
def test_aux_follows_the_returned_hypotheses(prefix_model):
    model = prefix_model({(): [0.1, 0.5, 0.4]}, vocab=3, max_length=4,
                         default=[0.3, 0.4, 0.3])
    r = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=3,
                    max_length=4, num_return=3)
    aux = _np(r.aux)[0, :, :, 0]
    for k, seq in enumerate(r.to_lists(include_end=True)[0]):
        expected = [model.prefix_id(seq[:t]) for t in range(len(seq))]
        np.testing.assert_array_equal(aux[k, : len(seq)], expected)
        assert (aux[k, len(seq):] == 0).all()


def test_min_length_is_respected(prefix_model, enumerate_best):
    model = prefix_model({}, vocab=3, max_length=4, default=[0.6, 0.25, 0.15])
    r = beam_search(model.next_fn, model.initial_state(), 1, END, beam_width=9,
                    max_length=4, alpha=0.0, min_length=2, num_return=3)
    lengths, finished = _np(r.lengths)[0], _np(r.finished)[0]
    assert finished.all() and (lengths >= 3).all()
    expected, _ = enumerate_best(model, END, 4, alpha=0.0, min_length=2)
    assert r.to_lists(include_end=True)[0][0] == expected == [1, 1, 0]


def test_batched_examples_are_independent():
    rng = np.random.default_rng(5)
    batch, vocab = 4, 5
    tables = np.log(rng.dirichlet(np.ones(vocab), size=(batch, 6, vocab)))
    next_fn = _bigram_next_fn(tables)
    start = np.array([1, 2, 3, 4], "int32")
    together = beam_search(next_fn, _state(batch), start, END,
                           beam_width=3, max_length=6, num_return=2)
    for b in range(batch):
        alone = beam_search(_bigram_next_fn(tables[b:b + 1]),
                            _state(1), start[b:b + 1], END,
                            beam_width=3, max_length=6, num_return=2)
        assert together.to_lists()[b] == alone.to_lists()[0]
        np.testing.assert_allclose(_np(together.scores)[b], _np(alone.scores)[0], rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs,match",
    [({"beam_width": 0}, "beam_width"), ({"num_return": 4}, "num_return"),
     ({"alpha": -1.0}, "alpha"), ({"length_penalty": "wu"}, "length_penalty"),
     ({"max_length": 0}, "max_length"), ({"min_length": 5}, "min_length")],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    args = {"beam_width": 3, "max_length": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        beam_search(_bigram_next_fn(np.zeros((1, 5, 3, 3))), _state(1), 1, END, **args)


def test_next_fn_with_a_wrong_return_value_gets_a_clear_error():
    with pytest.raises(ValueError, match="next_fn"):
        beam_search(lambda t, s: ops.zeros((3, 4)), {"h": np.zeros((1, 1))}, 1, END,
                    beam_width=3, max_length=5)


@pytest.mark.parametrize(
    "state,next_fn,match",
    [({"h": np.zeros((2, 3)), "c": np.zeros((3, 3))}, None, "different batch sizes"),
     ({"h": np.float32(0.0)}, None, "leading batch axis"),
     ({"h": np.zeros((2, 3))}, lambda t, s: (ops.zeros((2, 4)), s), "batch \\* beam_width")],
)
def test_bad_state_or_logits_shape_gets_a_clear_error(state, next_fn, match):
    fn = next_fn or (lambda t, s: (ops.zeros((ops.shape(t)[0], 4)), s))
    with pytest.raises(ValueError, match=match):
        beam_search(fn, state, 1, END, beam_width=3, max_length=5)


def _attention_next_fn(copy_memory):
    """A GRU-like step attending over a per-example memory kept in the state.

    ``copy_memory=True`` returns the memory as a new tensor (so the search must
    reorder it by parent beam); ``False`` hands back the tensor it got.
    """
    rng = np.random.default_rng(4)
    vocab, units = 11, 6
    emb = rng.normal(size=(vocab, units)).astype("float32")
    w = (rng.normal(size=(units, units)) * 0.5).astype("float32")
    out = (rng.normal(size=(units, vocab)) * 2).astype("float32")

    def next_fn(tokens, state):
        memory = state["memory"]
        weights = ops.softmax(ops.einsum("nu,ntu->nt", state["h"], memory), axis=-1)
        context = ops.einsum("nt,ntu->nu", weights, memory)
        h = ops.tanh(ops.take(emb, tokens, axis=0) + ops.matmul(state["h"], w) + context)
        memory = memory * 1.0 if copy_memory else memory
        return ops.matmul(h, out), {"h": h, "memory": memory}, weights

    return next_fn


def test_a_state_leaf_passed_through_unchanged_needs_no_reordering():
    # The search skips reordering leaves next_fn returns as it got them (an
    # encoder output). Teacher forcing each returned hypothesis through the same
    # model (an independent path) must give its score, with or without the skip.
    rng = np.random.default_rng(8)
    state = {"h": rng.normal(size=(3, 6)).astype("float32"),
             "memory": rng.normal(size=(3, 5, 6)).astype("float32")}
    runs = [beam_search(_attention_next_fn(copy), state, 1, END, beam_width=4, max_length=7,
                        num_return=3) for copy in (True, False)]
    for field in ("tokens", "lengths", "finished", "scores", "aux"):
        np.testing.assert_array_equal(_np(getattr(runs[0], field)), _np(getattr(runs[1], field)))
    hypotheses = runs[1].to_lists(include_end=True)  # (end token included if any)
    assert len({tuple(h[0]) for h in hypotheses}) > 1  # examples differ
    for k in range(3):
        targets = [h[k] for h in hypotheses]
        totals, _, _ = score_sequences(_attention_next_fn(True), state, 1, END, targets,
                                       append_end=False)
        np.testing.assert_allclose(totals, _np(runs[1].scores)[:, k], rtol=1e-5)


def test_seq2seq_memory_mask_and_keys_are_not_reordered():
    # The serving SavedModel runs this search on Seq2Seq.next_fn: its encoder
    # memory, attention keys and source mask stay in place, only the decoder
    # states follow the beams.
    import keras

    from seqkeras.decoding.beam_search import _moving_leaves
    from seqkeras.models import Seq2Seq

    model = Seq2Seq(12, 9, units=8, attention="bahdanau")
    state = model.encode(np.array([[4, 5, 6, 0], [7, 8, 0, 0]], "int32"))
    _, new_state, _ = model.next_fn(np.array([2, 2], "int32"), state)
    names = [path[0] for path, _ in keras.tree.flatten_with_path(state)]
    moving = _moving_leaves(state, new_state, [False] * len(names))
    assert {name for name, move in zip(names, moving, strict=True) if move} == {"states"}
    assert {"keys", "mask", "memory"} <= set(names)
