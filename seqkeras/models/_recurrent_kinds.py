"""Recurrent kinds the models accept by name: ``"gru"``, ``"lstm"``, ``"rnn"``.

Keras built-ins are used because their maths equals the course's (LSTM without
peepholes, GRU) and they take the cuDNN path on a GPU.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras


@dataclasses.dataclass(frozen=True)
class RecurrentKind:
    layer: Any  # whole-sequence layer class
    cell: Any  # one-step cell class
    num_states: int  # h (and c for an LSTM)


RECURRENT_KINDS = {
    "gru": RecurrentKind(keras.layers.GRU, keras.layers.GRUCell, 1),
    "lstm": RecurrentKind(keras.layers.LSTM, keras.layers.LSTMCell, 2),
    "rnn": RecurrentKind(keras.layers.SimpleRNN, keras.layers.SimpleRNNCell, 1),
}


def check_kind(name: str, kind: Any) -> str:
    if kind not in RECURRENT_KINDS:
        raise ValueError(f"{name} must be one of {sorted(RECURRENT_KINDS)}, got {kind!r}")
    return kind
