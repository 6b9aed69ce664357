"""``NeuralLanguageModelEmbedding``: Bengio et al.'s neural probabilistic language model
(course 2.4): the embeddings of the last n words, concatenated, feed a hidden layer
and a softmax over the next word; E is learned on the way."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from .trainer_base import WordPredictor, masked_lookup

DEFAULT_CONTEXT_SIZE = 4  # "a fixed history window", course 2.4's example


@keras.saving.register_keras_serializable(package="seqkeras")
class NeuralLanguageModelEmbedding(WordPredictor):
    """A fixed-window neural language model: h = tanh(W [e_{t-n}; …; e_{t-1}] + b), then
    p(w_t | h) by a full softmax (``loss="softmax"``, Bengio et al. 2003) or by negative
    sampling against K noise words (``loss="negative"``, for large vocabularies). Words
    missing at a sentence start are zero vectors.

    Args:
        vocabulary_size: V.
        embedding_dim: d.
        context_size: n, the previous words seen (4 by default).
        hidden_units: size of h.
        loss: ``"softmax"`` or ``"negative"``.
        **kwargs: ``keras.Model`` arguments.

    Call arguments:
        inputs: dict with ``"context"`` int ``(B, n)`` (oldest word first, −1 = none)
            and, for ``loss="negative"``, ``"target"`` ``(B,)`` and ``"negatives"``
            ``(B, K)``.

    Returns:
        ``"softmax"``: logits ``(B, V)``; ``"negative"``: logits ``(B, 1 + K)``.

    Example:
        >>> import numpy as np
        >>> model = NeuralLanguageModelEmbedding(50, embedding_dim=8, hidden_units=16)
        >>> tuple(model({"context": np.array([[-1, 3, 4, 5]])}).shape)
        (1, 50)
    """

    context_type = "last_n"

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 100,
        context_size: int = DEFAULT_CONTEXT_SIZE,
        hidden_units: int = 128,
        loss: str = "softmax",
        **kwargs: Any,
    ) -> None:
        super().__init__(vocabulary_size, embedding_dim, loss=loss, **kwargs)
        if not isinstance(context_size, int) or context_size < 1:
            raise ValueError(f"context_size must be a positive int, got {context_size!r}")
        if not isinstance(hidden_units, int) or hidden_units < 1:
            raise ValueError(f"hidden_units must be a positive int, got {hidden_units!r}")
        self.context_size = context_size
        self.hidden_units = hidden_units
        self.hidden = keras.layers.Dense(hidden_units, activation="tanh", name="hidden")
        self._build_output(hidden_units, softmax_initializer="glorot_uniform")

    def _sublayers(self) -> list[keras.layers.Layer]:
        return [self.embedding, self.hidden, self._output()]

    def _sublayer_shape(self, layer: keras.layers.Layer) -> tuple[Any, ...]:
        if layer.name == "hidden":
            return (None, self.context_size * self.embedding_dim)
        if layer.name == "output":
            return (None, self.hidden_units)
        return (None,)

    def call(self, inputs: dict[str, Any]) -> Any:
        vectors, _ = masked_lookup(self.embedding, inputs["context"])
        hidden = self.hidden(ops.reshape(vectors, (-1, self.context_size * self.embedding_dim)))
        if self.loss_kind == "softmax":
            return self.output_layer(hidden)
        return ops.einsum("bh,boh->bo", hidden, self.candidate_vectors(inputs))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "context_size": self.context_size,
                "hidden_units": self.hidden_units,
            }
        )
        return config
