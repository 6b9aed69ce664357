"""TextVectorizer: tokenization rules, ids, character ids, and the tf.strings twin used
by the SavedModels (compared with the Python rules on awkward strings)."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.models import TextVectorizer

AWKWARD = [
    "It's good!",
    "I don't think so, really...",
    "co-writer/director peter jackson's expanded vision",
    "  spaces\tand\ttabs\n\nand newlines  ",
    "Ça va? l’été “quoted” (x) [y] {z} a.b",
    "CAN'T WON'T they're we've I'll he'd I'm",
    "'s alone and n't alone",
    "@user #tag http://t.co/x 😀 ok",
    "",
    "   ",
]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("It's good!", ["It", "'s", "good", "!"]),
        ("don't stop", ["do", "n't", "stop"]),
        ("co-writer/director", ["co-writer/director"]),
        ("(wow) \u201cnice\u201d", ["(", "wow", ")", '"', "nice", '"']),
        ("it\u2019s", ["it", "'s"]),
        ("  ", []),
    ],
)
def test_word_split_follows_the_treebank_rules(text, expected):
    assert TextVectorizer([]).split(text) == expected


def test_whitespace_split_keeps_tokens_as_they_are():
    v = TextVectorizer([], split="whitespace", lowercase=False)
    assert v.split(" It's  @user\t#tag ") == ["It's", "@user", "#tag"]


@pytest.mark.parametrize("split", ["words", "whitespace"])
def test_tf_split_equals_python_split(split):
    v = TextVectorizer([], split=split)
    got = v.tf_split(tf.constant(AWKWARD)).to_list()
    assert [[t.decode() for t in row] for row in got] == [v.split(t) for t in AWKWARD]


def test_ids_padding_unknown_and_lowercase_lookup():
    v = TextVectorizer(["good", "'s", "it"])
    assert v.vocabulary == ["", "<unk>", "good", "'s", "it"]
    np.testing.assert_array_equal(v.encode(["It's GOOD", "zebra"]), [[4, 3, 2], [1, 0, 0]])
    tables = v.tf_tables()
    ids = v.tf_token_ids(v.tf_split(tf.constant(["It's GOOD", "zebra"])), tables)
    assert ids.to_list() == [[4, 3, 2], [1]]


def test_char_ids_python_and_tf_agree():
    v = TextVectorizer.build([["Ab", "cA"]], split="whitespace", char_features=True, max_chars=2)
    assert v.chars == ["A", "b", "c"]  # by count, then alphabetically
    texts = ["Ab cAx", "xyz"]
    expected = np.array([[[2, 3], [4, 2]], [[1, 1], [0, 0]]])  # 'x' unknown, cut at 2 chars
    tokens = v.split_batch(texts)
    np.testing.assert_array_equal(v.encode_chars(tokens), expected)
    got = v.tf_char_ids(v.tf_split(tf.constant(texts)), v.tf_tables())
    np.testing.assert_array_equal(got.numpy(), expected)


def test_build_ranks_by_count_and_appends_extra_tokens():
    v = TextVectorizer.build(["b a b", "c b a"], extra_tokens=["The", "a", "zz"], max_tokens=2)
    assert v.tokens == ["b", "a", "the", "zz"]


def test_config_round_trip():
    v = TextVectorizer.build(["x y"], char_features=True, max_length=7)
    assert TextVectorizer.from_config(v.get_config()) == v


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"tokens": ["a", "a"]}, "repeated"),
        ({"tokens": ["<unk>"]}, "reserved"),
        ({"tokens": ["A"]}, "lower-cased"),
        ({"tokens": [], "split": "chars"}, "split must be"),
        ({"tokens": [], "max_length": 0}, "max_length"),
        ({"tokens": "abc"}, "single string"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextVectorizer(**kwargs)


def test_empty_text_is_an_error_naming_its_position():
    v = TextVectorizer(["a"])
    with pytest.raises(ValueError, match="text 1 is empty"):
        v.encode(["a", " ... ".replace(".", " ")])
    with pytest.raises(ValueError, match="single string"):
        v.encode("a")
