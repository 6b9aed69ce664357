"""example_dataset streams an encoded corpus from disk in chunks: what one pass yields
equals the oracle computed chunk by chunk; negatives come per target."""

import numpy as np
import pytest

from seqkeras.embeddings import SENTENCE_END, Vocabulary, encode_corpus, example_dataset
from seqkeras.embeddings.encoded_corpus import EncodedCorpus


def _corpus(tmp_path, sentences, record_tokens=16):
    vocabulary = Vocabulary.build(sentences, min_count=1)
    return vocabulary, encode_corpus(
        sentences, vocabulary, tmp_path / "c.ids", record_tokens=record_tokens
    )


def _pairs(target, context):
    return sorted(
        (int(t), int(c)) for t, row in zip(target, context, strict=True) for c in row if c >= 0
    )


def test_encoded_file_layout(tmp_path):
    vocabulary = Vocabulary.build([["a", "b", "a"], ["c"]], min_count=1)
    corpus = encode_corpus(
        [["a", "b", "a"], ["c", "zz"], ["zz"]], vocabulary, tmp_path / "c.ids", record_tokens=4
    )
    ids = corpus.ids()
    a, b, c = (vocabulary.index[w] for w in "abc")
    # sentences end with -1; the file is padded with -1 to whole records
    np.testing.assert_array_equal(
        ids, [a, b, a, SENTENCE_END, c, SENTENCE_END, SENTENCE_END, SENTENCE_END]
    )
    assert corpus.num_words == 4 and corpus.num_sentences == 2 and corpus.num_records == 2
    corpus.save_info(tmp_path / "c.json")
    assert EncodedCorpus.load_info(tmp_path / "c.json") == corpus


def test_empty_corpus_is_rejected(tmp_path):
    vocabulary = Vocabulary.build([["a"]], min_count=1)
    with pytest.raises(ValueError, match="empty corpus"):
        encode_corpus([["b", "c"], []], vocabulary, tmp_path / "x.ids")
    assert not (tmp_path / "x.ids").exists()


@pytest.mark.parametrize("pack", [False, True])
def test_one_pass_equals_the_chunked_oracle(tmp_path, pack):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    sentences = [list(rng.choice(words, size=rng.integers(2, 12))) for _ in range(200)]
    vocabulary, corpus = _corpus(tmp_path, sentences, record_tokens=16)
    chunk_records = 3  # read 48 ids at a time: the corpus is streamed, never loaded whole
    stream = example_dataset(
        corpus, vocabulary, context="nearby", size=2, reduced_window=False, sample=0,
        batch_size=7, chunk_records=chunk_records, repeat=False, seed=4, pack=pack,
    )  # fmt: skip
    got = []
    for batch in stream.dataset:
        got += _pairs(batch["target"].numpy(), batch["context"].numpy())
        if pack:  # words first, and no column that is PAD in every row
            context = batch["context"].numpy()
            valid = context >= 0
            assert (valid[:, :-1] >= valid[:, 1:]).all() and valid[:, -1].any()
    # oracle: the id file cut into the same chunks; a sentence cut by a chunk border
    # loses the pairs across the cut, as the stream does
    ids = corpus.ids()
    expected = []
    size = chunk_records * corpus.record_tokens
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        sentence: list[int] = []
        for token in [*chunk, SENTENCE_END]:
            if token == SENTENCE_END:
                for i, t in enumerate(sentence):
                    for j in range(max(0, i - 2), min(len(sentence), i + 3)):
                        if j != i:
                            expected.append((t, sentence[j]))
                sentence = []
            else:
                sentence.append(int(token))
    assert sorted(got) == sorted(expected)
    total = sum(len(s) for s in sentences)
    assert stream.expected_targets == total and stream.steps_per_epoch == total // 7


@pytest.mark.parametrize("pack", [False, True])
def test_training_stream_epochs_draw_afresh_and_reproducibly(tmp_path, pack):
    sentences = [["a", "b", "c", "d"]] * 50 + [["e", "f"]] * 10
    vocabulary, corpus = _corpus(tmp_path, sentences)
    stream = example_dataset(
        corpus, vocabulary, negatives=3, batch_size=8, chunk_records=2, sample=0.1, pack=pack
    )
    first, second = list(stream.dataset), list(stream.dataset)  # two epochs
    assert len(first) == len(second) == stream.steps_per_epoch
    for batch in first:
        assert batch["negatives"].shape == (8, 3) and batch["target"].shape == (8,)
        assert 0 <= batch["negatives"].numpy().min() and batch["negatives"].numpy().max() < len(
            vocabulary
        )
    assert (first[0]["negatives"].numpy() != second[0]["negatives"].numpy()).any()
    again = example_dataset(
        corpus, vocabulary, negatives=3, batch_size=8, chunk_records=2, sample=0.1, pack=pack
    )
    for mine, theirs in zip(first, again.dataset, strict=True):  # the same seed: the same epoch
        for key in ("target", "context", "negatives"):
            np.testing.assert_array_equal(mine[key].numpy(), theirs[key].numpy())


def test_packing_drops_most_padding(tmp_path):
    # short sentences and a wide reduced window: most slots of a row are PAD
    rng = np.random.default_rng(1)
    words = [f"w{i}" for i in range(20)]
    sentences = [list(rng.choice(words, size=rng.integers(1, 5))) for _ in range(400)]
    vocabulary, corpus = _corpus(tmp_path, sentences, record_tokens=64)
    slots = {}
    for pack in (False, True):
        stream = example_dataset(
            corpus, vocabulary, size=5, sample=0, batch_size=32, repeat=False, pack=pack
        )
        batches = list(stream.dataset)
        pairs = sum(int((b["context"].numpy() >= 0).sum()) for b in batches)
        slots[pack] = sum(int(np.prod(b["context"].shape)) for b in batches)
        assert slots[pack] >= pairs
    # unpacked: 10 slots per target for at most 3 context words each
    assert slots[True] < 0.5 * slots[False]


def test_subsampling_shrinks_the_epoch(tmp_path):
    sentences = [["the", "cat"], ["the", "dog"]] * 200
    vocabulary, corpus = _corpus(tmp_path, sentences)
    full = example_dataset(corpus, vocabulary, sample=0, batch_size=10)
    sampled = example_dataset(corpus, vocabulary, sample=0.01, batch_size=10)
    keep = vocabulary.keep_probabilities(0.01)
    assert sampled.expected_targets == pytest.approx(float(np.dot(vocabulary.counts, keep)))
    assert sampled.steps_per_epoch < full.steps_per_epoch


def test_bad_arguments(tmp_path):
    vocabulary, corpus = _corpus(tmp_path, [["a", "b"]])
    with pytest.raises(ValueError, match="unknown context type"):
        example_dataset(corpus, vocabulary, context="around")
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        example_dataset(corpus, vocabulary, batch_size=0)
