"""``RNNClassifier``: a many-to-one recurrent network over word vectors (course 1.5, 2.9)."""

from __future__ import annotations

from typing import Any

import keras

from seqkeras.models._text_model import (
    RecurrentTextModel,
    TextClassifierMixin,
    check_positive_int,
    ids_and_mask,
)


@keras.saving.register_keras_serializable(package="seqkeras")
class RNNClassifier(TextClassifierMixin, RecurrentTextModel, keras.Model):
    """Many-to-one: word vectors → stacked (bi)directional RNN → softmax on the last state.

    Padding (id 0) is masked, so the prediction does not depend on how much padding a
    batch adds; unlike :class:`AverageEmbeddingClassifier` the network reads the words
    in order and can learn that "not" flips "good".

    Args:
        embedding: a ``keras.layers.Embedding`` or a ``(vocabulary, dim)`` matrix (frozen).
        num_classes: number of classes.
        kind: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        depth: stacked recurrent layers.
        bidirectional: read both ways; the last layer's two final states are joined.
        units: state size per direction.
        dropout: dropout on the word vectors and on the final state during training.
        labels: class names (default ``"0"``, ``"1"``, ...).
        vectorizer: a :class:`~seqkeras.models.TextVectorizer`, a word
            :class:`~seqkeras.text.Vocabulary` or a vectorizer config.

    Call arguments:
        inputs: int word ids ``(batch, T)``; id 0 (padding) is masked in every layer.
        training: whether the dropout on the word vectors and the final state is active.

    Returns:
        ``(batch, num_classes)``: the softmax of the last layer's final state(s).

    Example:
        >>> import numpy as np
        >>> model = RNNClassifier(np.eye(5, 4), 3, depth=1, units=8)
        >>> tuple(model(np.array([[2, 3, 4, 0]])).shape)
        (1, 3)
    """

    def __init__(
        self,
        embedding: Any,
        num_classes: int,
        kind: str = "lstm",
        depth: int = 2,
        bidirectional: bool = False,
        units: int = 64,
        dropout: float = 0.0,
        labels: list[str] | None = None,
        vectorizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.num_classes = check_positive_int("num_classes", num_classes)
        self._init_text(embedding, self.num_classes, "class", labels, vectorizer)
        self._init_recurrent(kind, depth, bidirectional, units, dropout, False, "rnn")
        self.classifier = keras.layers.Dense(num_classes, activation="softmax", name="classifier")
        self._build_now()

    def _build_layers(self, features: int) -> None:
        self.classifier.build((None, self._build_recurrent(features)))

    def call(self, inputs: Any, training: bool = False) -> Any:
        ids, mask = ids_and_mask(inputs)
        return self.classifier(self._run_recurrent(self.embedding(ids), mask, training))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {"num_classes": self.num_classes, **self._recurrent_config(), **self._text_config()}
        )
        return config
