"""``AverageEmbeddingClassifier``: mean of the word vectors → softmax (course 2.9)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from seqkeras.models._text_model import TextClassifierMixin, check_dropout, check_positive_int
from seqkeras.models.text_vectorizer import PAD


@keras.saving.register_keras_serializable(package="seqkeras")
class AverageEmbeddingClassifier(TextClassifierMixin, keras.Model):
    """Sentiment the course's first way: average the word vectors, then a softmax.

    ``p = softmax(W · mean_t e<t> + b)`` where the mean runs over the real tokens only
    (id 0 is padding and never counts). Word order is invisible to it: "good, not bad"
    and "bad, not good" get the same prediction — :class:`RNNClassifier` is the fix.

    Args:
        embedding: a ``keras.layers.Embedding`` (e.g. ``KeyedVectors.as_embedding_layer``,
            frozen or trainable) or a ``(vocabulary, dim)`` matrix (frozen).
        num_classes: number of classes.
        dropout: dropout on the averaged vector during training.
        labels: class names (default ``"0"``, ``"1"``, ...).
        vectorizer: a :class:`~seqkeras.models.TextVectorizer` (or its config) whose ids
            index the embedding; needed by :meth:`predict_labels` and the SavedModel.

    Call arguments:
        inputs: int word ids ``(batch, T)``, 0 = padding.
        training: whether dropout is active.

    Returns:
        class probabilities ``(batch, num_classes)``.

    Example:
        >>> import numpy as np
        >>> model = AverageEmbeddingClassifier(np.eye(4, 3), 2)
        >>> tuple(model(np.array([[2, 3, 0]])).shape)
        (1, 2)
    """

    def __init__(
        self,
        embedding: Any,
        num_classes: int,
        dropout: float = 0.0,
        labels: list[str] | None = None,
        vectorizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.num_classes = check_positive_int("num_classes", num_classes)
        self.dropout = check_dropout(dropout)
        self._init_text(embedding, self.num_classes, "class", labels, vectorizer)
        self.dropout_layer = keras.layers.Dropout(self.dropout)
        self.classifier = keras.layers.Dense(num_classes, activation="softmax", name="classifier")
        # built at once: the input shape is known, and a model saved before its first
        # call must still hold its (pretrained) weights
        self.build()

    def build(self, input_shape: Any = None) -> None:
        if self.built:  # built in the constructor already
            return
        self.embedding.build((None, None))
        self.classifier.build((None, self.embedding.output_dim))
        self.built = True

    def average(self, inputs: Any) -> Any:
        """Mean of the word vectors of the real tokens, ``(batch, dim)`` (zeros for an
        all-padding row)."""
        ids = ops.cast(inputs, "int32")
        vectors = self.embedding(ids)
        mask = ops.expand_dims(ops.cast(ops.not_equal(ids, PAD), vectors.dtype), -1)
        count = ops.maximum(ops.sum(mask, axis=1), 1.0)
        return ops.sum(vectors * mask, axis=1) / count

    def call(self, inputs: Any, training: bool = False) -> Any:
        return self.classifier(self.dropout_layer(self.average(inputs), training=training))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {"num_classes": self.num_classes, "dropout": self.dropout, **self._text_config()}
        )
        return config
