"""The speech-embedding front end's log-mel windows in plain numpy (the device side).

A wake-word model on Google's ``speech_embedding`` (``seqkeras wakeword train --model
embedding``) is exported with its front end's *mel* stage left out of the ``.tflite``:
the log of a power spectrum spans 20 orders of magnitude, which int8 weights or int16
activations cannot hold. The runner computes the mel frames here instead and feeds the
model one window of ``window_frames`` frames (775 ms) every ``step_frames`` frames (80 ms).

The numbers are those of openWakeWord's ``melspectrogram.onnx`` (a torchlibrosa STFT +
log-mel, verified against the file's weights in the tests): audio in int16 units
(``input_scale`` times float samples); frame ``f`` covers samples
``[160 f, 160 f + 512)``, multiplied by a periodic 400-sample Hann window centred in the
512 (56 zeros each side); power spectrum of a 512-point real FFT; a 32-band Slaney mel
filterbank (area-normalised triangles, Slaney's mel scale: linear below 1 kHz,
logarithmic above) from 60 to 3800 Hz; ``10 log10(max(mel, 1e-10))``, then openWakeWord's
rescaling ``db * 0.1 + 2``. One difference from the ONNX file: it also floors each input
at 80 dB under its own loudest frame, which only digital silence reaches and which no
stream can compute causally; here (and in the Keras layer,
``seqkeras.audio.embedding_mel.SpeechEmbeddingMel``) only the fixed floor applies.

Example::

    config = EmbeddingFeatureConfig()
    windows = mel_windows(mel_frames(audio, config), config)   # (steps, 76 * 32)
    stream = StreamingMelWindows(config)
    parts = [stream.push(audio[i:i + 1000]) for i in range(0, len(audio), 1000)]
    assert np.allclose(np.concatenate(parts), windows)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from .features import FeatureConfig, StreamingFeatures, hann_window, num_frames

FEATURE_TYPE = "speech-embedding-mel"
LOG_MEL_TYPE = "log-mel"

# Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, log above.
_SLANEY_LINEAR_HZ_PER_MEL = 200.0 / 3.0
_SLANEY_BREAK_HZ = 1000.0
_SLANEY_LOG_STEP = np.log(6.4) / 27.0


def slaney_hz_to_mel(frequency_hz: Any) -> np.ndarray:
    """Slaney mel scale: ``f / (200/3)`` below 1 kHz, ``15 + 27 ln(f / 1000) / ln 6.4`` above."""
    f = np.asarray(frequency_hz, dtype=np.float64)
    linear = f / _SLANEY_LINEAR_HZ_PER_MEL
    break_mel = _SLANEY_BREAK_HZ / _SLANEY_LINEAR_HZ_PER_MEL
    log = break_mel + np.log(np.maximum(f, 1e-12) / _SLANEY_BREAK_HZ) / _SLANEY_LOG_STEP
    return np.where(f >= _SLANEY_BREAK_HZ, log, linear)


def slaney_mel_to_hz(mel: Any) -> np.ndarray:
    """Inverse of :func:`slaney_hz_to_mel`."""
    m = np.asarray(mel, dtype=np.float64)
    break_mel = _SLANEY_BREAK_HZ / _SLANEY_LINEAR_HZ_PER_MEL
    log = _SLANEY_BREAK_HZ * np.exp(_SLANEY_LOG_STEP * (m - break_mel))
    return np.where(m >= break_mel, log, m * _SLANEY_LINEAR_HZ_PER_MEL)


def slaney_mel_matrix(
    num_mel_bins: int, fft_size: int, sample_rate: int, lower_edge_hz: float, upper_edge_hz: float
) -> np.ndarray:
    """``(fft_size // 2 + 1, num_mel_bins)`` Slaney filterbank: triangles linear in Hz
    between mel-spaced edges, each scaled by ``2 / (upper - lower)`` (equal area)."""
    if num_mel_bins < 1:
        raise ValueError(f"num_mel_bins must be >= 1, got {num_mel_bins}")
    if not 0.0 <= lower_edge_hz < upper_edge_hz <= sample_rate / 2.0:
        raise ValueError(
            f"need 0 <= lower_edge_hz < upper_edge_hz <= {sample_rate / 2.0:g} (Nyquist), got "
            f"lower_edge_hz={lower_edge_hz}, upper_edge_hz={upper_edge_hz}"
        )
    edges = slaney_mel_to_hz(
        np.linspace(
            slaney_hz_to_mel(lower_edge_hz), slaney_hz_to_mel(upper_edge_hz), num_mel_bins + 2
        )
    )
    bins_hz = np.linspace(0.0, sample_rate / 2.0, fft_size // 2 + 1)
    widths = np.diff(edges)
    ramps = edges[:, None] - bins_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.T


@dataclasses.dataclass(frozen=True)
class EmbeddingFeatureConfig:
    """Every number of the speech-embedding front end's mel windows.

    Args:
        sample_rate: input sample rate in Hz.
        input_scale: float samples are multiplied by this (int16 units, as the front end
            was trained).
        fft_size: frame length and FFT size in samples.
        window_length: periodic Hann window length, centred in the frame.
        mel_hop: samples between mel frames.
        num_mel_bins: Slaney mel bands.
        lower_edge_hz / upper_edge_hz: filterbank edges.
        power_floor: mel power floor before the log.
        db_scale / db_offset: ``10 log10(power) * db_scale + db_offset``.
        window_frames: mel frames in one model input (one embedding).
        step_frames: mel frames between model inputs.
    """

    type: str = FEATURE_TYPE
    sample_rate: int = 16000
    input_scale: float = 32767.0
    fft_size: int = 512
    window_length: int = 400
    mel_hop: int = 160
    num_mel_bins: int = 32
    lower_edge_hz: float = 60.0
    upper_edge_hz: float = 3800.0
    power_floor: float = 1e-10
    db_scale: float = 0.1
    db_offset: float = 2.0
    window_frames: int = 76
    step_frames: int = 8

    def __post_init__(self) -> None:
        if self.type != FEATURE_TYPE:
            raise ValueError(f"type must be {FEATURE_TYPE!r}, got {self.type!r}")
        for name in (
            "sample_rate",
            "fft_size",
            "window_length",
            "mel_hop",
            "window_frames",
            "step_frames",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.window_length > self.fft_size:
            raise ValueError(
                f"window_length {self.window_length} is longer than fft_size {self.fft_size}"
            )
        if not self.power_floor > 0:
            raise ValueError(f"power_floor must be > 0, got {self.power_floor}")
        slaney_mel_matrix(
            self.num_mel_bins, 2, self.sample_rate, self.lower_edge_hz, self.upper_edge_hz
        )

    @property
    def hop_length(self) -> int:
        """Samples between model inputs (one model step): ``mel_hop * step_frames``."""
        return self.mel_hop * self.step_frames

    @property
    def frame_size(self) -> int:
        """Values in one model input: ``window_frames * num_mel_bins``."""
        return self.window_frames * self.num_mel_bins

    @property
    def first_window_end(self) -> int:
        """Samples heard by the first model input: ``(window_frames - 1) * mel_hop + fft_size``."""
        return (self.window_frames - 1) * self.mel_hop + self.fft_size

    def num_steps(self, num_samples: int) -> int:
        """Model inputs in a signal of ``num_samples`` samples."""
        if num_samples < self.first_window_end:
            return 0
        return 1 + (num_samples - self.first_window_end) // self.hop_length

    def analysis_window(self) -> np.ndarray:
        """The ``fft_size`` window: periodic Hann of ``window_length`` centred, zeros around."""
        window = np.zeros(self.fft_size)
        start = (self.fft_size - self.window_length) // 2
        window[start : start + self.window_length] = hann_window(self.window_length)
        return window

    def mel_matrix(self) -> np.ndarray:
        return slaney_mel_matrix(
            self.num_mel_bins,
            self.fft_size,
            self.sample_rate,
            self.lower_edge_hz,
            self.upper_edge_hz,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> EmbeddingFeatureConfig:
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown {FEATURE_TYPE} feature config keys {unknown}; expected a subset of "
                f"{sorted(known)}"
            )
        return cls(**dict(values))


class _MelAnalyzer:
    def __init__(self, config: EmbeddingFeatureConfig) -> None:
        self.config = config
        self.window = config.analysis_window()
        self.matrix = config.mel_matrix()

    def frames(self, samples: np.ndarray) -> np.ndarray:
        c = self.config
        n = num_frames(samples.shape[-1], c.fft_size, c.mel_hop)
        index = np.arange(n)[:, None] * c.mel_hop + np.arange(c.fft_size)[None, :]
        spectrum = np.fft.rfft(samples[..., index] * (self.window * c.input_scale), axis=-1)
        power = spectrum.real**2 + spectrum.imag**2
        db = 10.0 * np.log10(np.maximum(power @ self.matrix, c.power_floor))
        return (db * c.db_scale + c.db_offset).astype(np.float32)


def mel_frames(audio: Any, config: EmbeddingFeatureConfig | None = None) -> np.ndarray:
    """``(..., frames, num_mel_bins)`` float32 rescaled log-mel of float samples."""
    samples = np.asarray(audio, dtype=np.float64)
    if samples.ndim not in (1, 2):
        raise ValueError(f"audio must be (samples,) or (batch, samples), got shape {samples.shape}")
    return _MelAnalyzer(config or EmbeddingFeatureConfig()).frames(samples)


def mel_windows(frames: np.ndarray, config: EmbeddingFeatureConfig | None = None) -> np.ndarray:
    """``(..., steps, window_frames * num_mel_bins)``: frames ``[step_frames j, +window_frames)``
    flattened, one row per model input."""
    c = config or EmbeddingFeatureConfig()
    count = frames.shape[-2]
    steps = 0 if count < c.window_frames else 1 + (count - c.window_frames) // c.step_frames
    index = np.arange(steps)[:, None] * c.step_frames + np.arange(c.window_frames)[None, :]
    windows = frames[..., index, :]
    return windows.reshape(*frames.shape[:-2], steps, c.frame_size)


class StreamingMelWindows:
    """Model inputs from audio arriving in chunks of any size: ``push(chunk)`` returns every
    window completed by the chunk, shape ``(k, window_frames * num_mel_bins)``; all of them
    together equal :func:`mel_windows` of the whole signal."""

    def __init__(self, config: EmbeddingFeatureConfig | None = None) -> None:
        self.config = config or EmbeddingFeatureConfig()
        self._analyzer = _MelAnalyzer(self.config)
        self.reset()

    def reset(self) -> None:
        c = self.config
        self._samples = np.zeros(0, np.float64)
        self._frames = np.zeros((0, c.num_mel_bins), np.float32)

    def push(self, chunk: Any) -> np.ndarray:
        c = self.config
        samples = np.asarray(chunk, dtype=np.float64)
        if samples.ndim != 1:
            raise ValueError(f"chunk must be 1-D (samples,), got shape {samples.shape}")
        self._samples = np.concatenate([self._samples, samples])
        count = num_frames(self._samples.size, c.fft_size, c.mel_hop)
        if count:
            self._frames = np.concatenate([self._frames, self._analyzer.frames(self._samples)])
            self._samples = self._samples[count * c.mel_hop :]
        windows = mel_windows(self._frames, c)
        if len(windows):
            self._frames = self._frames[len(windows) * c.step_frames :]
        return windows


FrontEndConfig = FeatureConfig | EmbeddingFeatureConfig


def feature_config_from_dict(values: Mapping[str, Any]) -> FrontEndConfig:
    """The front end described by a metadata ``features`` dict: ``type`` picks it (absent or
    ``"log-mel"``: :class:`~seqkeras_edge.features.FeatureConfig`)."""
    kind = values.get("type", LOG_MEL_TYPE)
    if kind == FEATURE_TYPE:
        return EmbeddingFeatureConfig.from_dict(values)
    if kind != LOG_MEL_TYPE:
        raise ValueError(
            f"unknown feature type {kind!r}; expected {LOG_MEL_TYPE!r} or {FEATURE_TYPE!r}"
        )
    return FeatureConfig.from_dict({k: v for k, v in values.items() if k != "type"})


def streaming_front_end(config: FrontEndConfig) -> StreamingFeatures | StreamingMelWindows:
    """The streaming front end for ``config`` (``push(chunk) -> (k, frame_size)``)."""
    if isinstance(config, EmbeddingFeatureConfig):
        return StreamingMelWindows(config)
    return StreamingFeatures(config)
