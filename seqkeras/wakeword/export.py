"""Exporting a trained trigger-word run to the device: a streaming ``.tflite`` with metadata.

The device model is int8 weights (one scale per tensor) and int16 activations: on the
wake-word model full int8 (8-bit activations) drifts up to |dp| 0.5 from Keras over a
10 s clip; int16x8 stays within 0.07 and per-tensor weights keep it small.

A speech-embedding run (``--model embedding``) exports as the whole detector over audio
(``speech_embedding_keras.device_model``: mel windows → Google's embedding network → the
run's head): its mel stage becomes the runner's numpy front end
(``seqkeras_edge.embedding_features``) and the ``.tflite`` takes one 775 ms mel window and
the head's state every 80 ms.
"""

from __future__ import annotations

import tempfile
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
# a speech-embedding run: int8 weights with float activations (the embedding network's
# LeakyReLU/Max layers have no int16x8 kernels; per-channel scales cost ~20 KB of 600)
EMBEDDING_EXPORT_QUANTIZE = "dynamic"
EMBEDDING_EXPORT_WEIGHTS = "per-channel"


def export_defaults(config: Any) -> tuple[str, str]:
    """``(quantize, weights)`` of a run's default export (``config``: its ``TrainConfig``)."""
    if config.uses_speech_embedding:
        return EMBEDDING_EXPORT_QUANTIZE, EMBEDDING_EXPORT_WEIGHTS
    return EXPORT_QUANTIZE, EXPORT_WEIGHTS


def run_export_file(run_dir: str | Path) -> Path:
    """Where ``seqkeras wakeword export RUN`` writes with its default settings."""
    from seqkeras.wakeword.train import read_train_config

    return Path(run_dir) / export_file(*export_defaults(read_train_config(run_dir)))


FRAME_SECONDS = 0.01  # decision settings count 10 ms log-mel frames


def output_steps(frames: int, step_seconds: float) -> int:
    """``frames`` 10 ms frames as steps of ``step_seconds`` (at least 1): a smoothing window
    keeps its duration on a speech-embedding model's 80 ms grid (5 frames -> 1 step)."""
    return max(1, round(int(frames) * FRAME_SECONDS / step_seconds))


def export_run(
    run_dir: str | Path,
    quantize: str | None = None,
    threshold: float = 0.5,
    smoothing_steps: int = DEFAULT_SMOOTHING_STEPS,
    refractory_seconds: float = DEFAULT_REFRACTORY_SECONDS,
    output: str | Path | None = None,
    cache_dir: str | Path | None = None,
    weights: str | None = None,
) -> dict[str, Any]:
    """Export ``run_dir/model.keras`` as a streaming ``.tflite`` (default
    :func:`export_defaults`: int16x8 with per-tensor int8 weights, ``EXPORT_FILE``, for a
    log-mel run; int8 weights with float activations, per-channel, for a speech-embedding
    run, whose device model is :func:`~seqkeras.wakeword.speech_embedding_keras.device_model`).

    Calibrates on ``CALIBRATION_CLIPS`` training clips of the run, stores the feature
    configuration (from the model's ``LogMelSpectrogram`` or ``SpeechEmbeddingMel``) and
    the decision configuration in the metadata (``smoothing_steps`` counts 10 ms frames:
    :func:`output_steps` on a coarser grid), and writes the export report (size, parity report) to
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
    config = read_train_config(run_dir)
    default_quantize, default_weights = export_defaults(config)
    quantize = quantize or default_quantize
    weights = weights or default_weights
    get_mode(quantize)  # ValueError naming the modes, before loading anything
    if config.model not in ("streaming", "embedding"):
        raise ValueError(
            f"{run_dir} holds a {config.model!r} model; only the streaming and embedding models "
            "export step by step (the course model's strided, non-causal convolution cannot stream)"
        )
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"{model_path} does not exist: train first (seqkeras wakeword train --out {run_dir})"
        )
    model = keras.saving.load_model(model_path, compile=False)
    if config.uses_speech_embedding:
        from seqkeras.wakeword.speech_embedding_keras import device_model

        model = device_model(model)
        features = model.get_layer("mel_windows").feature_config()
    else:
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
    labels = config.label_grid()
    decision = {
        "threshold": float(threshold),
        "smoothing_steps": output_steps(smoothing_steps, labels.step_seconds()),
        "refractory_seconds": float(refractory_seconds),
        "step_seconds": labels.step_seconds(),
        "keyword": config.keyword,
    }
    if config.uses_speech_embedding:  # a detection's time: when its window has been heard
        decision["first_step_seconds"] = features.first_window_end / features.sample_rate
    with tempfile.TemporaryDirectory(prefix="seqkeras-wakeword-export-") as temp:
        if config.uses_speech_embedding:  # the converter's child process loads a file
            model_path = Path(temp) / "device.keras"
            model.save(model_path)
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
