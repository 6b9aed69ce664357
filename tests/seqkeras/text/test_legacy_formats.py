"""Files and configs written by the classes Vocabulary replaced load to the same ids.

The fixtures in ``legacy/`` were written by the old ``WordVocabulary``/``CharVocabulary``
(Keras ``StringLookup``) and ``TokenVocabulary`` (a dict), together with the ids, texts,
log-probabilities and translations the old code computed from them
(``legacy/make_fixtures.py`` says how).
"""

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from seqkeras.lm import LanguageModel
from seqkeras.models import Seq2Seq
from seqkeras.models.token_vocabulary import TokenVocabulary
from seqkeras.text import (
    CharVocabulary,
    Vocabulary,
    WordVocabulary,
    load_vocabulary,
    vocabulary_from_dict,
)

LEGACY = Path(__file__).parent / "legacy"
EXPECTED = json.loads((LEGACY / "expected.json").read_text(encoding="utf-8"))
PROBES = EXPECTED["probes"]


def _legacy(name):
    record = EXPECTED["vocabularies"][name]
    if "file" in record:  # WordVocabulary / CharVocabulary.save(path)
        return load_vocabulary(LEGACY / record["file"]), record
    return Vocabulary.from_config(record["config"]), record  # TokenVocabulary.get_config()


@pytest.mark.parametrize("name", sorted(EXPECTED["vocabularies"]))
def test_old_vocabularies_give_the_old_ids_and_texts(name):
    vocab, record = _legacy(name)
    assert type(vocab) is Vocabulary
    assert vocab.get_vocabulary() == record["get_vocabulary"]
    # TokenVocabulary was asked for max_length=6 (its end token may be cut).
    limit = {"max_length": 6} if "config" in record else {}
    for probe, ids, ids_eos, text in zip(
        PROBES, record["ids"], record["ids_eos"], record["decoded"], strict=True
    ):
        assert vocab.encode(probe).tolist() == ids
        assert vocab.encode(probe, add_eos=True, **limit).tolist() == ids_eos
        assert vocab.decode(vocab.encode(probe)) == text
    # Saved again, it keeps them.
    again = Vocabulary.from_config(json.loads(json.dumps(vocab.get_config())))
    assert again.encode(PROBES[1]).tolist() == record["ids"][1]


def test_old_payloads_and_configs_through_every_entry_point():
    word_payload = json.loads((LEGACY / "word.json").read_text(encoding="utf-8"))
    assert word_payload["class"] == "WordVocabulary" and "max_tokens" in word_payload["config"]
    expected = EXPECTED["vocabularies"]["word"]["get_vocabulary"]
    for vocab in (
        vocabulary_from_dict(word_payload),
        Vocabulary.from_config(word_payload),
        WordVocabulary.from_config(word_payload["config"]),
        Vocabulary.from_config(word_payload["config"]),  # a bare config is recognised too
    ):
        assert vocab.get_vocabulary() == expected
    char_config = json.loads((LEGACY / "char.json").read_text(encoding="utf-8"))["config"]
    assert (
        CharVocabulary.from_config(char_config).get_vocabulary()
        == EXPECTED["vocabularies"]["char"]["get_vocabulary"]
    )
    token_config = EXPECTED["vocabularies"]["token_word"]["config"]
    assert set(token_config) == {"tokens", "level", "lowercase"}
    assert (
        TokenVocabulary.from_config(token_config).get_vocabulary()
        == EXPECTED["vocabularies"]["token_word"]["get_vocabulary"]
    )


def test_the_old_names_still_build_the_old_layouts():
    word = WordVocabulary(max_tokens=10, keep_punctuation=True).adapt(["Hi, there!"])
    assert word.reserved == ("", "<unk>", "<eos>") and word.split_name == "words_and_punctuation"
    assert CharVocabulary(tokens=list("ab")).tokens == ["", "<unk>", "<eos>", "a", "b"]
    token = TokenVocabulary.build(["hola, mundo"], level="word")
    assert token.tokens == ["<pad>", "<unk>", "<s>", "</s>", ",", "hola", "mundo"]
    assert TokenVocabulary(list("ab"), level="char").split_name == "chars"


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"class": "WordVocabulary", "config": {"split": "bpe"}}, "split must be 'words'"),
        (
            {"class": "CharVocabulary", "config": {"max_tokens": 9, "foo": 1}},
            r"unknown keys \['foo'\]",
        ),
        ({"tokens": ["a"], "level": "subword"}, "level must be one of"),
    ],
)
def test_broken_old_configs_are_clear_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary.from_config(bad)


def test_old_language_model_file_scores_as_before():
    record = EXPECTED["language_model"]
    model = keras.saving.load_model(LEGACY / record["file"])
    assert isinstance(model, LanguageModel)
    scores = model.log_prob(record["texts"])
    np.testing.assert_allclose(scores.total, record["total"], rtol=1e-6)
    assert scores.tokens == record["tokens"]
    assert model.get_config()["vocabulary"]["class"] == "Vocabulary"  # re-saved in the new form


def test_old_seq2seq_file_translates_as_before():
    record = EXPECTED["seq2seq"]
    model = keras.saving.load_model(LEGACY / record["file"])
    assert isinstance(model, Seq2Seq)
    assert model.encode_texts(record["texts"]).tolist() == record["source_ids"]
    assert model.translate(record["texts"], method="greedy") == record["greedy"]
