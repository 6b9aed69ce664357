"""``SequenceTagger``: many-to-many (Tx = Ty) recurrent tagger, e.g. for named entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from seqkeras.models._recurrent_kinds import check_kind
from seqkeras.models._text_model import (
    PREDICT_BATCH,
    TextModel,
    check_dropout,
    check_positive_int,
)
from seqkeras.models.rnn_classifier import check_bool, recurrent_stack
from seqkeras.models.text_vectorizer import PAD

# Character features (Ma & Hovy 2016): a small CNN over each word's characters sees
# capitals, digits, '@' and '#' — what a lower-cased pretrained embedding cannot.
NO_CHARS = 0
_NEG_LARGE = -1e9


@keras.saving.register_keras_serializable(package="seqkeras")
class SequenceTagger(TextModel, keras.Model):
    """One tag per input token: word vectors (+ character features) → (bi)RNN → softmax.

    Tx = Ty: the output has one distribution over the tags for every input position;
    padding positions (word id 0) are masked in the recurrent layers, so real tokens'
    outputs do not depend on padding. Train with
    ``SparseCategoricalCrossentropy(ignore_class=IGNORE_TAG)`` and tag ``IGNORE_TAG``
    (-1) on padding.

    Args:
        embedding: a ``keras.layers.Embedding`` or a ``(vocabulary, dim)`` matrix (frozen).
        num_tags: number of tags.
        kind: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        bidirectional: read the sentence both ways (right context matters for tags).
        depth: stacked recurrent layers.
        units: state size per direction.
        dropout: dropout on the token features and the recurrent outputs in training.
        char_vocab_size: number of character ids (0 = no character features).
        char_embedding_dim: character vector size.
        char_filters: character CNN output size per token.
        char_kernel: character CNN width.
        labels: tag names (default ``"0"``, ``"1"``, ...), e.g. ``["O", "B-person", ...]``.
        vectorizer: a :class:`~seqkeras.models.TextVectorizer` (or its config); with
            character features it must have ``chars``.

    Call arguments:
        inputs: word ids ``(batch, T)``; with character features a tuple
            ``(word_ids (batch, T), char_ids (batch, T, max_chars))``.
        training: whether dropout is active.

    Returns:
        tag probabilities ``(batch, T, num_tags)``.

    Example:
        >>> import numpy as np
        >>> tagger = SequenceTagger(np.eye(6, 4), 3, units=8)
        >>> tuple(tagger(np.array([[2, 5, 3, 0]])).shape)
        (1, 4, 3)
    """

    IGNORE_TAG = -1

    def __init__(
        self,
        embedding: Any,
        num_tags: int,
        kind: str = "lstm",
        bidirectional: bool = True,
        depth: int = 1,
        units: int = 64,
        dropout: float = 0.0,
        char_vocab_size: int = NO_CHARS,
        char_embedding_dim: int = 25,
        char_filters: int = 30,
        char_kernel: int = 3,
        labels: list[str] | None = None,
        vectorizer: Any = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.num_tags = check_positive_int("num_tags", num_tags)
        self.kind = check_kind("kind", kind)
        self.bidirectional = check_bool("bidirectional", bidirectional)
        self.depth = check_positive_int("depth", depth)
        self.units = check_positive_int("units", units)
        self.dropout = check_dropout(dropout)
        if isinstance(char_vocab_size, bool) or not isinstance(char_vocab_size, int) or char_vocab_size < 0:
            raise ValueError(f"char_vocab_size must be an int >= 0, got {char_vocab_size!r}")
        self.char_vocab_size = char_vocab_size
        self.char_embedding_dim = check_positive_int("char_embedding_dim", char_embedding_dim)
        self.char_filters = check_positive_int("char_filters", char_filters)
        self.char_kernel = check_positive_int("char_kernel", char_kernel)
        self._init_text(embedding, self.num_tags, "tag", labels, vectorizer)
        if self.vectorizer is not None and self.vectorizer.num_chars != self.char_vocab_size:
            raise ValueError(
                f"char_vocab_size is {char_vocab_size} but the vectorizer has "
                f"{self.vectorizer.num_chars} character ids"
            )
        if self.char_vocab_size:
            self.char_embedding = keras.layers.Embedding(
                self.char_vocab_size, self.char_embedding_dim, name="char_embedding"
            )
            self.char_conv = keras.layers.Conv1D(
                self.char_filters, self.char_kernel, padding="same", activation="tanh",
                name="char_conv",
            )  # fmt: skip
        self.feature_dropout = keras.layers.Dropout(self.dropout)
        self.output_dropout = keras.layers.Dropout(self.dropout)
        self.recurrent = recurrent_stack(kind, units, self.depth, bidirectional, True, "tagger_rnn")
        self.classifier = keras.layers.Dense(num_tags, activation="softmax", name="tags")
        # built at once: the input shape is known, and a model saved before its first
        # call must still hold its (pretrained) weights
        self.build()

    @property
    def uses_chars(self) -> bool:
        return self.char_vocab_size > 0

    @property
    def feature_dim(self) -> int:
        return self.embedding.output_dim + (self.char_filters if self.uses_chars else 0)

    def build(self, input_shape: Any = None) -> None:
        if self.built:  # built in the constructor already
            return
        self.embedding.build((None, None))
        if self.uses_chars:
            self.char_embedding.build((None, None))
            self.char_conv.build((None, None, self.char_embedding_dim))
        features = self.feature_dim
        for layer in self.recurrent:
            layer.build((None, None, features))
            features = self.units * (2 if self.bidirectional else 1)
        self.classifier.build((None, None, features))
        self.built = True

    def char_features(self, char_ids: Any) -> Any:
        """Max over each token's characters of a CNN over their vectors, ``(B, T, F)``."""
        char_ids = ops.cast(char_ids, "int32")
        shape = ops.shape(char_ids)
        flat = ops.reshape(char_ids, (-1, shape[2]))
        conv = self.char_conv(self.char_embedding(flat))
        valid = ops.expand_dims(ops.not_equal(flat, PAD), -1)
        pooled = ops.max(ops.where(valid, conv, _NEG_LARGE), axis=1)
        # a padding token has no character: its feature is 0, not -1e9
        pooled = ops.where(ops.any(valid, axis=1), pooled, 0.0)
        return ops.reshape(pooled, (shape[0], shape[1], self.char_filters))

    def call(self, inputs: Any, training: bool = False) -> Any:
        if self.uses_chars:
            if not isinstance(inputs, list | tuple) or len(inputs) != 2:
                raise ValueError(
                    "this SequenceTagger uses character features: call it on "
                    "(word_ids, char_ids)"
                )
            word_ids, char_ids = inputs
        else:
            word_ids = inputs
        ids = ops.cast(word_ids, "int32")
        mask = ops.not_equal(ids, PAD)
        x = self.embedding(ids)
        if self.uses_chars:
            x = ops.concatenate([x, self.char_features(char_ids)], axis=-1)
        x = self.feature_dropout(x, training=training)
        for layer in self.recurrent:
            x = layer(x, mask=mask, training=training)
        return self.classifier(self.output_dropout(x, training=training))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_tags": self.num_tags,
                "kind": self.kind,
                "bidirectional": self.bidirectional,
                "depth": self.depth,
                "units": self.units,
                "dropout": self.dropout,
                "char_vocab_size": self.char_vocab_size,
                "char_embedding_dim": self.char_embedding_dim,
                "char_filters": self.char_filters,
                "char_kernel": self.char_kernel,
                **self._text_config(),
            }
        )
        return config

    # -- raw text ----------------------------------------------------------------------
    def inputs_for_tokens(self, tokens: Sequence[Sequence[str]]) -> Any:
        vectorizer = self.require_vectorizer()
        words = vectorizer.encode_tokens(tokens)
        if not self.uses_chars:
            return words
        return words, vectorizer.encode_chars(tokens, words.shape[1])

    def predict_tags(
        self, texts: Sequence[Any], batch_size: int = PREDICT_BATCH, return_scores: bool = False
    ) -> Any:
        """Tags of every token of every text (raw strings, split by the vectorizer, or
        token lists); with ``return_scores`` also each tag's probability.

        Returns:
            ``(tokens, tags)`` — two lists of lists, one entry per token — or
            ``(tokens, tags, scores)``.
        """
        all_tokens, all_tags, all_scores = [], [], []
        for chunk, probabilities in self._predict_array(texts, batch_size):
            best = probabilities.argmax(axis=-1)
            for row, tokens in enumerate(chunk):
                n = len(tokens)
                all_tokens.append(list(tokens))
                all_tags.append([self.labels[i] for i in best[row, :n]])
                all_scores.append(probabilities[row, np.arange(n), best[row, :n]])
        if return_scores:
            return all_tokens, all_tags, all_scores
        return all_tokens, all_tags

    def export_savedmodel(self, path: str, **options: Any) -> str:
        """A SavedModel whose ``serving_default`` maps raw strings to tokens, tags and
        scores (see :func:`seqkeras.models.text_serving.export_text_savedmodel`)."""
        from seqkeras.models.text_serving import export_text_savedmodel

        return export_text_savedmodel(self, path, **options)
