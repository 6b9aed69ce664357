"""Named rules that cut text into tokens (a registry), each with its inverse ``join``.

A :class:`Splitter` is written once in Python (``re``) and, where a model is served as a
SavedModel, a second time with ``tf.strings`` (RE2); a test checks the two give the same
tokens. The two regex engines read several classes differently — Python's ``\\s`` and
``\\w`` are Unicode-aware, RE2's are ASCII — so the graph versions spell their classes
out (:data:`WHITESPACE` is Python's ``\\s``, character by character).

Registered splitters:

* ``"chars"``: every Unicode character (spaces and newlines included).
* ``"whitespace"``: the whitespace-separated strings as they are (pre-tokenized corpora
  such as PTB, note-token sequences).
* ``"words"``: words — runs of letters/digits with inner apostrophes or hyphens
  (``don't``, ``co-op``) — with every other character dropped.
* ``"words_and_punctuation"``: the same words, and every other non-space character a
  token of its own.
* ``"split_punctuation"``: whitespace-separated words after :data:`PUNCTUATION` marks are
  split off (Spanish and English; curly apostrophes stay inside words: ``god’s``); its
  ``join`` puts no space before closing and after opening marks. The seq2seq recipes use it.

``chars``, ``whitespace`` and ``split_punctuation`` have graph versions; the two
``words`` rules do not (Python's Unicode ``\\w`` has no exact RE2 spelling). Add a rule
with :func:`register_splitter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PUNCTUATION",
    "SPLITTERS",
    "WHITESPACE",
    "Splitter",
    "get_splitter",
    "register_splitter",
]

# Python's str-pattern ``\s``: the code points for which ``re.match(r"\s", c)`` holds
# (a test recomputes the set over all of Unicode).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The same class for RE2 (tf.strings), every character as \x{...}.
_RE2_WHITESPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]+"

# -- words ---------------------------------------------------------------------------
# A word is a run of letters/digits with inner apostrophes or hyphens ("don't", "co-op").
_WORD = r"[^\W_]+(?:['\-][^\W_]+)*"
_WORD_PATTERN = re.compile(_WORD)
_WORD_OR_PUNCT_PATTERN = re.compile(rf"{_WORD}|[^\w\s]|_")
_NON_SPACE_PATTERN = re.compile(r"\S+")

# -- split_punctuation -------------------------------------------------------------------
# Punctuation split off as its own word token (Spanish and English).
PUNCTUATION = '.,;:!?¿¡"()«»\u2014\u201c\u201d-'
# Only syntax that Python re and RE2 read the same way: a class of escaped literals.
_PUNCT_PATTERN = "([" + re.escape(PUNCTUATION) + "])"
_SPACES_PATTERN = re.compile(r"\s+")
_NO_SPACE_BEFORE = frozenset(".,;:!?)»\u201d")
_NO_SPACE_AFTER = frozenset("(¿¡«\u201c")


@dataclass(frozen=True)
class Splitter:
    """A tokenization rule: ``split`` text into tokens, ``join`` tokens back into text.

    Attributes:
        name: the registry key (what a vocabulary's config stores).
        split: ``str -> list[str]`` (never empty tokens).
        join: ``Sequence[str] -> str``, the inverse of ``split`` up to spacing.
        unit: what one token is, for messages (``"char"``, ``"word"``).
        tf_split: graph version of ``split``: a 1-D string tensor → a ``tf.RaggedTensor``
            of tokens, or ``None`` if the rule has none.
        tf_join: graph version of ``join``: a ragged tensor of tokens → 1-D strings.
    """

    name: str
    split: Callable[[str], list[str]]
    join: Callable[[Sequence[str]], str]
    unit: str = "word"
    tf_split: Callable[[Any], Any] | None = None
    tf_join: Callable[[Any], Any] | None = None

    @property
    def has_graph_version(self) -> bool:
        return self.tf_split is not None and self.tf_join is not None


SPLITTERS: dict[str, Splitter] = {}


def register_splitter(splitter: Splitter, replace: bool = False) -> Splitter:
    """Adds ``splitter`` to :data:`SPLITTERS` (``replace`` to overwrite a name)."""
    if not isinstance(splitter, Splitter):
        raise ValueError(f"expected a Splitter, got {type(splitter).__name__}")
    if splitter.name in SPLITTERS and not replace:
        raise ValueError(f"a splitter named {splitter.name!r} is already registered")
    SPLITTERS[splitter.name] = splitter
    return splitter


def get_splitter(name: str) -> Splitter:
    """The registered splitter ``name``; a ``ValueError`` lists the names otherwise."""
    try:
        return SPLITTERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"split must be one of {sorted(SPLITTERS)}; got split={name!r}") from None


# -- Python rules --------------------------------------------------------------------------
def _split_chars(text: str) -> list[str]:
    return list(text)


def _split_whitespace(text: str) -> list[str]:
    return _NON_SPACE_PATTERN.findall(text)


def _split_words(text: str) -> list[str]:
    return _WORD_PATTERN.findall(text)


def _split_words_and_punctuation(text: str) -> list[str]:
    return _WORD_OR_PUNCT_PATTERN.findall(text)


def _split_punctuation(text: str) -> list[str]:
    text = re.sub(_PUNCT_PATTERN, r" \1 ", text)
    return [w for w in _SPACES_PATTERN.split(text) if w]


def _join_chars(tokens: Sequence[str]) -> str:
    return "".join(tokens)


def _join_spaces(tokens: Sequence[str]) -> str:
    return " ".join(tokens)


def _join_punctuation(tokens: Sequence[str]) -> str:
    out = ""
    for token in tokens:
        if out and token not in _NO_SPACE_BEFORE and out[-1] not in _NO_SPACE_AFTER:
            out += " "
        out += token
    return out


# -- graph (tf.strings) rules --------------------------------------------------------------
def _tf_split_chars(strings: Any) -> Any:
    import tensorflow as tf

    return tf.strings.unicode_split(strings, "UTF-8")


def _tf_split_whitespace(strings: Any) -> Any:
    import tensorflow as tf

    # After every Unicode space run is one " ", the default split (ASCII whitespace,
    # empty pieces dropped) cuts exactly there.
    return tf.strings.split(tf.strings.regex_replace(strings, _RE2_WHITESPACE, " "))


def _tf_split_punctuation(strings: Any) -> Any:
    import tensorflow as tf

    return _tf_split_whitespace(tf.strings.regex_replace(strings, _PUNCT_PATTERN, r" \1 "))


def _tf_join_chars(tokens: Any) -> Any:
    import tensorflow as tf

    return tf.strings.reduce_join(tokens, axis=-1)


def _tf_join_spaces(tokens: Any) -> Any:
    import tensorflow as tf

    return tf.strings.reduce_join(tokens, axis=-1, separator=" ")


def _tf_join_punctuation(tokens: Any) -> Any:
    import tensorflow as tf

    text = tf.strings.reduce_join(tokens, axis=-1, separator=" ")
    before = "".join(re.escape(c) for c in sorted(_NO_SPACE_BEFORE))
    after = "".join(re.escape(c) for c in sorted(_NO_SPACE_AFTER))
    text = tf.strings.regex_replace(text, " ([" + before + "])", r"\1")
    return tf.strings.regex_replace(text, "([" + after + "]) ", r"\1")


register_splitter(
    Splitter("chars", _split_chars, _join_chars, "char", _tf_split_chars, _tf_join_chars)
)
register_splitter(
    Splitter(
        "whitespace",
        _split_whitespace,
        _join_spaces,
        "word",
        _tf_split_whitespace,
        _tf_join_spaces,
    )
)
register_splitter(Splitter("words", _split_words, _join_spaces, "word"))
register_splitter(
    Splitter("words_and_punctuation", _split_words_and_punctuation, _join_spaces, "word")
)
register_splitter(
    Splitter(
        "split_punctuation",
        _split_punctuation,
        _join_punctuation,
        "word",
        _tf_split_punctuation,
        _tf_join_punctuation,
    )
)
