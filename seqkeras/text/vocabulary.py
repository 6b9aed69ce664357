"""``Vocabulary``: text ↔ token ids for every seqkeras text model.

Ids: ``0`` padding, ``1`` unknown, then the optional start (``bos``) and end (``eos``)
tokens in that order, then the regular tokens (after :meth:`Vocabulary.adapt`: most
frequent first, ties alphabetically). Token → id is a Python dict (no Keras layer);
:meth:`Vocabulary.tf_split` / :meth:`Vocabulary.tf_lookup_table` give the same mapping
inside a TensorFlow graph for SavedModel serving.

The configs written by the classes this one replaced still load, to the same ids:
``{"class": "WordVocabulary" | "CharVocabulary", "config": ...}`` (ids ``""``=0,
``<unk>``=1, ``<eos>``=2) and ``TokenVocabulary``'s ``{"tokens", "level", "lowercase"}``
(``<pad>``=0, ``<unk>``=1, ``<s>``=2, ``</s>``=3); see :func:`vocabulary_from_dict`.
"""

from __future__ import annotations

import collections
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from .splitters import Splitter, get_splitter

__all__ = [
    "LM_RESERVED_TOKENS",
    "ON_TOO_LONG",
    "ON_UNKNOWN",
    "PAD_ID",
    "SEQ2SEQ_RESERVED_TOKENS",
    "UNK_ID",
    "Vocabulary",
    "load_vocabulary",
    "vocabulary_from_dict",
    "vocabulary_to_dict",
]

PAD_ID = 0
UNK_ID = 1
ON_UNKNOWN = ("unk", "error")
ON_TOO_LONG = ("truncate", "error")


class Vocabulary:
    """Maps text to token ids and back, with configurable reserved tokens and tokenizer.

    Args:
        tokens: the regular tokens, in id order (ids start after the reserved ones);
            ``None`` for an empty vocabulary to :meth:`adapt`.
        split: name of a registered splitter (:data:`seqkeras.text.SPLITTERS`):
            ``"chars"``, ``"whitespace"``, ``"words"``, ``"words_and_punctuation"``,
            ``"split_punctuation"``, or one added with ``register_splitter``.
        lowercase: lowercase text before splitting (the tokens must then be lowercase).
        pad_token: text of id 0 (may be ``""``).
        unk_token: text of id 1; unknown tokens map to it.
        bos_token: start token (id 2), or ``None`` for none.
        eos_token: end token (id 2, or 3 after a start token), or ``None`` for none.
        max_size: most ids :meth:`adapt` keeps, the reserved ones included.
        min_count: fewest occurrences :meth:`adapt` needs to keep a token.

    Example:
        >>> v = Vocabulary.build(["the cat sat", "the dog"], split="words", eos_token="<eos>")
        >>> v.encode("the zebra", add_eos=True).tolist()  # zebra is unknown: id 1
        [3, 1, 2]
        >>> v.decode([3, 4, 2, 5])  # stops at the end token
        'the cat'
        >>> v.unknown("the zebra and the gnu")
        ['zebra', 'and', 'gnu']
    """

    def __init__(
        self,
        tokens: Sequence[str] | None = None,
        split: str = "whitespace",
        lowercase: bool = False,
        pad_token: str = "<pad>",
        unk_token: str = "<unk>",
        bos_token: str | None = None,
        eos_token: str | None = None,
        max_size: int | None = None,
        min_count: int = 1,
    ):
        self._splitter: Splitter = get_splitter(split)
        self.split_name = split
        self.lowercase = bool(lowercase)
        reserved = [pad_token, unk_token, bos_token, eos_token]
        names = ("pad_token", "unk_token", "bos_token", "eos_token")
        for name, token in zip(names, reserved, strict=True):
            optional = name in ("bos_token", "eos_token")
            if token is None and optional:
                continue
            if not isinstance(token, str) or (not token and name != "pad_token"):
                raise ValueError(f"{name} must be a non-empty string; got {name}={token!r}")
        present = [t for t in reserved if t is not None]
        if len(set(present)) != len(present):
            raise ValueError(f"reserved tokens must differ; got {present}")
        self.pad_token, self.unk_token = pad_token, unk_token
        self.bos_token, self.eos_token = bos_token, eos_token
        self.reserved: tuple[str, ...] = tuple(present)
        self.bos_id = None if bos_token is None else self.reserved.index(bos_token)
        self.eos_id = None if eos_token is None else self.reserved.index(eos_token)
        if max_size is not None and (
            isinstance(max_size, bool) or not isinstance(max_size, int) or max_size <= len(present)
        ):
            raise ValueError(
                f"max_size must be an integer > {len(present)} (the reserved ids "
                f"{present} and at least one token), or None; got max_size={max_size!r}"
            )
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an integer >= 1; got min_count={min_count!r}")
        self.max_size, self.min_count = max_size, min_count
        self._tokens: list[str] | None = None
        self._index: dict[str, int] = {}
        if tokens is not None:
            self._set_tokens(tokens)

    pad_id = PAD_ID
    unk_id = UNK_ID

    # -- building --------------------------------------------------------------------
    def _set_tokens(self, tokens: Iterable[str]) -> None:
        if isinstance(tokens, str):
            raise ValueError(f"tokens must be a list of strings, not the string {tokens!r}")
        tokens = list(tokens)
        bad = [t for t in tokens if not isinstance(t, str) or not t]
        if bad:
            raise ValueError(f"tokens must be non-empty strings; got {bad[:5]}")
        clash = [t for t in tokens if t in self.reserved]
        if clash:
            raise ValueError(f"tokens must not contain the reserved tokens {clash}")
        if len(set(tokens)) != len(tokens):
            repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
            raise ValueError(f"tokens must be unique; repeated: {repeated[:5]}")
        if self._splitter.unit == "char":
            long = [t for t in tokens if len(t) != 1]
            if long:
                raise ValueError(f"split='chars' tokens must be single characters; got {long[:5]}")
        if self.lowercase:
            upper = [t for t in tokens if t != t.lower()]
            if upper:
                raise ValueError(
                    f"lowercase=True looks tokens up lowercased, but tokens {upper[:5]} are not"
                )
        self._tokens = tokens
        every = [*self.reserved, *tokens]
        self._id_to_token = every
        self._index = {t: i for i, t in enumerate(every)}

    def adapt(self, texts: Iterable[str | Sequence[str]] | str) -> Vocabulary:
        """Keeps the tokens of ``texts`` (most frequent first, ties alphabetically);
        returns ``self``.

        ``texts``: strings (split by this vocabulary's rule), token lists already split
        (lowercased if ``lowercase``), or one string. Reserved tokens in the text are
        not counted; ``min_count`` and ``max_size`` apply.

        Raises:
            ValueError: the texts hold no token.
        """
        if isinstance(texts, str):
            texts = [texts]
        counts: collections.Counter[str] = collections.Counter()
        for text in texts:
            if isinstance(text, str):
                counts.update(self.split(text))
            else:
                counts.update(t.lower() if self.lowercase else t for t in text)
        for token in self.reserved:
            counts.pop(token, None)
        if not counts:
            raise ValueError("empty corpus: adapt() found no token to build a vocabulary from")
        ranked = sorted((t for t, n in counts.items() if n >= self.min_count),
                        key=lambda t: (-counts[t], t))  # fmt: skip
        if self.max_size is not None:
            ranked = ranked[: self.max_size - len(self.reserved)]
        self._set_tokens(ranked)
        return self

    @classmethod
    def build(cls, texts: Iterable[str | Sequence[str]] | str, **kwargs: Any) -> Vocabulary:
        """``Vocabulary(**kwargs).adapt(texts)``."""
        return cls(**kwargs).adapt(texts)

    # -- queries ---------------------------------------------------------------------
    @property
    def is_built(self) -> bool:
        return self._tokens is not None

    def _require_built(self) -> None:
        if self._tokens is None:
            raise ValueError("this Vocabulary is empty: call adapt(texts) first, or pass tokens")

    def __len__(self) -> int:
        self._require_built()
        return len(self._id_to_token)

    @property
    def size(self) -> int:
        return len(self)

    @property
    def tokens(self) -> list[str]:
        """Every token by id, the reserved ones first."""
        self._require_built()
        return list(self._id_to_token)

    def get_vocabulary(self) -> list[str]:
        """Every token by id (same as :attr:`tokens`)."""
        return self.tokens

    @property
    def regular_tokens(self) -> list[str]:
        """The tokens after the reserved ones."""
        self._require_built()
        assert self._tokens is not None
        return list(self._tokens)

    @property
    def splitter(self) -> Splitter:
        return self._splitter

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.get_config() == other.get_config()

    __hash__ = None  # type: ignore[assignment]

    def token_to_id(self, token: str) -> int:
        """Id of ``token`` (``unk_id`` if unknown)."""
        self._require_built()
        return self._index.get(token, UNK_ID)

    def id_to_token(self, token_id: int) -> str:
        return self.ids_to_tokens([token_id])[0]

    def tokens_to_ids(self, tokens: Iterable[str]) -> np.ndarray:
        """int32 ids of already split tokens (unknown → ``unk_id``)."""
        self._require_built()
        get = self._index.get
        return np.fromiter((get(t, UNK_ID) for t in tokens), dtype="int32")

    def ids_to_tokens(self, ids: Iterable[int] | np.ndarray) -> list[str]:
        self._require_built()
        ids = np.asarray(ids, dtype="int64").reshape(-1)
        bad = ids[(ids < 0) | (ids >= len(self))]
        if bad.size:
            raise ValueError(f"token ids must lie in [0, {len(self)}); got {bad[:5].tolist()}")
        return [self._id_to_token[i] for i in ids.tolist()]

    # -- text <-> tokens ---------------------------------------------------------------
    def split(self, text: str) -> list[str]:
        """The tokens of ``text`` (lowercased if ``lowercase``), before id lookup."""
        if not isinstance(text, str):
            raise ValueError(f"expected text as str, got {type(text).__name__}")
        return self._splitter.split(text.lower() if self.lowercase else text)

    tokenize = split

    def join(self, tokens: Sequence[str]) -> str:
        """Text of ``tokens`` (inverse of :meth:`split` up to spacing and case)."""
        return self._splitter.join(tokens)

    def unknown(self, text: str) -> list[str]:
        """The tokens of ``text`` that are not in the vocabulary (in order, repeats kept:
        one per ``<unk>`` that :meth:`encode` gives)."""
        self._require_built()
        return [t for t in self.split(text) if t not in self._index]

    # -- ids -------------------------------------------------------------------------
    def encode(
        self,
        text: str,
        *,
        add_bos: bool = False,
        add_eos: bool = False,
        max_length: int | None = None,
        on_unknown: str = "unk",
        on_too_long: str = "truncate",
    ) -> np.ndarray:
        """int32 token ids of ``text``.

        Args:
            add_bos: put the start token first.
            add_eos: append the end token.
            max_length: length limit (counting the start and end tokens).
            on_unknown: ``"unk"`` maps unknown tokens to ``unk_id``; ``"error"`` raises.
            on_too_long: ``"truncate"`` keeps the first ``max_length`` ids (the end token
                may be cut); ``"error"`` raises.

        Raises:
            ValueError: ``text`` has no token ("empty input"); an unknown token or a too
                long text in ``"error"`` mode; ``add_bos``/``add_eos`` without such a token.
        """
        if on_unknown not in ON_UNKNOWN:
            raise ValueError(f"on_unknown must be one of {ON_UNKNOWN}, got {on_unknown!r}")
        if on_too_long not in ON_TOO_LONG:
            raise ValueError(f"on_too_long must be one of {ON_TOO_LONG}, got {on_too_long!r}")
        self._require_built()
        tokens = self.split(text)
        if not tokens:
            raise ValueError(f"empty input: {text!r} has no tokens")
        if on_unknown == "error":
            missing = [t for t in tokens if t not in self._index]
            if missing:
                shown = ", ".join(repr(t) for t in dict.fromkeys(missing))
                raise ValueError(f"unknown {self._splitter.unit}(s) {shown} in {text!r}")
        get = self._index.get
        ids = [get(t, UNK_ID) for t in tokens]
        if add_bos:
            ids.insert(0, self._reserved_id("bos"))
        if add_eos:
            ids.append(self._reserved_id("eos"))
        if max_length is not None and len(ids) > max_length:
            if on_too_long == "error":
                raise ValueError(
                    f"input has {len(ids)} tokens, more than the maximum {max_length}: {text!r}"
                )
            ids = ids[:max_length]
        return np.asarray(ids, dtype="int32")

    def _reserved_id(self, which: str) -> int:
        token_id = self.bos_id if which == "bos" else self.eos_id
        if token_id is None:
            raise ValueError(f"add_{which}=True, but this vocabulary has no {which}_token")
        return token_id

    def encode_batch(
        self, texts: Sequence[str], max_length: int | None = None, **kwargs: Any
    ) -> np.ndarray:
        """``(len(texts), max_length)`` int32 ids padded with ``pad_id`` (``max_length``
        ``None``: the longest); ``kwargs`` as in :meth:`encode`."""
        if isinstance(texts, str):
            raise ValueError("encode_batch expects a list of strings, got a single string")
        rows = [self.encode(t, max_length=max_length, **kwargs) for t in texts]
        width = max_length if max_length is not None else max((len(r) for r in rows), default=0)
        out = np.full((len(rows), width), PAD_ID, dtype="int32")
        for i, row in enumerate(rows):
            out[i, : len(row)] = row
        return out

    def decode(self, ids: Iterable[int] | np.ndarray, *, stop_at_eos: bool = True) -> str:
        """Text of ``ids``: padding and start tokens are skipped, the end token ends the
        text (``stop_at_eos=False``: it is written as its token text).

        Raises:
            ValueError: an id outside ``[0, len(self))``.
        """
        ids = np.asarray(ids, dtype="int64").reshape(-1)
        if stop_at_eos and self.eos_id is not None and (ids == self.eos_id).any():
            ids = ids[: int(np.argmax(ids == self.eos_id))]
        skip = (ids == PAD_ID) | (ids == (-1 if self.bos_id is None else self.bos_id))
        return self.join(self.ids_to_tokens(ids[~skip]))

    # -- graph (TensorFlow) versions, for SavedModel serving -----------------------------
    def graph_splitter(self) -> Splitter:
        """The splitter, checked to have a tf.strings version (``ValueError`` if not)."""
        if not self._splitter.has_graph_version:
            from .splitters import SPLITTERS

            graph = sorted(n for n, s in SPLITTERS.items() if s.has_graph_version)
            raise ValueError(
                f"split={self.split_name!r} has no tf.strings version; a served vocabulary "
                f"needs one of {graph}"
            )
        return self._splitter

    def tf_split(self, strings: Any) -> Any:
        """``tf.RaggedTensor`` of tokens of a 1-D string tensor, like :meth:`split`."""
        import tensorflow as tf

        splitter = self.graph_splitter()
        if self.lowercase:
            strings = tf.strings.lower(strings, encoding="utf-8")
        assert splitter.tf_split is not None
        return splitter.tf_split(strings)

    def tf_join(self, tokens: Any) -> Any:
        """Joins a ragged tensor of tokens per row, like :meth:`join`."""
        splitter = self.graph_splitter()
        assert splitter.tf_join is not None
        return splitter.tf_join(tokens)

    def tf_lookup_table(self) -> Any:
        """A ``tf.lookup.StaticHashTable`` token → id (int64; unknown → ``unk_id``).

        Keep it as an attribute of the ``tf.Module`` that is saved, so the SavedModel
        tracks it.
        """
        import tensorflow as tf

        keys = tf.constant(self.tokens)
        values = tf.range(len(self), dtype=tf.int64)
        return tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(keys, values), default_value=UNK_ID
        )

    # -- serialization ---------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            "tokens": None if self._tokens is None else list(self._tokens),
            "split": self.split_name,
            "lowercase": self.lowercase,
            "pad_token": self.pad_token,
            "unk_token": self.unk_token,
            "bos_token": self.bos_token,
            "eos_token": self.eos_token,
            "max_size": self.max_size,
            "min_count": self.min_count,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Vocabulary:
        """Rebuilds a vocabulary from :meth:`get_config`, or from the config of one of the
        classes this one replaced (see :func:`vocabulary_from_dict`)."""
        if not isinstance(config, dict):
            raise ValueError(f"a vocabulary config must be a dict, got {type(config).__name__}")
        if "class" in config:
            return vocabulary_from_dict(config)
        legacy = _legacy_kind(config)
        if legacy is not None:
            return Vocabulary(**LEGACY_CONFIGS[legacy](config))
        unexpected = sorted(set(config) - set(_CONFIG_KEYS))
        if unexpected:
            raise ValueError(
                f"unknown vocabulary config keys {unexpected}; expected {_CONFIG_KEYS}"
            )
        return Vocabulary(**config)

    def save(self, path: str | os.PathLike[str]) -> str:
        """Writes ``{"class": "Vocabulary", "config": ...}`` as JSON, atomically."""
        from ..atomic import write_json_atomic

        return write_json_atomic(path, vocabulary_to_dict(self))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        return load_vocabulary(path)

    def __repr__(self) -> str:
        size = len(self) if self.is_built else "unbuilt"
        return (
            f"Vocabulary(size={size}, split={self.split_name!r}, lowercase={self.lowercase}, "
            f"reserved={list(self.reserved)})"
        )


_CONFIG_KEYS = (
    "tokens", "split", "lowercase", "pad_token", "unk_token", "bos_token", "eos_token",
    "max_size", "min_count",
)  # fmt: skip


# -- the two reserved layouts in use, and the configs of the replaced classes -------------
# Language models (WordVocabulary / CharVocabulary): "" = 0, <unk> = 1, <eos> = 2.
LM_RESERVED_TOKENS: Mapping[str, str | None] = MappingProxyType(
    {"pad_token": "", "unk_token": "<unk>", "bos_token": None, "eos_token": "<eos>"}
)
# Sequence-to-sequence models (TokenVocabulary): <pad> = 0, <unk> = 1, <s> = 2, </s> = 3.
SEQ2SEQ_RESERVED_TOKENS: Mapping[str, str | None] = MappingProxyType(
    {"pad_token": "<pad>", "unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>"}
)
TOKEN_LEVEL_SPLITS = {"char": "chars", "word": "split_punctuation"}


def _word_config(config: dict[str, Any]) -> dict[str, Any]:
    _check_keys(
        "WordVocabulary", config, {"max_tokens", "tokens", "lowercase", "keep_punctuation", "split"}
    )
    split = config.get("split", "words")
    if split not in ("words", "whitespace"):
        raise ValueError(
            f"WordVocabulary config: split must be 'words' or 'whitespace'; got {split!r}"
        )
    if split == "words" and config.get("keep_punctuation", False):
        split = "words_and_punctuation"
    return {
        "tokens": config.get("tokens"),
        "split": split,
        "lowercase": config.get("lowercase", True),
        "max_size": config.get("max_tokens"),
        **LM_RESERVED_TOKENS,
    }


def _char_config(config: dict[str, Any]) -> dict[str, Any]:
    _check_keys("CharVocabulary", config, {"max_tokens", "tokens", "lowercase"})
    return {
        "tokens": config.get("tokens"),
        "split": "chars",
        "lowercase": config.get("lowercase", False),
        "max_size": config.get("max_tokens"),
        **LM_RESERVED_TOKENS,
    }


def _token_config(config: dict[str, Any]) -> dict[str, Any]:
    _check_keys("TokenVocabulary", config, {"tokens", "level", "lowercase"})
    level = config.get("level", "char")
    if level not in TOKEN_LEVEL_SPLITS:
        raise ValueError(
            f"TokenVocabulary config: level must be one of {sorted(TOKEN_LEVEL_SPLITS)}; got {level!r}"
        )
    return {
        "tokens": list(config["tokens"]),
        "split": TOKEN_LEVEL_SPLITS[level],
        "lowercase": config.get("lowercase", False),
        **SEQ2SEQ_RESERVED_TOKENS,
    }


LEGACY_CONFIGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "WordVocabulary": _word_config,
    "CharVocabulary": _char_config,
    "TokenVocabulary": _token_config,
}


def _check_keys(name: str, config: dict[str, Any], allowed: set[str]) -> None:
    unexpected = sorted(set(config) - allowed)
    if unexpected:
        raise ValueError(f"{name} config has unknown keys {unexpected}; expected {sorted(allowed)}")


def _legacy_kind(config: dict[str, Any]) -> str | None:
    """Which replaced class wrote a bare ``config`` (``None``: the current format)."""
    if "level" in config:
        return "TokenVocabulary"
    if "max_tokens" in config:
        return "WordVocabulary" if {"keep_punctuation", "split"} & set(config) else "CharVocabulary"
    return None


def vocabulary_to_dict(vocabulary: Vocabulary) -> dict[str, Any]:
    """``{"class": "Vocabulary", "config": vocabulary.get_config()}`` (JSON-ready)."""
    if not isinstance(vocabulary, Vocabulary):
        raise ValueError(f"expected a Vocabulary, got {type(vocabulary).__name__}")
    return {"class": "Vocabulary", "config": vocabulary.get_config()}


def vocabulary_from_dict(payload: dict[str, Any]) -> Vocabulary:
    """Inverse of :func:`vocabulary_to_dict`; also reads the payloads of the replaced
    ``WordVocabulary``/``CharVocabulary``/``TokenVocabulary`` (same ids as they gave)."""
    if not isinstance(payload, dict):
        raise ValueError(f"a vocabulary payload must be a dict, got {type(payload).__name__}")
    name = payload.get("class")
    config = payload.get("config")
    if not isinstance(config, dict):
        raise ValueError(f"vocabulary payload needs a 'config' dict; got keys {sorted(payload)}")
    if name == "Vocabulary":
        return Vocabulary.from_config(config)
    if name in LEGACY_CONFIGS:
        return Vocabulary(**LEGACY_CONFIGS[name](config))
    raise ValueError(
        f"unknown vocabulary class {name!r}; expected one of {['Vocabulary', *LEGACY_CONFIGS]}"
    )


def load_vocabulary(path: str | os.PathLike[str]) -> Vocabulary:
    """Reads a vocabulary written by :meth:`Vocabulary.save` (or by the replaced classes'
    ``save``, or a bare ``get_config()`` JSON)."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            payload = json.load(f)
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: not a vocabulary JSON file ({err})") from None
    try:
        if isinstance(payload, dict) and "class" in payload:
            return vocabulary_from_dict(payload)
        return Vocabulary.from_config(payload)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{path}: {err}") from None
