"""Quantization modes: a registry of functions that configure a ``tf.lite.TFLiteConverter``.

``--quantize`` choices come from :func:`list_modes`. A mode that needs calibration data
(``int8``) says so with ``needs_representative``; the converter then receives a
``representative_dataset`` generator built from the user's data (see ``convert.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QuantizationMode:
    name: str
    help: str
    configure: Callable[[Any, Callable | None], None]
    needs_representative: bool = False
    quantizes_weights: bool = True  # int8 weights: --weights per-channel|per-tensor applies


_MODES: dict[str, QuantizationMode] = {}


def register_mode(
    name: str, help: str, needs_representative: bool = False, quantizes_weights: bool = True
):
    """Decorator: ``configure(converter, representative_dataset)`` sets converter options."""

    def decorator(configure):
        if name in _MODES:
            raise ValueError(f"quantization mode {name!r} is registered twice")
        _MODES[name] = QuantizationMode(
            name, help, configure, needs_representative, quantizes_weights
        )
        return configure

    return decorator


def list_modes() -> list[str]:
    return list(_MODES)


def get_mode(name: str) -> QuantizationMode:
    if name not in _MODES:
        raise ValueError(f"unknown quantization mode {name!r}; choose from {', '.join(_MODES)}")
    return _MODES[name]


@register_mode(
    "float32", "no quantization (reference accuracy, 4 bytes per weight)", quantizes_weights=False
)
def _float32(converter, representative_dataset) -> None:
    del converter, representative_dataset


@register_mode(
    "float16", "float16 weights, float32 compute (half the size)", quantizes_weights=False
)
def _float16(converter, representative_dataset) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]


@register_mode("dynamic", "int8 weights, float activations (dynamic-range quantization)")
def _dynamic(converter, representative_dataset) -> None:
    import tensorflow as tf

    converter.optimizations = [tf.lite.Optimize.DEFAULT]


@register_mode(
    "int8",
    "full-integer int8 weights and activations, float32 model inputs/outputs "
    "(needs representative data)",
    needs_representative=True,
)
def _int8(converter, representative_dataset) -> None:
    import tensorflow as tf

    if representative_dataset is None:
        raise ValueError("int8 quantization needs representative data")
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]


@register_mode(
    "int16x8",
    "int8 weights with int16 activations (integer-only, more accurate recurrent state than "
    "int8; needs representative data and an int16-capable runtime kernel set)",
    needs_representative=True,
)
def _int16x8(converter, representative_dataset) -> None:
    import tensorflow as tf

    if representative_dataset is None:
        raise ValueError("int16x8 quantization needs representative data")
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
    ]
