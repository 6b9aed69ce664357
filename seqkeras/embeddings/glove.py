"""``GloVe``: global vectors from co-occurrence counts (course 2.8)."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from .cooccurrence import ALPHA, X_MAX
from .losses import glove_loss
from .trainer_base import EmbeddingTrainer


@keras.saving.register_keras_serializable(package="seqkeras")
class GloVe(EmbeddingTrainer):
    """GloVe (Pennington et al. 2014): minimise Σ_ij f(X_ij)(θ_iᵀe_j + b_i + b'_j − log X_ij)²
    over the non-zero co-occurrence counts, f(x) = (x/x_max)^α capped at 1 (so f(0) = 0
    and zero counts are never visited). θ and e play symmetric roles; the final vectors
    are their mean, e_final = (e + θ)/2 (``embedding_matrix``). Train with AdaGrad, as the
    reference implementation does (learning rate 0.05, squared-gradient sums starting at 1).

    Args:
        vocabulary_size: V.
        embedding_dim: d.
        x_max, alpha: the weighting function's constants (100 and 0.75).
        **kwargs: ``keras.Model`` arguments.

    Call arguments:
        inputs: dict with int ``"row"`` (i) and ``"column"`` (j), each ``(B,)``.

    Returns:
        ``(B,)``: θ_iᵀe_j + b_i + b'_j, the model of log X_ij.

    Example:
        >>> import numpy as np
        >>> model = GloVe(vocabulary_size=20, embedding_dim=4)
        >>> tuple(model({"row": np.array([1, 2]), "column": np.array([3, 4])}).shape)
        (2,)
    """

    context_type = "both_sides"

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 100,
        x_max: float = X_MAX,
        alpha: float = ALPHA,
        **kwargs: Any,
    ) -> None:
        super().__init__(vocabulary_size, embedding_dim, **kwargs)
        if not x_max > 0:
            raise ValueError(f"x_max must be > 0, got {x_max!r}")
        if not alpha > 0:
            raise ValueError(f"alpha must be > 0, got {alpha!r}")
        self.x_max = float(x_max)
        self.alpha = float(alpha)
        # the reference starts every weight uniform in [-0.5/d, 0.5/d]
        start = keras.initializers.RandomUniform(-0.5 / embedding_dim, 0.5 / embedding_dim)
        self.embedding = keras.layers.Embedding(
            vocabulary_size, embedding_dim, embeddings_initializer=start, name="embedding"
        )
        self.context_embedding = keras.layers.Embedding(
            vocabulary_size, embedding_dim, embeddings_initializer=start, name="context_embedding"
        )
        self.bias = keras.layers.Embedding(
            vocabulary_size, 1, embeddings_initializer=start, name="bias"
        )
        self.context_bias = keras.layers.Embedding(
            vocabulary_size, 1, embeddings_initializer=start, name="context_bias"
        )

    def _sublayers(self) -> list[keras.layers.Layer]:
        return [self.embedding, self.context_embedding, self.bias, self.context_bias]

    def call(self, inputs: dict[str, Any]) -> Any:
        i = ops.cast(inputs["row"], "int32")
        j = ops.cast(inputs["column"], "int32")
        dot = ops.sum(self.embedding(i) * self.context_embedding(j), axis=-1)
        return dot + ops.squeeze(self.bias(i), -1) + ops.squeeze(self.context_bias(j), -1)

    @property
    def embedding_matrix(self) -> np.ndarray:
        """(e + θ)/2, GloVe's final word vectors."""
        e = keras.ops.convert_to_numpy(self.embedding.embeddings)
        theta = keras.ops.convert_to_numpy(self.context_embedding.embeddings)
        return ((e + theta) / 2).astype(np.float32)

    def examples(self, batch: Any) -> tuple[Any, Any]:
        return batch  # glove_dataset already yields (x, y)

    def training_loss(self) -> Any:
        return glove_loss

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"x_max": self.x_max, "alpha": self.alpha})
        return config
