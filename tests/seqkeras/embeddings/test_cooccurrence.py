"""GloVe's co-occurrence counts X_ij and weighting f(x), by hand and by brute force."""

from collections import defaultdict

import numpy as np
import pytest

from seqkeras.embeddings import (
    SENTENCE_END,
    Vocabulary,
    count_cooccurrences,
    encode_corpus,
    glove_dataset,
    glove_weight,
)


def _ids(sentences):
    return np.array([t for s in sentences for t in [*s, SENTENCE_END]], np.int32)


def test_toy_corpus_by_hand():
    a, b, c = 0, 1, 2
    # "a b c" and "a a": right neighbours (a,b) 1/1, (b,c) 1/1, (a,c) 1/2, (a,a) 1/1;
    # the symmetric window adds each cell's transpose; nothing crosses the sentence end
    counts = count_cooccurrences(_ids([[a, b, c], [a, a]]), 3, window=2)
    expected = np.array([[2.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.5, 1.0, 0.0]])
    np.testing.assert_allclose(counts.to_dense(), expected)
    assert len(counts) == 7  # only the non-zero cells are kept
    plain = count_cooccurrences(_ids([[a, b, c], [a, a]]), 3, window=2, distance_weighting=False)
    np.testing.assert_allclose(plain.to_dense(), [[2, 1, 1], [1, 0, 1], [1, 1, 0]])
    narrow = count_cooccurrences(_ids([[a, b, c], [a, a]]), 3, window=1)
    np.testing.assert_allclose(narrow.to_dense(), [[2, 1, 0], [1, 0, 1], [0, 1, 0]])


def test_matches_brute_force_over_many_chunks():
    rng = np.random.default_rng(0)
    sentences = [list(rng.integers(0, 20, rng.integers(1, 15))) for _ in range(300)]
    window = 4
    expected = defaultdict(float)
    for sentence in sentences:
        for i, w in enumerate(sentence):
            for j in range(max(0, i - window), min(len(sentence), i + window + 1)):
                if j != i:
                    expected[(w, sentence[j])] += 1.0 / abs(i - j)
    counts = count_cooccurrences(_ids(sentences), 20, window=window, chunk_tokens=64)
    got = {
        (int(r), int(c)): v
        for r, c, v in zip(counts.rows, counts.columns, counts.counts, strict=True)
    }
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value)
    dense = counts.to_dense()
    np.testing.assert_allclose(dense, dense.T)


def test_weighting_function():
    x = np.array([0.0, 1.0, 50.0, 100.0, 250.0])
    np.testing.assert_allclose(glove_weight(x), [0.0, 0.01**0.75, 0.5**0.75, 1.0, 1.0])
    np.testing.assert_allclose(glove_weight(x, x_max=10, alpha=1.0), [0.0, 0.1, 1.0, 1.0, 1.0])


def test_records_stream_back_with_log_and_weight(tmp_path):
    sentences = [["a", "b", "c"], ["a", "a", "b"]] * 3
    vocabulary = Vocabulary.build(sentences, min_count=1)
    corpus = encode_corpus(sentences, vocabulary, tmp_path / "c.ids", record_tokens=8)
    counts = count_cooccurrences(corpus, len(vocabulary), window=2)
    path = counts.save_shuffled(tmp_path / "x.bin", seed=1)
    dataset, steps = glove_dataset(path, batch_size=2, x_max=3.0, repeat=False)
    rows = []
    for x, y in dataset:
        for i, j, (log_x, weight) in zip(
            x["row"].numpy(), x["column"].numpy(), y.numpy(), strict=True
        ):
            rows.append((int(i), int(j), float(np.exp(log_x)), float(weight)))
    dense = counts.to_dense()
    assert len(rows) == len(counts) and steps == len(counts) // 2
    for i, j, x_ij, weight in rows:
        assert x_ij == pytest.approx(dense[i, j], rel=1e-5)
        assert weight == pytest.approx(float(glove_weight(dense[i, j], x_max=3.0)), rel=1e-5)
    order = [(r[0], r[1]) for r in rows]
    assert order != sorted(order)  # shuffled, as GloVe's shuffle step


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="window"):
        count_cooccurrences(_ids([[0, 1]]), 2, window=0)
    with pytest.raises(ValueError, match="word id 5 is outside 0..1"):
        count_cooccurrences(_ids([[0, 5]]), 2)
    with pytest.raises(ValueError, match="empty corpus"):
        count_cooccurrences(_ids([[0], [1]]), 2)
    (tmp_path / "bad.bin").write_bytes(b"12345")
    with pytest.raises(ValueError, match="bad.bin"):
        glove_dataset(tmp_path / "bad.bin", 4)
