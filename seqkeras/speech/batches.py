"""Length-bucketed batches of variable-length utterances (numpy; tf.data at the edge).

Sorting utterances by length before cutting batches keeps padding small: a batch of
1-second clips is not padded to the length of a 5-second one. A batch holds as many
utterances as fit ``frame_budget`` padded frames; each epoch the batch order is shuffled
(:func:`tf_dataset`). :func:`bucket_batches` can also jitter the lengths before sorting, so
that batch composition changes too (the number of batches may then change by one or two).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .text import CharVocabulary

# Jitter of the sort key, as a fraction of the length: batches change between epochs.
LENGTH_JITTER = 0.1


def bucket_batches(
    lengths: Sequence[int],
    frame_budget: int,
    rng: np.random.Generator | None = None,
    max_batch: int = 256,
    jitter: bool = True,
) -> list[np.ndarray]:
    """Index batches: similar lengths together, ``batch size * longest <= frame_budget``.

    Args:
        lengths: frames per utterance.
        frame_budget: padded frames allowed per batch (an utterance longer than this is
            a batch of its own).
        rng: shuffles the batch order (and jitters the sort); ``None`` keeps a fixed order.
        max_batch: most utterances per batch.
        jitter: with ``rng``, jitter lengths by up to ``LENGTH_JITTER`` before sorting.
    """
    lengths = np.asarray(lengths, np.float64)
    if frame_budget < 1:
        raise ValueError(f"frame_budget must be >= 1, got {frame_budget}")
    if lengths.size == 0:
        return []
    key = lengths
    if rng is not None and jitter:
        key = lengths * (1.0 + LENGTH_JITTER * rng.uniform(-1, 1, lengths.size))
    order = np.argsort(key, kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        end = start + 1
        longest = lengths[order[start]]
        while end < len(order) and end - start < max_batch:
            longest_next = max(longest, lengths[order[end]])
            if longest_next * (end - start + 1) > frame_budget:
                break
            longest = longest_next
            end += 1
        batches.append(order[start:end])
        start = end
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def pad_batch(
    features: Sequence[np.ndarray],
    texts: Sequence[str],
    indices: np.ndarray,
    vocabulary: CharVocabulary,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``({"features", "feature_lengths"}, labels)`` for one batch, zero padded."""
    chosen = [features[i] for i in indices]
    lengths = np.array([f.shape[0] for f in chosen], np.int32)
    x = np.zeros((len(chosen), int(lengths.max()), chosen[0].shape[1]), np.float32)
    for row, f in enumerate(chosen):
        x[row, : f.shape[0]] = f
    encoded = [vocabulary.encode(texts[i]) for i in indices]
    labels = np.zeros((len(encoded), max(1, max(len(e) for e in encoded))), np.int32)
    for row, e in enumerate(encoded):
        labels[row, : len(e)] = e
    return {"features": x, "feature_lengths": lengths}, labels


def ctc_feasible(text: str, frames: int, conv_stride: int, vocabulary: CharVocabulary) -> bool:
    """Whether CTC can align ``text`` to the model's output steps for ``frames`` frames
    (one step per character, plus a blank between repeated characters)."""
    ids = vocabulary.encode(text)
    repeats = sum(1 for a, b in zip(ids, ids[1:], strict=False) if a == b)
    steps = -(-frames // conv_stride)
    return 0 < len(ids) and len(ids) + repeats <= steps


def batch_iterator(
    features: Sequence[np.ndarray],
    texts: Sequence[str],
    vocabulary: CharVocabulary,
    frame_budget: int,
    seed: int,
) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
    """Endless epochs of shuffled bucketed batches (epoch ``k`` uses seed ``(seed, k)``)."""
    lengths = [f.shape[0] for f in features]
    epoch = 0
    while True:
        rng = np.random.default_rng([seed, epoch])
        for indices in bucket_batches(lengths, frame_budget, rng):
            yield pad_batch(features, texts, indices, vocabulary)
        epoch += 1


def tf_dataset(
    features: Sequence[np.ndarray],
    texts: Sequence[str],
    vocabulary: CharVocabulary,
    frame_budget: int,
    seed: int,
) -> Any:
    """One epoch per iteration of a ``tf.data.Dataset`` of bucketed batches (the same
    batches every epoch, in a new order), with its cardinality set (progress bars,
    mid-epoch resume)."""
    import tensorflow as tf

    lengths = [f.shape[0] for f in features]
    num_batches = len(bucket_batches(lengths, frame_budget))
    num_features = features[0].shape[1]
    epochs = iter(range(1 << 30))

    def generate() -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
        rng = np.random.default_rng([seed, next(epochs)])
        for indices in bucket_batches(lengths, frame_budget, rng, jitter=False):
            yield pad_batch(features, texts, indices, vocabulary)

    signature = (
        {
            "features": tf.TensorSpec((None, None, num_features), tf.float32),
            "feature_lengths": tf.TensorSpec((None,), tf.int32),
        },
        tf.TensorSpec((None, None), tf.int32),
    )
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(num_batches)).prefetch(2)
