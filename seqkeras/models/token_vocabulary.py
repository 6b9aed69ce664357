"""Token vocabulary for sequence-to-sequence models: text ↔ ids, in Python and in a graph.

Ids 0..3 are reserved: ``0`` padding, ``1`` unknown, ``2`` start of sequence, ``3`` end
of sequence. The same splitting rules are written twice, with Python ``re`` and with
``tf.strings`` (RE2), so a SavedModel tokenizes exactly like :meth:`TokenVocabulary.encode`;
the patterns only use syntax both engines read identically.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIAL_TOKENS = ("<pad>", "<unk>", "<s>", "</s>")
LEVELS = ("char", "word")
# Punctuation split off as its own word token (Spanish and English).
# (curly apostrophes stay inside words: "god’s")
PUNCTUATION = '.,;:!?¿¡"()«»\u2014\u201c\u201d-'
_PUNCT_PATTERN = "([" + re.escape(PUNCTUATION) + "])"
_SPACE_PATTERN = r"\s+"
_NO_SPACE_BEFORE = set(".,;:!?)»\u201d")
_NO_SPACE_AFTER = set("(¿¡«\u201c")


class TokenVocabulary:
    """Maps text to token ids and back, at character or word level.

    Args:
        tokens: the regular tokens (characters or words); ids start at 4, after
            ``<pad> <unk> <s> </s>``.
        level: ``"char"`` (every character a token) or ``"word"`` (whitespace-separated
            words, with punctuation split off).
        lowercase: lower-case text before splitting.

    Example:
        >>> vocab = TokenVocabulary(list("0123456789-"), level="char")
        >>> vocab.encode("2024-01-31")[:4]
        [6, 4, 6, 8]
        >>> vocab.decode(vocab.encode("2024-01-31"))
        '2024-01-31'
    """

    def __init__(self, tokens: Sequence[str], level: str = "char", lowercase: bool = False):
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
        tokens = list(tokens)
        clash = [t for t in tokens if t in SPECIAL_TOKENS]
        if clash:
            raise ValueError(f"tokens must not contain the reserved tokens {clash}")
        if len(set(tokens)) != len(tokens):
            dup = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(f"tokens must be unique; repeated: {dup[:5]}")
        if any(not isinstance(t, str) or not t for t in tokens):
            raise ValueError("tokens must be non-empty strings")
        self.level = level
        self.lowercase = bool(lowercase)
        self.tokens = list(SPECIAL_TOKENS) + tokens
        self._index = {t: i for i, t in enumerate(self.tokens)}

    # -- construction ---------------------------------------------------------------
    @classmethod
    def build(
        cls,
        texts: Iterable[str],
        level: str = "char",
        lowercase: bool = False,
        max_size: int | None = None,
        min_count: int = 1,
    ) -> TokenVocabulary:
        """Vocabulary of the tokens of ``texts`` (most frequent first, ties by text)."""
        probe = cls([], level=level, lowercase=lowercase)
        counts: collections.Counter[str] = collections.Counter()
        for text in texts:
            counts.update(probe.split(text))
        ranked = sorted(
            (t for t, n in counts.items() if n >= min_count), key=lambda t: (-counts[t], t)
        )
        if max_size is not None:
            ranked = ranked[: max(0, max_size - len(SPECIAL_TOKENS))]
        return cls(ranked, level=level, lowercase=lowercase)

    def get_config(self) -> dict[str, Any]:
        return {
            "tokens": self.tokens[len(SPECIAL_TOKENS) :],
            "level": self.level,
            "lowercase": self.lowercase,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TokenVocabulary:
        return cls(**config)

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenVocabulary) and self.get_config() == other.get_config()

    # -- text <-> tokens -----------------------------------------------------------
    def split(self, text: str) -> list[str]:
        """The tokens of ``text`` (before id lookup)."""
        if self.lowercase:
            text = text.lower()
        if self.level == "char":
            return list(text)
        text = re.sub(_PUNCT_PATTERN, r" \1 ", text)
        return [w for w in re.split(_SPACE_PATTERN, text) if w]

    def join(self, tokens: Sequence[str]) -> str:
        """Inverse of :meth:`split` up to spacing: words are joined with spaces and
        no space is put before closing or after opening punctuation."""
        if self.level == "char":
            return "".join(tokens)
        out = ""
        for token in tokens:
            if out and token not in _NO_SPACE_BEFORE and out[-1] not in _NO_SPACE_AFTER:
                out += " "
            out += token
        return out

    # -- ids -------------------------------------------------------------------------
    def unknown(self, text: str) -> list[str]:
        """Tokens of ``text`` that are not in the vocabulary."""
        return [t for t in self.split(text) if t not in self._index]

    def encode(
        self,
        text: str,
        max_length: int | None = None,
        add_eos: bool = False,
        on_unknown: str = "unk",
        on_too_long: str = "truncate",
    ) -> list[int]:
        """Token ids of ``text``.

        Args:
            max_length: length limit (counting the end token when ``add_eos``).
            add_eos: append ``</s>``.
            on_unknown: ``"unk"`` maps unknown tokens to ``<unk>``; ``"error"`` raises.
            on_too_long: ``"truncate"`` keeps the first ``max_length`` ids; ``"error"``
                raises.

        Raises:
            ValueError: empty ``text``; unknown tokens or too long text in ``"error"`` mode.
        """
        if not isinstance(text, str):
            raise ValueError(f"expected a string, got {type(text).__name__}")
        tokens = self.split(text)
        if not tokens:
            raise ValueError("empty input: the text has no tokens")
        if on_unknown not in ("unk", "error"):
            raise ValueError(f"on_unknown must be 'unk' or 'error', got {on_unknown!r}")
        if on_too_long not in ("truncate", "error"):
            raise ValueError(f"on_too_long must be 'truncate' or 'error', got {on_too_long!r}")
        if on_unknown == "error":
            missing = [t for t in tokens if t not in self._index]
            if missing:
                shown = ", ".join(repr(t) for t in dict.fromkeys(missing))
                raise ValueError(f"unknown {self.level}(s) {shown} in {text!r}")
        ids = [self._index.get(t, UNK) for t in tokens]
        if add_eos:
            ids.append(EOS)
        if max_length is not None and len(ids) > max_length:
            if on_too_long == "error":
                raise ValueError(
                    f"input has {len(ids)} tokens, more than the maximum {max_length}: {text!r}"
                )
            ids = ids[:max_length]
        return ids

    def encode_batch(
        self, texts: Sequence[str], max_length: int, add_eos: bool = False, **kwargs: Any
    ) -> np.ndarray:
        """``(len(texts), max_length)`` int32 ids, padded with 0."""
        out = np.zeros((len(texts), max_length), dtype="int32")
        for i, text in enumerate(texts):
            ids = self.encode(text, max_length=max_length, add_eos=add_eos, **kwargs)
            out[i, : len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int]) -> str:
        """Text of ``ids``, stopping at ``</s>`` and skipping padding and ``<s>``."""
        tokens = []
        for i in ids:
            i = int(i)
            if i == EOS:
                break
            if i in (PAD, BOS):
                continue
            tokens.append(self.tokens[i] if 0 <= i < len(self.tokens) else SPECIAL_TOKENS[UNK])
        return self.join(tokens)

    # -- graph (TensorFlow) versions, for SavedModel serving --------------------------
    def tf_split(self, strings: Any) -> Any:
        """``tf.RaggedTensor`` of tokens for a 1-D string tensor, like :meth:`split`."""
        import tensorflow as tf

        if self.lowercase:
            strings = tf.strings.lower(strings, encoding="utf-8")
        if self.level == "char":
            return tf.strings.unicode_split(strings, "UTF-8")
        strings = tf.strings.regex_replace(strings, _PUNCT_PATTERN, r" \1 ")
        strings = tf.strings.regex_replace(strings, _SPACE_PATTERN, " ")
        strings = tf.strings.strip(strings)
        return tf.strings.split(strings, sep=" ")

    def tf_join(self, tokens: Any) -> Any:
        """Joins a ragged tensor of tokens per row (inverse of :meth:`tf_split`)."""
        import tensorflow as tf

        if self.level == "char":
            return tf.strings.reduce_join(tokens, axis=-1)
        text = tf.strings.reduce_join(tokens, axis=-1, separator=" ")
        before = "".join(re.escape(c) for c in sorted(_NO_SPACE_BEFORE))
        after = "".join(re.escape(c) for c in sorted(_NO_SPACE_AFTER))
        text = tf.strings.regex_replace(text, " ([" + before + "])", r"\1")
        return tf.strings.regex_replace(text, "([" + after + "]) ", r"\1")
