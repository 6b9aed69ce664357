"""``EmbeddingTrainer``: what every embedding-learning model of this package shares.

A trainer is a ``keras.Model`` that holds the embedding matrix E (``vocabulary_size`` ×
``embedding_dim``, a ``keras.layers.Embedding`` named ``"embedding"``), knows which
context type its examples use, turns a batch of ``example_dataset`` into its ``(x, y)``
and names its loss. Trained with ``fit`` like any Keras model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from .keyed_vectors import KeyedVectors

LOSS_KINDS = ("softmax", "negative")


def word2vec_uniform(dim: int) -> keras.initializers.Initializer:
    """word2vec's start: every input vector uniform in [−0.5/d, 0.5/d]."""
    return keras.initializers.RandomUniform(-0.5 / dim, 0.5 / dim)


class EmbeddingTrainer(keras.Model):
    """Base class (not used directly): see ``SkipGram``, ``CBOW``,
    ``NeuralLanguageModelEmbedding`` and ``GloVe``.

    Args:
        vocabulary_size: V, number of words.
        embedding_dim: d.
        **kwargs: ``keras.Model`` arguments (``name``, ``dtype``).
    """

    #: the context type (``seqkeras.embeddings.list_context_types()``) of its examples
    context_type = "nearby"

    def __init__(self, vocabulary_size: int, embedding_dim: int = 100, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(vocabulary_size, int) or vocabulary_size < 1:
            raise ValueError(f"vocabulary_size must be a positive int, got {vocabulary_size!r}")
        if not isinstance(embedding_dim, int) or embedding_dim < 1:
            raise ValueError(f"embedding_dim must be a positive int, got {embedding_dim!r}")
        self.vocabulary_size = vocabulary_size
        self.embedding_dim = embedding_dim

    @property
    def embedding_matrix(self) -> np.ndarray:
        """E as a float32 numpy array ``(vocabulary_size, embedding_dim)``."""
        return np.asarray(keras.ops.convert_to_numpy(self.embedding.embeddings), np.float32)

    def keyed_vectors(self, words: Sequence[str]) -> KeyedVectors:
        """The learned vectors of ``words`` (row i is word id i) as ``KeyedVectors``."""
        matrix = self.embedding_matrix
        if len(words) != matrix.shape[0]:
            raise ValueError(f"{len(words)} words for an embedding of {matrix.shape[0]} rows")
        return KeyedVectors(words, matrix)

    def examples(self, batch: dict[str, Any]) -> tuple[Any, Any]:
        """``(x, y)`` of one ``example_dataset`` batch (``target``, ``context``,
        ``negatives``)."""
        raise NotImplementedError

    def training_loss(self) -> Any:
        """The per-example loss function to compile with (reduced by a sum)."""
        raise NotImplementedError

    def build(self, input_shape: Any = None) -> None:
        for layer in self._sublayers():
            if not layer.built:
                layer.build(self._sublayer_shape(layer))
        self.built = True

    def _sublayers(self) -> list[keras.layers.Layer]:
        return [self.embedding]

    def _sublayer_shape(self, layer: keras.layers.Layer) -> tuple[Any, ...]:
        return (None,)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {"vocabulary_size": self.vocabulary_size, "embedding_dim": self.embedding_dim}
        )
        return config


def check_loss_kind(loss: str) -> str:
    if loss not in LOSS_KINDS:
        raise ValueError(f"loss must be one of {LOSS_KINDS}; got {loss!r}")
    return loss


def masked_lookup(embedding: keras.layers.Layer, ids: Any) -> tuple[Any, Any]:
    """Vectors of ``ids`` with empty slots (id < 0) as zero vectors, and the 0/1 mask."""
    from keras import ops

    ids = ops.cast(ids, "int32")
    mask = ops.cast(ids >= 0, embedding.compute_dtype)
    vectors = embedding(ops.maximum(ids, 0)) * ops.expand_dims(mask, -1)
    return vectors, mask
