"""Context choices of course 2.5 (last n, n left + n right, last word, nearby): the
tf.data example maker against a brute-force Python oracle."""

import numpy as np
import pytest
import tensorflow as tf

from seqkeras.embeddings import (
    PAD,
    SENTENCE_END,
    chunk_examples,
    get_context_type,
    list_context_types,
)

# three sentences of word ids, -1 after each
SENTENCES = [[5, 6, 7, 8, 9, 10], [11, 12], [13, 14, 15, 16]]
IDS = np.array([t for s in SENTENCES for t in [*s, SENTENCE_END]], np.int32)


def oracle(sentences, left, right):
    """Every target with its context (offsets -left..-1, +1..+right; PAD outside)."""
    rows = []
    for sentence in sentences:
        for i, target in enumerate(sentence):
            context = []
            for offset in [*range(-left, 0), *range(1, right + 1)]:
                j = i + offset
                context.append(sentence[j] if 0 <= j < len(sentence) else PAD)
            if any(c != PAD for c in context):
                rows.append((target, tuple(context)))
    return sorted(rows)


def as_rows(examples):
    return sorted(
        (int(t), tuple(int(c) for c in ctx))
        for t, ctx in zip(examples["target"].numpy(), examples["context"].numpy(), strict=True)
    )


@pytest.mark.parametrize(
    "name, size, span",
    [
        ("last_n", 3, (3, 0)),
        ("both_sides", 2, (2, 2)),
        ("last_word", 4, (1, 0)),
        ("nearby", 2, (2, 2)),
    ],
)
def test_each_context_type_matches_the_oracle(name, size, span):
    kind = get_context_type(name)
    assert kind.span(size) == span
    examples = chunk_examples(IDS, *span, reduced_window=False, shuffle=True, seed=(1, 2))
    assert as_rows(examples) == oracle(SENTENCES, *span)


def test_last_n_columns_are_oldest_first():
    examples = chunk_examples(IDS, 2, 0, shuffle=False)
    rows = dict(
        zip(examples["target"].numpy().tolist(), examples["context"].numpy().tolist(), strict=True)
    )
    assert (
        rows[8] == [6, 7] and rows[6] == [PAD, 5] and 5 not in rows
    )  # a sentence start has no context
    assert rows[12] == [PAD, 11]  # never the previous sentence's words


def test_reduced_window_keeps_only_near_words():
    long = np.array([*range(100, 160), SENTENCE_END], np.int32)
    examples = chunk_examples(long, 5, 5, reduced_window=True, shuffle=False, seed=(0, 7))
    target = examples["target"].numpy()
    context = examples["context"].numpy()
    offsets = np.array([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5])
    widths = []
    for t, row in zip(target, context, strict=True):
        present = row != PAD
        np.testing.assert_array_equal(row[present], t + offsets[present])  # true neighbours
        widths.append(np.abs(offsets[present]).max())
    # windows b ~ U{1..5}: every width occurs (the far ends of the sentence cut some)
    assert set(widths) == {1, 2, 3, 4, 5}
    full = chunk_examples(long, 5, 5, reduced_window=False, shuffle=False)
    assert (context != PAD).sum() < 0.8 * (full["context"].numpy() != PAD).sum()


def test_subsampling_drops_words_with_the_given_probability():
    vocabulary = 4
    rng = np.random.default_rng(0)
    ids = rng.integers(0, vocabulary, 40_000).astype(np.int32)
    ids[::20] = SENTENCE_END
    keep = np.array([1.0, 0.5, 0.1, 1.0], np.float32)
    examples = chunk_examples(ids, 1, 1, keep_probability=keep, shuffle=False, seed=(3, 3))
    before = np.bincount(ids[ids >= 0], minlength=vocabulary)
    # targets that kept a neighbour: nearly every kept word (sentences are 19 words long)
    after = np.bincount(examples["target"].numpy(), minlength=vocabulary)
    ratio = after / before
    np.testing.assert_allclose(ratio, keep, atol=0.03)
    # the window reaches over dropped words: word 2 is rare among the neighbours too
    neighbours = examples["context"].numpy()
    share = (neighbours == 2).sum() / (neighbours != PAD).sum()
    assert share < 0.1


def test_seeded_and_shuffled():
    a = chunk_examples(IDS, 1, 1, shuffle=True, seed=(5, 5))
    b = chunk_examples(IDS, 1, 1, shuffle=True, seed=(5, 5))
    np.testing.assert_array_equal(a["target"].numpy(), b["target"].numpy())
    assert as_rows(a) == as_rows(chunk_examples(IDS, 1, 1, shuffle=False))


def test_registry_and_bad_arguments():
    assert list_context_types() == ["last_n", "both_sides", "last_word", "nearby"]
    with pytest.raises(ValueError, match="unknown context type 'skip'"):
        get_context_type("skip")
    with pytest.raises(ValueError, match="at least one context word"):
        chunk_examples(IDS, 0, 0)
    with pytest.raises(ValueError, match="context size"):
        get_context_type("nearby").span(0)


def test_runs_inside_tf_data():
    ds = tf.data.Dataset.from_tensors(IDS).map(lambda ids: chunk_examples(ids, 1, 1, seed=(0, 0)))
    (examples,) = list(ds)
    assert as_rows(examples) == oracle(SENTENCES, 1, 1)


def test_pack_contexts_matches_a_python_reordering():
    from seqkeras.embeddings.contexts import crop_contexts, pack_contexts

    rng = np.random.default_rng(3)
    m, width = 40, 6
    context = np.where(rng.random((m, width)) < 0.5, rng.integers(0, 99, (m, width)), PAD)
    context[0] = PAD  # a row without context words
    target = np.arange(m, dtype=np.int32)
    packed = pack_contexts({"target": tf.constant(target), "context": tf.constant(context)})
    # oracle: each row's words in their order, PAD after; rows by word count, ties
    # in their old order (Python's sort is stable)
    words = [[int(c) for c in row if c != PAD] for row in context]
    order = sorted(range(m), key=lambda r: len(words[r]))
    expected = np.array([words[r] + [PAD] * (width - len(words[r])) for r in order])
    np.testing.assert_array_equal(packed["target"].numpy(), order)
    np.testing.assert_array_equal(packed["context"].numpy(), expected)
    # a batch cut from the packed rows keeps only the columns its widest row needs
    batch = {key: value[10:20] for key, value in packed.items()}
    cropped = crop_contexts(batch)["context"].numpy()
    widest = max(len(words[r]) for r in order[10:20])
    np.testing.assert_array_equal(cropped, expected[10:20, :widest])
    empty = crop_contexts({"context": tf.constant([[PAD, PAD]])})["context"]
    assert empty.shape == (1, 1)  # never zero columns
