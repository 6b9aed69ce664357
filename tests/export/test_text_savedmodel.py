"""seqkeras-export --to savedmodel for the text models: the SavedModel loads with plain
tf.saved_model.load, takes raw strings and returns the labels (tags) and scores of the
Python model."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from seqkeras_export.cli import main

from seqkeras.models import (
    AverageEmbeddingClassifier,
    RNNClassifier,
    SequenceTagger,
    TextVectorizer,
)

pytestmark = pytest.mark.slow
TRAIN = ["It's a good movie!", "not good, really bad", "Obama visits Paris", "@bob loves NYC"]
QUERIES = ["It's not good", "Zork visits   New York!", "great", "Don\u2019t \u201cwatch\u201d it", "a"]


def _export(model, tmp_path):
    path = tmp_path / "m.keras"
    model.save(path)
    out = tmp_path / "server"
    assert main([str(path), "--to", "savedmodel", "--output", str(out)]) == 0
    return tf.saved_model.load(str(out)).signatures["serving_default"]


@pytest.mark.parametrize(
    "make",
    [
        lambda e, v: AverageEmbeddingClassifier(e, 3, labels=["neg", "neu", "pos"], vectorizer=v),
        lambda e, v: RNNClassifier(e, 3, depth=2, bidirectional=True, units=4, labels=["neg", "neu", "pos"], vectorizer=v),
    ],
)
def test_classifier_savedmodel_equals_python(tmp_path, make):
    v = TextVectorizer.build(TRAIN)
    keras.utils.set_random_seed(4)
    model = make(np.random.default_rng(0).normal(size=(len(v), 5)).astype("float32"), v)
    serve = _export(model, tmp_path)
    out = serve(text=tf.constant(QUERIES + [""]))
    labels, scores = model.predict_labels(QUERIES, return_scores=True)
    assert [s.decode() for s in out["label"].numpy()] == labels + [""]
    np.testing.assert_allclose(out["score"].numpy()[:-1], scores, rtol=1e-5)
    np.testing.assert_allclose(out["scores"].numpy()[:-1], model.predict_proba(QUERIES), rtol=1e-5)
    assert out["score"].numpy()[-1] == 0.0  # an empty text


def test_tagger_savedmodel_equals_python(tmp_path):
    v = TextVectorizer.build([t.split() for t in TRAIN], split="whitespace", char_features=True)
    keras.utils.set_random_seed(5)
    tags = ["O", "B-person", "I-person", "B-geo-loc", "I-geo-loc"]
    model = SequenceTagger(np.random.default_rng(1).normal(size=(len(v), 4)).astype("float32"), len(tags),
                           units=4, char_vocab_size=v.num_chars, labels=tags, vectorizer=v)
    serve = _export(model, tmp_path)
    out = serve(text=tf.constant(QUERIES + [""]))
    tokens, predicted, scores = model.predict_tags(QUERIES, return_scores=True)
    lengths = out["length"].numpy()
    assert lengths.tolist() == [len(t) for t in tokens] + [0]
    for row, n in enumerate(lengths[:-1]):
        assert [t.decode() for t in out["tokens"].numpy()[row, :n]] == tokens[row]
        assert [t.decode() for t in out["tags"].numpy()[row, :n]] == predicted[row]
        np.testing.assert_allclose(out["scores"].numpy()[row, :n], scores[row], rtol=1e-5)
        assert all(t == b"" for t in out["tags"].numpy()[row, n:])
