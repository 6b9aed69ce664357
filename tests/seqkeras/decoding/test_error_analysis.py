"""Beam-search error analysis on models where the culprit is known by construction."""

import math

import numpy as np
import pytest

from seqkeras.decoding import beam_error_analysis, beam_search, score_sequences, search_fns

END = 0


def _model(prefix_model):
    # P(a </s>) = 0.6 * 0.35 = 0.21 ; P(b </s>) = 0.4 * 0.9 = 0.36 ;
    # P(a b </s>) = 0.6 * 0.32 * 0.8 = 0.1536. Greedy (B=1) outputs "a"; B=2 outputs "b".
    return prefix_model(
        {(): [0.0, 0.6, 0.4], (1,): [0.35, 0.33, 0.32], (2,): [0.9, 0.05, 0.05]},
        vocab=3, max_length=4, default=[0.8, 0.1, 0.1],
    )


def _fns(model):
    def make_search(sources):
        n = len(sources)
        return model.next_fn, {"id": np.zeros((n,), "int32"), "t": np.zeros((n,), "int32")}

    return search_fns(make_search, start_token=1, end_token=END, max_length=4)


def test_search_error_is_attributed_to_beam(prefix_model):
    model = _model(prefix_model)
    score_fn, decode_fn = _fns(model)
    # Reference "b": the model prefers it (0.36 > 0.21) but beam width 1 finds "a".
    report = beam_error_analysis(score_fn, decode_fn, [("x0", [2]), ("x1", [2])],
                                 beam_width=1, alpha=0.7)
    assert report.num_examples == 2 and report.num_errors == 2
    row = report.rows[0]
    assert row.hypothesis == [1] and row.attribution == "B"
    assert row.objective_reference == pytest.approx(math.log(0.36) / 2**0.7, rel=1e-5)
    assert row.objective_hypothesis == pytest.approx(math.log(0.21) / 2**0.7, rel=1e-5)
    assert report.fraction_search == 1.0 and report.fraction_model == 0.0
    assert "increase the beam width" in report.advice
    assert "B (search): 100.0%" in report.format_table()


def test_model_error_is_attributed_to_the_model(prefix_model):
    model = _model(prefix_model)
    score_fn, decode_fn = _fns(model)
    # Reference "a b": P = 0.1536 < P("b") = 0.36, which beam 2 returns: the model is wrong.
    data = [("x0", [1, 2]), ("x1", [2]), ("x2", [1, 2])]
    report = beam_error_analysis(score_fn, decode_fn, data, beam_width=2, alpha=0.0,
                                 batch_size=2)
    assert report.num_examples == 3 and report.num_errors == 2  # "x1" is decoded correctly
    assert [r.index for r in report.rows] == [0, 2]
    for row in report.rows:
        assert row.hypothesis == [2] and row.attribution == "R"
        assert row.log_prob_reference == pytest.approx(math.log(0.6 * 0.32 * 0.8), rel=1e-5)
        assert row.log_prob_hypothesis == pytest.approx(math.log(0.36), rel=1e-5)
    assert report.fraction_model == 1.0
    assert "improve the model" in report.advice


def test_normalization_can_flip_the_attribution(prefix_model):
    # With alpha = 1 the objective of a 3-token y* can beat a 2-token ŷ of higher P.
    model = prefix_model({(): [0.5, 0.3, 0.2], (1,): [0.0, 0.9, 0.1], (1, 1): [0.9, 0.05, 0.05]},
                         vocab=3, max_length=4, default=[0.8, 0.1, 0.1])
    score_fn, _ = _fns(model)

    def decode_fn(sources, **kwargs):  # pretend the search returned the empty output
        return [[] for _ in sources]

    ref = math.log(0.3 * 0.9 * 0.9)  # "a a </s>", Ty = 3
    hyp = math.log(0.5)  # "</s>", Ty = 1
    for alpha, expected in [(0.0, "R"), (1.0, "B")]:
        report = beam_error_analysis(score_fn, decode_fn, [("x", [1, 1])], beam_width=1,
                                     alpha=alpha)
        by_hand = "B" if ref / 3**alpha > hyp / 1**alpha else "R"
        assert report.rows[0].attribution == expected == by_hand


def test_score_sequences_equals_the_beam_search_score(prefix_model):
    model = _model(prefix_model)
    state = {"id": np.zeros((1,), "int32"), "t": np.zeros((1,), "int32")}
    result = beam_search(model.next_fn, state, 1, END, beam_width=3, max_length=4,
                         num_return=3)
    for k, hyp in enumerate(result.to_lists()[0]):
        totals, _, lengths = score_sequences(model.next_fn, state, 1, END, [hyp])
        assert totals[0] == pytest.approx(float(np.asarray(result.scores)[0, k]), rel=1e-5)
        assert totals[0] == pytest.approx(model.log_prob(hyp + [END]), rel=1e-5)
        assert lengths[0] == len(hyp) + 1


def test_bad_inputs_raise_value_error(prefix_model):
    score_fn, decode_fn = _fns(_model(prefix_model))
    with pytest.raises(ValueError, match="empty"):
        beam_error_analysis(score_fn, decode_fn, [], beam_width=2)
    with pytest.raises(ValueError, match="pairs"):
        beam_error_analysis(score_fn, decode_fn, ["x"], beam_width=2)
    with pytest.raises(ValueError, match="beam_width"):
        beam_error_analysis(score_fn, decode_fn, [("x", [1])], beam_width=0)
