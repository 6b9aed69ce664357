"""``RNNClassifier``: a many-to-one recurrent network over word vectors (course 1.5, 2.9)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from seqkeras.models._recurrent_kinds import RECURRENT_KINDS, check_kind
from seqkeras.models._text_model import TextClassifierMixin, check_dropout, check_positive_int
from seqkeras.models.text_vectorizer import PAD


def recurrent_stack(
    kind: str, units: int, depth: int, bidirectional: bool, last_sequences: bool, prefix: str
) -> list[keras.layers.Layer]:
    """``depth`` stacked Keras recurrent layers (the built-ins: cuDNN on a GPU)."""
    layers = []
    for i in range(depth):
        sequences = last_sequences or i < depth - 1
        rnn = RECURRENT_KINDS[kind].layer(units, return_sequences=sequences, name=f"{prefix}_{i}")
        if bidirectional:
            rnn = keras.layers.Bidirectional(rnn, name=f"bi{prefix}_{i}")
        layers.append(rnn)
    return layers


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


@keras.saving.register_keras_serializable(package="seqkeras")
class RNNClassifier(TextClassifierMixin, keras.Model):
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
        vectorizer: a :class:`~seqkeras.models.TextVectorizer` (or its config).

    Call arguments:
        inputs: int word ids ``(batch, T)``, 0 = padding.
        training: whether dropout is active.

    Returns:
        class probabilities ``(batch, num_classes)``.

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
        self.kind = check_kind("kind", kind)
        self.depth = check_positive_int("depth", depth)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.units = check_positive_int("units", units)
        self.dropout = check_dropout(dropout)
        self._init_text(embedding, self.num_classes, "class", labels, vectorizer)
        self.input_dropout = keras.layers.Dropout(self.dropout)
        self.output_dropout = keras.layers.Dropout(self.dropout)
        self.recurrent = recurrent_stack(kind, units, depth, bidirectional, False, "rnn")
        self.classifier = keras.layers.Dense(num_classes, activation="softmax", name="classifier")
        # built at once: the input shape is known, and a model saved before its first
        # call must still hold its (pretrained) weights
        self.build()

    def build(self, input_shape: Any = None) -> None:
        if self.built:  # built in the constructor already
            return
        self.embedding.build((None, None))
        features = self.embedding.output_dim
        for layer in self.recurrent:
            layer.build((None, None, features))
            features = self.units * (2 if self.bidirectional else 1)
        self.classifier.build((None, features))
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        ids = ops.cast(inputs, "int32")
        mask = ops.not_equal(ids, PAD)
        x = self.input_dropout(self.embedding(ids), training=training)
        for layer in self.recurrent:
            x = layer(x, mask=mask, training=training)
        return self.classifier(self.output_dropout(x, training=training))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_classes": self.num_classes,
                "kind": self.kind,
                "depth": self.depth,
                "bidirectional": self.bidirectional,
                "units": self.units,
                "dropout": self.dropout,
                **self._text_config(),
            }
        )
        return config
