"""``SkipGram``: predict the words around a word (course 2.6), with a full softmax or
with negative sampling (course 2.7)."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from .trainer_base import WordPredictor, _negative_inputs


@keras.saving.register_keras_serializable(package="seqkeras")
class SkipGram(WordPredictor):
    """Skip-gram word vectors.

    ``loss="softmax"``: p(t | c) = softmax(θ_tᵀ e_c + b_t) over the whole vocabulary for
    a centre word c and each word t within its window (course 2.6; cost ∝ V per word).

    ``loss="negative"`` (SGNS): for each (context word c, centre word t) pair, one
    logistic "is this a real pair?" for t and for K noise words drawn from
    P(w) ∝ count^0.75 (course 2.7): cost ∝ K + 1. As in word2vec and gensim, the vector
    looked up in E is the context word's and the output vectors θ (started at zero)
    belong to the centre word and the noise words; the K noise words of a centre are
    shared by its ≤ 2·window pairs (one draw per centre, each pair still scores its own
    K negatives), which reads 1 + K output rows per centre instead of per pair. With
    ``negatives_shared_by=s`` one draw of K noise words serves s consecutive centres of
    a batch (1 + K/s output rows per centre: less to look up and update per step).

    Args:
        vocabulary_size: V.
        embedding_dim: d.
        loss: ``"negative"`` or ``"softmax"``.
        negatives_shared_by: centres that share one draw of K noise words (``"negative"``
            only; 1: a draw per centre).
        **kwargs: ``keras.Model`` arguments.

    Call arguments:
        inputs: dict. ``loss="negative"``: ``"context"`` int ``(B, C)`` (−1 = empty slot),
            ``"target"`` ``(B,)`` and ``"negatives"`` ``(B, K)``; ``loss="softmax"``:
            ``"target"`` ``(B,)`` (the centre word).

    Returns:
        ``"negative"``: logits ``(B, C, 1 + K)`` (the true centre first);
        ``"softmax"``: logits ``(B, V)``.

    Example:
        >>> import numpy as np
        >>> model = SkipGram(vocabulary_size=50, embedding_dim=8)
        >>> logits = model({"context": np.array([[1, 2, -1]]), "target": np.array([3]),
        ...                 "negatives": np.array([[7, 9]])})
        >>> tuple(logits.shape)
        (1, 3, 3)
    """

    context_type = "nearby"
    context_is_set = True

    def __init__(
        self,
        vocabulary_size: int,
        embedding_dim: int = 100,
        loss: str = "negative",
        negatives_shared_by: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(vocabulary_size, embedding_dim, loss=loss, **kwargs)
        if not isinstance(negatives_shared_by, int) or negatives_shared_by < 1:
            raise ValueError(
                f"negatives_shared_by must be a positive int, got {negatives_shared_by!r}"
            )
        self.negatives_shared_by = negatives_shared_by
        self._build_output(embedding_dim)

    def call(self, inputs: dict[str, Any]) -> Any:
        if self.loss_kind == "softmax":
            return self.output_layer(self.embedding(ops.cast(inputs["target"], "int32")))
        context = ops.cast(inputs["context"], "int32")
        # an empty context slot (-1) reads row 0; its pairs weigh 0 in the loss
        inputs_e = self.embedding(ops.maximum(context, 0))
        candidates = self.candidate_vectors(inputs, self.negatives_shared_by)
        return ops.einsum("bid,bod->bio", inputs_e, candidates)

    def examples(self, batch: dict[str, Any]) -> tuple[Any, Any]:
        import tensorflow as tf  # runs inside tf.data

        if self.loss_kind == "softmax":
            return {"target": batch["target"]}, batch["context"]
        return _negative_inputs(batch), tf.cast(batch["context"] >= 0, tf.float32)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["negatives_shared_by"] = self.negatives_shared_by
        return config
