"""Raw text → word ids (and character ids) for the text classifiers and the tagger.

Ids: ``0`` padding, ``1`` unknown, then the tokens in the order given. The splitting
rules are written twice — Python ``re`` and ``tf.strings`` (RE2) — so a SavedModel
tokenizes exactly like :meth:`TextVectorizer.split`; the patterns only use syntax both
engines read identically (explicit ASCII character classes, no ``\\w``/``\\s``, whose
meaning differs between them), and a test compares the two on awkward strings.

``split="words"`` suits free text and GloVe: punctuation marks become tokens of their
own and English clitics are split off as in the Penn Treebank tokenization GloVe was
trained on ("it's" → "it 's", "don't" → "do n't"); hyphens and slashes stay inside
words ("co-writer"). ``split="whitespace"`` keeps pre-tokenized text (CoNLL files,
tweets) as it is. ``lowercase`` applies to the *lookup* (GloVe 6B is lower-cased);
:meth:`split` keeps the case, which character features need.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

PAD, UNK = 0, 1
PAD_TOKEN, UNK_TOKEN = "", "<unk>"
RESERVED = (PAD_TOKEN, UNK_TOKEN)
SPLITS = ("words", "whitespace")
DEFAULT_MAX_CHARS = 20  # characters per token seen by character features (longer: cut)

_SPACE = "[ \t\n\r\f\v]+"
_APOSTROPHES = "[\u2019\u2018`]"  # curly and grave apostrophes read as "'"
_QUOTES = "[\u201c\u201d]"  # curly double quotes read as '"'
_PUNCTUATION = r"""([.,;:!?"()\[\]{}])"""
# A clitic glued to the end of a word: "it's" -> "it 's", "don't" -> "do n't".
_CLITIC = "(?i)([^ ])(n't|'s|'re|'ve|'ll|'d|'m)( |$)"


class TextVectorizer:
    """Splits raw text into tokens and maps them to ids (and characters to ids).

    Args:
        tokens: the regular tokens; id ``i + 2`` is ``tokens[i]`` (0 padding, 1 unknown).
        split: ``"words"`` (punctuation and clitics split off) or ``"whitespace"``.
        lowercase: look words up lower-cased (the tokens must then be lower-case).
        chars: characters for character features (id ``i + 2``; 0 padding, 1 unknown),
            or ``None`` for none.
        max_chars: characters kept per token for character features.
        max_length: tokens kept per text (longer texts are cut), ``None`` for all.

    Example:
        >>> v = TextVectorizer(["it", "'s", "good"])
        >>> v.split("It's good!")
        ['It', "'s", 'good', '!']
        >>> v.encode(["It's good!"]).tolist()
        [[2, 3, 4, 1]]
    """

    def __init__(
        self,
        tokens: Sequence[str],
        split: str = "words",
        lowercase: bool = True,
        chars: Sequence[str] | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        max_length: int | None = None,
    ):
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        self.split_mode = split
        self.lowercase = bool(lowercase)
        self.tokens = _check_unique("tokens", tokens)
        if self.lowercase:
            upper = [t for t in self.tokens if t != t.lower()]
            if upper:
                raise ValueError(
                    f"lowercase=True looks words up lower-cased, but tokens {upper[:5]} are not"
                )
        self.chars = None if chars is None else _check_unique("chars", chars)
        if self.chars is not None and any(len(c) != 1 for c in self.chars):
            raise ValueError("chars must be single characters")
        if not isinstance(max_chars, int) or max_chars < 1:
            raise ValueError(f"max_chars must be a positive int, got {max_chars!r}")
        self.max_chars = max_chars
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            raise ValueError(f"max_length must be a positive int or None, got {max_length!r}")
        self.max_length = max_length
        self._index = {t: i + len(RESERVED) for i, t in enumerate(self.tokens)}
        self._char_index = (
            {} if self.chars is None else {c: i + len(RESERVED) for i, c in enumerate(self.chars)}
        )

    # -- construction --------------------------------------------------------------
    @classmethod
    def build(
        cls,
        texts: Iterable[str | Sequence[str]],
        split: str = "words",
        lowercase: bool = True,
        max_tokens: int | None = None,
        min_count: int = 1,
        extra_tokens: Iterable[str] = (),
        char_features: bool = False,
        **kwargs: Any,
    ) -> TextVectorizer:
        """Vocabulary of the tokens of ``texts`` (strings, or token lists already split).

        Tokens are ranked by count (ties alphabetically), ``max_tokens`` of them kept
        (reserved ids not counted); ``extra_tokens`` (e.g. the most frequent words of a
        pretrained embedding, so that words never seen in training still get their
        vector) are appended after them. ``char_features`` collects the characters too.
        """
        probe = cls([], split=split, lowercase=False)
        counts: collections.Counter[str] = collections.Counter()
        char_counts: collections.Counter[str] = collections.Counter()
        for text in texts:
            pieces = probe.split(text) if isinstance(text, str) else list(text)
            char_counts.update(c for p in pieces for c in p)
            counts.update(p.lower() if lowercase else p for p in pieces)
        counts.pop(PAD_TOKEN, None)
        counts.pop(UNK_TOKEN, None)
        ranked = sorted((t for t, n in counts.items() if n >= min_count), key=lambda t: (-counts[t], t))
        if max_tokens is not None:
            ranked = ranked[:max_tokens]
        seen = set(ranked)
        for token in extra_tokens:
            key = token.lower() if lowercase else token
            if key not in seen and key not in RESERVED:
                ranked.append(key)
                seen.add(key)
        chars = sorted(char_counts, key=lambda c: (-char_counts[c], c)) if char_features else None
        return cls(ranked, split=split, lowercase=lowercase, chars=chars, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {
            "tokens": list(self.tokens),
            "split": self.split_mode,
            "lowercase": self.lowercase,
            "chars": None if self.chars is None else list(self.chars),
            "max_chars": self.max_chars,
            "max_length": self.max_length,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorizer:
        return cls(**config)

    def __len__(self) -> int:
        return len(self.tokens) + len(RESERVED)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextVectorizer) and self.get_config() == other.get_config()

    @property
    def vocabulary(self) -> list[str]:
        """Token of every id (``""`` padding, ``"<unk>"`` unknown): the rows of an
        embedding matrix aligned with this vectorizer."""
        return [*RESERVED, *self.tokens]

    @property
    def num_chars(self) -> int:
        """Number of character ids (0 when there are no character features)."""
        return 0 if self.chars is None else len(self.chars) + len(RESERVED)

    # -- Python -------------------------------------------------------------------
    def split(self, text: str) -> list[str]:
        """The tokens of ``text`` (case kept), at most ``max_length`` of them."""
        if not isinstance(text, str):
            raise ValueError(f"expected text as a string, got {type(text).__name__}")
        text = re.sub(_SPACE, " ", text)
        if self.split_mode == "words":
            text = re.sub(_APOSTROPHES, "'", text)
            text = re.sub(_QUOTES, '"', text)
            text = re.sub(_PUNCTUATION, r" \1 ", text)
            text = re.sub(_SPACE, " ", text).strip(" ")
            text = re.sub(_CLITIC, r"\1 \2\3", text)
        tokens = [t for t in text.split(" ") if t]
        return tokens if self.max_length is None else tokens[: self.max_length]

    def token_ids(self, tokens: Sequence[str]) -> list[int]:
        """Ids of already split tokens (unknown → 1)."""
        if self.lowercase:
            return [self._index.get(t.lower(), UNK) for t in tokens]
        return [self._index.get(t, UNK) for t in tokens]

    def unknown(self, text: str) -> list[str]:
        """Tokens of ``text`` outside the vocabulary."""
        tokens = self.split(text)
        return [t for t, i in zip(tokens, self.token_ids(tokens), strict=True) if i == UNK]

    def split_batch(self, texts: Sequence[str] | Sequence[Sequence[str]]) -> list[list[str]]:
        """Tokens of every text; a text given as a token list is kept as it is (cut to
        ``max_length``). An empty text raises ``ValueError`` naming its position."""
        if isinstance(texts, str):
            raise ValueError("expected a list of texts, got a single string")
        out = []
        for i, text in enumerate(texts):
            if isinstance(text, str):
                tokens = self.split(text)
            else:
                tokens = [str(t) for t in text]
                if any(not t or re.search(_SPACE, t) for t in tokens):
                    raise ValueError(f"text {i}: tokens must be non-empty and hold no whitespace")
                tokens = tokens if self.max_length is None else tokens[: self.max_length]
            if not tokens:
                raise ValueError(f"text {i} is empty (no tokens): {text!r}")
            out.append(tokens)
        return out

    def encode(self, texts: Sequence[str] | Sequence[Sequence[str]], length: int | None = None) -> np.ndarray:
        """``(len(texts), T)`` int32 word ids padded with 0 (``T`` = longest text, or
        ``length``)."""
        return self.encode_tokens(self.split_batch(texts), length)

    def encode_tokens(self, batch: Sequence[Sequence[str]], length: int | None = None) -> np.ndarray:
        length = length or max((len(t) for t in batch), default=1)
        out = np.zeros((len(batch), length), "int32")
        for row, tokens in enumerate(batch):
            ids = self.token_ids(tokens)[:length]
            out[row, : len(ids)] = ids
        return out

    def encode_chars(self, batch: Sequence[Sequence[str]], length: int | None = None) -> np.ndarray:
        """``(len(batch), T, max_chars)`` int32 character ids of split tokens."""
        if self.chars is None:
            raise ValueError("this vectorizer has no character features (chars=None)")
        length = length or max((len(t) for t in batch), default=1)
        out = np.zeros((len(batch), length, self.max_chars), "int32")
        for row, tokens in enumerate(batch):
            for col, token in enumerate(tokens[:length]):
                ids = [self._char_index.get(c, UNK) for c in token[: self.max_chars]]
                out[row, col, : len(ids)] = ids
        return out

    # -- TensorFlow (SavedModel serving) ---------------------------------------------
    def tf_split(self, strings: Any) -> Any:
        """``tf.RaggedTensor`` of tokens of a 1-D string tensor, like :meth:`split`."""
        import tensorflow as tf

        strings = tf.strings.regex_replace(strings, _SPACE, " ")
        if self.split_mode == "words":
            strings = tf.strings.regex_replace(strings, _APOSTROPHES, "'")
            strings = tf.strings.regex_replace(strings, _QUOTES, '"')
            strings = tf.strings.regex_replace(strings, _PUNCTUATION, r" \1 ")
            strings = tf.strings.regex_replace(strings, _SPACE, " ")
            strings = tf.strings.regex_replace(strings, "^ +| +$", "")
            strings = tf.strings.regex_replace(strings, _CLITIC, r"\1 \2\3")
        tokens = tf.strings.split(strings, sep=" ")
        tokens = tf.ragged.boolean_mask(tokens, tf.strings.length(tokens) > 0)
        if self.max_length is not None:
            tokens = tokens[:, : self.max_length]
        return tokens

    def tf_tables(self) -> dict[str, Any]:
        """Lookup tables for :meth:`tf_token_ids` / :meth:`tf_char_ids` (create them once,
        e.g. in a ``tf.Module``'s constructor, so they are saved with it)."""
        import tensorflow as tf

        def table(keys: list[str]) -> Any:
            if not keys:  # a table needs one key; the empty string is never a token
                keys = [PAD_TOKEN]
                values = tf.constant([UNK], tf.int64)
            else:
                values = tf.range(len(RESERVED), len(keys) + len(RESERVED), dtype=tf.int64)
            return tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(tf.constant(keys), values), default_value=UNK
            )

        tables = {"tokens": table(list(self.tokens))}
        if self.chars is not None:
            tables["chars"] = table(list(self.chars))
        return tables

    def tf_token_ids(self, tokens: Any, tables: dict[str, Any]) -> Any:
        """int32 ragged ids of a ragged token tensor."""
        import tensorflow as tf

        keys = tf.strings.lower(tokens, encoding="utf-8") if self.lowercase else tokens
        return tf.cast(tf.ragged.map_flat_values(tables["tokens"].lookup, keys), tf.int32)

    def tf_char_ids(self, tokens: Any, tables: dict[str, Any]) -> Any:
        """int32 dense ``(batch, T, max_chars)`` character ids of a ragged token tensor."""
        import tensorflow as tf

        chars = tf.strings.unicode_split(tokens, "UTF-8")[:, :, : self.max_chars]
        ids = tf.cast(tf.ragged.map_flat_values(tables["chars"].lookup, chars), tf.int32)
        return ids.to_tensor(default_value=PAD, shape=[None, None, self.max_chars])


def _check_unique(name: str, items: Sequence[str]) -> list[str]:
    if isinstance(items, str):
        raise ValueError(f"{name} must be a list of strings, got a single string")
    items = list(items)
    if any(not isinstance(t, str) or not t for t in items):
        raise ValueError(f"{name} must be non-empty strings")
    clash = [t for t in items if t in RESERVED]
    if clash:
        raise ValueError(f"{name} must not contain the reserved {clash}")
    if len(set(items)) != len(items):
        dup = [t for t, n in collections.Counter(items).items() if n > 1]
        raise ValueError(f"{name} must be unique; repeated: {dup[:5]}")
    return items
