"""WordVocabulary / CharVocabulary: the old names build Vocabularies with the LM layout."""

import json

import numpy as np
import pytest

from seqkeras.text import (
    EOS_ID,
    PAD_ID,
    UNK_ID,
    CharVocabulary,
    Vocabulary,
    WordVocabulary,
    load_vocabulary,
    vocabulary_from_dict,
    vocabulary_to_dict,
)

CORPUS = ["The cat sat on the mat.", "The dog sat, the cat ran!"]


def test_word_ids_follow_frequency_and_reserved_ids():
    v = WordVocabulary().adapt(CORPUS)
    vocab = v.get_vocabulary()
    assert vocab[:3] == ["", "<unk>", "<eos>"]
    # "the" occurs 4 times, "cat"/"sat" twice: most frequent first, ties alphabetical.
    assert vocab[3:6] == ["the", "cat", "sat"]
    assert len(v) == 3 + len({"the", "cat", "sat", "on", "mat", "dog", "ran"})
    assert (PAD_ID, UNK_ID, EOS_ID) == (0, 1, 2)


def test_word_round_trip_and_unknown_words():
    v = WordVocabulary().adapt(CORPUS)
    ids = v.encode("the dog ran on the mat", add_eos=True)
    assert ids[-1] == EOS_ID
    assert v.decode(ids) == "the dog ran on the mat"  # stops at <eos>
    assert v.decode(ids, stop_at_eos=False) == "the dog ran on the mat <eos>"
    unseen = v.encode("the zebra sat")
    assert unseen.tolist() == [3, UNK_ID, 5]
    assert v.decode(unseen) == "the <unk> sat"


def test_max_tokens_caps_and_keeps_most_frequent():
    v = WordVocabulary(max_tokens=5).adapt(CORPUS)
    assert v.get_vocabulary() == ["", "<unk>", "<eos>", "the", "cat"]
    assert v.encode("sat").tolist() == [UNK_ID]


def test_punctuation_option_and_whitespace_split():
    assert WordVocabulary(keep_punctuation=True).tokenize("Hi, don't go!") == [
        "hi",
        ",",
        "don't",
        "go",
        "!",
    ]
    assert WordVocabulary().tokenize("Hi, don't go!") == ["hi", "don't", "go"]
    assert WordVocabulary(split="whitespace", lowercase=False).tokenize("a <unk> N") == [
        "a",
        "<unk>",
        "N",
    ]


def test_char_round_trip():
    v = CharVocabulary().adapt("hello world\n")
    text = "low\nhero"
    assert v.decode(v.encode(text)) == text
    assert v.encode("z").tolist() == [UNK_ID]
    assert len(v) == 3 + len(set("hello world\n"))


@pytest.mark.parametrize("vocab_class", [WordVocabulary, CharVocabulary])
def test_serialization_round_trip(tmp_path, vocab_class):
    v = vocab_class(max_tokens=8).adapt(CORPUS)
    path = tmp_path / "vocab.json"
    v.save(path)
    json.loads(path.read_text())  # valid JSON on disk
    for restored in (load_vocabulary(path), vocabulary_from_dict(vocabulary_to_dict(v))):
        assert type(restored) is Vocabulary and restored == v
        assert restored.get_vocabulary() == v.get_vocabulary()
        np.testing.assert_array_equal(restored.encode("the cat zz"), v.encode("the cat zz"))


@pytest.mark.parametrize("max_tokens", [0, 2, 3, 1.5, True])
def test_vocabulary_smaller_than_three_tokens_is_an_error(max_tokens):
    with pytest.raises(ValueError, match="max_tokens"):
        WordVocabulary(max_tokens=max_tokens)


def test_empty_corpus_is_an_error():
    with pytest.raises(ValueError, match="empty corpus"):
        WordVocabulary().adapt(["", "  ", "!!"])
    with pytest.raises(ValueError, match="empty corpus"):
        CharVocabulary().adapt("")


def test_unbuilt_vocabulary_and_bad_inputs():
    with pytest.raises(ValueError, match="adapt"):
        WordVocabulary().encode("x")
    v = WordVocabulary().adapt(CORPUS)
    with pytest.raises(ValueError, match="str"):
        v.encode(["the"])
    with pytest.raises(ValueError, match="token ids"):
        v.decode([99])
    with pytest.raises(ValueError, match="split"):
        WordVocabulary(split="bpe")
