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
from .losses import masked_softmax_loss, negative_sampling_loss

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
    #: the model reads its context as a set (column order unused): its examples can be
    #: packed (``example_dataset(pack=True)``)
    context_is_set = False

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


class WordPredictor(EmbeddingTrainer):
    """Base class (not used directly) of the trainers that predict a word: a full
    ``"softmax"`` over the vocabulary, or ``"negative"`` sampling — scores of the true word
    and K noise words against their output vectors (``SkipGram``, ``CBOW``,
    ``NeuralLanguageModelEmbedding``). Creates E; a subclass creates the layers between E
    and the output, then calls ``_build_output``.
    """

    def __init__(
        self, vocabulary_size: int, embedding_dim: int = 100, loss: str = "negative", **kwargs: Any
    ) -> None:
        super().__init__(vocabulary_size, embedding_dim, **kwargs)
        self.loss_kind = check_loss_kind(loss)
        self.embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=word2vec_uniform(embedding_dim),
            name="embedding",
        )

    def _build_output(self, input_dim: int, softmax_initializer: str = "zeros") -> None:
        """The output side: vectors of ``input_dim`` per word (``"negative"``, zeros as
        word2vec starts them) or a ``Dense`` softmax layer (``"softmax"``)."""
        if self.loss_kind == "negative":
            self.output_embedding = keras.layers.Embedding(
                self.vocabulary_size,
                input_dim,
                embeddings_initializer="zeros",
                name="output_embedding",
            )
        else:
            self.output_layer = keras.layers.Dense(
                self.vocabulary_size, kernel_initializer=softmax_initializer, name="output"
            )

    def _output(self) -> keras.layers.Layer:
        return self.output_embedding if self.loss_kind == "negative" else self.output_layer

    def _sublayers(self) -> list[keras.layers.Layer]:
        return [self.embedding, self._output()]

    def _sublayer_shape(self, layer: keras.layers.Layer) -> tuple[Any, ...]:
        return (None, self.embedding_dim) if layer.name == "output" else (None,)

    def candidate_vectors(self, inputs: dict[str, Any], shared_by: int = 1) -> Any:
        """Output vectors ``(B, 1 + K, h)`` of the true ``target`` (first) and the
        ``negatives``.

        ``shared_by`` > 1: rows ``0, s, 2s, ...`` of ``negatives`` serve the ``s`` targets
        from each such row on (the other rows are not read), so only ``B / s`` rows of K
        noise vectors are looked up and updated.
        """
        from keras import ops

        target = self.output_embedding(ops.expand_dims(ops.cast(inputs["target"], "int32"), 1))
        negatives = ops.cast(inputs["negatives"], "int32")
        if shared_by == 1:
            return ops.concatenate([target, self.output_embedding(negatives)], axis=1)
        noise = self.output_embedding(negatives[::shared_by])  # (ceil(B / s), K, h)
        group = ops.arange(ops.shape(negatives)[0]) // shared_by
        return ops.concatenate([target, ops.take(noise, group, axis=0)], axis=1)

    def examples(self, batch: dict[str, Any]) -> tuple[Any, Any]:
        """Context in, the target word out: ``softmax`` → ``({"context"}, target)``;
        ``negative`` → all three inputs and label 1 for the true word's column."""
        import tensorflow as tf  # runs inside tf.data

        if self.loss_kind == "softmax":
            return {"context": batch["context"]}, batch["target"]
        return _negative_inputs(batch), tf.ones_like(batch["target"], dtype=tf.float32)

    def training_loss(self) -> Any:
        return negative_sampling_loss if self.loss_kind == "negative" else masked_softmax_loss

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["loss"] = self.loss_kind
        return config


def _negative_inputs(batch: dict[str, Any]) -> dict[str, Any]:
    return {"context": batch["context"], "target": batch["target"], "negatives": batch["negatives"]}


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
