"""``CBOW``: predict a word from the mean of the words around it (continuous bag of
words, course 2.5–2.7), with a full softmax or negative sampling."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from .trainer_base import WordPredictor, masked_lookup


@keras.saving.register_keras_serializable(package="seqkeras")
class CBOW(WordPredictor):
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
        super().__init__(vocabulary_size, embedding_dim, loss=loss, **kwargs)
        self._build_output(embedding_dim)

    def call(self, inputs: dict[str, Any]) -> Any:
        vectors, mask = masked_lookup(self.embedding, inputs["context"])
        hidden = ops.sum(vectors, axis=1) / ops.maximum(ops.sum(mask, axis=1, keepdims=True), 1.0)
        if self.loss_kind == "softmax":
            return self.output_layer(hidden)
        return ops.einsum("bd,bod->bo", hidden, self.candidate_vectors(inputs))
