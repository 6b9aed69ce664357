"""Raw text → padded word ids (and character ids) for the text classifiers and the tagger.

A thin layer over :class:`seqkeras.text.Vocabulary`, which maps tokens to ids (the
layout :data:`~seqkeras.text.CLASSIFIER_RESERVED_TOKENS`: ``0`` padding ``""``, ``1``
``<unk>``, then the tokens) and splits text with a registered rule — by default
``"treebank"`` (punctuation and English clitics split off, as GloVe was tokenized),
``"whitespace"`` for pre-tokenized text (CoNLL files, tweets). What this class adds is
the policy of a Keras text model:

* tokens keep their case — character features and the tagger's output see it — while
  the word lookup is lowercased when the vocabulary is (GloVe 6B is lower-cased);
* optional character ids from a second ``Vocabulary`` (``split="chars"``), at most
  ``max_chars`` per token;
* at most ``max_length`` tokens per text, batches padded with id 0, and an empty text
  is an error naming its position;
* the same in a TensorFlow graph (``tf_*`` methods), for the SavedModels: the splitting
  rule's ``tf.strings`` twin and the vocabularies' lookup tables.

Configs written before this class used ``Vocabulary`` (``{"tokens", "split",
"lowercase", "chars", "max_chars", "max_length"}``, in ``.keras`` files of the models)
still load to the same ids: their ``split="words"`` is the rule now registered as
``"treebank"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from seqkeras.text import CLASSIFIER_RESERVED_TOKENS, PAD_ID, TREEBANK, UNK_ID, Vocabulary

PAD, UNK = PAD_ID, UNK_ID
DEFAULT_SPLIT = TREEBANK
DEFAULT_MAX_CHARS = 20  # characters per token seen by character features (longer: cut)
CHAR_SPLIT = "chars"
# What the configs written before Vocabulary called their two rules.
LEGACY_SPLITS = {"words": TREEBANK, "whitespace": "whitespace"}
_LEGACY_KEYS = ("tokens", "split", "lowercase", "chars", "max_chars", "max_length")
_CONFIG_KEYS = ("words", "chars", "max_chars", "max_length")
_RESERVED_COUNT = sum(t is not None for t in CLASSIFIER_RESERVED_TOKENS.values())
_SPACE = re.compile(r"\s")


class TextVectorizer:
    """Splits raw text into tokens and maps them to word ids (and characters to ids).

    Args:
        tokens: the regular tokens (id ``i + 2`` is ``tokens[i]``; 0 padding, 1
            unknown); or give ``vocabulary`` instead.
        split: name of a registered splitter (:data:`seqkeras.text.SPLITTERS`; default
            ``"treebank"``); one with a ``tf.strings`` twin if the model is to be served.
        lowercase: look words up lowercased (the tokens must then be lowercase); default
            ``True``.
        chars: characters for character features (a list, id ``i + 2``; or a
            ``Vocabulary`` with ``split="chars"``), or ``None`` for none.
        max_chars: characters kept per token for character features.
        max_length: tokens kept per text (longer texts are cut), ``None`` for all.
        vocabulary: a :class:`~seqkeras.text.Vocabulary` for the words, instead of
            ``tokens``/``split``/``lowercase`` (it carries them).

    Example:
        >>> v = TextVectorizer(["it", "'s", "good"])
        >>> v.split("It's good!")
        ['It', "'s", 'good', '!']
        >>> v.encode(["It's good!"]).tolist()
        [[2, 3, 4, 1]]
    """

    def __init__(
        self,
        tokens: Sequence[str] | None = None,
        split: str | None = None,
        lowercase: bool | None = None,
        chars: Vocabulary | Sequence[str] | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        max_length: int | None = None,
        *,
        vocabulary: Vocabulary | None = None,
    ):
        self.words = _word_vocabulary(tokens, split, lowercase, vocabulary)
        self.chars = _char_vocabulary(chars)
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise ValueError(f"max_chars must be a positive int, got {max_chars!r}")
        self.max_chars = max_chars
        if max_length is not None and (
            isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1
        ):
            raise ValueError(f"max_length must be a positive int or None, got {max_length!r}")
        self.max_length = max_length

    # -- construction --------------------------------------------------------------
    @classmethod
    def build(
        cls,
        texts: Iterable[str | Sequence[str]],
        split: str = DEFAULT_SPLIT,
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
        vector) are appended after them. ``char_features`` collects the characters too
        (ranked the same way). ``kwargs``: ``max_chars``, ``max_length``.

        Raises:
            ValueError: the texts hold no token; a bad ``max_tokens``.
        """
        if isinstance(texts, str):
            raise ValueError("expected a list of texts, got a single string")
        if max_tokens is not None and (
            isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
        ):
            raise ValueError(f"max_tokens must be a positive int or None, got {max_tokens!r}")
        probe = cls(vocabulary=Vocabulary([], split=split, **CLASSIFIER_RESERVED_TOKENS))
        pieces = [probe.split(t) if isinstance(t, str) else [str(p) for p in t] for t in texts]
        counted = Vocabulary.build(
            pieces, split=split, lowercase=lowercase, min_count=min_count,
            max_size=None if max_tokens is None else max_tokens + _RESERVED_COUNT,
            **CLASSIFIER_RESERVED_TOKENS,
        )  # fmt: skip
        ranked = counted.regular_tokens
        seen = {*ranked, *counted.reserved}
        for token in extra_tokens:
            key = token.lower() if lowercase else token
            if key not in seen:
                ranked.append(key)
                seen.add(key)
        words = Vocabulary(ranked, split=split, lowercase=lowercase, **CLASSIFIER_RESERVED_TOKENS)
        chars = None
        if char_features:
            chars = Vocabulary.build(
                ["".join(p) for p in pieces], split=CHAR_SPLIT, **CLASSIFIER_RESERVED_TOKENS
            )
        return cls(vocabulary=words, chars=chars, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {
            "words": self.words.get_config(),
            "chars": None if self.chars is None else self.chars.get_config(),
            "max_chars": self.max_chars,
            "max_length": self.max_length,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorizer:
        """Rebuilds a vectorizer from :meth:`get_config`, or from the config the class
        wrote before it used ``Vocabulary`` (same ids)."""
        if not isinstance(config, dict):
            raise ValueError(f"a TextVectorizer config must be a dict, got {type(config).__name__}")
        if "tokens" in config:
            return cls(**_from_legacy(config))
        unexpected = sorted(set(config) - set(_CONFIG_KEYS))
        if unexpected or "words" not in config:
            raise ValueError(
                f"a TextVectorizer config needs the keys {list(_CONFIG_KEYS)}; got {sorted(config)}"
            )
        chars = config.get("chars")
        return cls(
            vocabulary=Vocabulary.from_config(config["words"]),
            chars=None if chars is None else Vocabulary.from_config(chars),
            max_chars=config.get("max_chars", DEFAULT_MAX_CHARS),
            max_length=config.get("max_length"),
        )

    def __len__(self) -> int:
        return len(self.words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextVectorizer) and self.get_config() == other.get_config()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"TextVectorizer(words={self.words!r}, chars={self.chars!r}, "
            f"max_chars={self.max_chars}, max_length={self.max_length})"
        )

    @property
    def lowercase(self) -> bool:
        return self.words.lowercase

    @property
    def split_name(self) -> str:
        return self.words.split_name

    @property
    def tokens(self) -> list[str]:
        """The regular tokens (ids after the reserved ones)."""
        return self.words.regular_tokens

    @property
    def vocabulary(self) -> list[str]:
        """Token of every id (``""`` padding, ``"<unk>"`` unknown): the rows of an
        embedding matrix aligned with this vectorizer."""
        return self.words.tokens

    @property
    def num_chars(self) -> int:
        """Number of character ids (0 when there are no character features)."""
        return 0 if self.chars is None else len(self.chars)

    # -- Python -------------------------------------------------------------------
    def split(self, text: str) -> list[str]:
        """The tokens of ``text`` (case kept), at most ``max_length`` of them."""
        if not isinstance(text, str):
            raise ValueError(f"expected text as a string, got {type(text).__name__}")
        tokens = self.words.splitter.split(text)
        return tokens if self.max_length is None else tokens[: self.max_length]

    def token_ids(self, tokens: Sequence[str]) -> np.ndarray:
        """int32 ids of already split tokens (looked up lowercased if ``lowercase``;
        unknown → 1)."""
        if self.lowercase:
            return self.words.tokens_to_ids(t.lower() for t in tokens)
        return self.words.tokens_to_ids(tokens)

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
                if any(not t or _SPACE.search(t) for t in tokens):
                    raise ValueError(f"text {i}: tokens must be non-empty and hold no whitespace")
                tokens = tokens if self.max_length is None else tokens[: self.max_length]
            if not tokens:
                raise ValueError(f"text {i} is empty (no tokens): {text!r}")
            out.append(tokens)
        return out

    def encode(
        self, texts: Sequence[str] | Sequence[Sequence[str]], length: int | None = None
    ) -> np.ndarray:
        """``(len(texts), T)`` int32 word ids padded with 0 (``T`` = longest text, or
        ``length``)."""
        return self.encode_tokens(self.split_batch(texts), length)

    def encode_tokens(
        self, batch: Sequence[Sequence[str]], length: int | None = None
    ) -> np.ndarray:
        """``(len(batch), T)`` int32 word ids of split texts, padded with 0."""
        length = length or max((len(t) for t in batch), default=1)
        out = np.full((len(batch), length), PAD, "int32")
        for row, tokens in enumerate(batch):
            ids = self.token_ids(tokens[:length])
            out[row, : len(ids)] = ids
        return out

    def encode_chars(
        self, batch: Sequence[Sequence[str]], length: int | None = None
    ) -> np.ndarray:
        """``(len(batch), T, max_chars)`` int32 character ids of split texts."""
        chars = self._require_chars()
        length = length or max((len(t) for t in batch), default=1)
        out = np.full((len(batch), length, self.max_chars), PAD, "int32")
        for row, tokens in enumerate(batch):
            for col, token in enumerate(tokens[:length]):
                ids = chars.tokens_to_ids(chars.split(token)[: self.max_chars])
                out[row, col, : len(ids)] = ids
        return out

    def _require_chars(self) -> Vocabulary:
        if self.chars is None:
            raise ValueError("this vectorizer has no character features (chars=None)")
        return self.chars

    # -- TensorFlow (SavedModel serving) ---------------------------------------------
    def tf_split(self, strings: Any) -> Any:
        """``tf.RaggedTensor`` of tokens of a 1-D string tensor, like :meth:`split`.

        Raises:
            ValueError: the splitting rule has no ``tf.strings`` twin.
        """
        splitter = self.words.graph_splitter()
        assert splitter.tf_split is not None
        tokens = splitter.tf_split(strings)  # case kept: the lookup lowercases
        return tokens if self.max_length is None else tokens[:, : self.max_length]

    def tf_tables(self) -> dict[str, Any]:
        """Lookup tables for :meth:`tf_token_ids` / :meth:`tf_char_ids` (create them once,
        e.g. in a ``tf.Module``'s constructor, so they are saved with it)."""
        tables = {"tokens": self.words.tf_lookup_table()}
        if self.chars is not None:
            tables["chars"] = self.chars.tf_lookup_table()
        return tables

    def tf_token_ids(self, tokens: Any, tables: dict[str, Any]) -> Any:
        """int32 ragged ids of a ragged token tensor."""
        import tensorflow as tf

        keys = tf.strings.lower(tokens, encoding="utf-8") if self.lowercase else tokens
        return tf.cast(tf.ragged.map_flat_values(tables["tokens"].lookup, keys), tf.int32)

    def tf_char_ids(self, tokens: Any, tables: dict[str, Any]) -> Any:
        """int32 dense ``(batch, T, max_chars)`` character ids of a ragged token tensor."""
        import tensorflow as tf

        chars = self._require_chars().tf_split(tokens.flat_values)[:, : self.max_chars]
        ids = tf.cast(tf.ragged.map_flat_values(tables["chars"].lookup, chars), tf.int32)
        return tokens.with_flat_values(ids).to_tensor(
            default_value=PAD, shape=[None, None, self.max_chars]
        )


def _word_vocabulary(
    tokens: Sequence[str] | None,
    split: str | None,
    lowercase: bool | None,
    vocabulary: Vocabulary | None,
) -> Vocabulary:
    if vocabulary is None:
        if tokens is None:
            raise ValueError("give the tokens (a list of strings) or vocabulary=Vocabulary(...)")
        if isinstance(tokens, str):
            raise ValueError(f"tokens must be a list of strings, not the string {tokens!r}")
        return Vocabulary(
            list(tokens), split=split or DEFAULT_SPLIT,
            lowercase=True if lowercase is None else lowercase, **CLASSIFIER_RESERVED_TOKENS,
        )  # fmt: skip
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(
            f"vocabulary must be a seqkeras.text.Vocabulary, got {type(vocabulary).__name__}"
        )
    given = {"tokens": tokens, "split": split, "lowercase": lowercase}
    clash = sorted(name for name, value in given.items() if value is not None)
    if clash:
        raise ValueError(f"give {clash} to the Vocabulary, not beside vocabulary=")
    if not vocabulary.is_built:
        raise ValueError("vocabulary is empty: adapt it first, or pass its tokens")
    return vocabulary


def _char_vocabulary(chars: Vocabulary | Sequence[str] | None) -> Vocabulary | None:
    if chars is None or isinstance(chars, Vocabulary):
        if chars is not None and chars.split_name != CHAR_SPLIT:
            raise ValueError(
                f"chars must be a Vocabulary with split={CHAR_SPLIT!r}, got split={chars.split_name!r}"
            )
        return chars
    if isinstance(chars, str):
        raise ValueError(f"chars must be a list of characters, not the string {chars!r}")
    return Vocabulary(list(chars), split=CHAR_SPLIT, **CLASSIFIER_RESERVED_TOKENS)


def _from_legacy(config: dict[str, Any]) -> dict[str, Any]:
    """Constructor arguments of a config written before ``Vocabulary`` (same ids)."""
    unexpected = sorted(set(config) - set(_LEGACY_KEYS))
    if unexpected:
        raise ValueError(
            f"TextVectorizer config has unknown keys {unexpected}; expected {list(_LEGACY_KEYS)}"
        )
    split = config.get("split", "words")
    if split not in LEGACY_SPLITS:
        raise ValueError(
            f"TextVectorizer config: split must be one of {sorted(LEGACY_SPLITS)}; got {split!r}"
        )
    return {
        "tokens": config["tokens"],
        "split": LEGACY_SPLITS[split],
        "lowercase": config.get("lowercase", True),
        "chars": config.get("chars"),
        "max_chars": config.get("max_chars", DEFAULT_MAX_CHARS),
        "max_length": config.get("max_length"),
    }
