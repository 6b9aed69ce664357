"""Word–word co-occurrence counts X_ij for GloVe (course 2.8), counted in numpy chunks.

X_ij adds 1/distance for every occurrence of word j within ``window`` words of word i in
the same sentence, on both sides (GloVe's ``cooccur -symmetric 1``; the same word twice
in a window counts on both sides of the diagonal cell, as there). Counting streams over
an encoded corpus chunk by chunk and keeps only the distinct (i, j) cells.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..atomic import atomic_path
from .encoded_corpus import SENTENCE_END, EncodedCorpus

DEFAULT_WINDOW = 10  # GloVe's default window
X_MAX = 100.0  # f(x) = (x / x_max)^alpha below x_max, 1 above (Pennington et al.)
ALPHA = 0.75
_CHUNK_TOKENS = 1 << 21
_RECORD = np.dtype([("row", "<i4"), ("column", "<i4"), ("count", "<f4")])


@dataclass(frozen=True)
class Cooccurrences:
    """Sparse co-occurrence counts: cells sorted by (row, column).

    Attributes:
        rows, columns: int32 word ids i and j.
        counts: float64 X_ij (> 0).
        vocabulary_size: V.
    """

    rows: np.ndarray
    columns: np.ndarray
    counts: np.ndarray
    vocabulary_size: int

    def __len__(self) -> int:
        return len(self.counts)

    def to_dense(self) -> np.ndarray:
        """X as a dense ``(V, V)`` array (small vocabularies only)."""
        dense = np.zeros((self.vocabulary_size, self.vocabulary_size))
        dense[self.rows, self.columns] = self.counts
        return dense

    def save_shuffled(self, path: str | os.PathLike[str], seed: int = 0) -> str:
        """Writes the cells in random order as records (int32 i, int32 j, float32 X_ij)
        — GloVe's ``shuffle`` step — for ``glove_dataset`` to stream; atomic."""
        records = np.empty(len(self), _RECORD)
        order = np.random.default_rng(seed).permutation(len(self))
        records["row"] = self.rows[order]
        records["column"] = self.columns[order]
        records["count"] = self.counts[order]
        path = os.fspath(path)
        with atomic_path(path) as tmp:
            records.tofile(tmp)
        return path


def glove_weight(x: np.ndarray, x_max: float = X_MAX, alpha: float = ALPHA) -> np.ndarray:
    """GloVe's weighting f(x) = (x / x_max)^alpha for x < x_max, else 1 (f(0) = 0)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < x_max, (np.maximum(x, 0.0) / x_max) ** alpha, 1.0)


def _sentence_aligned_chunks(ids: np.ndarray, size: int) -> Iterator[np.ndarray]:
    """Pieces of ``ids`` of about ``size`` that end at a sentence end."""
    start = 0
    while start < len(ids):
        stop = min(start + size, len(ids))
        if stop < len(ids):
            ends = np.flatnonzero(ids[start:stop] == SENTENCE_END)
            if len(ends):
                stop = start + int(ends[-1]) + 1
        yield np.asarray(ids[start:stop])
        start = stop


def _reduce(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=values, minlength=len(unique))


def count_cooccurrences(
    corpus: EncodedCorpus | np.ndarray,
    vocabulary_size: int,
    window: int = DEFAULT_WINDOW,
    distance_weighting: bool = True,
    chunk_tokens: int = _CHUNK_TOKENS,
    progress: bool = False,
) -> Cooccurrences:
    """Counts X_ij over ``corpus`` (an ``EncodedCorpus`` or an id array with
    ``SENTENCE_END`` between sentences).

    Args:
        vocabulary_size: V (ids must be < V).
        window: words on each side.
        distance_weighting: add 1/distance (GloVe); ``False`` adds 1.
        chunk_tokens: ids counted at a time (memory bound).
        progress: show a progress bar.

    Raises:
        ValueError: ``window`` < 1, or an id outside 0..V-1.
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    ids = corpus.ids() if isinstance(corpus, EncodedCorpus) else np.asarray(corpus, np.int32)
    partial_keys: list[np.ndarray] = []
    partial_values: list[np.ndarray] = []
    pending = 0
    chunks = _sentence_aligned_chunks(ids, chunk_tokens)
    if progress:
        from tqdm import tqdm

        chunks = tqdm(
            chunks, total=max(1, len(ids) // chunk_tokens), desc="co-occurrences", unit="chunk"
        )
    for chunk in chunks:
        if chunk.size and (chunk.max() >= vocabulary_size or chunk.min() < SENTENCE_END):
            bad = chunk[(chunk >= vocabulary_size) | (chunk < SENTENCE_END)][0]
            raise ValueError(f"word id {bad} is outside 0..{vocabulary_size - 1}")
        is_word = chunk >= 0
        sentence = np.cumsum(~is_word)
        words = chunk[is_word].astype(np.int64)
        sentence = sentence[is_word]
        chunk_keys: list[np.ndarray] = []
        chunk_values: list[np.ndarray] = []
        for distance in range(1, window + 1):
            same = sentence[distance:] == sentence[:-distance]
            if not same.any():
                continue
            left, right = words[:-distance][same], words[distance:][same]
            chunk_keys.append(left * vocabulary_size + right)  # right-hand neighbours only ...
            chunk_values.append(np.full(len(left), 1.0 / distance if distance_weighting else 1.0))
        if chunk_keys:
            k, v = _reduce(np.concatenate(chunk_keys), np.concatenate(chunk_values))
            partial_keys.append(k)
            partial_values.append(v)
            pending += len(k)
        if pending > 4 * max(chunk_tokens, 1) * window and len(partial_keys) > 1:
            k, v = _reduce(np.concatenate(partial_keys), np.concatenate(partial_values))
            partial_keys, partial_values, pending = [k], [v], len(k)
    if not partial_keys:
        raise ValueError("empty corpus: no two words share a sentence window")
    right_keys = np.concatenate(partial_keys)
    right_values = np.concatenate(partial_values)
    rows, columns = np.divmod(right_keys, vocabulary_size)
    # ... and the left-hand ones are the same cells transposed (symmetric window)
    keys, values = _reduce(
        np.concatenate([right_keys, columns * vocabulary_size + rows]),
        np.concatenate([right_values, right_values]),
    )
    rows, columns = np.divmod(keys, vocabulary_size)
    return Cooccurrences(rows.astype(np.int32), columns.astype(np.int32), values, vocabulary_size)


def glove_dataset(
    path: str | os.PathLike[str],
    batch_size: int,
    x_max: float = X_MAX,
    alpha: float = ALPHA,
    repeat: bool = True,
) -> tuple[object, int]:
    """Batches ``({"row", "column"}, [log X_ij, f(X_ij)])`` streamed from the records of
    ``Cooccurrences.save_shuffled``; returns ``(dataset, steps_per_epoch)``. With
    ``repeat`` every pass over the dataset is one epoch of ``steps_per_epoch`` full
    batches; without, one pass over the file."""
    import tensorflow as tf

    size = os.path.getsize(path)
    if size == 0 or size % _RECORD.itemsize:
        raise ValueError(f"{path}: not a co-occurrence record file ({size} bytes)")
    cells = size // _RECORD.itemsize
    records = tf.data.FixedLengthRecordDataset(os.fspath(path), _RECORD.itemsize)
    if repeat:
        records = records.repeat()

    def decode(raw: tf.Tensor) -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        words = tf.io.decode_raw(tf.strings.substr(raw, 0, 8), tf.int32)
        count = tf.io.decode_raw(tf.strings.substr(raw, 8, 4), tf.float32)[:, 0]
        weight = tf.where(count < x_max, tf.pow(count / x_max, alpha), tf.ones_like(count))
        target = tf.stack([tf.math.log(count), weight], axis=1)
        return {"row": words[:, 0], "column": words[:, 1]}, target

    steps = max(1, cells // batch_size)
    dataset = records.batch(batch_size, drop_remainder=repeat).map(
        decode, num_parallel_calls=tf.data.AUTOTUNE
    )
    if repeat:  # every epoch: the same shuffled cells from the start, as GloVe's reference
        dataset = dataset.take(steps).apply(tf.data.experimental.assert_cardinality(steps))
    return dataset.prefetch(tf.data.AUTOTUNE), steps
