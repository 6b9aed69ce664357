"""The recurrent decoder shared by :class:`Seq2Seq` and :class:`ImageCaptioner`.

A conditional language model over target tokens: at step ``t`` it embeds ``y<t-1>``,
optionally attends over the encoder's memory with ``s<t-1>`` as the query (Bahdanau),
runs one recurrent cell step and predicts the logits of ``y<t>``. The state is a dict
of tensors with a leading batch axis — what :mod:`seqkeras.decoding` searches carry.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import TYPE_CHECKING, Any

import keras
from keras import ops

from seqkeras.layers.bahdanau_attention import BahdanauAttention
from seqkeras.models._recurrent_kinds import RECURRENT_KINDS, check_kind
from seqkeras.models.token_vocabulary import BOS, EOS, PAD

ATTENTION_KINDS = (None, "bahdanau")
DEFAULT_BEAM_WIDTH = 3
# Compiled searches per model: {model: {(method, options...): function}}.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compile(fn):
    """``tf.function`` / ``jax.jit`` of ``fn`` for the active Keras backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, reduce_retracing=True)
    if backend == "jax":
        import jax

        return jax.jit(fn)
    return fn


def check_positive_int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def check_dropout(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {value!r}")
    return float(value)


@keras.saving.register_keras_serializable(package="seqkeras")
class RecurrentDecoder(keras.layers.Layer):
    """One-step recurrent decoder with optional Bahdanau attention over a memory.

    Args:
        vocab_size: target ids (0 padding, 2 start, 3 end included).
        units: state size of the cell.
        kind: ``"gru"``, ``"lstm"`` or ``"rnn"``.
        memory_dim: feature size of the memory (encoder outputs / image regions).
        attention: ``None`` or ``"bahdanau"``.
        attention_units: hidden size of the attention scoring network.
        embedding_dim: target embedding size.
        dropout: dropout on the embedding and the output features.

    Call arguments (:meth:`step`):
        tokens: ``(N,)`` previous tokens.
        state: dict with ``"states"`` (list of ``(N, units)``), ``"memory"``
            ``(N, T, memory_dim)``, ``"mask"`` ``(N, T)`` and, with attention, ``"keys"``.

    Returns:
        ``(logits (N, vocab_size), new_state, weights (N, T) or None)``.
    """

    def __init__(
        self,
        vocab_size: int,
        units: int,
        kind: str = "gru",
        memory_dim: int = 1,
        attention: str | None = None,
        attention_units: int | None = None,
        embedding_dim: int = 32,
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        if self.vocab_size <= EOS:
            raise ValueError(
                f"vocab_size must exceed {EOS} (ids 0-3 are reserved), got {vocab_size!r}"
            )
        self.units = check_positive_int("units", units)
        self.kind = check_kind("kind", kind)
        self.memory_dim = check_positive_int("memory_dim", memory_dim)
        if attention not in ATTENTION_KINDS:
            raise ValueError(f"attention must be one of {ATTENTION_KINDS}, got {attention!r}")
        self.attention = attention
        self.attention_units = check_positive_int(
            "attention_units", units if attention_units is None else attention_units
        )
        self.embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        self.dropout = check_dropout(dropout)
        self.num_states = RECURRENT_KINDS[kind].num_states
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
        self.cell = RECURRENT_KINDS[kind].cell(units, name="cell")
        self.attention_layer = (
            BahdanauAttention(self.attention_units, name="attention") if attention else None
        )
        self.input_dropout = keras.layers.Dropout(self.dropout)
        self.output_dropout = keras.layers.Dropout(self.dropout)
        self.output_layer = keras.layers.Dense(vocab_size, name="logits")

    @property
    def context_dim(self) -> int:
        return self.memory_dim if self.attention else 0

    def build(self, input_shape=None):
        self.embedding.build((None,))
        self.cell.build((None, self.embedding_dim + self.context_dim))
        if self.attention_layer is not None:
            self.attention_layer.build((None, self.units), (None, None, self.memory_dim))
        self.output_layer.build((None, self.units + self.context_dim))
        self.built = True

    def initial_state(self, states, memory, mask) -> dict[str, Any]:
        """The decoding state for ``states`` (list), ``memory`` and its ``mask``."""
        state = {"states": list(states), "memory": memory, "mask": ops.cast(mask, memory.dtype)}
        if self.attention_layer is not None:
            state["keys"] = self.attention_layer.project_values(memory)
        return state

    def step(self, tokens, state, training: bool = False):
        embedded = self.input_dropout(self.embedding(ops.cast(tokens, "int32")), training=training)
        prev = state["states"]
        weights = None
        if self.attention_layer is not None:
            context, weights = self.attention_layer(
                prev[0], state["memory"], values_mask=state["mask"], projected_values=state["keys"]
            )
            embedded = ops.concatenate([embedded, context], axis=-1)
        cell_states = list(prev) if len(prev) > 1 else prev[0]
        output, new_states = self.cell(embedded, cell_states, training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        features = output if weights is None else ops.concatenate([output, context], axis=-1)
        logits = self.output_layer(self.output_dropout(features, training=training))
        new_state = dict(state)
        new_state["states"] = new_states
        return logits, new_state, weights

    def call(self, tokens, state, training: bool = False):
        return self.step(tokens, state, training=training)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocab_size": self.vocab_size,
                "units": self.units,
                "kind": self.kind,
                "memory_dim": self.memory_dim,
                "attention": self.attention,
                "attention_units": self.attention_units,
                "embedding_dim": self.embedding_dim,
                "dropout": self.dropout,
            }
        )
        return config


class ConditionalDecoding:
    """Teacher forcing, scoring and searching for a model with ``encode`` + ``decoder``.

    The model defines ``encode(inputs, training) -> state`` and a
    :class:`RecurrentDecoder` attribute ``decoder``; this mixin adds ``call`` (teacher
    forcing over a static target length), ``score``, ``next_fn`` and ``decode``.
    """

    decoder: RecurrentDecoder
    max_target_length: int
    built: bool

    if TYPE_CHECKING:  # provided by keras.Model / the model class

        def build(self, input_shape: Any = None) -> None: ...

    def encode(self, inputs, training: bool = False) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError

    def decode_step(self, tokens, state, training: bool = False):
        """One decoder step: ``(logits (N, V), new_state, attention (N, T) or None)``."""
        return self.decoder.step(tokens, state, training=training)

    def next_fn(self, tokens, state):
        """The :mod:`seqkeras.decoding` callback: ``(logits, state, attention weights)``.

        Without attention the weights are all zeros ``(N, T)``, so every search still
        returns an ``aux`` tensor of a fixed shape.
        """
        logits, new_state, weights = self.decoder.step(tokens, state)
        if weights is None:
            weights = ops.zeros_like(state["mask"])
        return logits, new_state, weights

    def teacher_forced(self, inputs, decoder_inputs, training=False, return_attention=False):
        decoder_inputs = ops.cast(decoder_inputs, "int32")
        state = self.encode(inputs, training=training)
        steps = decoder_inputs.shape[1]
        if steps is None:
            raise ValueError("the decoder input needs a static length (pad the targets)")
        all_logits, all_weights = [], []
        for t in range(steps):
            logits, state, weights = self.decoder.step(
                decoder_inputs[:, t], state, training=training
            )
            all_logits.append(logits)
            if return_attention:
                all_weights.append(
                    weights if weights is not None else ops.zeros_like(state["mask"])
                )
        logits = ops.stack(all_logits, axis=1)
        if return_attention:
            return logits, ops.stack(all_weights, axis=1)
        return logits

    @staticmethod
    def shift_targets(target_ids):
        """Decoder inputs for targets ``y<1>..y<Ty>``: ``<s> y<1> .. y<Ty-1>``."""
        target_ids = ops.cast(target_ids, "int32")
        start = ops.full((ops.shape(target_ids)[0], 1), BOS, dtype="int32")
        return ops.concatenate([start, target_ids[:, :-1]], axis=1)

    def score(self, inputs, target_ids):
        """log P(y | x) under teacher forcing.

        Args:
            inputs: the model's conditioning input (source ids, images).
            target_ids: ``(batch, Ty)`` ids ``y<1>..y<Ty>`` (normally ending with the
                end token), 0-padded.

        Returns:
            ``(per_token, total)``: log P(y<t> | x, y<1..t-1>) ``(batch, Ty)`` (0 on
            padding) and its sum ``(batch,)``.
        """
        target_ids = ops.cast(target_ids, "int32")
        logits = self.teacher_forced(inputs, self.shift_targets(target_ids))
        log_probs = ops.log_softmax(ops.cast(logits, "float32"), axis=-1)
        picked = ops.take_along_axis(log_probs, target_ids[..., None], axis=-1)[..., 0]
        per_token = ops.where(ops.not_equal(target_ids, PAD), picked, ops.zeros_like(picked))
        return per_token, ops.sum(per_token, axis=-1)

    def decode(
        self,
        inputs,
        method: str = "beam",
        max_length: int | None = None,
        compiled: bool = True,
        **options,
    ):
        """Decodes with a :mod:`seqkeras.decoding` search (``"greedy"``, ``"beam"``, ...).

        Args:
            inputs: the conditioning input (a batch).
            method: registered search name.
            max_length: generated tokens, end token included (default
                ``max_target_length``).
            compiled: run the search as one ``tf.function`` / ``jax.jit`` (traced once
                per method and options, then fast); ``False`` runs it eagerly.
            **options: for the search (``beam_width`` — default 3 —, ``alpha``,
                ``min_length``, ``num_return``...).

        Returns:
            the search's ``DecodeResult``; ``aux`` holds the attention weights per step.
        """
        from seqkeras.decoding import DecodeResult, get_decoder

        search = get_decoder(method)
        if method == "beam":
            options.setdefault("beam_width", DEFAULT_BEAM_WIDTH)
        max_length = int(max_length or self.max_target_length)
        key = (method, max_length, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if not self.built:
            self.build()  # variables are created eagerly, never inside the compiled search
        cache = _COMPILED.setdefault(self, {})
        if key not in cache:

            def run(inputs):
                result = search(
                    self.next_fn,
                    self.encode(inputs),
                    start_token=BOS,
                    end_token=EOS,
                    max_length=max_length,
                    **options,
                )
                return tuple(getattr(result, f.name) for f in dataclasses.fields(result))

            # sampling draws from a seed generator: keep it eager so seeds behave
            cache[key] = (run, run if method == "sample" else _compile(run))
        eager, fast = cache[key]
        return DecodeResult(*(fast if compiled else eager)(ops.convert_to_tensor(inputs)))
