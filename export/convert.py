"""TFLite conversion, always in a child process.

The TFLite converter can crash the whole Python process (full-int8 conversion of a Keras 3
LSTM/GRU segfaults, SPEC.md "Facts measured") or hang. :func:`convert_tflite` therefore
writes a small job file and runs ``python -m seqkeras_export.convert JOB.json`` with the
same interpreter; the child loads the ``.keras`` model, builds the graph to convert
(:data:`GRAPHS`), calibrates, converts and writes the flatbuffer. A crash (signal), a
Python error or a timeout in the child becomes a :class:`ConversionError` that names the
model, the mode and what to try instead; the parent survives and no output is written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_TIMEOUT_S = 600.0
CALIBRATION_LIMIT = 2000
_STDERR_TAIL_LINES = 6
CHILD_ERROR_EXIT = 3
_ERROR_CHARS = 800


class ConversionError(RuntimeError):
    """The converter failed, crashed or hung (message says what to try instead)."""


@dataclass
class ConversionJob:
    """What the child converts.

    Attributes:
        model_path: the ``.keras`` file.
        graph: ``"step"`` (streaming one-step graph), ``"sequence"`` (the model as is)
            or ``"unrolled"`` (the model with recurrent layers unrolled, no WHILE loop).
        quantize: a mode of ``seqkeras_export.quantization``.
        output: where the child writes the flatbuffer.
        representative: ``.npz`` of model inputs (already checked), or None.
        sequence_length: time steps for whole-sequence graphs whose input has no fixed length.
        weights: ``"per-channel"`` or ``"per-tensor"`` weight scales (``WEIGHT_GRANULARITIES``).
    """

    model_path: str
    graph: str
    quantize: str
    output: str
    representative: str | None = None
    sequence_length: int | None = None
    weights: str = "per-channel"

    def __post_init__(self) -> None:
        if self.weights not in WEIGHT_GRANULARITIES:
            raise ValueError(
                f"weights must be one of {WEIGHT_GRANULARITIES}, got {self.weights!r}"
            )


WEIGHT_GRANULARITIES = ("per-channel", "per-tensor")


SEQKERAS_OBJECT_MODULES = (
    "seqkeras.layers",
    "seqkeras.audio.spectrogram",  # seqkeras.audio loads its Keras layers lazily
    "seqkeras.audio.embedding_mel",
    "seqkeras.models",
    "seqkeras.wakeword",
    "seqkeras.wakeword.speech_embedding_keras",
)


def import_seqkeras_objects() -> None:
    """Register seqkeras layers/models so ``.keras`` files load without custom_objects.

    Raises:
        ImportError: a module failed to import (a broken install or a missing
            dependency); the message names the module and the original error is chained,
            so the cause is not hidden behind Keras's "Could not locate class".
    """
    import importlib

    for module in SEQKERAS_OBJECT_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise ImportError(
                f"cannot import {module}, which registers the seqkeras classes that .keras "
                f"files refer to: {err}",
                name=err.name,
            ) from err


def load_keras_model(path: str):
    import keras

    import_seqkeras_objects()
    return keras.saving.load_model(path, compile=False)


# ---------------------------------------------------------------- graphs to convert


@dataclass
class ExportGraph:
    """How to make the converter, the graph's input names and its calibration feeds."""

    make_converter: Callable[[], Any]
    input_names: list[str]
    calibration: Callable[[], list]  # feeds: lists in input order, or dicts by name


GraphBuilder = Callable[[object, ConversionJob, dict | None], ExportGraph]
GRAPHS: dict[str, GraphBuilder] = {}


def register_graph(name: str):
    def decorator(builder: GraphBuilder) -> GraphBuilder:
        GRAPHS[name] = builder
        return builder

    return decorator


@register_graph("step")
def _step_graph(model, job: ConversionJob, data: dict | None) -> ExportGraph:
    from .streaming import build_step_graph

    graph = build_step_graph(model)
    names = ["frame", *graph.state_input_names]

    def calibration():
        frames = graph.frames(next(iter(data.values())))
        samples = graph.calibration_samples(frames, limit=CALIBRATION_LIMIT)
        return samples  # dicts keyed by signature input name

    def make_converter():
        import tensorflow as tf

        directory = tempfile.mkdtemp(prefix="seqkeras-step-")
        graph.save_serving(directory)
        return tf.lite.TFLiteConverter.from_saved_model(directory)

    return ExportGraph(make_converter, names, calibration)


def sequence_specs(model, sequence_length: int | None):
    import tensorflow as tf

    specs = []
    for tensor in model.inputs:
        dims = list(tensor.shape[1:])
        if None in dims:
            if sequence_length is None:
                raise ValueError(
                    f"input {tensor.name!r} has shape {tuple(tensor.shape)} with an unknown "
                    "length; whole-sequence export needs a fixed length: give "
                    "--representative data (its length is used) or use --streaming"
                )
            dims = [sequence_length if d is None else d for d in dims]
        specs.append(tf.TensorSpec([1, *dims], tf.as_dtype(tensor.dtype), tensor.name))
    return specs


def _sequence_calibration(specs, data: dict | None):
    def calibration():
        samples = []
        count = len(next(iter(data.values())))
        for i in range(min(count, CALIBRATION_LIMIT)):
            sample = []
            for spec in specs:
                array = data[spec.name][i : i + 1]
                sample.append(array.astype(spec.dtype.as_numpy_dtype))
            samples.append(sample)
        return samples

    return calibration


def batch_one_model(model, specs):
    """``model`` called on batch-1, fixed-length Inputs (what the TFLite model will take)."""
    import keras

    inputs = [keras.Input(batch_shape=tuple(s.shape), dtype=s.dtype.name, name=s.name) for s in specs]
    outputs = model(inputs[0] if len(inputs) == 1 else inputs, training=False)
    return keras.Model(inputs, outputs, name=model.name)


@register_graph("sequence")
def _sequence_graph(model, job: ConversionJob, data: dict | None) -> ExportGraph:
    """The model as it is, through the standard Keras converter (recurrent layers become
    a TFLite WHILE loop)."""
    import tensorflow as tf

    specs = sequence_specs(model, job.sequence_length)
    wrapper = batch_one_model(model, specs)
    return ExportGraph(
        lambda: tf.lite.TFLiteConverter.from_keras_model(wrapper),
        [s.name for s in specs],
        _sequence_calibration(specs, data),
    )


def unrolled_clone(model):
    """``model`` with every Keras RNN layer rebuilt with ``unroll=True`` (weights copied)."""
    import keras

    def clone_layer(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.RNN):
            config["unroll"] = True
        if isinstance(layer, keras.layers.Bidirectional):
            for key in ("layer", "backward_layer"):
                if config.get(key):
                    config[key]["config"]["unroll"] = True
        return layer.__class__.from_config(config)

    try:
        clone = keras.models.clone_model(model, clone_function=clone_layer)
    except (ValueError, TypeError) as err:
        raise ValueError(f"model {model.name!r} cannot be unrolled ({err}); use --streaming") from None
    clone.set_weights(model.get_weights())
    return clone


@register_graph("unrolled")
def _unrolled_graph(model, job: ConversionJob, data: dict | None) -> ExportGraph:
    """The model with its time loops unrolled: no WHILE op, so full int8 converts."""
    clone = unrolled_clone(model)
    specs = sequence_specs(clone, job.sequence_length)

    def make_converter():
        import tensorflow as tf

        names = [spec.name for spec in specs]

        def serve(*args):
            inputs = args[0] if len(args) == 1 else dict(zip(names, args, strict=True))
            return {"prediction": clone(inputs, training=False)}

        module = tf.Module()
        module.model_variables = [weight.value for weight in clone.weights]
        module.serve = tf.function(serve, input_signature=specs)
        directory = tempfile.mkdtemp(prefix="seqkeras-unrolled-")
        tf.saved_model.save(
            module, directory, signatures={"serving_default": module.serve.get_concrete_function()}
        )
        return tf.lite.TFLiteConverter.from_saved_model(directory)

    def calibration():
        count = len(next(iter(data.values())))
        return [
            {s.name: data[s.name][i : i + 1].astype(s.dtype.as_numpy_dtype) for s in specs}
            for i in range(min(count, CALIBRATION_LIMIT))
        ]

    return ExportGraph(make_converter, [s.name for s in specs], calibration)


# ---------------------------------------------------------------- child side


def run_job(job: ConversionJob) -> bytes:
    """Convert in THIS process (the child). Use :func:`convert_tflite` from callers."""
    from .quantization import get_mode

    mode = get_mode(job.quantize)
    model = load_keras_model(job.model_path)
    data = None
    if job.representative:
        with np.load(job.representative) as archive:
            data = {key: archive[key] for key in archive.files}
    if mode.needs_representative and data is None:
        raise ValueError(f"--quantize {job.quantize} needs representative data")
    graph = GRAPHS[job.graph](model, job, data)
    converter = graph.make_converter()
    representative_dataset = None
    if data is not None and mode.needs_representative:
        samples = graph.calibration()

        def representative_dataset():
            yield from samples

    mode.configure(converter, representative_dataset)
    if job.weights == "per-tensor":
        disable_per_channel(converter)
    return converter.convert()


PER_CHANNEL_FLAG = "_experimental_disable_per_channel"


def disable_per_channel(converter: Any) -> None:
    """One int8 scale per weight tensor instead of one per output channel.

    ``tf.lite.TFLiteConverter`` has no public switch for this (TF 2.21); the private flag
    set here is what tf.lite's own tests use. The public route would be a second tool,
    ai-edge-quantizer (tensor-wise granularity recipes on the converted float model).
    ``tests/export/test_private_apis.py`` checks that the flag still gives per-tensor
    scales, so a TensorFlow that ignores it fails a test instead of silently exporting
    per-channel weights.
    """
    if not hasattr(converter, PER_CHANNEL_FLAG):
        raise ValueError(
            f"--weights per-tensor needs the TFLite converter's private {PER_CHANNEL_FLAG}, "
            "which this TensorFlow no longer has; use --weights per-channel"
        )
    setattr(converter, PER_CHANNEL_FLAG, True)


def _child_main(job_path: str) -> int:
    job = ConversionJob(**json.loads(Path(job_path).read_text()))
    try:
        flatbuffer = run_job(job)
    except Exception as err:  # reported to the parent, which raises ConversionError
        message = f"{type(err).__name__}: {err}"
        if len(message) > _ERROR_CHARS:
            message = message[: _ERROR_CHARS // 2] + " ... " + message[-_ERROR_CHARS // 2 :]
        Path(job.output + ".error").write_text(message)
        return CHILD_ERROR_EXIT
    Path(job.output).write_bytes(flatbuffer)
    return 0


# ---------------------------------------------------------------- parent side


def _what_to_try(job: ConversionJob) -> str:
    if job.graph in ("sequence", "unrolled") and job.quantize == "int8":
        return (
            "try --streaming (the explicit-state step graph converts to int8), or "
            "--quantize dynamic / float16 for the whole sequence"
        )
    if job.graph == "step":
        return "try --quantize float32 or dynamic, or check the representative data"
    return "try --streaming, or --quantize float32"


def _describe(job: ConversionJob) -> str:
    graph = {"step": "streaming step graph", "sequence": "whole sequence", "unrolled": "unrolled whole sequence"}[job.graph]
    return f"model {job.model_path!r} ({graph}, --quantize {job.quantize})"


def convert_tflite(job: ConversionJob, timeout_s: float = DEFAULT_TIMEOUT_S) -> bytes:
    """Run the conversion in a child Python process and return the flatbuffer bytes.

    Raises:
        ConversionError: the child crashed, hung past ``timeout_s`` or raised; the message
            names the model, the mode and what to try instead.
    """
    with tempfile.TemporaryDirectory(prefix="seqkeras-convert-") as workdir:
        job = ConversionJob(**{**asdict(job), "output": str(Path(workdir) / "model.tflite")})
        job_path = Path(workdir) / "job.json"
        job_path.write_text(json.dumps(asdict(job)))
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3")}
        command = [sys.executable, "-m", "seqkeras_export.convert", str(job_path)]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout_s, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise ConversionError(
                f"the TFLite converter hung for more than {timeout_s:g} s on {_describe(job)}; "
                f"{_what_to_try(job)}"
            ) from None
        error_file = Path(job.output + ".error")
        if result.returncode < 0:
            try:
                signame = signal.Signals(-result.returncode).name
            except ValueError:
                signame = f"signal {-result.returncode}"
            raise ConversionError(
                f"the TFLite converter crashed ({signame}) on {_describe(job)}; "
                f"{_what_to_try(job)}{_tail(result.stderr)}"
            )
        if error_file.exists():
            raise ConversionError(
                f"conversion failed on {_describe(job)}: {error_file.read_text()}; {_what_to_try(job)}"
            )
        if result.returncode != 0 or not Path(job.output).exists():
            raise ConversionError(
                f"the conversion process exited with code {result.returncode} on "
                f"{_describe(job)}; {_what_to_try(job)}{_tail(result.stderr)}"
            )
        return Path(job.output).read_bytes()


_LOG_NOISE = ("I0000", "W0000", "E0000", "WARNING: All log messages", "To enable the following")


def _tail(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and not ln.startswith(_LOG_NOISE)]
    lines = lines[-_STDERR_TAIL_LINES:]
    return ("\nconverter output (last lines):\n  " + "\n  ".join(lines)) if lines else ""


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``seqkeras.atomic.write_bytes_atomic``)."""
    # Imported here: importing seqkeras loads Keras, which ``seqkeras-export --help`` must
    # not wait for; every caller has loaded the model (and so Keras) already.
    from seqkeras.atomic import write_bytes_atomic

    write_bytes_atomic(path, data)


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1]))
