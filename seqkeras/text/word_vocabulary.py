"""``WordVocabulary``: word-level tokens with ``<unk>``, ``<eos>`` and padding."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ._lookup import LookupVocabulary

# A word is a run of letters/digits with inner apostrophes or hyphens ("don't", "co-op");
# with keep_punctuation every other non-space character is a token of its own.
_WORD = r"[^\W_]+(?:['\-][^\W_]+)*"
_WORD_OR_PUNCT = re.compile(rf"{_WORD}|[^\w\s]|_")
_WHITESPACE_WORDS = re.compile(r"\S+")


class WordVocabulary(LookupVocabulary):
    """Word vocabulary on Keras ``StringLookup``: ids 0 = padding, 1 = ``<unk>``, 2 = ``<eos>``.

    Args:
        max_tokens: size cap including the 3 reserved ids (``None`` = keep every word).
        lowercase: lowercase text before splitting.
        keep_punctuation: punctuation marks become tokens; otherwise they are dropped.
        split: ``"words"`` (regular expression above) or ``"whitespace"`` (keep each
            whitespace-separated string as is — right for pre-tokenized corpora like PTB).
        tokens: an existing token list (most frequent first), instead of ``adapt``.

    Example:
        >>> v = WordVocabulary(max_tokens=10).adapt(["the cat sat", "the dog"])
        >>> v.encode("the zebra")  # unseen word -> 1
        array([3, 1], dtype=int32)
    """

    separator = " "

    def __init__(
        self,
        max_tokens: int | None = None,
        lowercase: bool = True,
        keep_punctuation: bool = False,
        split: str = "words",
        tokens: Sequence[str] | None = None,
    ):
        if split not in ("words", "whitespace"):
            raise ValueError(f"split must be 'words' or 'whitespace'; got split={split!r}")
        self.lowercase = bool(lowercase)
        self.keep_punctuation = bool(keep_punctuation)
        self.split = split
        super().__init__(max_tokens=max_tokens, tokens=tokens)

    def tokenize(self, text: str) -> list[str]:
        if not isinstance(text, str):
            raise ValueError(f"expected text as str, got {type(text).__name__}")
        if self.lowercase:
            text = text.lower()
        if self.split == "whitespace":
            return _WHITESPACE_WORDS.findall(text)
        if self.keep_punctuation:
            return _WORD_OR_PUNCT.findall(text)
        return re.findall(_WORD, text)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "lowercase": self.lowercase,
            "keep_punctuation": self.keep_punctuation,
            "split": self.split,
        }
