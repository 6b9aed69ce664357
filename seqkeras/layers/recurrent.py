"""``Recurrent``: one layer for deep and bidirectional RNN / GRU / LSTM stacks."""

from __future__ import annotations

import keras

from ._validation import (
    check_bool,
    check_choice,
    check_positive_int,
    check_rate,
    check_sequence_rank,
    get_activation,
)
from .gru_cell import GRUCell
from .lstm_cell import LSTMCell
from .rnn import RNN

KINDS = ("rnn", "gru", "lstm")
MERGE_MODES = ("concat", "sum", "mul", "ave", None)
_STATES_PER_KIND = {"rnn": 1, "gru": 1, "lstm": 2}


@keras.saving.register_keras_serializable(package="seqkeras")
class Recurrent(keras.layers.Layer):
    """A deep, optionally bidirectional recurrent network of one kind, as one layer.

    ``depth`` recurrent levels are stacked; level ``i + 1`` reads the whole output
    sequence of level ``i`` (course section 1.12), with ``keras.layers.Dropout(dropout)``
    between levels. With ``bidirectional=True`` every level is wrapped in
    ``keras.layers.Bidirectional`` (section 1.11) and merged with ``merge_mode``.

    The Keras built-ins ``SimpleRNN`` / ``GRU`` / ``LSTM`` are used whenever their maths is
    the requested one, so the cuDNN kernel applies on GPU: every ``"rnn"``, every
    non-simplified ``"gru"`` (either ``reset_after``; note that a built-in GRU stores the
    update gate as Keras's ``z = 1 - Γu``, see ``gru_weights_from_keras``) and every
    ``"lstm"`` without peepholes. Otherwise ``seqkeras.layers.RNN`` runs the seqkeras
    ``GRUCell(simplified=True)`` or ``LSTMCell(peephole=True)``. ``recurrent_layers``
    lists the per-level layers (``Bidirectional`` wrappers when bidirectional) and
    ``uses_builtin`` says which path was taken.

    Args:
        kind: ``"rnn"``, ``"gru"`` or ``"lstm"``.
        units: Positive integer, units per direction of every level.
        depth: Number of stacked levels (>= 1). Default 1.
        bidirectional: Wrap every level in ``Bidirectional``. Default False.
        merge_mode: How the two directions are merged: ``"concat"``, ``"sum"``,
            ``"mul"``, ``"ave"`` or ``None`` (return ``[forward, backward]``; only with
            ``depth=1``, since a deeper level needs one input tensor). Default
            ``"concat"``.
        dropout: Dropout rate between levels, in [0, 1). Default 0.
        recurrent_dropout: Dropout rate on the recurrent state inside each level. Default 0.
        return_sequences: Return the last level's whole sequence instead of its last step.
        return_state: Also return the final states of every level (see Returns).
        simplified: For ``"gru"``: the update-gate-only GRU (custom cell).
        reset_after: For full ``"gru"``: apply Γr after the recurrent matmul (Keras/cuDNN
            form, default True) or before it (course formula).
        peephole: For ``"lstm"``: peephole connections (custom cell).
        activation: Activation of the state / candidate. Default ``"tanh"``.
        recurrent_activation: Gate activation for ``"gru"`` / ``"lstm"``. Default
            ``"sigmoid"``.
        seed: Seed for the dropout masks.

    Call arguments:
        sequences: ``(batch, timesteps, features)``.
        initial_state: Optional flat list of initial states in the order the layer returns
            its states.
        mask: Optional ``(batch, timesteps)`` boolean mask (propagated from ``Masking`` /
            ``Embedding(mask_zero=True)``); passed to every level.
        training: Whether dropout is active.

    Returns:
        ``(batch, units')`` or, with ``return_sequences``, ``(batch, timesteps, units')``
        where ``units' = 2 * units`` for bidirectional ``"concat"`` and ``units``
        otherwise; with ``merge_mode=None`` a list ``[forward, backward]``. With
        ``return_state`` the output is followed by the final states of level 0, level 1,
        ...; each level gives ``[a]`` (rnn, gru) or ``[a, c]`` (lstm), forward states
        first then backward ones when bidirectional, each ``(batch, units)``.

    Example:

    >>> import numpy as np
    >>> layer = Recurrent("lstm", 8, depth=2, bidirectional=True, return_sequences=True)
    >>> tuple(layer(np.zeros((2, 5, 3), "float32")).shape)
    (2, 5, 16)
    """

    def __init__(
        self,
        kind,
        units,
        depth=1,
        bidirectional=False,
        merge_mode="concat",
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences=False,
        return_state=False,
        simplified=False,
        reset_after=True,
        peephole=False,
        activation="tanh",
        recurrent_activation="sigmoid",
        seed=None,
        **kwargs,
    ):
        owner = type(self).__name__
        check_choice("kind", kind, KINDS, owner)
        units = check_positive_int("units", units, owner)
        depth = check_positive_int("depth", depth, owner)
        bidirectional = check_bool("bidirectional", bidirectional, owner)
        check_choice("merge_mode", merge_mode, MERGE_MODES, owner)
        if merge_mode is None and bidirectional and depth > 1:
            raise ValueError(
                f"{owner}: argument `merge_mode` may be None only with depth=1 (a deeper "
                f"level needs one merged input); received merge_mode=None, depth={depth}."
            )
        dropout = check_rate("dropout", dropout, owner)
        recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout, owner)
        for name, value in (
            ("return_sequences", return_sequences),
            ("return_state", return_state),
            ("simplified", simplified),
            ("reset_after", reset_after),
            ("peephole", peephole),
        ):
            check_bool(name, value, owner)
        if simplified and kind != "gru":
            raise ValueError(
                f"{owner}: argument `simplified` applies to kind='gru' only; "
                f"received simplified=True with kind={kind!r}."
            )
        if peephole and kind != "lstm":
            raise ValueError(
                f"{owner}: argument `peephole` applies to kind='lstm' only; "
                f"received peephole=True with kind={kind!r}."
            )
        get_activation("activation", activation, owner)
        get_activation("recurrent_activation", recurrent_activation, owner)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(
                f"{owner}: argument `seed` must be an integer or None; received seed={seed!r}."
            )
        super().__init__(**kwargs)
        self.kind = kind
        self.units = units
        self.depth = depth
        self.bidirectional = bidirectional
        self.merge_mode = merge_mode
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.simplified = simplified
        self.reset_after = reset_after
        self.peephole = peephole
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.seed = seed
        self.supports_masking = True
        self.uses_builtin = not (simplified or peephole)
        self.recurrent_layers = [self._make_level(i) for i in range(depth)]
        self.dropout_layers = [
            keras.layers.Dropout(dropout, seed=seed, name=f"dropout_{i}")
            for i in range(1, depth)
            if dropout > 0.0
        ]

    # -- construction ------------------------------------------------------------------
    def _make_level(self, index):
        last = index == self.depth - 1
        common = {
            "return_sequences": self.return_sequences if last else True,
            "return_state": self.return_state,
        }
        name = f"level_{index}"
        seed = None if self.seed is None else self.seed + index
        if self.kind == "rnn":
            layer = keras.layers.SimpleRNN(
                self.units,
                activation=self.activation,
                recurrent_dropout=self.recurrent_dropout,
                seed=seed,
                name=name,
                **common,
            )
        elif self.kind == "gru" and not self.simplified:
            layer = keras.layers.GRU(
                self.units,
                activation=self.activation,
                recurrent_activation=self.recurrent_activation,
                recurrent_dropout=self.recurrent_dropout,
                reset_after=self.reset_after,
                seed=seed,
                name=name,
                **common,
            )
        elif self.kind == "lstm" and not self.peephole:
            layer = keras.layers.LSTM(
                self.units,
                activation=self.activation,
                recurrent_activation=self.recurrent_activation,
                recurrent_dropout=self.recurrent_dropout,
                seed=seed,
                name=name,
                **common,
            )
        else:
            cell_cls = GRUCell if self.kind == "gru" else LSTMCell
            variant = {"simplified": True} if self.kind == "gru" else {"peephole": True}
            cell = cell_cls(
                self.units,
                activation=self.activation,
                recurrent_activation=self.recurrent_activation,
                recurrent_dropout=self.recurrent_dropout,
                seed=seed,
                **variant,
            )
            layer = RNN(cell, name=name, **common)
        if self.bidirectional:
            layer = keras.layers.Bidirectional(
                layer, merge_mode=self.merge_mode if last else "concat", name=f"bi_{name}"
            )
        return layer

    @property
    def states_per_level(self):
        """Number of state tensors each level returns / accepts."""
        return _STATES_PER_KIND[self.kind] * (2 if self.bidirectional else 1)

    def _level_output_dim(self, index):
        merge = self.merge_mode if index == self.depth - 1 else "concat"
        return 2 * self.units if self.bidirectional and merge == "concat" else self.units

    # -- Keras layer API ---------------------------------------------------------------
    def build(self, sequences_shape, initial_state_shape=None):
        check_sequence_rank("sequences", sequences_shape, type(self).__name__)
        shape = tuple(sequences_shape)
        for index, layer in enumerate(self.recurrent_layers):
            layer.build(shape)
            shape = shape[:2] + (self._level_output_dim(index),)
        self.built = True

    def _split_initial_state(self, initial_state):
        if initial_state is None:
            return [None] * self.depth
        states = list(initial_state) if isinstance(initial_state, list | tuple) else [initial_state]
        expected = self.depth * self.states_per_level
        if len(states) != expected:
            raise ValueError(
                f"{type(self).__name__}: argument `initial_state` must hold {expected} "
                f"tensors (depth={self.depth} x {self.states_per_level} per level); "
                f"received {len(states)}."
            )
        n = self.states_per_level
        return [states[i * n : (i + 1) * n] for i in range(self.depth)]

    def call(self, sequences, initial_state=None, mask=None, training=None):
        check_sequence_rank("sequences", sequences.shape, type(self).__name__)
        initial_states = self._split_initial_state(initial_state)
        outputs = sequences
        final_states = []
        for index, layer in enumerate(self.recurrent_layers):
            if index > 0 and self.dropout_layers:
                outputs = self.dropout_layers[index - 1](outputs, training=training)
            result = layer(
                outputs, initial_state=initial_states[index], mask=mask, training=training
            )
            if self.return_state:
                result = list(result)
                n_out = 2 if self.bidirectional and self._is_unmerged(index) else 1
                outputs = result[0] if n_out == 1 else result[:2]
                final_states.extend(result[n_out:])
            else:
                outputs = result
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        if self.return_state:
            head = outputs if isinstance(outputs, list) else [outputs]
            return head + final_states
        return outputs

    def _is_unmerged(self, index):
        return index == self.depth - 1 and self.merge_mode is None

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        dim = self._level_output_dim(self.depth - 1)
        out = (batch, steps, dim) if self.return_sequences else (batch, dim)
        outputs = [out, out] if self.bidirectional and self.merge_mode is None else [out]
        if not self.return_state:
            return outputs[0] if len(outputs) == 1 else outputs
        return outputs + [(batch, self.units)] * (self.depth * self.states_per_level)

    def compute_mask(self, sequences, mask=None):
        output_mask = mask if self.return_sequences else None
        n_outputs = 2 if self.bidirectional and self.merge_mode is None else 1
        masks = [output_mask] * n_outputs
        if self.return_state:
            masks += [None] * (self.depth * self.states_per_level)
        return masks if len(masks) > 1 else masks[0]

    def get_config(self):
        config = {
            "kind": self.kind,
            "units": self.units,
            "depth": self.depth,
            "bidirectional": self.bidirectional,
            "merge_mode": self.merge_mode,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "simplified": self.simplified,
            "reset_after": self.reset_after,
            "peephole": self.peephole,
            "activation": keras.activations.serialize(keras.activations.get(self.activation)),
            "recurrent_activation": keras.activations.serialize(
                keras.activations.get(self.recurrent_activation)
            ),
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
