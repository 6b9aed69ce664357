"""Training arrays for language models: padded sentences, or a continuous stream for
stateful truncated backpropagation through time (Zaremba et al. 2014)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..text import PAD_ID


def sentence_arrays(
    sequences: Sequence[np.ndarray], start_id: int = PAD_ID, pad_multiple: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Teacher-forcing pairs from id sequences: x = [start, y1..y(T-1)], y = [y1..yT].

    Rows are right-padded with 0 (to a multiple of ``pad_multiple`` steps); train with
    ``ignore_class=0`` in the loss.
    """
    sequences = [np.asarray(s, dtype="int32") for s in sequences if len(s) > 0]
    if not sequences:
        raise ValueError("empty corpus: no non-empty sequence to train on")
    if pad_multiple < 1:
        raise ValueError(f"pad_multiple must be >= 1; got {pad_multiple}")
    width = max(len(s) for s in sequences)
    width = -(-width // pad_multiple) * pad_multiple
    y = np.zeros((len(sequences), width), dtype="int32")
    for i, s in enumerate(sequences):
        y[i, : len(s)] = s
    x = np.concatenate([np.full((len(sequences), 1), start_id, dtype="int32"), y[:, :-1]], axis=1)
    x[y == PAD_ID] = PAD_ID
    return x, y


def stream_arrays(ids: np.ndarray, batch_size: int, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Cuts one id stream into ``batch_size`` parallel lanes of consecutive windows.

    Row ``k * batch_size + j`` is window k of lane j, so ``fit(batch_size=batch_size,
    shuffle=False)`` on a stateful model continues each lane's state from batch to
    batch. The tail that does not fill a whole window of every lane is dropped.

    Returns:
        x, y of shape (num_windows * batch_size, seq_len) with y the stream shifted by one.
    """
    ids = np.asarray(ids, dtype="int32").reshape(-1)
    lane = (len(ids) - 1) // batch_size
    windows = lane // seq_len
    if windows < 1:
        raise ValueError(
            f"stream of {len(ids)} tokens is too short for batch_size={batch_size} x seq_len={seq_len}"
        )
    usable = windows * seq_len
    x_lanes = ids[: batch_size * lane].reshape(batch_size, lane)[:, :usable]
    y_lanes = ids[1 : batch_size * lane + 1].reshape(batch_size, lane)[:, :usable]

    def arrange(lanes: np.ndarray) -> np.ndarray:
        return lanes.reshape(batch_size, windows, seq_len).transpose(1, 0, 2).reshape(-1, seq_len)

    return arrange(x_lanes), arrange(y_lanes)


def _keras_py_dataset() -> type:
    import keras

    return keras.utils.PyDataset


class SentenceBatches(_keras_py_dataset()):  # type: ignore[misc]
    """Teacher-forcing batches of similar-length sequences, each padded to its own width.

    Sequences are sorted by length and cut into batches (so a few long pieces do not pad
    every batch); the batch order is reshuffled every epoch with ``seed``.

    Args:
        sequences: id arrays (targets y, ``<eos>`` included).
        batch_size: sequences per batch.
        start_id: input at the first step.
        shuffle: reshuffle the batch order at each epoch end.
        seed: seed of the batch-order shuffle.
        pad_multiple: batch widths are rounded up to a multiple of this, so a compiled
            training step is traced for a few widths, not for every length.
    """

    def __init__(
        self,
        sequences: Sequence[np.ndarray],
        batch_size: int = 32,
        start_id: int = PAD_ID,
        shuffle: bool = True,
        seed: int = 0,
        pad_multiple: int = 8,
    ):
        super().__init__()
        sequences = [np.asarray(s, dtype="int32") for s in sequences if len(s) > 0]
        if not sequences:
            raise ValueError("empty corpus: no non-empty sequence to train on")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1; got {batch_size}")
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        self.batches = [
            sentence_arrays(
                [sequences[i] for i in order[b : b + batch_size]], start_id, pad_multiple
            )
            for b in range(0, len(order), batch_size)
        ]
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.batches))

    def __len__(self) -> int:
        return len(self.batches)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        return self.batches[int(self._order[index])]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self._order)
