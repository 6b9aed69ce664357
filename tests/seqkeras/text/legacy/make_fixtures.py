"""Writes the legacy-format fixtures of ``test_legacy_formats.py`` with the OLD classes.

Run once, with seqkeras at commit 2d53708 (before ``seqkeras.text.Vocabulary``), from
the repository root::

    git archive 2d53708 seqkeras | tar -x -C /tmp/old-seqkeras
    PYTHONPATH=/tmp/old-seqkeras python tests/seqkeras/text/legacy/make_fixtures.py

It records what the old ``WordVocabulary``/``CharVocabulary`` (Keras ``StringLookup``)
and ``TokenVocabulary`` (plain dict) wrote and computed: their saved JSON/configs, the
ids they gave for probe texts, and two tiny ``.keras`` models (a ``LanguageModel`` and
a ``Seq2Seq``) with the log-probabilities / translations the old code computed.
"""

import json
import os
import sys

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = [
    "The cat sat on the mat.",
    "The dog sat, the cat ran! Don't co-op",
    "naïve café — ÉLAN ¿Qué? «sí»",
]
PROBES = ["the cat sat", "The zebra sat, don't!", "café ÉLAN ¿qué pasa?", "a  b\tc"]


def main() -> None:
    import seqkeras.text
    from seqkeras.lm import LanguageModel
    from seqkeras.models import Seq2Seq
    from seqkeras.models.token_vocabulary import TokenVocabulary
    from seqkeras.text import CharVocabulary, WordVocabulary

    assert hasattr(seqkeras.text, "vocabulary_to_dict") and not hasattr(seqkeras.text, "Vocabulary")
    lookups = {
        "word": WordVocabulary().adapt(CORPUS),
        "word_punct": WordVocabulary(max_tokens=12, keep_punctuation=True).adapt(CORPUS),
        "word_whitespace": WordVocabulary(split="whitespace", lowercase=False).adapt(CORPUS),
        "char": CharVocabulary(lowercase=True).adapt(CORPUS),
    }
    tokens = {
        "token_char": TokenVocabulary.build(CORPUS, level="char", lowercase=True),
        "token_word": TokenVocabulary.build(CORPUS, level="word", max_size=14),
    }
    record = {"probes": PROBES, "vocabularies": {}}
    for name, v in lookups.items():
        v.save(os.path.join(HERE, f"{name}.json"))
        record["vocabularies"][name] = {
            "file": f"{name}.json",
            "get_vocabulary": v.get_vocabulary(),
            "ids": [v.encode(p).tolist() for p in PROBES],
            "ids_eos": [v.encode(p, add_eos=True).tolist() for p in PROBES],
            "decoded": [v.decode(v.encode(p)) for p in PROBES],
        }
    for name, v in tokens.items():
        record["vocabularies"][name] = {
            "config": v.get_config(),
            "get_vocabulary": list(v.tokens),
            "ids": [v.encode(p) for p in PROBES],
            "ids_eos": [v.encode(p, add_eos=True, max_length=6) for p in PROBES],
            "decoded": [v.decode(v.encode(p)) for p in PROBES],
        }

    keras.utils.set_random_seed(1)
    lm = LanguageModel(lookups["word"], units=4, embedding_dim=3)
    scores = lm.log_prob(PROBES[:2])
    lm.save(os.path.join(HERE, "language_model.keras"))
    record["language_model"] = {
        "file": "language_model.keras",
        "texts": PROBES[:2],
        "total": scores.total.tolist(),
        "tokens": scores.tokens,
    }

    source, target = tokens["token_char"], tokens["token_word"]
    s2s = Seq2Seq(
        len(source),
        len(target),
        units=4,
        source_embedding_dim=3,
        target_embedding_dim=3,
        source_vocabulary=source.get_config(),
        target_vocabulary=target.get_config(),
        max_source_length=24,
        max_target_length=6,
    )
    texts = ["the cat sat", "café élan"]
    translations = s2s.translate(texts, method="greedy")
    s2s.save(os.path.join(HERE, "seq2seq.keras"))
    record["seq2seq"] = {
        "file": "seq2seq.keras",
        "texts": texts,
        "source_ids": s2s.encode_texts(texts).tolist(),
        "greedy": translations,
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, indent=1)
    np.testing.assert_equal(len(record["vocabularies"]), 6)
    print("wrote fixtures to", HERE, file=sys.stderr)


if __name__ == "__main__":
    main()
