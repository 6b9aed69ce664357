"""Exporters: a registry of targets (``tflite``, ``savedmodel``) for ``seqkeras-export --to``."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .convert import (
    DEFAULT_TIMEOUT_S,
    ConversionJob,
    convert_tflite,
    load_keras_model,
    write_atomic,
)


@dataclass
class ExportRequest:
    """Everything an exporter needs (filled from the command line).

    Attributes:
        model_path: the ``.keras`` file.
        output: the output path.
        quantize: a quantization mode name.
        streaming: export the one-step graph with explicit state.
        representative: ``{input name: array}`` (checked) or None.
        unroll: whole-sequence int8 of a recurrent model unrolls the time loop (the
            standard converter crashes on it); False forces the standard converter.
        features / decision: configs stored in the model metadata (None = none given).
        timeout_s: limit for the child converter process.
        weights: ``"per-channel"`` (one int8 scale per output channel; TFLite's default)
            or ``"per-tensor"`` (one scale per weight tensor: the per-channel scales and
            zero points cost ~12 bytes per channel, ~12 KB on a 64-unit GRU step model).
    """

    model_path: str
    output: str
    quantize: str = "float32"
    streaming: bool = False
    representative: dict[str, np.ndarray] | None = None
    unroll: bool = True
    features: dict | None = None
    decision: dict | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    weights: str = "per-channel"
    model: Any = field(default=None, repr=False)


@dataclass(frozen=True)
class Exporter:
    name: str
    help: str
    suffix: str
    run: Callable[[ExportRequest], dict[str, Any]]


_EXPORTERS: dict[str, Exporter] = {}


def register_exporter(name: str, help: str, suffix: str):
    """Decorator: ``run(request) -> report dict`` writes ``request.output``."""

    def decorator(run):
        if name in _EXPORTERS:
            raise ValueError(f"exporter {name!r} is registered twice")
        _EXPORTERS[name] = Exporter(name, help, suffix, run)
        return run

    return decorator


def list_exporters() -> list[str]:
    return list(_EXPORTERS)


def get_exporter(name: str) -> Exporter:
    if name not in _EXPORTERS:
        raise ValueError(f"unknown export target {name!r}; choose from {', '.join(_EXPORTERS)}")
    return _EXPORTERS[name]


def _has_recurrent_layer(model) -> bool:
    import keras

    def walk(layer):
        if isinstance(layer, keras.layers.RNN | keras.layers.Bidirectional):
            return True
        if hasattr(layer, "recurrent_layers"):
            return True
        return any(walk(sub) for sub in getattr(layer, "layers", []) if sub is not layer)

    return any(walk(layer) for layer in model.layers)


def _decision_threshold(request: ExportRequest) -> float:
    from .parity import DEFAULT_THRESHOLD

    return float((request.decision or {}).get("threshold", DEFAULT_THRESHOLD))


@register_exporter("tflite", "a .tflite flatbuffer for LiteRT (CPU and edge devices)", ".tflite")
def export_tflite(request: ExportRequest) -> dict[str, Any]:
    from . import parity
    from .metadata import embed_metadata
    from .quantization import get_mode
    from .streaming import build_step_graph

    mode = get_mode(request.quantize)
    model = request.model if request.model is not None else load_keras_model(request.model_path)
    data = request.representative
    if mode.needs_representative and data is None:
        raise ValueError(
            f"--quantize {mode.name} calibrates on real inputs: give --representative DATA.npz "
            "or --representative-from RECIPE"
        )
    graph = None
    sequence_length = None
    metadata: dict[str, Any] = {"model": model.name, "quantize": mode.name}
    if mode.quantizes_weights:
        metadata["weights"] = request.weights
    if request.streaming:
        graph = build_step_graph(model)  # fails fast, in this process, on unsupported layers
        kind = "step"
        metadata.update(
            kind="streaming",
            frame_shape=list(graph.frame_shape),
            state_shapes=[list(s) for s in graph.state_shapes],
            signature={
                "inputs": {"frame": "frame", "states": graph.state_input_names},
                "outputs": {"prediction": "prediction", "states": graph.state_output_names},
            },
        )
    else:
        kind = "unrolled" if (mode.name == "int8" and request.unroll and _has_recurrent_layer(model)) else "sequence"
        metadata["kind"] = "sequence"
        if data is not None:
            first = data[model.inputs[0].name]
            sequence_length = int(first.shape[1]) if first.ndim > 1 else None
        elif any(None in tuple(t.shape[1:]) for t in model.inputs):
            raise ValueError(
                f"model {model.name!r} takes sequences of any length; a whole-sequence export "
                "needs a fixed length: give --representative DATA.npz (its length is used) "
                "or export the step graph with --streaming"
            )
    features = request.features if request.features is not None else (graph.feature_config if graph else None)
    if features is not None:
        from seqkeras_edge.embedding_features import feature_config_from_dict

        features = feature_config_from_dict(features).to_dict()  # validated, defaults filled
    metadata["features"] = features
    metadata["decision"] = _complete_decision(request.decision, features)

    with tempfile.TemporaryDirectory(prefix="seqkeras-export-") as workdir:
        rep_path = None
        if data is not None:
            rep_path = str(Path(workdir) / "representative.npz")
            np.savez(rep_path, **data)  # type: ignore[arg-type]
        job = ConversionJob(
            model_path=str(request.model_path),
            graph=kind,
            quantize=mode.name,
            output="",
            representative=rep_path,
            sequence_length=sequence_length,
            weights=request.weights,
        )
        flatbuffer = convert_tflite(job, timeout_s=request.timeout_s)
    flatbuffer = embed_metadata(flatbuffer, metadata)
    report: dict[str, Any] = {
        "model": str(request.model_path),
        "output": str(request.output),
        "to": "tflite",
        "quantize": mode.name,
        "weights": request.weights if mode.quantizes_weights else None,
        "streaming": request.streaming,
        "graph": kind,
        "tflite": parity.describe(flatbuffer),
        "parity": None,
        "metadata": metadata,
    }
    if data is not None:
        threshold = _decision_threshold(request)
        if graph is not None:
            report["parity"], _ = parity.streaming_parity(
                flatbuffer, graph, model, data[model.inputs[0].name], threshold
            )
            report["parity"]["reference"] = "whole-sequence Keras model, step by step"
        else:
            report["parity"], _ = parity.sequence_parity(flatbuffer, model, data, threshold)
            report["parity"]["reference"] = "Keras model"
    write_atomic(request.output, flatbuffer)
    return report


DECISION_DEFAULTS = {"threshold": 0.5, "smoothing_steps": 1, "refractory_seconds": 1.0, "output_index": 0}


def _complete_decision(decision: dict | None, features: dict | None) -> dict | None:
    """Fill decision defaults; the output step defaults to the feature hop (stride-1 models)."""
    if decision is None:
        return None
    full = {**DECISION_DEFAULTS, **decision}
    if "step_seconds" not in full and features:
        from seqkeras_edge.decision import hop_seconds

        hop = hop_seconds(features)
        if hop is not None:
            full["step_seconds"] = hop
    if "step_seconds" not in full:
        raise ValueError(
            "the decision config needs 'step_seconds' (seconds per model output step) when "
            "the model has no feature configuration to take the hop from"
        )
    from seqkeras_edge.decision import DecisionConfig

    DecisionConfig.from_dict(full)  # validates every field now, not on the device
    return full


@register_exporter(
    "savedmodel",
    "a TensorFlow SavedModel for servers, with the model's own serving (decoding) signature",
    "",
)
def export_savedmodel(request: ExportRequest) -> dict[str, Any]:
    if request.quantize != "float32" or request.streaming:
        raise ValueError("--to savedmodel exports the float model: drop --quantize/--streaming")
    model = request.model if request.model is not None else load_keras_model(request.model_path)
    export = getattr(model, "export_savedmodel", None)
    if not callable(export):
        raise ValueError(
            f"model {model.name!r} ({type(model).__name__}) has no export_savedmodel(path) "
            "serving function; --to savedmodel delegates to the model (seqkeras server models "
            "such as CTCRecognizer define it)"
        )
    # Imported here, like everything that loads Keras (seqkeras does): not at --help time.
    from seqkeras.atomic import atomic_dir

    output = Path(request.output)
    # create=False: the model's export_savedmodel makes the folder itself (a writer may
    # refuse an existing one).
    with atomic_dir(output, create=False) as staging:
        export(staging)
    signatures = _savedmodel_signatures(output)
    return {
        "model": str(request.model_path),
        "output": str(output),
        "to": "savedmodel",
        "quantize": "float32",
        "streaming": False,
        "signatures": signatures,
        "size_bytes": sum(f.stat().st_size for f in output.rglob("*") if f.is_file()),
    }


def _savedmodel_signatures(path: Path) -> dict[str, Any]:
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    result = {}
    for key, function in loaded.signatures.items():
        result[key] = {
            "inputs": {k: str(v.shape) for k, v in function.structured_input_signature[1].items()},
            "outputs": sorted(function.structured_outputs),
        }
    return json.loads(json.dumps(result))
