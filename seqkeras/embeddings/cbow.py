"""``CBOW``: predict a word from the mean of the words around it (continuous bag of
words, course 2.5–2.7), with a full softmax or negative sampling."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from .losses import masked_softmax_loss, negative_sampling_loss
from .trainer_base import EmbeddingTrainer, check_loss_kind, masked_lookup, word2vec_uniform


@keras.saving.register_keras_serializable(package="seqkeras")
class CBOW(EmbeddingTrainer):
    """Continuous bag of words: h = mean of the context vectors e_c (empty slots left
    out), then ``softmax`` over the vocabulary or ``negative`` sampling against K noise
    words (word2vec's ``-cbow 1``, gensim's ``sg=0, cbow_mean=1``).

    Args:
        vocabulary_size: V.
        embedding_dim: d.
        loss: ``"negative"`` or ``"softmax"``.
        **kwargs: ``keras.Model`` arguments.

    Call arguments:
        inputs: dict with ``"context"`` int ``(B, C)`` (−1 = empty slot) and, for
            ``loss="negative"``, ``"target"`` ``(B,)`` and ``"negatives"`` ``(B, K)``.

    Returns:
        ``"negative"``: logits ``(B, 1 + K)`` (the true target first);
        ``"softmax"``: logits ``(B, V)``.

    Example:
        >>> import numpy as np
        >>> model = CBOW(vocabulary_size=50, embedding_dim=8, loss="softmax")
        >>> tuple(model({"context": np.array([[1, 2, -1, 4]])}).shape)
        (1, 50)
    """

    context_type = "both_sides"

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
        if loss == "negative":
            self.output_embedding = keras.layers.Embedding(
                vocabulary_size,
                embedding_dim,
                embeddings_initializer="zeros",
                name="output_embedding",
            )
        else:
            self.output_layer = keras.layers.Dense(
                vocabulary_size, kernel_initializer="zeros", name="output"
            )

    def _sublayers(self) -> list[keras.layers.Layer]:
        return [
            self.embedding,
            self.output_embedding if self.loss_kind == "negative" else self.output_layer,
        ]

    def _sublayer_shape(self, layer: keras.layers.Layer) -> tuple[Any, ...]:
        return (None, self.embedding_dim) if layer.name == "output" else (None,)

    def call(self, inputs: dict[str, Any]) -> Any:
        vectors, mask = masked_lookup(self.embedding, inputs["context"])
        hidden = ops.sum(vectors, axis=1) / ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
        if self.loss_kind == "softmax":
            return self.output_layer(hidden)
        outputs = ops.concatenate(
            [
                ops.expand_dims(ops.cast(inputs["target"], "int32"), 1),
                ops.cast(inputs["negatives"], "int32"),
            ],
            axis=1,
        )
        return ops.einsum("bd,bod->bo", hidden, self.output_embedding(outputs))

    def examples(self, batch: dict[str, Any]) -> tuple[Any, Any]:
        import tensorflow as tf  # runs inside tf.data

        if self.loss_kind == "softmax":
            return {"context": batch["context"]}, batch["target"]
        x = {
            "context": batch["context"],
            "target": batch["target"],
            "negatives": batch["negatives"],
        }
        return x, tf.ones_like(batch["target"], dtype=tf.float32)

    def training_loss(self) -> Any:
        return negative_sampling_loss if self.loss_kind == "negative" else masked_softmax_loss

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["loss"] = self.loss_kind
        return config
