"""Shared machinery of the vocabularies: reserved ids and the Keras ``StringLookup`` pair."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

PAD_TOKEN = ""
UNK_TOKEN = "<unk>"
EOS_TOKEN = "<eos>"
PAD_ID = 0
UNK_ID = 1
EOS_ID = 2
NUM_RESERVED = 3
# A softmax needs the three reserved ids plus at least one real token to be a model.
MIN_VOCABULARY_SIZE = NUM_RESERVED + 1


class LookupVocabulary:
    """Base of :class:`WordVocabulary` and :class:`CharVocabulary`.

    Ids: 0 = padding (``""``), 1 = ``<unk>``, 2 = ``<eos>``, then the tokens from most
    to least frequent. Token → id and id → token both go through
    ``keras.layers.StringLookup`` (id → token reads that layer's vocabulary table).
    """

    separator = " "

    def __init__(self, max_tokens: int | None = None, tokens: Sequence[str] | None = None):
        if max_tokens is not None and (
            isinstance(max_tokens, bool)
            or not isinstance(max_tokens, int)
            or max_tokens < MIN_VOCABULARY_SIZE
        ):
            raise ValueError(
                f"max_tokens must be an integer >= {MIN_VOCABULARY_SIZE} (padding, {UNK_TOKEN}, "
                f"{EOS_TOKEN} and at least one token); got max_tokens={max_tokens!r}"
            )
        self.max_tokens = max_tokens
        self._tokens: list[str] | None = None
        self._lookup: Any = None
        self._id_to_token: np.ndarray | None = None
        if tokens is not None:
            self.set_tokens(tokens)

    # -- building -------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def adapt(self, texts: Iterable[str] | str) -> LookupVocabulary:
        """Counts the tokens of ``texts`` and keeps the ``max_tokens - 3`` most frequent.

        Raises:
            ValueError: the corpus holds no token.
        """
        if isinstance(texts, str):
            texts = [texts]
        counts: dict[str, int] = {}
        for text in texts:
            for token in self.tokenize(text):
                counts[token] = counts.get(token, 0) + 1
        for reserved in (PAD_TOKEN, UNK_TOKEN, EOS_TOKEN):
            counts.pop(reserved, None)
        if not counts:
            raise ValueError("empty corpus: adapt() found no token to build a vocabulary from")
        # Most frequent first; ties alphabetically so the vocabulary is deterministic.
        ordered = sorted(counts, key=lambda t: (-counts[t], t))
        if self.max_tokens is not None:
            ordered = ordered[: self.max_tokens - NUM_RESERVED]
        self.set_tokens(ordered)
        return self

    def set_tokens(self, tokens: Sequence[str]) -> None:
        import keras

        tokens = [str(t) for t in tokens if t not in (PAD_TOKEN, UNK_TOKEN, EOS_TOKEN)]
        if len(set(tokens)) != len(tokens):
            raise ValueError("tokens must not repeat")
        if len(tokens) + NUM_RESERVED < MIN_VOCABULARY_SIZE:
            raise ValueError(
                f"a vocabulary needs at least {MIN_VOCABULARY_SIZE} ids (padding, {UNK_TOKEN}, "
                f"{EOS_TOKEN} and one token); got {len(tokens) + NUM_RESERVED}"
            )
        self._tokens = list(tokens)
        table = [EOS_TOKEN, *self._tokens]
        self._lookup = keras.layers.StringLookup(
            vocabulary=table, mask_token=PAD_TOKEN, oov_token=UNK_TOKEN, num_oov_indices=1
        )
        # id -> token reads the same layer's table (an inverted StringLookup returns
        # string tensors, which only the TensorFlow backend can hand back).
        self._id_to_token = np.array([str(t) for t in self._lookup.get_vocabulary()], dtype=object)

    # -- queries --------------------------------------------------------------
    def _require_built(self) -> None:
        if self._tokens is None:
            raise ValueError(f"{type(self).__name__} is empty: call adapt(texts) first")

    def __len__(self) -> int:
        self._require_built()
        assert self._tokens is not None
        return len(self._tokens) + NUM_RESERVED

    @property
    def size(self) -> int:
        return len(self)

    pad_id = PAD_ID
    unk_id = UNK_ID
    eos_id = EOS_ID

    def get_vocabulary(self) -> list[str]:
        """Every token, indexed by id (``[ "", "<unk>", "<eos>", ... ]``)."""
        self._require_built()
        assert self._id_to_token is not None
        return [str(t) for t in self._id_to_token]

    def tokens_to_ids(self, tokens: Sequence[str]) -> np.ndarray:
        import keras

        self._require_built()
        if len(tokens) == 0:
            return np.zeros((0,), dtype="int32")
        ids = self._lookup(np.asarray(list(tokens), dtype=object))
        return np.asarray(keras.ops.convert_to_numpy(ids), dtype="int32")

    def ids_to_tokens(self, ids: Sequence[int] | np.ndarray) -> list[str]:
        self._require_built()
        ids = np.asarray(ids, dtype="int64").reshape(-1)
        if ids.size == 0:
            return []
        if ids.min() < 0 or ids.max() >= len(self):
            raise ValueError(
                f"token ids must lie in [0, {len(self)}); got {ids.min()}..{ids.max()}"
            )
        assert self._id_to_token is not None
        return [str(t) for t in self._id_to_token[ids]]

    def encode(self, text: str, add_eos: bool = False) -> np.ndarray:
        """``text`` → int32 ids (unseen tokens → ``<unk>`` = 1; ``<eos>`` appended if asked)."""
        if not isinstance(text, str):
            raise ValueError(f"encode expects a str, got {type(text).__name__}")
        ids = self.tokens_to_ids(self.tokenize(text))
        if add_eos:
            ids = np.concatenate([ids, np.array([EOS_ID], dtype="int32")])
        return ids

    def decode(self, ids: Sequence[int] | np.ndarray, stop_at_eos: bool = False) -> str:
        """ids → text; padding is dropped, ``<eos>`` ends the text if ``stop_at_eos``."""
        ids = np.asarray(ids, dtype="int64").reshape(-1)
        if stop_at_eos and (ids == EOS_ID).any():
            ids = ids[: int(np.argmax(ids == EOS_ID))]
        ids = ids[ids != PAD_ID]
        return self.separator.join(self.ids_to_tokens(ids))

    # -- serialization --------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            "max_tokens": self.max_tokens,
            "tokens": None if self._tokens is None else list(self._tokens),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LookupVocabulary:
        return cls(**config)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes ``{"class": ..., "config": ...}`` as JSON, atomically."""
        path = os.fspath(path)
        payload = {"class": type(self).__name__, "config": self.get_config()}
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f, ensure_ascii=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)

    def __repr__(self) -> str:
        size = "unbuilt" if self._tokens is None else len(self)
        return f"{type(self).__name__}(size={size})"


def vocabulary_to_dict(vocabulary: LookupVocabulary) -> dict[str, Any]:
    return {"class": type(vocabulary).__name__, "config": vocabulary.get_config()}


def vocabulary_from_dict(payload: dict[str, Any]) -> LookupVocabulary:
    from .char_vocabulary import CharVocabulary
    from .word_vocabulary import WordVocabulary

    classes = {"WordVocabulary": WordVocabulary, "CharVocabulary": CharVocabulary}
    name = payload.get("class")
    if name not in classes:
        raise ValueError(f"unknown vocabulary class {name!r}; expected one of {sorted(classes)}")
    return classes[name].from_config(payload["config"])


def load_vocabulary(path: str | os.PathLike[str]) -> LookupVocabulary:
    """Reads a vocabulary written by ``vocabulary.save(path)``."""
    with open(path, encoding="utf-8") as f:
        return vocabulary_from_dict(json.load(f))
