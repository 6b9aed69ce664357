"""Exporting a trained trigger-word run to the device: a streaming ``.tflite`` with metadata.

The device model is int8 weights (one scale per tensor) and int16 activations: on the
wake-word model full int8 (8-bit activations) drifts up to |dp| 0.5 from Keras over a
10 s clip; int16x8 stays within 0.07 and per-tensor weights keep it small.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

EXPORT_QUANTIZE = "int16x8"
EXPORT_WEIGHTS = "per-tensor"
EXPORT_REPORT = "export-{name}.json"
CALIBRATION_CLIPS = 8
DEFAULT_SMOOTHING_STEPS = 5
DEFAULT_REFRACTORY_SECONDS = 1.0


def export_file(quantize: str = EXPORT_QUANTIZE, weights: str = EXPORT_WEIGHTS) -> str:
    """File name of an export in the run directory, e.g. ``model.int16x8-per-tensor.tflite``
    (``model.float32.tflite``: float modes have no int8 weight scales)."""
    from seqkeras_export.quantization import get_mode

    per_tensor = weights != "per-channel" and get_mode(quantize).quantizes_weights
    return f"model.{quantize}{'-' + weights if per_tensor else ''}.tflite"


EXPORT_FILE = export_file()


def export_run(
    run_dir: str | Path,
    quantize: str = EXPORT_QUANTIZE,
    threshold: float = 0.5,
    smoothing_steps: int = DEFAULT_SMOOTHING_STEPS,
    refractory_seconds: float = DEFAULT_REFRACTORY_SECONDS,
    output: str | Path | None = None,
    cache_dir: str | Path | None = None,
    weights: str = EXPORT_WEIGHTS,
) -> dict[str, Any]:
    """Export ``run_dir/model.keras`` as a streaming ``.tflite`` (default int16x8 with
    per-tensor int8 weights, ``EXPORT_FILE``).

    Calibrates on ``CALIBRATION_CLIPS`` training clips of the run, stores the
    feature configuration (from the model's ``LogMelSpectrogram``) and the decision
    configuration in the metadata, and writes the export report (size, parity report) to
    ``run_dir / EXPORT_REPORT.format(name=<output file stem>)``, e.g.
    ``export-model.int16x8-per-tensor.json`` for the default output.
    """
    import keras
    import numpy as np
    from seqkeras_export.exporters import ExportRequest, export_tflite
    from seqkeras_export.quantization import get_mode

    from seqkeras.training import write_json_atomic
    from seqkeras.wakeword.data import build_dataset
    from seqkeras.wakeword.models import model_feature_config
    from seqkeras.wakeword.train import MODEL_FILE, read_train_config

    run_dir = Path(run_dir)
    get_mode(quantize)  # ValueError naming the modes, before loading anything
    config = read_train_config(run_dir)
    if config.uses_speech_embedding:
        raise ValueError(
            f"{run_dir} holds a speech-embedding model: its front end runs with onnxruntime "
            "(seqkeras.wakeword.speech_embedding) and is not exported to TFLite; score it with "
            f"seqkeras wakeword benchmark {run_dir} (Keras head on the ONNX front end)"
        )
    if config.model != "streaming":
        raise ValueError(
            f"{run_dir} holds a {config.model!r} model; only the streaming model exports frame by "
            "frame (the course model's strided, non-causal convolution cannot stream)"
        )
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"{model_path} does not exist: train first (seqkeras wakeword train --out {run_dir})"
        )
    model = keras.saving.load_model(model_path, compile=False)
    features = model_feature_config(model)
    calibration = build_dataset(
        CALIBRATION_CLIPS,
        "train",
        config.training_data_config(),
        config.seed + 1,
        cache_dir,
        progress=False,
    )
    data = {model.inputs[0].name: np.asarray(calibration.audio(), np.float32)}
    output = Path(output) if output is not None else run_dir / export_file(quantize, weights)
    labels = config.data_config().labels
    decision = {
        "threshold": float(threshold),
        "smoothing_steps": int(smoothing_steps),
        "refractory_seconds": float(refractory_seconds),
        "step_seconds": labels.step_seconds(),
        "keyword": config.keyword,
    }
    report = export_tflite(
        ExportRequest(
            model_path=str(model_path),
            output=str(output),
            quantize=quantize,
            streaming=True,
            representative=data,
            features=features.to_dict(),
            decision=decision,
            weights=weights,
            model=model,
        )
    )
    report["bytes"] = output.stat().st_size
    write_json_atomic(run_dir / EXPORT_REPORT.format(name=Path(output).stem), report)
    return report


def set_threshold(model_path: str | Path, threshold: float) -> dict[str, Any]:
    """Rewrite the decision threshold in an exported model's metadata (no reconversion)."""
    from seqkeras_edge.metadata import read_metadata
    from seqkeras_export.convert import write_atomic
    from seqkeras_export.metadata import embed_metadata

    path = Path(model_path)
    metadata = read_metadata(path)
    if metadata is None:
        raise ValueError(
            f"{path} has no seqkeras metadata; export it with seqkeras wakeword export"
        )
    metadata = {k: v for k, v in metadata.items() if k != "format"}
    metadata["decision"] = {**metadata["decision"], "threshold": float(threshold)}
    write_atomic(path, embed_metadata(path.read_bytes(), metadata))
    return metadata
