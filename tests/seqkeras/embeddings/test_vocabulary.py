"""Vocabulary: counts, order, min_count, subsampling (gensim's formula), save/load."""

import numpy as np
import pytest

from seqkeras.embeddings import Vocabulary

SENTENCES = [["b", "a", "c", "a"], ["d", "a", "b"], ["c", "e"]]


def test_build_sorts_by_count_and_keeps_first_seen_order_on_ties():
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    assert vocab.words == ("a", "b", "c", "d", "e")
    assert vocab.counts.tolist() == [3, 2, 2, 1, 1]
    assert vocab.index["c"] == 2 and "e" in vocab and "z" not in vocab and len(vocab) == 5
    assert vocab.total == 9


def test_min_count_and_max_size():
    assert Vocabulary.build(SENTENCES, min_count=2).words == ("a", "b", "c")
    assert Vocabulary.build(SENTENCES, min_count=1, max_size=2).words == ("a", "b")


def test_encode_drops_unknown_words():
    vocab = Vocabulary.build(SENTENCES, min_count=2)
    np.testing.assert_array_equal(vocab.encode(["c", "zz", "a", "d"]), [2, 0])


def test_keep_probabilities_follow_gensims_formula():
    vocab = Vocabulary(("x", "y", "z"), np.array([9000, 900, 100]))
    sample = 1e-2
    # gensim: threshold = sample * total; p = (sqrt(v / threshold) + 1) * threshold / v
    total = 10_000
    expected = [
        min(1.0, (np.sqrt(v / (sample * total)) + 1) * sample * total / v) for v in (9000, 900, 100)
    ]
    np.testing.assert_allclose(vocab.keep_probabilities(sample), expected)
    assert vocab.keep_probabilities(sample)[0] < 0.2  # the frequent word is mostly dropped
    np.testing.assert_array_equal(vocab.keep_probabilities(0), [1, 1, 1])


def test_keep_probabilities_agree_with_gensim():
    import gensim.models as models

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)]
    sentences = [
        list(rng.choice(words, size=20, p=np.arange(50, 0, -1) / 1275)) for _ in range(300)
    ]
    model = models.Word2Vec(min_count=1, sample=1e-2, vector_size=4)
    model.build_vocab(sentences)
    vocab = Vocabulary.build(sentences, min_count=1)
    ours = dict(zip(vocab.words, vocab.keep_probabilities(1e-2), strict=True))
    for word in vocab.words:
        # gensim stores the probability scaled to 2**32 as an integer
        theirs = model.wv.get_vecattr(word, "sample_int") / 2**32
        assert ours[word] == pytest.approx(theirs, abs=1e-6)


def test_empty_corpus_and_bad_arguments():
    with pytest.raises(ValueError, match="empty vocabulary"):
        Vocabulary.build([["a"], []], min_count=2)
    with pytest.raises(ValueError, match="empty vocabulary"):
        Vocabulary.build([], min_count=1)
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(SENTENCES, min_count=0)
    with pytest.raises(ValueError, match="sample"):
        Vocabulary.build(SENTENCES, min_count=1).keep_probabilities(-1)


def test_save_and_load(tmp_path):
    vocab = Vocabulary.build(SENTENCES, min_count=1)
    path = vocab.save(tmp_path / "vocab.json")
    back = Vocabulary.load(path)
    assert back.words == vocab.words and back.counts.tolist() == vocab.counts.tolist()
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="bad.json"):
        Vocabulary.load(tmp_path / "bad.json")
