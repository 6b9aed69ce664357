"""BIO entities and entity-level scores agree with seqeval (default, conlleval-style
mode) on hand-made cases and on random tag sequences; confusion matrix counts."""

import random

import numpy as np
import pytest
import seqeval.metrics.sequence_labeling as seqeval_labeling
from seqeval.metrics import classification_report  # noqa: E402

from seqkeras.metrics import bio_entities, confusion_matrix, entity_scores

HAND_MADE = [
    (["B-per", "I-per", "O", "B-loc"], [("per", 0, 1), ("loc", 3, 3)]),
    (["I-per", "I-per", "O"], [("per", 0, 1)]),  # I without B starts an entity
    (["B-per", "I-loc", "I-loc"], [("per", 0, 0), ("loc", 1, 2)]),  # type change splits
    (["B-per", "B-per", "I-per"], [("per", 0, 0), ("per", 1, 2)]),
    (["O", "O"], []),
    ([], []),
    (["B-geo-loc", "I-geo-loc"], [("geo-loc", 0, 1)]),  # types may hold '-'
]


@pytest.mark.parametrize("tags,expected", HAND_MADE)
def test_bio_entities_hand_made_and_seqeval(tags, expected):
    assert bio_entities(tags) == expected
    assert sorted(bio_entities(tags)) == sorted(seqeval_labeling.get_entities(tags))


def test_bio_entities_equal_seqeval_on_random_sequences():
    rng = random.Random(0)
    vocabulary = ["O", "B-a", "I-a", "B-b", "I-b"]
    for _ in range(500):
        tags = [rng.choice(vocabulary) for _ in range(rng.randint(0, 9))]
        assert sorted(bio_entities(tags)) == sorted(seqeval_labeling.get_entities(tags)), tags


def test_entity_scores_hand_computed():
    truth = [["B-per", "I-per", "O", "B-loc"], ["B-loc", "O"]]
    guess = [["B-per", "I-per", "O", "O"], ["B-loc", "B-per"]]
    scores = entity_scores(truth, guess)
    # true: per(0-1), loc(3), loc(0) in s2; predicted: per(0-1), loc(0), per(1) in s2
    assert scores["micro"]["correct"] == 2 and scores["micro"]["predicted"] == 3
    assert scores["micro"]["precision"] == pytest.approx(2 / 3)
    assert scores["micro"]["recall"] == pytest.approx(2 / 3)
    assert scores["per_type"]["per"]["precision"] == pytest.approx(1 / 2)
    assert scores["per_type"]["loc"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2, "predicted": 1, "correct": 1}
    )


def test_entity_scores_equal_seqeval_classification_report():
    rng = random.Random(1)
    vocabulary = ["O", "O", "O", "B-a", "I-a", "B-b", "I-b", "B-c"]
    truth = [[rng.choice(vocabulary) for _ in range(8)] for _ in range(60)]
    guess = [[t if rng.random() < 0.7 else rng.choice(vocabulary) for t in s] for s in truth]
    ours = entity_scores(truth, guess)
    theirs = classification_report(truth, guess, output_dict=True, zero_division=0)
    for kind, s in ours["per_type"].items():
        assert s["precision"] == pytest.approx(theirs[kind]["precision"])
        assert s["recall"] == pytest.approx(theirs[kind]["recall"])
        assert s["f1"] == pytest.approx(theirs[kind]["f1-score"])
        assert s["support"] == theirs[kind]["support"]
    assert ours["micro"]["f1"] == pytest.approx(theirs["micro avg"]["f1-score"])
    assert ours["macro"]["f1"] == pytest.approx(theirs["macro avg"]["f1-score"])


def test_entity_scores_reject_mismatched_input():
    with pytest.raises(ValueError, match="sentence 0"):
        entity_scores([["O"]], [["O", "O"]])
    with pytest.raises(ValueError, match="not a BIO tag"):
        entity_scores([["X-per"]], [["O"]])


def test_confusion_matrix_counts():
    truth = ["neg", "neg", "pos", "pos", "pos"]
    guess = ["neg", "pos", "pos", "neg", "pos"]
    np.testing.assert_array_equal(confusion_matrix(truth, guess, ["neg", "pos"]), [[1, 1], [1, 2]])
    with pytest.raises(ValueError, match="'meh'"):
        confusion_matrix(["neg"], ["meh"], ["neg", "pos"])


def test_bootstrap_f1_equals_rescoring_the_resampled_sentences():
    from seqkeras.metrics import bootstrap_f1

    rng = random.Random(2)
    vocabulary = ["O", "O", "B-a", "I-a", "B-b"]
    truth = [[rng.choice(vocabulary) for _ in range(6)] for _ in range(40)]
    guess = [[t if rng.random() < 0.75 else rng.choice(vocabulary) for t in s] for s in truth]
    draws = np.random.default_rng(7).integers(
        0, len(truth), (5, len(truth))
    )  # as the function draws
    brute = [
        entity_scores([truth[i] for i in d], [guess[i] for i in d])["micro"]["f1"] for d in draws
    ]
    spread = bootstrap_f1(truth, guess, resamples=5, seed=7)
    assert spread["std"] == pytest.approx(np.std(brute, ddof=1))
    assert spread["low"] == pytest.approx(np.percentile(brute, 2.5))
    perfect = bootstrap_f1(truth, truth, resamples=20)
    assert perfect["low"] == perfect["high"] == 1.0
