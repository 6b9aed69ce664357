"""Writes the fixtures of ``test_legacy_text_models.py`` with the OLD ``TextVectorizer``.

Run once, with seqkeras at commit 0ab10f5 (``TextVectorizer`` with its own vocabulary,
before it became a layer over ``seqkeras.text.Vocabulary``), from the repository root::

    git archive 0ab10f5 seqkeras | tar -x -C /tmp/old-seqkeras
    PYTHONPATH=/tmp/old-seqkeras python tests/seqkeras/models/legacy/make_fixtures.py

It saves three tiny ``.keras`` models (an averaging classifier, a bidirectional GRU
classifier with ``max_length``, a tagger with character features) and records what the
old code computed on probe texts: the vectorizer configs, token ids, labels, scores,
class probabilities, tokens and tags.
"""

import json
import os
import sys

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN = [
    "It's a good movie!",
    "not good, really bad",
    "I don't think it's bad at all.",
    "co-writer/director Peter Jackson's vision (wow)",
    "\u201cgreat\u201d fun \u2014 they're back",
]
SENTENCES = [
    ["Obama", "visits", "Paris", "today"],
    ["@bob", "loves", "NYC", "#win"],
    ["I'm", "in", "New", "York"],
]
TAGS = ["O", "B-person", "I-person", "B-geo-loc", "I-geo-loc"]
# ASCII white space only: the old rules did not split at other spaces (see the test).
PROBES = [
    "It's not good",
    "DON'T watch it... it\u2019s BAD!",
    "Zork visits   New York!",
    "great",
    "they'll say \u201cco-writer\u201d (again) [x] {y}",
    "a\tb\nc  WON'T we've I'd",
    "Obama loves NYC #win",
    "\u00e9t\u00e9 caf\u00e9 \U0001f600 @bob",
]


def main() -> None:
    import seqkeras.models
    from seqkeras.models import (
        AverageEmbeddingClassifier,
        RNNClassifier,
        SequenceTagger,
        TextVectorizer,
    )

    assert not hasattr(seqkeras.models.text_vectorizer, "Vocabulary"), "run with the old code"
    rng = np.random.default_rng(0)
    words = TextVectorizer.build(TRAIN, extra_tokens=["the", "Movie", "film"])
    short = TextVectorizer.build(TRAIN, max_tokens=12, max_length=5)
    tagging = TextVectorizer.build(
        SENTENCES, split="whitespace", lowercase=False, char_features=True, max_chars=4
    )
    keras.utils.set_random_seed(1)
    SPREAD = keras.initializers.RandomNormal(stddev=3.0)  # outputs far from uniform
    models = {
        "average": AverageEmbeddingClassifier(
            rng.normal(size=(len(words), 4)).astype("float32"), 3,
            labels=["neg", "neu", "pos"], vectorizer=words,
        ),
        "rnn": RNNClassifier(
            keras.layers.Embedding(len(short), 3, embeddings_initializer=SPREAD), 2, kind="gru", depth=2, bidirectional=True,
            units=3, labels=["neg", "pos"], vectorizer=short,
        ),
        "tagger": SequenceTagger(
            3 * rng.normal(size=(len(tagging), 3)).astype("float32"), len(TAGS), units=3,
            char_vocab_size=tagging.num_chars, char_embedding_dim=2, char_filters=3,
            labels=TAGS, vectorizer=tagging,
        ),
    }  # fmt: skip
    record = {"probes": PROBES, "models": {}}
    for name, model in models.items():
        v = model.vectorizer
        entry = {
            "file": f"{name}.keras",
            "vectorizer_config": v.get_config(),
            "vocabulary": v.vocabulary,
            "tokens": [v.split(p) for p in PROBES],
            "ids": [v.token_ids(v.split(p)) for p in PROBES],
        }
        if name == "tagger":
            tokens, tags, scores = model.predict_tags(PROBES, return_scores=True)
            entry.update(
                tags=tags,
                scores=[s.tolist() for s in scores],
                char_ids=v.encode_chars(v.split_batch(PROBES)).tolist(),
            )
        else:
            labels, scores = model.predict_labels(PROBES, return_scores=True)
            entry.update(
                labels=labels,
                scores=scores.tolist(),
                probabilities=model.predict_proba(PROBES).tolist(),
            )
        model.save(os.path.join(HERE, entry["file"]))
        record["models"][name] = entry
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)
    print("wrote fixtures to", HERE, file=sys.stderr)


if __name__ == "__main__":
    main()
