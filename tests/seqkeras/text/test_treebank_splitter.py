"""The "treebank" splitter (the classifiers' tokenization): its rules by hand, and its
tf.strings twin equal to Python on awkward strings and on random ones built from the
pieces the two regex engines could read differently.

(test_splitters.py runs every graph splitter, this one included, on its own awkward
strings and random joins.)
"""

import random

import pytest
import tensorflow as tf

from seqkeras.text import TREEBANK, Vocabulary, get_splitter

AWKWARD = [
    "It's good!",
    "I don't think so, really...",
    "co-writer/director peter jackson's expanded vision",
    "  spaces\tand\ttabs\n\nand newlines  ",
    "Ça va? l’été “quoted” (x) [y] {z} a.b",
    "CAN'T WON'T they're we've I'll he'd I'm",
    "'s alone and n't alone",
    "@user #tag http://t.co/x 😀 ok",
    "x's's it's it's",
    "it`s it‘s IT’S",
    "IT'ſ DOESN'T ΣΑΣ'S Kelvin'K",  # ſ and K fold to s and k in both engines
    "non\xa0breaking\u3000ideographic\u2009thin\x85nel\x1cfs",
    "'",
    "n't",
    "",
    "   ",
]

# Pieces of random strings: clitics in every case, every apostrophe and quote the rule
# rewrites, its punctuation, Unicode spaces, and letters with special case folding.
PIECES = [
    "n't", "N'T", "'s", "'S", "'re", "'VE", "'ll", "'d", "'M", "'", "\u2019", "\u2018", "`",
    "\u201c", "\u201d", '"', ".", ",", "!", "?", ";", ":", "(", ")", "[", "]", "{", "}",
    " ", "  ", "\t", "\n", "\xa0", "\u3000", "\x1c", "\u2028", "a", "do", "it", "s", "t",
    "n", "ſ", "\u212a", "é", "e\u0301", "😀", "-", "/", "İ", "Σ", "<unk>",
]  # fmt: skip


def _random_strings(count, seed=0):
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def _graph(strings):
    ragged = get_splitter(TREEBANK).tf_split(tf.constant(strings))
    return [[t.decode("utf-8") for t in row] for row in ragged.to_list()]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It's good!", ["It", "'s", "good", "!"]),
        ("don't stop", ["do", "n't", "stop"]),
        ("DON'T STOP", ["DO", "N'T", "STOP"]),
        ("co-writer/director", ["co-writer/director"]),
        ("(wow) \u201cnice\u201d [a]{b}", ["(", "wow", ")", '"', "nice", '"', "[", "a", "]", "{", "b", "}"]),
        ("it\u2019s they`re", ["it", "'s", "they", "'re"]),
        ("we've I'll he'd I'm", ["we", "'ve", "I", "'ll", "he", "'d", "I", "'m"]),
        ("'s alone", ["'s", "alone"]),  # nothing to split it from
        ("a\xa0b\u3000c", ["a", "b", "c"]),  # every Unicode space separates
        ("  ", []),
    ],
)
def test_rules_by_hand(text, expected):
    assert get_splitter(TREEBANK).split(text) == expected


def test_graph_twin_equals_python_on_awkward_strings():
    splitter = get_splitter(TREEBANK)
    assert _graph(AWKWARD) == [splitter.split(t) for t in AWKWARD]


def test_graph_twin_equals_python_on_random_strings():
    strings = _random_strings(600)
    splitter = get_splitter(TREEBANK)
    expected = [splitter.split(t) for t in strings]
    assert sum(len(t) for t in expected) > 1000  # the strings do hold tokens
    assert _graph(strings) == expected


def test_lowercasing_commutes_with_splitting():
    # TextVectorizer splits first (tokens keep their case) and looks tokens up
    # lowercased; Vocabulary(lowercase=True) lowercases the text first. Same ids, but
    # for one letter: a capital sigma lowercases by context (final ς, else σ), and a
    # clitic split off changes its context ("ΑΣ'S": σ in the text, ς in the token).
    splitter = get_splitter(TREEBANK)
    for text in AWKWARD + _random_strings(300, seed=1):
        if "\u03a3" in text:
            continue
        assert [t.lower() for t in splitter.split(text)] == splitter.split(text.lower()), text
    assert splitter.split("ΑΣ'S".lower()) == ["ασ", "'s"]
    assert [t.lower() for t in splitter.split("ΑΣ'S")] == ["ας", "'s"]


def test_a_vocabulary_with_the_rule_serves_the_same_ids():
    vocab = Vocabulary.build(AWKWARD[:8], split=TREEBANK, lowercase=True)
    queries = AWKWARD + _random_strings(50, seed=2)
    table = vocab.tf_lookup_table()
    got = table.lookup(vocab.tf_split(tf.constant(queries))).to_list()
    assert got == [vocab.encode(t).tolist() if vocab.split(t) else [] for t in queries]
    assert vocab.encode("IT'S NOT").tolist() == [vocab.token_to_id("it"), vocab.token_to_id("'s"), 1]
