"""The streaming wake-word runner: numpy features -> one LiteRT invoke per hop -> decisions.

Everything the runner needs is in the ``.tflite`` file: the step model (inputs ``frame``
and ``state_*``, outputs ``prediction`` and ``new_state_*``, written by
``seqkeras-export --streaming``) and the seqkeras metadata with the feature and decision
configuration. Imports numpy and a LiteRT runtime only — never TensorFlow or Keras.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .decision import DecisionConfig, Detection, StreamingDecision
from .embedding_features import feature_config_from_dict, streaming_front_end
from .features import FeatureConfig, LowSampleRateWarning, warn_if_upsampled
from .metadata import MetadataError, read_metadata
from .runtime import interpreter_class, load_interpreter
from .wav import load_audio

LATENCY_PERCENTILES = (50, 90, 99)


class ModelError(ValueError):
    """The model file is missing, unreadable or lacks what the runner needs."""


@dataclass
class RunResult:
    detections: list[Detection]
    scores: np.ndarray  # (frames, outputs): the raw model predictions
    hop_latency_us: list[float] = field(default_factory=list)
    audio_seconds: float = 0.0
    source_rate: int | None = None

    def summary(self, model: str, runtime: str) -> dict[str, Any]:
        latency = np.asarray(self.hop_latency_us, np.float64)
        stats = {f"p{p}": float(np.percentile(latency, p)) for p in LATENCY_PERCENTILES} if latency.size else {}
        if latency.size:
            stats["max"] = float(latency.max())
        processing = float(latency.sum()) / 1e6
        return {
            "model": model,
            "runtime": runtime,
            "audio_seconds": round(self.audio_seconds, 6),
            "source_sample_rate": self.source_rate,
            "frames": int(len(self.scores)),
            "detections": len(self.detections),
            "hop_latency_us": stats,
            "real_time_factor": processing / self.audio_seconds if self.audio_seconds else None,
        }


def _check_metadata(path: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    if metadata is None:
        raise ModelError(
            f"{path}: model without seqkeras metadata (feature and decision configuration); "
            "export it with: seqkeras-export MODEL.keras --to tflite --streaming "
            "--decision DECISION.json [--features FEATURES.json]"
        )
    if metadata.get("kind") != "streaming":
        raise ModelError(
            f"{path}: a {metadata.get('kind')!r} model; the runner needs a streaming step "
            "model (seqkeras-export --streaming)"
        )
    for key in ("features", "decision"):
        if not metadata.get(key):
            raise ModelError(
                f"{path}: the model metadata has no {key} configuration; re-export with "
                f"--{key} {key.upper()}.json"
            )
    return metadata


class WakeRunner:
    """Run a streaming ``.tflite`` wake-word model over audio, one invoke per hop.

    Args:
        model_path: a ``.tflite`` written by ``seqkeras-export --streaming``.
        threshold: overrides the threshold stored in the model metadata.

    Example::

        runner = WakeRunner("wake.int8.tflite")
        result = runner.run_file("clip.wav")
        for d in result.detections:
            print(d.time, d.score)
    """

    def __init__(self, model_path: str | Path, threshold: float | None = None) -> None:
        path = str(model_path)
        if not Path(path).is_file():
            raise ModelError(f"model file {path!r} does not exist")
        try:
            metadata = read_metadata(path)
        except MetadataError as err:
            raise ModelError(str(err)) from None
        self.metadata = _check_metadata(path, metadata)
        self.model_path = path
        try:
            self.feature_config = feature_config_from_dict(self.metadata["features"])
            decision = dict(self.metadata["decision"])
            if threshold is not None:
                decision["threshold"] = float(threshold)
            self.decision_config = DecisionConfig.from_dict(decision)
        except (TypeError, ValueError) as err:
            raise ModelError(f"{path}: invalid configuration in the model metadata ({err})") from None
        _, self.runtime_name = interpreter_class()
        self.interpreter = load_interpreter(path)
        self._bind_tensors(path)
        self.reset()

    def _bind_tensors(self, path: str) -> None:
        signature = self.metadata["signature"]
        try:
            runner = self.interpreter.get_signature_runner()
            inputs = runner.get_input_details()
            outputs = runner.get_output_details()
            self._frame = inputs[signature["inputs"]["frame"]]["index"]
            self._prediction = outputs[signature["outputs"]["prediction"]]["index"]
            self._state_in = [inputs[n]["index"] for n in signature["inputs"]["states"]]
            self._state_out = [outputs[n]["index"] for n in signature["outputs"]["states"]]
            self._state_shapes = [tuple(inputs[n]["shape"]) for n in signature["inputs"]["states"]]
        except (KeyError, ValueError) as err:
            raise ModelError(f"{path}: the model's signature does not match its metadata ({err})") from None
        frame_shape = tuple(inputs[signature["inputs"]["frame"]]["shape"])
        if frame_shape[-1] != self.feature_config.frame_size:
            raise ModelError(
                f"{path}: the model takes {frame_shape[-1]} features per frame but its feature "
                f"configuration makes {self.feature_config.frame_size}"
            )

    @property
    def hop_length(self) -> int:
        """Samples per model step (10 ms for log-mel frames, 80 ms for speech-embedding windows)."""
        return self.feature_config.hop_length

    def reset(self) -> None:
        """Start a new stream: zero states, empty feature buffer, no refractory period."""
        self.features = streaming_front_end(self.feature_config)
        self.decision = StreamingDecision(self.decision_config)
        self.states = [np.zeros(shape, np.float32) for shape in self._state_shapes]

    def step(self, frame: np.ndarray) -> np.ndarray:
        """One invoke: a feature frame in, the prediction out (states carried)."""
        interp = self.interpreter
        interp.set_tensor(self._frame, frame.reshape(1, -1))
        for index, state in zip(self._state_in, self.states, strict=True):
            interp.set_tensor(index, state)
        interp.invoke()
        self.states = [interp.get_tensor(index) for index in self._state_out]
        return interp.get_tensor(self._prediction)[0]

    def process(self, chunks: Iterable[np.ndarray]) -> Iterator[tuple[np.ndarray, Detection | None, float]]:
        """For each completed frame: (prediction, detection or None, µs for this hop)."""
        channel = self.decision_config.output_index
        for chunk in chunks:
            start = time.perf_counter_ns()
            frames = self.features.push(chunk)
            results = []
            for frame in frames:
                prediction = self.step(frame)
                results.append((prediction, self.decision.update(float(prediction[channel]))))
            elapsed = (time.perf_counter_ns() - start) / 1000.0
            for prediction, event in results:
                yield prediction, event, elapsed / len(results)

    def run_samples(self, samples: np.ndarray) -> RunResult:
        """Run over mono float samples at the model's sample rate, hop by hop."""
        hop = self.hop_length
        return self.run_chunks(samples[i : i + hop] for i in range(0, len(samples), hop))

    def run_chunks(
        self,
        chunks: Iterable[np.ndarray],
        on_detection: Callable[[Detection], None] | None = None,
        interruptible: bool = False,
    ) -> RunResult:
        """Run from a fresh state over mono float chunks (any sizes) at the model's rate.

        For live sources: ``on_detection`` sees each detection as it happens, and with
        ``interruptible`` Ctrl-C ends the run and returns what was processed so far.
        """
        self.reset()
        predictions, detections, latency = [], [], []
        received = 0

        def counted() -> Iterator[np.ndarray]:
            nonlocal received
            for chunk in chunks:
                received += len(chunk)
                yield chunk

        try:
            for prediction, event, elapsed in self.process(counted()):
                predictions.append(prediction)
                latency.append(elapsed)
                if event is not None:
                    detections.append(event)
                    if on_detection is not None:
                        on_detection(event)
        except KeyboardInterrupt:
            if not interruptible:
                raise
        if predictions:
            scores = np.stack(predictions)
        else:  # audio shorter than one frame
            scores = np.zeros((0, *self._output_shape()[1:]), np.float32)
        return RunResult(detections, scores, latency, received / self.feature_config.sample_rate)

    def _output_shape(self) -> tuple[int, ...]:
        return tuple(self.interpreter.get_tensor(self._prediction).shape)

    def run_file(self, path: str | Path) -> RunResult:
        """Read a WAV file (any rate, mono or multi-channel) and run over it."""
        config = self.feature_config
        samples, rate = load_audio(path, config.sample_rate)
        if isinstance(config, FeatureConfig):
            warn_if_upsampled(rate, config)
        elif rate / 2.0 < config.upper_edge_hz:
            warnings.warn(
                f"audio recorded at {rate} Hz is upsampled to {config.sample_rate} Hz; it holds "
                f"nothing above {rate / 2:g} Hz, below the front end's top band edge "
                f"{config.upper_edge_hz:g} Hz",
                LowSampleRateWarning,
                stacklevel=2,
            )
        result = self.run_samples(samples)
        result.source_rate = rate
        return result
