"""Training examples from a stream of word ids: the context choices of course 2.5.

To learn a word's embedding a model predicts a *target* word from a *context*:

- ``"last_n"``: the n words before the target (a language model; Bengio's NPLM);
- ``"both_sides"``: n words on the left and n on the right (CBOW);
- ``"last_word"``: only the word just before;
- ``"nearby"``: the words within a window around the target (skip-gram; one example
  per target holds all of them, each is one (context, target) pair).

``chunk_examples`` turns one chunk of an encoded corpus (ids, with ``SENTENCE_END``
between sentences) into ``{"target": (m,), "context": (m, left + right)}`` with
TensorFlow ops only (no Python loop per word), ready for ``tf.data``. Contexts never
cross a sentence end; empty context slots hold ``PAD`` (-1). Before contexts are taken,
frequent words can be dropped (word2vec's subsampling; the window then reaches past
them, as in word2vec and gensim), and the window can be shrunk at random per target to
b ~ U{1..window} (word2vec's "reduced window", which weights near words more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .encoded_corpus import SENTENCE_END

PAD = -1  # an empty context slot


@dataclass(frozen=True)
class ContextType:
    """How a context is taken around a target.

    Attributes:
        name: registry key.
        left, right: whether context words are taken before / after the target.
        fixed_size: the context size when it does not follow the ``size`` asked for.
        reduced_window: draw the window per target (word2vec) by default.
        description: one line for the CLI and docs.
    """

    name: str
    left: bool
    right: bool
    fixed_size: int | None
    reduced_window: bool
    description: str

    def span(self, size: int) -> tuple[int, int]:
        """Words ``(left, right)`` of the target for a window/context ``size``."""
        if size < 1:
            raise ValueError(f"context size must be >= 1, got {size}")
        n = self.fixed_size or size
        return (n if self.left else 0, n if self.right else 0)


CONTEXT_TYPES: dict[str, ContextType] = {}


def register_context_type(context: ContextType) -> ContextType:
    CONTEXT_TYPES[context.name] = context
    return context


def list_context_types() -> list[str]:
    return list(CONTEXT_TYPES)


def get_context_type(name: str) -> ContextType:
    try:
        return CONTEXT_TYPES[name]
    except KeyError:
        raise ValueError(
            f"unknown context type {name!r}; choose from {list_context_types()}"
        ) from None


for _context in (
    ContextType("last_n", True, False, None, False, "the n previous words (language model)"),
    ContextType("both_sides", True, True, None, True, "n words left and n right (CBOW)"),
    ContextType("last_word", True, False, 1, False, "the previous word"),
    ContextType("nearby", True, True, None, True, "every word within a window (skip-gram)"),
):
    register_context_type(_context)


def chunk_examples(
    ids: Any,
    left: int,
    right: int,
    *,
    keep_probability: Any = None,
    reduced_window: bool = False,
    shuffle: bool = True,
    seed: Any = (0, 0),
) -> dict[str, Any]:
    """Examples of one chunk of ids (TensorFlow ops).

    Args:
        ids: int32 ``(n,)`` word ids with ``SENTENCE_END`` (-1) after each sentence.
        left, right: context words taken before / after each target.
        keep_probability: float ``(V,)`` probability of keeping each word (subsampling),
            or ``None`` to keep all.
        reduced_window: per target draw b ~ U{1..max(left, right)} and use only context
            words at distance <= b.
        shuffle: return the examples in random order.
        seed: shape-``[2]`` int seed of the stateless random ops (same seed, same output).

    Returns:
        ``{"target": int32 (m,), "context": int32 (m, left + right)}``; columns are the
        words at offsets -left..-1, +1..+right; ``PAD`` where the sentence ends, the
        window was reduced, or (subsampling) no word is left. Targets without any
        context word are dropped.
    """
    import tensorflow as tf

    if left < 0 or right < 0 or left + right < 1:
        raise ValueError(
            f"need left, right >= 0 and at least one context word; got {left}, {right}"
        )
    ids = tf.reshape(tf.cast(ids, tf.int32), [-1])
    seeds = tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), num=3)
    sentence = tf.cumsum(tf.cast(tf.equal(ids, SENTENCE_END), tf.int32))
    keep = ids >= 0
    if keep_probability is not None:
        p = tf.gather(tf.cast(keep_probability, tf.float32), tf.maximum(ids, 0))
        keep &= tf.random.stateless_uniform(tf.shape(ids), seeds[0]) < p
    words = tf.boolean_mask(ids, keep)
    sentence = tf.boolean_mask(sentence, keep)
    count = tf.shape(words)[0]
    widest = max(left, right)
    if reduced_window:
        window = tf.random.stateless_uniform(
            [count], seeds[1], minval=1, maxval=widest + 1, dtype=tf.int32
        )
    else:
        window = tf.fill([count], widest)

    def shifted(offset: int) -> Any:
        """Column of the word at ``offset`` from each target (PAD where there is none)."""
        pad_ids = tf.fill([abs(offset)], PAD)
        pad_sentences = tf.fill([abs(offset)], -1)
        if offset < 0:
            other = tf.concat([pad_ids, words[:offset]], 0)[:count]
            other_sentence = tf.concat([pad_sentences, sentence[:offset]], 0)[:count]
        else:
            other = tf.concat([words[offset:], pad_ids], 0)[:count]
            other_sentence = tf.concat([sentence[offset:], pad_sentences], 0)[:count]
        valid = tf.equal(other_sentence, sentence) & (window >= abs(offset))
        return tf.where(valid, other, PAD)

    offsets = list(range(-left, 0)) + list(range(1, right + 1))
    context = tf.stack([shifted(o) for o in offsets], axis=1)
    has_context = tf.reduce_any(context >= 0, axis=1)
    target = tf.boolean_mask(words, has_context)
    context = tf.boolean_mask(context, has_context)
    if shuffle:
        order = tf.argsort(tf.random.stateless_uniform(tf.shape(target), seeds[2]))
        target, context = tf.gather(target, order), tf.gather(context, order)
    return {"target": target, "context": context}


def pack_contexts(examples: dict[str, Any]) -> dict[str, Any]:
    """Examples reordered for a bag-of-context model (TensorFlow ops).

    Each row's context words move to its first columns (their order kept, ``PAD``
    after them) and the rows are sorted by how many context words they have (a stable
    sort: rows with the same count keep their order, random when ``chunk_examples``
    shuffled). Cut into batches, consecutive rows then need about the same number of
    columns, so a batch can drop its all-``PAD`` columns (``crop_contexts``): the padding
    of short sentences and reduced windows (more than half the slots of a skip-gram
    window on a corpus of short sentences) is then neither looked up nor updated.

    Only for models that treat the context as a set (``SkipGram``): the columns no longer
    say at which offset a word stood.

    Args:
        examples: ``{"target": (m,), "context": (m, C), ...}`` as ``chunk_examples`` makes.

    Returns:
        The same keys, rows reordered and contexts packed.
    """
    import tensorflow as tf

    context = examples["context"]
    empty = tf.cast(context < 0, tf.int32)
    columns = tf.argsort(empty, axis=1, stable=True)  # context words first, in order
    packed = tf.gather(context, columns, batch_dims=1)
    rows = tf.argsort(tf.reduce_sum(1 - empty, axis=1), stable=True)  # fewest words first
    result = {key: tf.gather(value, rows) for key, value in examples.items()}
    result["context"] = tf.gather(packed, rows)
    return result


def crop_contexts(batch: dict[str, Any]) -> dict[str, Any]:
    """A batch of packed contexts (``pack_contexts``) without its all-``PAD`` columns
    (at least one column stays)."""
    import tensorflow as tf

    context = batch["context"]
    width = tf.maximum(tf.reduce_max(tf.reduce_sum(tf.cast(context >= 0, tf.int32), axis=1)), 1)
    return {**batch, "context": context[:, :width]}
