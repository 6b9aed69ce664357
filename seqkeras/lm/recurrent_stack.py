"""The recurrent stack of a language model, by kind name (a registry, not an if-chain).

The layers return their full sequence and their final state, and accept an initial
state, so one set of weights serves teacher-forced training and O(1)-per-token sampling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

_LAYER_CLASSES: dict[str, tuple[Callable[..., Any], int]] = {
    "lstm": (keras.layers.LSTM, 2),  # states h, c
    "gru": (keras.layers.GRU, 1),
    "rnn": (keras.layers.SimpleRNN, 1),
}
RECURRENT_KINDS = frozenset(_LAYER_CLASSES)


def state_size(kind: str) -> int:
    """How many state tensors one layer of ``kind`` carries."""
    return _LAYER_CLASSES[kind][1]


def build_recurrent_layers(
    kind: str, units: int, depth: int, stateful: bool = False, initializer: Any = None
) -> list[Any]:
    layer_class, _ = _LAYER_CLASSES[kind]
    extra: dict[str, Any] = {}
    if initializer is not None:
        extra = {
            "kernel_initializer": initializer,
            "recurrent_initializer": initializer,
            "bias_initializer": initializer,
        }
    return [
        layer_class(
            units,
            return_sequences=True,
            return_state=True,
            stateful=stateful,
            name=f"{kind}_{i}",
            **extra,
        )
        for i in range(depth)
    ]
