"""2-D pictures: PCA coordinates against scikit-learn, t-SNE keeps groups apart, PNG."""

import numpy as np
import pytest

from seqkeras.embeddings import KeyedVectors, list_projections, plot_embeddings, project_2d


def _grouped(seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 16)) * 5
    words, vectors, groups = [], [], []
    for g, centre in enumerate(centres):
        for i in range(8):
            words.append(f"g{g}w{i}")
            vectors.append(centre + rng.normal(size=16) * 0.3)
            groups.append(f"group {g}")
    return KeyedVectors(words, np.array(vectors)), words, groups


def test_pca_matches_scikit_learn():
    import sklearn.decomposition as decomposition

    kv, words, _ = _grouped()
    ours = project_2d(kv, words, method="pca")
    theirs = decomposition.PCA(2).fit_transform(kv[words].astype(np.float64))
    for k in range(2):  # components are defined up to their sign
        assert abs(np.corrcoef(ours[:, k], theirs[:, k])[0, 1]) == pytest.approx(1.0, abs=1e-6)


def test_tsne_keeps_planted_groups_apart():
    import sklearn.manifold  # noqa: F401

    kv, words, groups = _grouped()
    points = project_2d(kv, words, method="tsne", seed=0)
    labels = np.array(groups)
    inside = np.mean(
        [
            np.linalg.norm(points[labels == g] - points[labels == g].mean(0), axis=1).mean()
            for g in set(groups)
        ]
    )
    centres = np.array([points[labels == g].mean(0) for g in sorted(set(groups))])
    between = min(np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1 :])
    assert between > 2 * inside


def test_png_is_written(tmp_path):
    kv, words, groups = _grouped()
    path = plot_embeddings(kv, words, tmp_path / "pic" / "map.png", method="pca", groups=groups)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in (tmp_path / "pic").iterdir()] == ["map.png"]


def test_errors():
    kv, words, _ = _grouped()
    assert list_projections() == ["pca", "tsne"]
    with pytest.raises(KeyError, match="nothere"):
        project_2d(kv, [*words[:3], "nothere"], method="pca")
    with pytest.raises(ValueError, match="method"):
        project_2d(kv, words, method="umap")
    with pytest.raises(ValueError, match="at least 3"):
        project_2d(kv, words[:2], method="pca")
