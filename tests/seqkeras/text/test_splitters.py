"""The splitter registry: each rule's exact behaviour, and the tf.strings twins equal Python."""

import random
import re

import pytest
import tensorflow as tf

from seqkeras.text import SPLITTERS, Splitter, Vocabulary, get_splitter, register_splitter
from seqkeras.text.splitters import PUNCTUATION, WHITESPACE

# Strings the two regex engines could read differently: Unicode spaces (NBSP, ideographic,
# NEL, the \x1c-\x1f separators), tabs, empty and blank strings, accents, curly quotes
# and apostrophes, punctuation clusters, emoji, combining marks, non-Latin scripts.
AWKWARD = [
    "Y dijo Dios: Sea la luz; y fué la luz.",
    "¿Quién es éste?» «¡Mirad!» (dice el Señor) —y calló.",
    "In the beginning, God created the heavens and the earth.",
    "  spaces   and\ttabs  ",
    "numbers 3-4, \"quotes\" and 'apostrophes' god\u2019s \u201cword\u201d",
    "",
    "   ",
    "\t\n",
    "non\xa0breaking\u3000ideographic\u2009thin\x85nel\x1cfs\u2028ls\u205fmm\x0bvt",
    "...!!??",
    "a-b--c -d- e—f",
    "émoji 🙂 and 🙂🙂, ok.",
    "cafe\u0301 (combining) Ωmega İstanbul ΣΑΣ Straße",
    "日本語の文。中文，标点！",
    "x",
]


def test_whitespace_constant_is_pythons_backslash_s():
    python_s = "".join(chr(c) for c in range(0x110000) if re.match(r"\s", chr(c)))
    assert WHITESPACE == python_s


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("chars", "a b\n", ["a", " ", "b", "\n"]),
        ("whitespace", " a <unk>\tN\xa0x ", ["a", "<unk>", "N", "x"]),
        ("words", "Hi, don't go! co-op_x 3.5", ["Hi", "don't", "go", "co-op", "x", "3", "5"]),
        (
            "words_and_punctuation",
            "Hi, don't go! a_b",
            ["Hi", ",", "don't", "go", "!", "a", "_", "b"],
        ),
        (
            "split_punctuation",
            "¿Quién es éste? god\u2019s (x)-y",
            ["¿", "Quién", "es", "éste", "?", "god\u2019s", "(", "x", ")", "-", "y"],
        ),
    ],
)
def test_each_rule_by_hand(name, text, expected):
    assert get_splitter(name).split(text) == expected


def test_joins_by_hand():
    assert get_splitter("chars").join(["a", " ", "b"]) == "a b"
    assert get_splitter("whitespace").join(["a", "b"]) == "a b"
    tokens = ["¿", "quién", "es", "éste", "?", "(", "dice", ")", "«", "sí", "»", "."]
    assert get_splitter("split_punctuation").join(tokens) == "¿quién es éste? (dice) «sí»."


GRAPH_SPLITTERS = sorted(name for name, s in SPLITTERS.items() if s.has_graph_version)


def test_the_served_rules_have_graph_versions():
    assert {"chars", "whitespace", "split_punctuation"} <= set(GRAPH_SPLITTERS)


@pytest.mark.parametrize("lowercase", [False, True])
@pytest.mark.parametrize("name", GRAPH_SPLITTERS)
def test_graph_split_and_join_equal_python(name, lowercase):
    vocab = Vocabulary([], split=name, lowercase=lowercase)
    ragged = vocab.tf_split(tf.constant(AWKWARD))
    rows = [[t.decode("utf-8") for t in row] for row in ragged.to_list()]
    assert rows == [vocab.split(text) for text in AWKWARD]
    joined = [t.decode("utf-8") for t in vocab.tf_join(ragged).numpy()]
    assert joined == [vocab.join(vocab.split(text)) for text in AWKWARD]


@pytest.mark.parametrize("name", GRAPH_SPLITTERS)
def test_graph_join_equals_python_on_random_token_sequences(name):
    # Tokens as the rule produces them, in orders no sentence above has (e.g. an opening
    # mark right before a closing one).
    splitter = get_splitter(name)
    pool = sorted({t for text in AWKWARD for t in splitter.split(text)} | set(PUNCTUATION))
    if name != "chars":
        pool = [t for t in pool if splitter.split(t) == [t]]
    rng = random.Random(0)
    sequences = [[rng.choice(pool) for _ in range(rng.randint(0, 8))] for _ in range(300)]
    ragged = tf.ragged.constant(sequences, dtype=tf.string)
    got = [t.decode("utf-8") for t in splitter.tf_join(ragged).numpy()]
    assert got == [splitter.join(s) for s in sequences]


def test_rules_without_graph_version_say_so():
    vocab = Vocabulary(["a"], split="words")
    with pytest.raises(ValueError, match=r"split='words' has no tf.strings version.*chars"):
        vocab.tf_split(tf.constant(["a"]))


def test_registry_errors_and_a_custom_rule():
    with pytest.raises(ValueError, match="split must be one of .*'chars'.*got split='bpe'"):
        Vocabulary(split="bpe")
    with pytest.raises(ValueError, match="already registered"):
        register_splitter(Splitter("chars", list, "".join))
    with pytest.raises(ValueError, match="expected a Splitter"):
        register_splitter("chars")
    name = "test_commas"
    register_splitter(Splitter(name, lambda t: t.split(","), ",".join))
    try:
        vocab = Vocabulary.build(["a,b", "b,c"], split=name)
        assert vocab.encode("b,z").tolist() == [2, 1]
        assert Vocabulary.from_config(vocab.get_config()).decode([2, 3]) == "b,a"
    finally:
        del SPLITTERS[name]
