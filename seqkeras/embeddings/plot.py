"""Pictures of word vectors: a 2-D map (t-SNE or PCA) with word labels (course 2.2)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from ..atomic import save_figure_atomic
from .keyed_vectors import KeyedVectors

TSNE_MAX_PERPLEXITY = 30.0
_LABELS = {"tsne": "t-SNE", "pca": "PCA"}


def _pca(x: np.ndarray, seed: int) -> np.ndarray:
    centred = x - x.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    return centred @ components[:2].T


def _tsne(x: np.ndarray, seed: int) -> np.ndarray:
    try:
        from sklearn.manifold import TSNE
    except ImportError as err:
        raise ImportError("t-SNE needs scikit-learn: pip install scikit-learn") from err
    # perplexity must stay below the number of points
    perplexity = min(TSNE_MAX_PERPLEXITY, max(1.0, (len(x) - 1) / 3))
    return TSNE(
        2, perplexity=perplexity, init="pca", random_state=seed, metric="cosine"
    ).fit_transform(x)


PROJECTIONS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {"pca": _pca, "tsne": _tsne}


def list_projections() -> list[str]:
    return list(PROJECTIONS)


def project_2d(
    kv: KeyedVectors, words: Sequence[str], method: str = "tsne", seed: int = 0
) -> np.ndarray:
    """``(len(words), 2)`` coordinates of the words' vectors.

    Args:
        method: ``"tsne"`` (scikit-learn, cosine distances) or ``"pca"`` (the two
            principal components).

    Raises:
        KeyError: a word is unknown (named); ValueError: unknown method or < 3 words.
    """
    if method not in PROJECTIONS:
        raise ValueError(f"method must be one of {list_projections()}; got {method!r}")
    if len(words) < 3:
        raise ValueError(f"need at least 3 words to draw a map, got {len(words)}")
    return PROJECTIONS[method](kv[list(words)].astype(np.float64), seed)


def plot_embeddings(
    kv: KeyedVectors,
    words: Sequence[str],
    path: str | os.PathLike[str],
    method: str = "tsne",
    groups: Sequence[str] | None = None,
    title: str | None = None,
    seed: int = 0,
) -> str:
    """Draws the words on a 2-D map with their labels and writes a PNG (atomically).

    Args:
        kv: the vectors.
        words: the words to draw.
        path: the PNG file.
        method: ``"tsne"`` or ``"pca"``.
        groups: optional group name per word (one colour each).
        title: the title; default names the method.
        seed: t-SNE's seed.

    Returns:
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if groups is not None and len(groups) != len(words):
        raise ValueError(f"{len(groups)} groups for {len(words)} words")
    points = project_2d(kv, words, method, seed)
    figure, axes = plt.subplots(figsize=(8, 7))
    names = list(dict.fromkeys(groups)) if groups is not None else [None]
    colours = plt.get_cmap("tab10")
    for k, name in enumerate(names):
        chosen = np.array([groups is None or groups[i] == name for i in range(len(words))])
        axes.scatter(points[chosen, 0], points[chosen, 1], s=18, color=colours(k % 10), label=name)
    for (x, y), word in zip(points, words, strict=True):
        axes.annotate(word, (x, y), fontsize=8, xytext=(3, 2), textcoords="offset points")
    if groups is not None:
        axes.legend(fontsize=8)
    axes.set_title(title or f"{len(words)} word vectors ({kv.vector_size}-d) by {_LABELS[method]}")
    axes.set_xticks([])
    axes.set_yticks([])
    figure.tight_layout()
    path = os.fspath(path)
    try:
        save_figure_atomic(figure, path, format="png", dpi=120)
    finally:
        plt.close(figure)
    return path
