""".keras files of the text models written before TextVectorizer used
seqkeras.text.Vocabulary still load, tokenize and predict as the old code did.

The fixtures in ``legacy/`` were written by the old code together with what it computed
(``legacy/make_fixtures.py`` says how): tokens, ids, labels, scores, probabilities, tags.
"""

import importlib.util
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from seqkeras.models import (
    AverageEmbeddingClassifier,
    RNNClassifier,
    SequenceTagger,
    TextVectorizer,
)
from seqkeras.text import TREEBANK, Vocabulary

LEGACY = Path(__file__).parent / "legacy"
EXPECTED = json.loads((LEGACY / "expected.json").read_text(encoding="utf-8"))
PROBES = EXPECTED["probes"]
TYPES = {"average": AverageEmbeddingClassifier, "rnn": RNNClassifier, "tagger": SequenceTagger}


def _fixture_inputs():
    """The texts and arguments the old vectorizers were built from."""
    spec = importlib.util.spec_from_file_location("make_fixtures", LEGACY / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_predictions(model, record):
    if isinstance(model, SequenceTagger):
        tokens, tags, scores = model.predict_tags(PROBES, return_scores=True)
        assert tokens == record["tokens"] and tags == record["tags"]
        for got, want in zip(scores, record["scores"], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-5)
    else:
        labels, scores = model.predict_labels(PROBES, return_scores=True)
        assert labels == record["labels"]
        np.testing.assert_allclose(scores, record["scores"], rtol=1e-5)
        np.testing.assert_allclose(model.predict_proba(PROBES), record["probabilities"], rtol=1e-5)


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("name", sorted(EXPECTED["models"]))
def test_old_model_files_predict_as_before(name, tmp_path):
    record = EXPECTED["models"][name]
    assert "tokens" in record["vectorizer_config"]  # written in the old format
    model = keras.saving.load_model(LEGACY / record["file"])
    assert type(model) is TYPES[name]
    v = model.vectorizer
    assert isinstance(v.words, Vocabulary) and v.vocabulary == record["vocabulary"]
    assert v.split_name == {"words": TREEBANK, "whitespace": "whitespace"}[record["vectorizer_config"]["split"]]
    assert [v.split(p) for p in PROBES] == record["tokens"]
    assert [v.token_ids(v.split(p)).tolist() for p in PROBES] == record["ids"]
    if "char_ids" in record:
        assert v.encode_chars(v.split_batch(PROBES)).tolist() == record["char_ids"]
    _check_predictions(model, record)
    # Saved again, it is written in the new format and still predicts the same.
    model.save(tmp_path / "again.keras")
    config = model.get_config()["vectorizer"]
    assert set(config) == {"words", "chars", "max_chars", "max_length"}
    assert config["words"]["split"] == v.split_name
    _check_predictions(keras.saving.load_model(tmp_path / "again.keras"), record)


def test_build_ranks_tokens_and_characters_as_before():
    old = _fixture_inputs()
    built = {
        "average": TextVectorizer.build(old.TRAIN, extra_tokens=["the", "Movie", "film"]),
        "rnn": TextVectorizer.build(old.TRAIN, max_tokens=12, max_length=5),
        "tagger": TextVectorizer.build(
            old.SENTENCES, split="whitespace", lowercase=False, char_features=True, max_chars=4
        ),
    }
    for name, v in built.items():
        record = EXPECTED["models"][name]
        assert v == TextVectorizer.from_config(record["vectorizer_config"]), name
        assert v.vocabulary == record["vocabulary"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED["models"]))
def test_old_model_files_serve_as_before(name, tmp_path):
    import tensorflow as tf

    record = EXPECTED["models"][name]
    model = keras.saving.load_model(LEGACY / record["file"])
    model.export_savedmodel(str(tmp_path / "server"))
    serve = tf.saved_model.load(str(tmp_path / "server")).signatures["serving_default"]
    out = serve(text=tf.constant(PROBES))
    if name == "tagger":
        lengths = out["length"].numpy()
        assert lengths.tolist() == [len(t) for t in record["tokens"]]
        for row, n in enumerate(lengths):
            assert [t.decode() for t in out["tokens"].numpy()[row, :n]] == record["tokens"][row]
            assert [t.decode() for t in out["tags"].numpy()[row, :n]] == record["tags"][row]
            np.testing.assert_allclose(out["scores"].numpy()[row, :n], record["scores"][row], rtol=1e-5)
    else:
        assert [s.decode() for s in out["label"].numpy()] == record["labels"]
        np.testing.assert_allclose(out["score"].numpy(), record["scores"], rtol=1e-5)
        np.testing.assert_allclose(out["scores"].numpy(), record["probabilities"], rtol=1e-5)
