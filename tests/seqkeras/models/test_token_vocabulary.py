"""TokenVocabulary (the seq2seq layout of Vocabulary): ids, bad input, and the
tf.strings graph version equals Python."""

import pytest
import tensorflow as tf

from seqkeras.models.token_vocabulary import BOS, EOS, PAD, UNK, TokenVocabulary
from seqkeras.text import Vocabulary

SENTENCES = [
    "Y dijo Dios: Sea la luz; y fué la luz.",
    "¿Quién es éste?» «¡Mirad!» (dice el Señor) —y calló.",
    "In the beginning, God created the heavens and the earth.",
    "  spaces   and\ttabs  ",
    "Jesús lloró.",
    "numbers 3-4, \"quotes\" and 'apostrophes'",
    "non\xa0breaking\u3000spaces, god\u2019s word",
    "",
    " \t ",
]


def test_char_round_trip_and_reserved_ids():
    vocab = TokenVocabulary(list("0123456789-"))
    assert type(vocab) is Vocabulary
    ids = vocab.encode("2024-01-31", add_eos=True).tolist()
    assert ids == [6, 4, 6, 8, 14, 4, 5, 14, 7, 5, EOS]  # "0" = 4, ..., "-" = 14
    assert vocab.decode([BOS] + ids + [PAD, 5]) == "2024-01-31"  # stops at </s>
    assert len(vocab) == 15


def test_word_split_by_hand():
    vocab = TokenVocabulary([], level="word", lowercase=True)
    assert vocab.split("¿Quién es éste?") == ["¿", "quién", "es", "éste", "?"]
    assert vocab.join(["¿", "quién", "es", "éste", "?"]) == "¿quién es éste?"


def test_bad_input_is_a_clear_error_or_documented_truncation():
    vocab = TokenVocabulary(list("abc"))
    with pytest.raises(ValueError, match="empty"):
        vocab.encode("")
    with pytest.raises(ValueError, match="unknown char.*'z'"):
        vocab.encode("abz", on_unknown="error")
    assert vocab.encode("abz").tolist() == [4, 5, UNK]
    with pytest.raises(ValueError, match="more than the maximum 2"):
        vocab.encode("abc", max_length=2, on_too_long="error")
    assert vocab.encode("abc", max_length=2).tolist() == [4, 5]


def test_build_orders_by_frequency_and_caps_size():
    vocab = TokenVocabulary.build(["b a b", "c b a"], level="word", max_size=6)
    assert vocab.tokens[4:] == ["b", "a"]  # b: 3, a: 2 and c: 1 (cut by max_size)
    assert TokenVocabulary.build(["b a b", "c b a"], level="word").tokens[4:] == ["b", "a", "c"]


def test_reserved_and_duplicate_tokens_are_rejected():
    with pytest.raises(ValueError, match="reserved"):
        TokenVocabulary(["<unk>"])
    with pytest.raises(ValueError, match="unique"):
        TokenVocabulary(["a", "a"])
    with pytest.raises(ValueError, match="level"):
        TokenVocabulary([], level="subword")


@pytest.mark.parametrize("level", ["char", "word"])
def test_graph_tokenization_equals_python(level):
    vocab = TokenVocabulary([], level=level, lowercase=True)
    ragged = vocab.tf_split(tf.constant(SENTENCES))
    for sentence, row in zip(SENTENCES, ragged.to_list(), strict=True):
        assert [t.decode("utf-8") for t in row] == vocab.split(sentence)
    joined = vocab.tf_join(ragged)
    for sentence, text in zip(SENTENCES, joined.numpy(), strict=True):
        assert text.decode("utf-8") == vocab.join(vocab.split(sentence))
