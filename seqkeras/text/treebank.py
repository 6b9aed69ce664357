"""The ``"treebank"`` splitter: punctuation and English clitics split off as in the Penn
Treebank tokenization GloVe was trained on (what the sentiment and NER models use).

``"It's good!"`` → ``It 's good !``; ``"don't"`` → ``do n't``; curly apostrophes and
quotes read as straight ones; hyphens and slashes stay inside words (``co-writer/director``).
GloVe 6B has ``'s`` and ``n't`` but not ``it's``, so this rule finds a vector for far more
running words than the ``"words"`` rule. Case is kept (a :class:`Vocabulary` lowercases
first when ``lowercase=True``; clitics are matched in any case: ``DON'T`` → ``DO N'T``).

Written twice, with Python ``re`` and with ``tf.strings`` (RE2), from patterns both
engines read the same way (RE2 gets Python's ``\\s`` spelt out, no ``\\w``);
``tests/seqkeras/text/test_treebank_splitter.py`` compares the two.
"""

from __future__ import annotations

import re
from typing import Any

from .splitters import _RE2_WHITESPACE, Splitter, _join_spaces, _tf_join_spaces, register_splitter

__all__ = ["TREEBANK"]

TREEBANK = "treebank"

_APOSTROPHES = "[\u2019\u2018`]"  # curly and grave apostrophes read as "'"
_QUOTES = "[\u201c\u201d]"  # curly double quotes read as '"'
_PUNCTUATION = r"""([.,;:!?"()\[\]{}])"""
# A clitic glued to the end of a word: "it's" -> "it 's", "don't" -> "do n't".
_CLITIC = "(?i)([^ ])(n't|'s|'re|'ve|'ll|'d|'m)( |$)"
_SPACES = " +"
_EDGE_SPACES = "^ +| +$"
# The rewrites after white space became " ", the same for both engines.
_REWRITES = (
    (_APOSTROPHES, "'"),
    (_QUOTES, '"'),
    (_PUNCTUATION, r" \1 "),
    (_SPACES, " "),
    (_EDGE_SPACES, ""),
    (_CLITIC, r"\1 \2\3"),
)
# White space: Python's \s, and for RE2 (whose \s is ASCII only) the same class spelt out.
_PY_REWRITES = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in ((r"\s+", " "), *_REWRITES)
)
_TF_REWRITES = ((_RE2_WHITESPACE, " "), *_REWRITES)


def split_treebank(text: str) -> list[str]:
    """The tokens of ``text`` (case kept)."""
    for pattern, replacement in _PY_REWRITES:
        text = pattern.sub(replacement, text)
    return [t for t in text.split(" ") if t]


def tf_split_treebank(strings: Any) -> Any:
    """``tf.RaggedTensor`` of the tokens of a 1-D string tensor, like :func:`split_treebank`."""
    import tensorflow as tf

    for pattern, replacement in _TF_REWRITES:
        strings = tf.strings.regex_replace(strings, pattern, replacement)
    # Only " " separates tokens now: the default split (ASCII white space, empty
    # pieces dropped) cuts exactly there.
    return tf.strings.split(strings)


register_splitter(
    # join: tokens with one space between (the inverse of split up to spacing)
    Splitter(TREEBANK, split_treebank, _join_spaces, "word", tf_split_treebank, _tf_join_spaces)
)
