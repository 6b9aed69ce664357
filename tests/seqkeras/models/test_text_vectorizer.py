"""TextVectorizer, the layer over seqkeras.text.Vocabulary: cased tokens with a
lowercased lookup, character ids, max_length, padding, the graph versions used by the
SavedModels (compared with Python on awkward strings), configs old and new."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.models import TextVectorizer
from seqkeras.text import CLASSIFIER_RESERVED_TOKENS, Vocabulary

# Case, clitics, curly marks, Unicode spaces (the splitting rules themselves are tested
# in tests/seqkeras/text/test_treebank_splitter.py and test_splitters.py).
AWKWARD = [
    "It's GOOD, isn't it?",
    "DON'T  stop\tme\nnow...",
    "l’été “QUOTED” (x) [y] {z} a.b",
    "@user #Tag 😀 İSTANBUL'S\xa0view\u3000ok",
    "they're we've I'll he'd I'm",
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
def test_default_split_follows_the_treebank_rules_and_keeps_case(text, expected):
    v = TextVectorizer([])
    assert v.split_name == "treebank" and v.words.reserved == ("", "<unk>")
    assert v.split(text) == expected


def test_whitespace_split_keeps_tokens_as_they_are():
    v = TextVectorizer([], split="whitespace", lowercase=False)
    assert v.split(" It's  @user\t#tag\xa0x ") == ["It's", "@user", "#tag", "x"]


@pytest.mark.parametrize("split", ["treebank", "whitespace"])
@pytest.mark.parametrize("max_length", [None, 3])
def test_tf_split_and_ids_equal_python(split, max_length):
    v = TextVectorizer.build(AWKWARD[:4], split=split, max_length=max_length)
    tokens = v.tf_split(tf.constant(AWKWARD))
    assert [[t.decode() for t in row] for row in tokens.to_list()] == [v.split(t) for t in AWKWARD]
    ids = v.tf_token_ids(tokens, v.tf_tables()).to_list()
    assert ids == [v.token_ids(v.split(t)).tolist() for t in AWKWARD]


def test_ids_padding_unknown_and_lowercase_lookup():
    v = TextVectorizer(["good", "'s", "it"])
    assert v.vocabulary == ["", "<unk>", "good", "'s", "it"] and len(v) == 5
    np.testing.assert_array_equal(v.encode(["It's GOOD", "zebra"]), [[4, 3, 2], [1, 0, 0]])
    assert v.unknown("It's a ZEBRA") == ["a", "ZEBRA"]
    tables = v.tf_tables()
    ids = v.tf_token_ids(v.tf_split(tf.constant(["It's GOOD", "zebra"])), tables)
    assert ids.to_list() == [[4, 3, 2], [1]]


def test_the_lookup_agrees_with_the_vocabulary_itself():
    # Vocabulary(lowercase=True) lowercases the text before splitting; the vectorizer
    # splits first (cased tokens) and lowercases the tokens: the same ids.
    words = Vocabulary.build(AWKWARD[:6], split="treebank", lowercase=True, **CLASSIFIER_RESERVED_TOKENS)
    v = TextVectorizer(vocabulary=words)
    for text in AWKWARD:
        expected = words.encode(text).tolist() if words.split(text) else []
        assert v.token_ids(v.split(text)).tolist() == expected


@pytest.mark.parametrize("lowercase", [False, True])
def test_char_ids_python_and_tf_agree(lowercase):
    chars = Vocabulary(["a", "b", "c"] if lowercase else ["A", "b", "c"], split="chars",
                       lowercase=lowercase, **CLASSIFIER_RESERVED_TOKENS)  # fmt: skip
    v = TextVectorizer(["ab", "ca"], split="whitespace", lowercase=True, chars=chars, max_chars=2)
    texts = ["Ab cAx", "xyz"]
    # 'x' unknown, cut at 2 chars; "A" is found in the lowercase set only as "a"
    expected = np.array([[[2, 3], [4, 2]], [[1, 1], [0, 0]]])
    tokens = v.split_batch(texts)
    np.testing.assert_array_equal(v.encode_chars(tokens), expected)
    got = v.tf_char_ids(v.tf_split(tf.constant(texts)), v.tf_tables())
    np.testing.assert_array_equal(got.numpy(), expected)


def test_build_ranks_by_count_and_appends_extra_tokens_and_characters():
    v = TextVectorizer.build(["b a b", "c b a"], extra_tokens=["The", "a", "zz"], max_tokens=2)
    assert v.tokens == ["b", "a", "the", "zz"]
    v = TextVectorizer.build([["Ab", "cA"]], split="whitespace", char_features=True)
    assert v.chars.regular_tokens == ["A", "b", "c"] and v.num_chars == 5  # by count, then alphabet


def test_config_round_trip_and_the_old_format():
    v = TextVectorizer.build(["x y"], char_features=True, max_length=7)
    assert TextVectorizer.from_config(v.get_config()) == v
    old = {"tokens": ["it", "'s"], "split": "words", "lowercase": True, "chars": ["i"],
           "max_chars": 3, "max_length": None}  # fmt: skip
    loaded = TextVectorizer.from_config(old)
    assert loaded.split_name == "treebank" and loaded.chars.tokens == ["", "<unk>", "i"]
    np.testing.assert_array_equal(loaded.encode(["IT'S"]), [[2, 3]])


def test_a_vocabulary_is_a_vectorizer_argument():
    words = Vocabulary(["good"], split="whitespace", **CLASSIFIER_RESERVED_TOKENS)
    v = TextVectorizer(vocabulary=words, max_length=2)
    assert v.words is words and not v.lowercase
    np.testing.assert_array_equal(v.encode(["good Good good"]), [[2, 1]])
    with pytest.raises(ValueError, match=r"give \['split'\] to the Vocabulary"):
        TextVectorizer(split="treebank", vocabulary=words)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"tokens": ["a", "a"]}, "repeated"),
        ({"tokens": ["<unk>"]}, "reserved"),
        ({"tokens": ["A"]}, "lowercase=True looks tokens up lowercased"),
        ({"tokens": [], "split": "bpe"}, "split must be one of"),
        ({"tokens": [], "max_length": 0}, "max_length"),
        ({"tokens": [], "max_chars": 0}, "max_chars"),
        ({"tokens": "abc"}, "not the string"),
        ({"tokens": [], "chars": ["ab"]}, "single characters"),
        ({"tokens": [], "chars": Vocabulary(["ab"], **CLASSIFIER_RESERVED_TOKENS)}, "split='chars'"),
        ({}, "give the tokens"),
    ],
)
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TextVectorizer(**kwargs)


@pytest.mark.parametrize(
    "config,message",
    [
        ({"tokens": [], "split": "chars"}, "split must be one of"),
        ({"tokens": [], "colour": 1}, r"unknown keys \['colour'\]"),
        ({"words": {}, "extra": 1}, "needs the keys"),
    ],
)
def test_bad_configs_name_the_problem(config, message):
    with pytest.raises(ValueError, match=message):
        TextVectorizer.from_config(config)


def test_empty_text_is_an_error_naming_its_position():
    v = TextVectorizer(["a"])
    with pytest.raises(ValueError, match="text 1 is empty"):
        v.encode(["a", " ... ".replace(".", " ")])
    with pytest.raises(ValueError, match="single string"):
        v.encode("a")
    with pytest.raises(ValueError, match="no whitespace"):
        v.encode([["a", "b\xa0c"]])


def test_serving_needs_a_rule_with_a_graph_twin():
    v = TextVectorizer(["a"], split="words")
    assert v.split("a, b") == ["a", "b"]  # Python works
    with pytest.raises(ValueError, match="split='words' has no tf.strings version"):
        v.tf_split(tf.constant(["a"]))
