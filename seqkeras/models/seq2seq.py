"""Encoder–decoder (conditional language model) with optional Bahdanau attention."""

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
)
from seqkeras.models.recurrent_decoder import check_positive_int as _check_positive_int
from seqkeras.models.token_vocabulary import PAD, model_vocabulary
from seqkeras.text import Vocabulary


@keras.saving.register_keras_serializable(package="seqkeras")
class Seq2Seq(ConditionalDecoding, keras.Model):
    """Encoder–decoder over token ids, trained with teacher forcing (course 3.1–3.8).

    The encoder embeds the source ids (0 = padding, masked) and runs a recurrent layer,
    bidirectional by default, giving features ``a<t'>``. The decoder is a recurrent cell
    whose initial state is a ``tanh`` projection of the encoder's final states; at step
    ``t`` it reads the embedding of ``y<t-1>`` — with attention also the context
    ``c<t> = Σ α<t,t'> a<t'>`` computed from ``s<t-1>`` — and predicts
    ``P(y<t> | x, y<1..t-1>)`` from ``[s<t>, c<t>]`` (or ``s<t>`` without attention).

    Target ids follow :mod:`seqkeras.models.token_vocabulary` (the seq2seq layout of
    :class:`seqkeras.text.Vocabulary`): 0 padding, 1 unknown, 2 start, 3 end. ``call`` takes ``(source_ids, decoder_input_ids)`` where the decoder input is
    the target shifted right behind the start token (see :meth:`shift_targets`), and
    returns logits; train it with ``SparseCategoricalCrossentropy(from_logits=True,
    ignore_class=0)``.

    Decoding uses :mod:`seqkeras.decoding`: :meth:`encode` gives the initial state and
    :meth:`next_fn` the step callback ``next_fn(tokens, state) -> (logits, state,
    attention_weights)``; :meth:`decode` and :meth:`translate` wrap the searches.

    Args:
        source_vocab_size: number of source ids (padding included).
        target_vocab_size: number of target ids (padding, start, end included).
        units: decoder state size.
        encoder_kind: ``"gru"``, ``"lstm"`` or ``"rnn"``.
        decoder_kind: ``"gru"``, ``"lstm"`` or ``"rnn"``.
        attention: ``None`` or ``"bahdanau"``.
        bidirectional_encoder: run the encoder both ways and concatenate.
        encoder_units: encoder state size per direction (default ``units``).
        source_embedding_dim, target_embedding_dim: embedding sizes.
        attention_units: hidden size of the attention scoring network (default ``units``).
        dropout: dropout on the embeddings and decoder outputs during training.
        source_vocabulary, target_vocabulary: optional
            :class:`~seqkeras.text.Vocabulary` objects or their ``get_config()`` dicts
            (stored as dicts); needed by :meth:`translate` and :meth:`export_savedmodel`.
            The target vocabulary has the seq2seq layout (start 2, end 3), e.g.
            ``TokenVocabulary`` or ``Vocabulary(..., **SEQ2SEQ_RESERVED_TOKENS)``.
        max_source_length, max_target_length: lengths used by :meth:`translate`
            (``max_target_length`` counts the end token).

    Call arguments:
        inputs: tuple ``(source_ids (batch, Tx), decoder_input_ids (batch, Ty))``.
        training: whether dropout is active.

    Returns:
        logits ``(batch, Ty, target_vocab_size)``.

    Example:
        >>> model = Seq2Seq(12, 9, units=16, attention="bahdanau")
        >>> logits = model((np.ones((2, 5), "int32"), np.full((2, 4), 2, "int32")))
        >>> tuple(logits.shape)
        (2, 4, 9)
    """

    def __init__(
        self,
        source_vocab_size: int,
        target_vocab_size: int,
        units: int = 64,
        encoder_kind: str = "gru",
        decoder_kind: str = "gru",
        attention: str | None = None,
        bidirectional_encoder: bool = True,
        encoder_units: int | None = None,
        source_embedding_dim: int = 32,
        target_embedding_dim: int = 32,
        attention_units: int | None = None,
        dropout: float = 0.0,
        source_vocabulary: Vocabulary | dict | None = None,
        target_vocabulary: Vocabulary | dict | None = None,
        max_source_length: int = 64,
        max_target_length: int = 64,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.source_vocab_size = _check_positive_int("source_vocab_size", source_vocab_size)
        self.target_vocab_size = _check_positive_int("target_vocab_size", target_vocab_size)
        self.units = _check_positive_int("units", units)
        self.encoder_kind = check_kind("encoder_kind", encoder_kind)
        self.decoder_kind = check_kind("decoder_kind", decoder_kind)
        if attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {attention!r}")
        self.attention = attention
        if not isinstance(bidirectional_encoder, bool):
            raise ValueError(f"bidirectional_encoder must be a bool, got {bidirectional_encoder!r}")
        self.bidirectional_encoder = bidirectional_encoder
        self.encoder_units = _check_positive_int(
            "encoder_units", units if encoder_units is None else encoder_units
        )
        self.source_embedding_dim = _check_positive_int(
            "source_embedding_dim", source_embedding_dim
        )
        self.target_embedding_dim = _check_positive_int(
            "target_embedding_dim", target_embedding_dim
        )
        self.attention_units = _check_positive_int(
            "attention_units", units if attention_units is None else attention_units
        )
        self.dropout = check_dropout(dropout)
        self.source_vocab = model_vocabulary(
            "source_vocabulary",
            source_vocabulary,
            "source_vocab_size",
            self.source_vocab_size,
            target=False,
        )
        self.target_vocab = model_vocabulary(
            "target_vocabulary",
            target_vocabulary,
            "target_vocab_size",
            self.target_vocab_size,
            target=True,
        )
        self.source_vocabulary = (
            None if self.source_vocab is None else self.source_vocab.get_config()
        )
        self.target_vocabulary = (
            None if self.target_vocab is None else self.target_vocab.get_config()
        )
        self.max_source_length = _check_positive_int("max_source_length", max_source_length)
        self.max_target_length = _check_positive_int("max_target_length", max_target_length)

        enc = RECURRENT_KINDS[self.encoder_kind]
        dec = RECURRENT_KINDS[self.decoder_kind]
        self.source_embedding = keras.layers.Embedding(
            self.source_vocab_size,
            self.source_embedding_dim,
            mask_zero=True,
            name="source_embedding",
        )
        rnn = enc.layer(
            self.encoder_units, return_sequences=True, return_state=True, name="encoder_rnn"
        )
        self.encoder_rnn = (
            keras.layers.Bidirectional(rnn, name="encoder") if bidirectional_encoder else rnn
        )
        # One projection per decoder state (h, and c for an LSTM).
        self.bridges = [
            keras.layers.Dense(self.units, activation="tanh", name=f"bridge_{i}")
            for i in range(dec.num_states)
        ]
        self.embedding_dropout = keras.layers.Dropout(self.dropout)
        self.decoder = RecurrentDecoder(
            self.target_vocab_size,
            self.units,
            kind=self.decoder_kind,
            memory_dim=self.encoder_output_dim,
            attention=attention,
            attention_units=self.attention_units,
            embedding_dim=self.target_embedding_dim,
            dropout=self.dropout,
            name="decoder",
        )

    # -- configuration -----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "source_vocab_size": self.source_vocab_size,
                "target_vocab_size": self.target_vocab_size,
                "units": self.units,
                "encoder_kind": self.encoder_kind,
                "decoder_kind": self.decoder_kind,
                "attention": self.attention,
                "bidirectional_encoder": self.bidirectional_encoder,
                "encoder_units": self.encoder_units,
                "source_embedding_dim": self.source_embedding_dim,
                "target_embedding_dim": self.target_embedding_dim,
                "attention_units": self.attention_units,
                "dropout": self.dropout,
                "source_vocabulary": self.source_vocabulary,
                "target_vocabulary": self.target_vocabulary,
                "max_source_length": self.max_source_length,
                "max_target_length": self.max_target_length,
            }
        )
        return config

    @property
    def encoder_output_dim(self) -> int:
        return self.encoder_units * (2 if self.bidirectional_encoder else 1)

    def build(self, input_shape=None):
        self.source_embedding.build((None, None))
        self.encoder_rnn.build((None, None, self.source_embedding_dim))
        for bridge in self.bridges:
            bridge.build((None, self.encoder_output_dim))
        self.decoder.build()
        self.built = True

    # -- encoder -----------------------------------------------------------------
    def encode(self, source_ids, training: bool = False) -> dict[str, Any]:
        """Runs the encoder; returns the decoder's initial state (a dict of tensors).

        Keys: ``"states"`` (list of decoder states), ``"memory"`` (encoder features
        ``(batch, Tx, D)``), ``"mask"`` (float ``(batch, Tx)``, 1 on real tokens), and
        with attention ``"keys"`` (``W2 a<t'>``, computed once per sentence).
        """
        if not self.built:
            self.build()
        source_ids = ops.cast(source_ids, "int32")
        mask = ops.not_equal(source_ids, PAD)
        embedded = self.embedding_dropout(self.source_embedding(source_ids), training=training)
        outputs = self.encoder_rnn(embedded, mask=mask, training=training)
        memory, finals = outputs[0], list(outputs[1:])
        dec_states = RECURRENT_KINDS[self.decoder_kind].num_states
        enc_states = RECURRENT_KINDS[self.encoder_kind].num_states
        # finals: [fwd states..., bwd states...] (per direction enc_states tensors)
        directions = 2 if self.bidirectional_encoder else 1
        per_dir = [finals[d * enc_states : (d + 1) * enc_states] for d in range(directions)]
        states = []
        for i, bridge in enumerate(self.bridges):
            k = min(i, enc_states - 1) if dec_states > 1 else 0
            summary = ops.concatenate([per_dir[d][k] for d in range(directions)], axis=-1)
            states.append(bridge(summary))
        return self.decoder.initial_state(states, memory, mask)

    def call(self, inputs, training: bool = False, return_attention: bool = False):
        source_ids, decoder_inputs = inputs
        return self.teacher_forced(
            source_ids, decoder_inputs, training=training, return_attention=return_attention
        )

    def _require_vocabularies(self) -> tuple[Vocabulary, Vocabulary]:
        if self.source_vocab is None or self.target_vocab is None:
            raise ValueError(
                "this Seq2Seq has no source_vocabulary/target_vocabulary; pass ids to "
                "decode() or build it with vocabularies"
            )
        return self.source_vocab, self.target_vocab

    def encode_texts(
        self, texts, on_unknown: str = "error", on_too_long: str = "error"
    ) -> np.ndarray:
        """Source ids ``(batch, max_source_length)`` for raw strings (see
        :meth:`seqkeras.text.Vocabulary.encode` for the ``on_*`` modes; a string
        without tokens is an "empty input" error)."""
        source_vocab, _ = self._require_vocabularies()
        if isinstance(texts, str):
            raise ValueError("expected a list of strings, got a single string")
        return source_vocab.encode_batch(
            list(texts),
            self.max_source_length,
            on_unknown=on_unknown,
            on_too_long=on_too_long,
        )

    def translate(
        self,
        texts,
        method: str = "beam",
        on_unknown: str = "error",
        on_too_long: str = "error",
        return_attention: bool = False,
        **options: Any,
    ):
        """Translates raw strings; returns a list of strings (best hypothesis each).

        Bad input raises ``ValueError``: an empty string; with ``on_unknown="error"``
        (default) a token outside the source vocabulary (``"unk"`` maps it to
        ``<unk>``); with ``on_too_long="error"`` (default) a source longer than
        ``max_source_length`` (``"truncate"`` keeps its beginning).

        With ``return_attention=True`` returns ``(texts, weights)`` where ``weights[i]``
        is a ``(len(output tokens)+1, len(source tokens))`` numpy array (the last row is
        the step that produced the end token).
        """
        source_vocab, target_vocab = self._require_vocabularies()
        ids = self.encode_texts(texts, on_unknown=on_unknown, on_too_long=on_too_long)
        result = self.decode(ids, method=method, **options)
        tokens = np.asarray(ops.convert_to_numpy(result.tokens))
        lengths = np.asarray(ops.convert_to_numpy(result.lengths))
        aux = None if result.aux is None else np.asarray(ops.convert_to_numpy(result.aux))
        if tokens.ndim == 3:  # beam search: best hypothesis first
            tokens, lengths = tokens[:, 0], lengths[:, 0]
            aux = None if aux is None else aux[:, 0]
        outputs = [target_vocab.decode(row[:n]) for row, n in zip(tokens, lengths, strict=False)]
        if not return_attention:
            return outputs
        if aux is None:
            raise ValueError(f"the {method!r} search returned no attention weights")
        src_lens = (ids != PAD).sum(axis=1)
        weights = [aux[i, : lengths[i], : src_lens[i]] for i in range(len(outputs))]
        return outputs, weights

    # -- serving ---------------------------------------------------------------------------
    def export_savedmodel(self, path: str, **options: Any) -> str:
        """Writes a SavedModel whose ``serving_default`` maps raw strings to translations.

        See :func:`seqkeras.models.seq2seq_serving.export_seq2seq_savedmodel` for the
        options (``beam_width``, ``alpha``, ``max_length``) and the signature.
        """
        from seqkeras.models.seq2seq_serving import export_seq2seq_savedmodel

        return export_seq2seq_savedmodel(self, path, **options)
