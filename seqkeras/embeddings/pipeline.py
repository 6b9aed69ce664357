"""``example_dataset``: a ``tf.data`` stream of training batches read from an encoded
corpus on disk (chunk by chunk, so the corpus may be larger than memory).

Per chunk (``chunk_records`` on-disk records): subsampling, the context of every target
(``chunk_examples``), a shuffle inside the chunk; then fixed-size batches
(``Dataset.rebatch``, no per-example Python) and, per batch, ``negatives`` noise words
for every target drawn from P(w) ∝ count^0.75. Each chunk and batch takes its random
draws from a stateless seed made of ``seed`` and a number of
``tf.data.Dataset.random(seed, rerandomize_each_iteration=True)``: a run is reproducible
and every pass over the dataset (every epoch) draws afresh. (A run resumed after a
restart draws its first epoch's numbers again; training is unaffected in distribution.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .contexts import chunk_examples, crop_contexts, get_context_type, pack_contexts
from .encoded_corpus import EncodedCorpus
from .negative_sampler import NegativeSampler
from .vocabulary import Vocabulary

DEFAULT_CHUNK_RECORDS = 64  # 64 records of 4096 ids: examples are shuffled within ~260k words
# packed batches come out of a chunk ordered by context width; shuffling this many
# batches (more than one chunk's worth at the default sizes) mixes the widths again
PACKED_SHUFFLE_BATCHES = 64


@dataclass(frozen=True)
class ExampleStream:
    """What ``example_dataset`` returns.

    Attributes:
        dataset: ``tf.data.Dataset`` of ``{"target": (B,), "context": (B, C),
            "negatives": (B, K)}`` batches (``negatives`` only when K > 0); when
            streaming, each pass yields ``steps_per_epoch`` batches from the corpus start.
        steps_per_epoch: batches in about one pass over the corpus (the expected number
            of targets after subsampling, divided by the batch size).
        expected_targets: that expected number of targets per pass.
    """

    dataset: Any
    steps_per_epoch: int
    expected_targets: float


def example_dataset(
    corpus: EncodedCorpus,
    vocabulary: Vocabulary,
    *,
    context: str = "nearby",
    size: int = 5,
    reduced_window: bool | None = None,
    sample: float = 1e-3,
    negatives: int = 0,
    batch_size: int = 1024,
    seed: int = 0,
    chunk_records: int = DEFAULT_CHUNK_RECORDS,
    shuffle: bool = True,
    repeat: bool = True,
    pack: bool = False,
) -> ExampleStream:
    """Batches of training examples streamed from ``corpus``.

    Args:
        corpus: ids on disk (``encode_corpus``).
        vocabulary: the vocabulary the ids index (counts give subsampling and noise).
        context: a context type (``list_context_types()``): ``"nearby"``, ``"both_sides"``,
            ``"last_n"``, ``"last_word"``.
        size: window (``nearby``, ``both_sides``) or number of previous words (``last_n``).
        reduced_window: shrink the window at random per target; default: the context
            type's choice (word2vec's for ``nearby`` and ``both_sides``).
        sample: subsampling threshold (0 keeps every word).
        negatives: noise words drawn per target (0: none, for softmax models).
        batch_size: targets per batch.
        seed: random seed.
        chunk_records: records read (and shuffled) together.
        shuffle: shuffle examples within each chunk.
        repeat: training stream: each pass over the dataset is exactly
            ``steps_per_epoch`` full batches read from the start of the corpus (which
            is re-read if subsampling left too few), so every epoch has one known
            length; ``False``: one pass over the file, the last batch possibly smaller.
        pack: for models that treat the context as a set (``SkipGram``): each row's
            context words come first (``pack_contexts``), rows of a chunk are sorted by
            their number of context words before they are cut into batches, each batch
            drops its all-``PAD`` columns (``context`` is ``(B, c)`` with c <= C varying
            by batch) and the batches are shuffled (``PACKED_SHUFFLE_BATCHES``). The
            same pairs, without most of the padding.
    """
    import tensorflow as tf

    kind = get_context_type(context)
    left, right = kind.span(size)
    reduce = kind.reduced_window if reduced_window is None else reduced_window
    for name, value, low in (
        ("batch_size", batch_size, 1),
        ("chunk_records", chunk_records, 1),
        ("negatives", negatives, 0),
    ):
        if value < low:
            raise ValueError(f"{name} must be >= {low}, got {value}")
    keep = vocabulary.keep_probabilities(sample)
    keep_tensor = None if sample == 0 else tf.constant(keep, tf.float32)
    expected = float(np.dot(vocabulary.counts, keep))

    records = tf.data.FixedLengthRecordDataset(corpus.path, record_bytes=4 * corpus.record_tokens)
    if repeat:
        records = records.repeat()
    # a fresh random number per chunk (and per batch below) on every pass over the
    # dataset, the same on every run with this seed: each epoch draws anew
    chunk_seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    chunks = tf.data.Dataset.zip(chunk_seeds, records.batch(chunk_records))

    def make(draw: Any, raw: Any) -> dict[str, Any]:
        ids = tf.reshape(tf.io.decode_raw(raw, tf.int32, little_endian=True), [-1])
        examples = chunk_examples(
            ids, left, right, keep_probability=keep_tensor, reduced_window=reduce,
            shuffle=shuffle, seed=tf.stack([tf.constant(seed, tf.int64), draw]),
        )  # fmt: skip
        return pack_contexts(examples) if pack else examples

    dataset = chunks.map(make, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    # fixed batch shapes when streaming (one XLA program; packed: one per context
    # width), the last partial batch kept on a single pass
    dataset = dataset.rebatch(batch_size, drop_remainder=repeat)
    if pack:
        dataset = dataset.map(crop_contexts, num_parallel_calls=tf.data.AUTOTUNE)
        if shuffle:
            dataset = dataset.shuffle(
                PACKED_SHUFFLE_BATCHES, seed=seed + 2, reshuffle_each_iteration=True
            )
    if negatives:
        sampler = NegativeSampler(vocabulary.counts)
        batch_seeds = tf.data.Dataset.random(seed=seed + 1, rerandomize_each_iteration=True)

        def add_negatives(draw: Any, batch: dict[str, Any]) -> dict[str, Any]:
            shape = tf.stack([tf.shape(batch["target"])[0], negatives])
            draw_seed = tf.stack([tf.constant(seed + 1, tf.int64), draw])
            return {**batch, "negatives": sampler.sample_tf(shape, draw_seed)}

        dataset = tf.data.Dataset.zip(batch_seeds, dataset).map(
            add_negatives, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
        )
    steps = max(1, math.floor(expected / batch_size))
    if repeat:  # the endless records make every pass exactly this long: tell tf.data
        dataset = dataset.take(steps).apply(tf.data.experimental.assert_cardinality(steps))
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    return ExampleStream(dataset, steps, expected)
