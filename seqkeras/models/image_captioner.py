"""Image captioning: CNN features → recurrent decoder, with or without attention."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from seqkeras.models._recurrent_kinds import RECURRENT_KINDS, check_kind
from seqkeras.models.recurrent_decoder import (
    ATTENTION_KINDS,
    ConditionalDecoding,
    RecurrentDecoder,
    check_dropout,
    check_positive_int,
)
from seqkeras.models.token_vocabulary import model_vocabulary
from seqkeras.text import Vocabulary


def _small_cnn(name: str) -> keras.layers.Layer:
    """Three 3×3 conv blocks; a 32×32 image becomes a 4×4 grid of 64 features."""
    return keras.Sequential(
        [
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(48, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
        ],
        name=name,
    )


# Named CNN encoders (a Keras layer can be given instead of a name).
CNN_ENCODERS = {"small": _small_cnn}


@keras.saving.register_keras_serializable(package="seqkeras")
class ImageCaptioner(ConditionalDecoding, keras.Model):
    """CNN encoder + recurrent decoder that writes a caption (course 3.1, image → text).

    The CNN turns an image into a grid of feature vectors; they are flattened into
    ``H'·W'`` regions and projected to ``feature_dim``. Without attention the decoder
    starts from a ``tanh`` projection of their mean and sees nothing else; with
    ``attention="bahdanau"`` it also attends over the regions at every step, so each
    word can look at a different part of the image.

    Args:
        vocab_size: caption ids (0 padding, 1 unknown, 2 start, 3 end included).
        image_shape: ``(height, width, channels)``.
        cnn_encoder: a name in :data:`CNN_ENCODERS` (``"small"``) or a Keras layer
            mapping images to ``(batch, H', W', C)``.
        units: decoder state size.
        decoder_kind: ``"gru"``, ``"lstm"`` or ``"rnn"``.
        attention: ``None`` or ``"bahdanau"``.
        feature_dim: size of each projected region feature.
        embedding_dim: word embedding size.
        attention_units: attention scoring network size (default ``units``).
        dropout: dropout in the decoder.
        vocabulary: optional :class:`~seqkeras.text.Vocabulary` (or its ``get_config()``
            dict) with the seq2seq layout, e.g. a ``TokenVocabulary`` (for :meth:`caption`).
        max_target_length: caption length limit, end token included.

    Call arguments:
        inputs: ``(images (batch, H, W, C), decoder_input_ids (batch, Ty))``.
        training: whether dropout is active.

    Returns:
        logits ``(batch, Ty, vocab_size)``.

    Example:
        >>> model = ImageCaptioner(10, (32, 32, 3), units=16, attention="bahdanau")
        >>> logits = model((np.zeros((2, 32, 32, 3), "float32"), np.full((2, 5), 2)))
        >>> tuple(logits.shape)
        (2, 5, 10)
    """

    def __init__(
        self,
        vocab_size: int,
        image_shape,
        cnn_encoder: Any = "small",
        units: int = 64,
        decoder_kind: str = "gru",
        attention: str | None = None,
        feature_dim: int = 64,
        embedding_dim: int = 32,
        attention_units: int | None = None,
        dropout: float = 0.0,
        vocabulary: Vocabulary | dict | None = None,
        max_target_length: int = 24,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        image_shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else image_shape
        if (
            not isinstance(image_shape, tuple)
            or len(image_shape) != 3
            or not all(isinstance(d, int) and d > 0 for d in image_shape)
        ):
            raise ValueError(
                f"image_shape must be (height, width, channels) positive ints, got {image_shape!r}"
            )
        self.image_shape = image_shape
        if isinstance(cnn_encoder, dict):
            cnn_encoder = keras.saving.deserialize_keras_object(cnn_encoder)
        if isinstance(cnn_encoder, str):
            if cnn_encoder not in CNN_ENCODERS:
                raise ValueError(
                    f"cnn_encoder must be a Keras layer or one of {sorted(CNN_ENCODERS)}, "
                    f"got {cnn_encoder!r}"
                )
            self.cnn = CNN_ENCODERS[cnn_encoder]("cnn")
        elif isinstance(cnn_encoder, keras.layers.Layer):
            self.cnn = cnn_encoder
        else:
            raise ValueError(
                f"cnn_encoder must be a Keras layer or one of {sorted(CNN_ENCODERS)}, "
                f"got {type(cnn_encoder).__name__}"
            )
        self.cnn_encoder = cnn_encoder
        self.units = check_positive_int("units", units)
        self.decoder_kind = check_kind("decoder_kind", decoder_kind)
        if attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {attention!r}")
        self.attention = attention
        self.feature_dim = check_positive_int("feature_dim", feature_dim)
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.attention_units = check_positive_int(
            "attention_units", units if attention_units is None else attention_units
        )
        self.dropout = check_dropout(dropout)
        self.vocab = model_vocabulary(
            "vocabulary", vocabulary, "vocab_size", self.vocab_size, target=True
        )
        self.vocabulary = None if self.vocab is None else self.vocab.get_config()
        self.max_target_length = check_positive_int("max_target_length", max_target_length)
        self.projection = keras.layers.Dense(feature_dim, activation="relu", name="projection")
        self.bridges = [
            keras.layers.Dense(units, activation="tanh", name=f"bridge_{i}")
            for i in range(RECURRENT_KINDS[decoder_kind].num_states)
        ]
        self.decoder = RecurrentDecoder(
            vocab_size,
            units,
            kind=decoder_kind,
            memory_dim=feature_dim,
            attention=attention,
            attention_units=self.attention_units,
            embedding_dim=embedding_dim,
            dropout=self.dropout,
            name="decoder",
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        cnn = self.cnn_encoder
        config.update(
            {
                "vocab_size": self.vocab_size,
                "image_shape": list(self.image_shape),
                "cnn_encoder": cnn
                if isinstance(cnn, str)
                else keras.saving.serialize_keras_object(cnn),
                "units": self.units,
                "decoder_kind": self.decoder_kind,
                "attention": self.attention,
                "feature_dim": self.feature_dim,
                "embedding_dim": self.embedding_dim,
                "attention_units": self.attention_units,
                "dropout": self.dropout,
                "vocabulary": self.vocabulary,
                "max_target_length": self.max_target_length,
            }
        )
        return config

    def build(self, input_shape=None):
        self.cnn.build((None,) + self.image_shape)
        grid = self.cnn.compute_output_shape((None,) + self.image_shape)
        self.projection.build((None, None, grid[-1]))
        for bridge in self.bridges:
            bridge.build((None, self.feature_dim))
        self.decoder.build()
        self.built = True

    def encode(self, images, training: bool = False) -> dict[str, Any]:
        """Image regions and the decoder's initial state (see :class:`RecurrentDecoder`)."""
        if not self.built:
            self.build()
        images = ops.cast(images, "float32")
        if len(images.shape) != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"expected images of shape (batch, {', '.join(map(str, self.image_shape))}), "
                f"got {tuple(images.shape)}"
            )
        grid = self.cnn(images, training=training)
        regions = grid.shape[1] * grid.shape[2]
        memory = self.projection(ops.reshape(grid, (-1, regions, grid.shape[3])))
        mean = ops.mean(memory, axis=1)
        states = [bridge(mean) for bridge in self.bridges]
        mask = ops.ones(ops.shape(memory)[:2], dtype="bool")
        return self.decoder.initial_state(states, memory, mask)

    def call(self, inputs, training: bool = False, return_attention: bool = False):
        images, decoder_inputs = inputs
        return self.teacher_forced(
            images, decoder_inputs, training=training, return_attention=return_attention
        )

    def caption(self, images, method: str = "beam", return_attention: bool = False, **options):
        """Captions for a batch of images (list of strings; needs ``vocabulary``).

        With ``return_attention=True`` also returns, per image, the attention weights
        ``(steps, regions)`` of the best hypothesis.
        """
        if self.vocab is None:
            raise ValueError("this ImageCaptioner has no vocabulary; use decode() for ids")
        result = self.decode(np.asarray(images, dtype="float32"), method=method, **options)
        tokens = np.asarray(ops.convert_to_numpy(result.tokens))
        lengths = np.asarray(ops.convert_to_numpy(result.lengths))
        aux = np.asarray(ops.convert_to_numpy(result.aux))
        if tokens.ndim == 3:
            tokens, lengths, aux = tokens[:, 0], lengths[:, 0], aux[:, 0]
        texts = [self.vocab.decode(row[:n]) for row, n in zip(tokens, lengths, strict=False)]
        if return_attention:
            return texts, [aux[i, : lengths[i]] for i in range(len(texts))]
        return texts
