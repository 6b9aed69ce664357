"""A corpus as word ids on disk, read in fixed-size records (streams, never loads whole).

The file is little-endian int32: each sentence's ids followed by ``SENTENCE_END`` (-1);
words outside the vocabulary are dropped (as word2vec does, before windows are taken);
the end is padded with ``SENTENCE_END`` to a whole number of records so that
``tf.data.FixedLengthRecordDataset`` can read it in chunks of any size.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..atomic import atomic_path, write_text_atomic
from .vocabulary import Vocabulary

SENTENCE_END = -1
RECORD_TOKENS = 4096  # ids per on-disk record (16 KiB)
_WRITE_BUFFER = 1 << 20  # ids collected before each write


@dataclass(frozen=True)
class EncodedCorpus:
    """A corpus encoded by ``encode_corpus``.

    Attributes:
        path: the int32 id file.
        num_words: in-vocabulary tokens (without sentence ends and padding).
        num_sentences: sentences.
        record_tokens: ids per record; the file holds ``num_records`` of them.
    """

    path: str
    num_words: int
    num_sentences: int
    record_tokens: int = RECORD_TOKENS

    @property
    def num_records(self) -> int:
        return os.path.getsize(self.path) // (4 * self.record_tokens)

    def ids(self) -> np.ndarray:
        """The whole id stream as a read-only memory map (nothing is loaded up front)."""
        return np.memmap(self.path, dtype="<i4", mode="r")

    def save_info(self, path: str | os.PathLike[str]) -> None:
        """Writes the counts next to the ids (JSON, atomic)."""
        info = {
            "path": os.path.basename(self.path),
            "num_words": self.num_words,
            "num_sentences": self.num_sentences,
            "record_tokens": self.record_tokens,
        }
        write_text_atomic(path, json.dumps(info))

    @classmethod
    def load_info(cls, path: str | os.PathLike[str]) -> EncodedCorpus:
        path = os.fspath(path)
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
        ids = os.path.join(os.path.dirname(os.path.abspath(path)), info["path"])
        if not os.path.exists(ids):
            raise FileNotFoundError(f"{path} describes {ids}, which is missing")
        return cls(
            ids, int(info["num_words"]), int(info["num_sentences"]), int(info["record_tokens"])
        )


def encode_corpus(
    sentences: Iterable[Sequence[str]],
    vocabulary: Vocabulary,
    path: str | os.PathLike[str],
    record_tokens: int = RECORD_TOKENS,
) -> EncodedCorpus:
    """Writes the ids of ``sentences`` to ``path`` (streaming, atomically).

    Raises:
        ValueError: no sentence has an in-vocabulary word (an empty corpus).
    """
    if record_tokens < 1:
        raise ValueError(f"record_tokens must be >= 1, got {record_tokens}")
    path = os.fspath(path)
    words = sentences_written = written = 0
    buffer: list[np.ndarray] = []
    buffered = 0
    end = np.array([SENTENCE_END], np.int32)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:

        def flush() -> int:
            if not buffer:
                return 0
            block = np.concatenate(buffer).astype("<i4")
            block.tofile(f)
            buffer.clear()
            return len(block)

        for sentence in sentences:
            ids = vocabulary.encode(sentence)
            if len(ids) == 0:
                continue
            buffer.extend((ids, end))
            buffered += len(ids) + 1
            words += len(ids)
            sentences_written += 1
            if buffered >= _WRITE_BUFFER:
                written += flush()
                buffered = 0
        written += flush()
        if words == 0:  # raised inside the block: the temporary file goes, path is untouched
            raise ValueError("empty corpus: no sentence has a word of the vocabulary")
        padding = (-written) % record_tokens
        np.full(padding, SENTENCE_END, "<i4").tofile(f)
    return EncodedCorpus(path, words, sentences_written, record_tokens)
