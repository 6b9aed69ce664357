"""What the text classifiers and the tagger share: the embedding argument, the text
vectorizer and label names in the config, and raw strings in → labels out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from seqkeras.models.text_vectorizer import TextVectorizer

PREDICT_BATCH = 128


def resolve_embedding(embedding: Any) -> keras.layers.Embedding:
    """A ``keras.layers.Embedding`` from a layer, its serialized config, or a matrix.

    A 2-D array becomes a *frozen* embedding initialised with it (pretrained vectors on
    a small labelled set, course 2.2); pass a layer (``KeyedVectors.as_embedding_layer(
    ..., trainable=True)`` or your own) to fine-tune.
    """
    if isinstance(embedding, dict):
        embedding = keras.layers.deserialize(embedding)
    if isinstance(embedding, keras.layers.Embedding):
        return embedding
    if hasattr(embedding, "shape") and len(getattr(embedding, "shape", ())) == 2:
        matrix = np.asarray(embedding, dtype="float32")
        if not np.all(np.isfinite(matrix)):
            raise ValueError("the embedding matrix holds NaN or infinite values")
        return keras.layers.Embedding(
            matrix.shape[0], matrix.shape[1], weights=[matrix], trainable=False, name="embedding"
        )
    raise ValueError(
        "embedding must be a keras.layers.Embedding (e.g. KeyedVectors.as_embedding_layer) "
        f"or a 2-D (vocabulary, dim) matrix, got {type(embedding).__name__}"
    )


def check_positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def check_dropout(value: Any) -> float:
    if not isinstance(value, int | float) or not 0.0 <= float(value) < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {value!r}")
    return float(value)


class TextModel:
    """Mixin of the text models: ``embedding``, ``labels``, ``vectorizer``.

    Subclasses call :meth:`_init_text` in their constructor and add
    :meth:`_text_config` to their config.
    """

    def _init_text(
        self, embedding: Any, num_outputs: int, what: str, labels: Any, vectorizer: Any
    ) -> None:
        self.embedding = resolve_embedding(embedding)
        if labels is None:
            labels = [str(i) for i in range(num_outputs)]
        if isinstance(labels, str) or not all(isinstance(x, str) and x for x in labels):
            raise ValueError(f"labels must be a list of non-empty strings, got {labels!r}")
        labels = list(labels)
        if len(labels) != num_outputs or len(set(labels)) != len(labels):
            raise ValueError(
                f"labels must be {num_outputs} distinct names (one per {what}), got {labels!r}"
            )
        self.labels = labels
        if isinstance(vectorizer, TextVectorizer):
            vectorizer = vectorizer.get_config()
        if vectorizer is not None and not isinstance(vectorizer, dict):
            raise ValueError(
                "vectorizer must be a TextVectorizer or its config dict, got "
                f"{type(vectorizer).__name__}"
            )
        self.vectorizer = None if vectorizer is None else TextVectorizer.from_config(vectorizer)
        if self.vectorizer is not None and len(self.vectorizer) != self.embedding.input_dim:
            raise ValueError(
                f"the vectorizer has {len(self.vectorizer)} ids but the embedding has "
                f"{self.embedding.input_dim} rows; build the embedding from "
                "vectorizer.vocabulary"
            )

    def _text_config(self) -> dict[str, Any]:
        return {
            "embedding": keras.layers.serialize(self.embedding),
            "labels": list(self.labels),
            "vectorizer": None if self.vectorizer is None else self.vectorizer.get_config(),
        }

    def require_vectorizer(self) -> TextVectorizer:
        if self.vectorizer is None:
            raise ValueError(
                f"{type(self).__name__} {getattr(self, 'name', '')!r} has no vectorizer: give "
                "vectorizer=TextVectorizer(...) when building it to predict on raw strings"
            )
        return self.vectorizer

    def _batches(self, texts: Sequence[Any], batch_size: int):
        """``(tokens, model input)`` per batch of raw texts (or token lists)."""
        vectorizer = self.require_vectorizer()
        tokens = vectorizer.split_batch(texts)
        check_positive_int("batch_size", batch_size)
        for start in range(0, len(tokens), batch_size):
            chunk = tokens[start : start + batch_size]
            yield chunk, self.inputs_for_tokens(chunk)

    def inputs_for_tokens(self, tokens: Sequence[Sequence[str]]) -> Any:
        """Model input for split texts (word ids; subclasses add character ids)."""
        return self.require_vectorizer().encode_tokens(tokens)

    def _predict_array(self, texts: Sequence[Any], batch_size: int) -> list[Any]:
        out = []
        for chunk, inputs in self._batches(texts, batch_size):
            model_output = self(inputs, training=False)  # type: ignore[operator]  # a keras.Model mixin
            probabilities = np.asarray(keras.ops.convert_to_numpy(model_output))
            out.append((chunk, probabilities))
        return out


class TextClassifierMixin(TextModel):
    """Raw strings → labels for the many-to-one models."""

    def predict_proba(self, texts: Sequence[Any], batch_size: int = PREDICT_BATCH) -> np.ndarray:
        """``(len(texts), num_classes)`` class probabilities of raw strings.

        Raises:
            ValueError: a text with no tokens, or a model built without a vectorizer.
        """
        parts = [p for _, p in self._predict_array(texts, batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, len(self.labels)), "float32")

    def predict_labels(
        self, texts: Sequence[Any], batch_size: int = PREDICT_BATCH, return_scores: bool = False
    ) -> Any:
        """Label name of every text; with ``return_scores`` also the probability of it."""
        probabilities = self.predict_proba(texts, batch_size)
        best = probabilities.argmax(axis=-1)
        labels = [self.labels[i] for i in best]
        if return_scores:
            return labels, probabilities[np.arange(len(best)), best]
        return labels

    def export_savedmodel(self, path: str, **options: Any) -> str:
        """A SavedModel whose ``serving_default`` maps raw strings to labels and scores
        (see :func:`seqkeras.models.text_serving.export_text_savedmodel`)."""
        from seqkeras.models.text_serving import export_text_savedmodel

        return export_text_savedmodel(self, path, **options)
