"""Log-mel features in plain numpy: the on-device twin of ``seqkeras.audio.LogMelSpectrogram``.

This module imports nothing but numpy, so the edge runner can compute exactly the
features the Keras model was trained on. The framing is causal and unpadded: frame
``k`` covers samples ``[k * hop, k * hop + frame)``; there is no centering, so a
device can emit frame ``k`` as soon as its last sample has arrived. Each frame is
multiplied by a periodic Hann window, zero-padded at the end to ``fft_size``, and
transformed with a real FFT. ``LogMelSpectrogram`` computes
``log(max(power_spectrum @ mel_matrix, log_floor))`` with the HTK mel matrix below
(the same construction as ``tf.signal.linear_to_mel_weight_matrix``).

Example::

    import numpy as np
    from seqkeras_edge.features import FeatureConfig, StreamingFeatures, log_mel_spectrogram

    config = FeatureConfig()                       # 16 kHz, 25 ms frames, 10 ms hop, 40 mel bins
    audio = np.random.default_rng(0).normal(size=16000).astype("float32")
    whole = log_mel_spectrogram(audio, config)     # (98, 40)
    stream = StreamingFeatures(config)
    parts = [stream.push(audio[i:i + 333]) for i in range(0, len(audio), 333)]
    assert np.allclose(np.concatenate(parts), whole)
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
FRAME_MS = 25.0
HOP_MS = 10.0
FFT_SIZE = 512
NUM_MEL_BINS = 40
LOWER_EDGE_HZ = 20.0
UPPER_EDGE_HZ = 7600.0
LOG_FLOOR = 1e-6

# HTK mel scale constants, as in tf.signal.linear_to_mel_weight_matrix.
_MEL_BREAK_FREQUENCY_HZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def ms_to_samples(milliseconds: float, sample_rate: int) -> int:
    """Number of samples in ``milliseconds`` at ``sample_rate`` (rounded to nearest)."""
    return int(round(milliseconds * sample_rate / 1000.0))


def hz_to_mel(frequency_hz: Any) -> np.ndarray:
    """HTK mel scale: ``1127 * ln(1 + f / 700)``."""
    return _MEL_HIGH_FREQUENCY_Q * np.log1p(
        np.asarray(frequency_hz, dtype=np.float64) / _MEL_BREAK_FREQUENCY_HZ
    )


def mel_to_hz(mel: Any) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    return _MEL_BREAK_FREQUENCY_HZ * np.expm1(
        np.asarray(mel, dtype=np.float64) / _MEL_HIGH_FREQUENCY_Q
    )


def mel_weight_matrix(
    num_mel_bins: int = NUM_MEL_BINS,
    num_spectrogram_bins: int = FFT_SIZE // 2 + 1,
    sample_rate: int = SAMPLE_RATE,
    lower_edge_hz: float = LOWER_EDGE_HZ,
    upper_edge_hz: float = UPPER_EDGE_HZ,
) -> np.ndarray:
    """Triangular HTK mel filterbank of shape ``(num_spectrogram_bins, num_mel_bins)``.

    The triangles are linear in mel (not in Hz) and the DC bin gets zero weight, which is
    the construction of ``tf.signal.linear_to_mel_weight_matrix``.
    """
    if num_mel_bins < 1:
        raise ValueError(f"num_mel_bins must be >= 1, got {num_mel_bins}")
    if num_spectrogram_bins < 2:
        raise ValueError(f"num_spectrogram_bins must be >= 2, got {num_spectrogram_bins}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be > 0, got {sample_rate}")
    if not 0.0 <= lower_edge_hz < upper_edge_hz:
        raise ValueError(
            f"need 0 <= lower_edge_hz < upper_edge_hz, got lower_edge_hz={lower_edge_hz}, "
            f"upper_edge_hz={upper_edge_hz}"
        )
    if upper_edge_hz > sample_rate / 2.0:
        raise ValueError(
            f"upper_edge_hz={upper_edge_hz} is above the Nyquist frequency {sample_rate / 2.0} "
            f"of sample_rate={sample_rate}"
        )
    linear_hz = np.linspace(0.0, sample_rate / 2.0, num_spectrogram_bins)[1:]
    spectrogram_mel = hz_to_mel(linear_hz)[:, None]
    edges = np.linspace(hz_to_mel(lower_edge_hz), hz_to_mel(upper_edge_hz), num_mel_bins + 2)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    rising = (spectrogram_mel - lower) / (center - lower)
    falling = (upper - spectrogram_mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, num_mel_bins)), weights], axis=0)


def hann_window(length: int) -> np.ndarray:
    """Periodic Hann window (``tf.signal.hann_window(length, periodic=True)``)."""
    n = np.arange(length, dtype=np.float64)
    return 0.5 - 0.5 * np.cos(2.0 * math.pi * n / length)


def num_frames(num_samples: int, frame_length: int, hop_length: int) -> int:
    """Complete frames in ``num_samples`` samples: ``1 + (n - frame) // hop``, or 0."""
    if num_samples < frame_length:
        return 0
    return 1 + (num_samples - frame_length) // hop_length


@dataclasses.dataclass(frozen=True)
class FeatureConfig:
    """Every number that defines the features; the same names as the Keras layer's arguments.

    Args:
        sample_rate: input sample rate in Hz.
        frame_ms: analysis window length in milliseconds.
        hop_ms: distance between frame starts in milliseconds.
        fft_size: FFT length (>= frame length; frames are zero-padded at the end).
        num_mel_bins: number of mel filters.
        lower_edge_hz: lowest mel filter edge.
        upper_edge_hz: highest mel filter edge (<= sample_rate / 2).
        log_floor: mel energies are clipped to at least this before the log.
    """

    sample_rate: int = SAMPLE_RATE
    frame_ms: float = FRAME_MS
    hop_ms: float = HOP_MS
    fft_size: int = FFT_SIZE
    num_mel_bins: int = NUM_MEL_BINS
    lower_edge_hz: float = LOWER_EDGE_HZ
    upper_edge_hz: float = UPPER_EDGE_HZ
    log_floor: float = LOG_FLOOR

    def __post_init__(self) -> None:
        validate_framing(self.sample_rate, self.frame_ms, self.hop_ms, self.fft_size)
        if self.num_mel_bins < 1:
            raise ValueError(f"num_mel_bins must be >= 1, got {self.num_mel_bins}")
        if not self.log_floor > 0:
            raise ValueError(f"log_floor must be > 0, got {self.log_floor}")
        # Validates the edges against the sample rate.
        mel_weight_matrix(
            self.num_mel_bins, 2, self.sample_rate, self.lower_edge_hz, self.upper_edge_hz
        )

    @property
    def frame_length(self) -> int:
        """Frame length in samples."""
        return ms_to_samples(self.frame_ms, self.sample_rate)

    @property
    def hop_length(self) -> int:
        """Hop length in samples."""
        return ms_to_samples(self.hop_ms, self.sample_rate)

    @property
    def frame_size(self) -> int:
        """Values in one model input frame: one log-mel frame, ``num_mel_bins``."""
        return self.num_mel_bins

    @property
    def num_spectrogram_bins(self) -> int:
        """Bins of the one-sided spectrum: ``fft_size // 2 + 1``."""
        return self.fft_size // 2 + 1

    def num_frames(self, num_samples: int) -> int:
        """Complete frames in a signal of ``num_samples`` samples."""
        return num_frames(num_samples, self.frame_length, self.hop_length)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready), e.g. for model metadata."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> FeatureConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError`` naming them."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown feature config keys {unknown}; expected a subset of {sorted(known)}"
            )
        return cls(**dict(values))


def validate_framing(sample_rate: int, frame_ms: float, hop_ms: float, fft_size: int) -> None:
    """Raise ``ValueError`` naming the argument when the framing numbers are unusable."""
    if not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, got {sample_rate!r}")
    if not frame_ms > 0:
        raise ValueError(f"frame_ms must be > 0, got {frame_ms}")
    if not hop_ms > 0:
        raise ValueError(f"hop_ms must be > 0, got {hop_ms}")
    frame_length = ms_to_samples(frame_ms, sample_rate)
    hop_length = ms_to_samples(hop_ms, sample_rate)
    if frame_length < 2:
        raise ValueError(
            f"frame_ms={frame_ms} gives {frame_length} samples at {sample_rate} Hz; need >= 2"
        )
    if hop_length < 1:
        raise ValueError(
            f"hop_ms={hop_ms} gives {hop_length} samples at {sample_rate} Hz; need >= 1"
        )
    if not isinstance(fft_size, (int, np.integer)) or fft_size < frame_length:
        raise ValueError(
            f"fft_size must be an integer >= the frame length {frame_length}, got {fft_size!r}"
        )


class _Analyzer:
    """Precomputed window and mel matrix for one configuration."""

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        self.window = hann_window(config.frame_length)
        self.mel_matrix = mel_weight_matrix(
            config.num_mel_bins,
            config.num_spectrogram_bins,
            config.sample_rate,
            config.lower_edge_hz,
            config.upper_edge_hz,
        )

    def frames(self, samples: np.ndarray) -> np.ndarray:
        n = num_frames(samples.shape[-1], self.config.frame_length, self.config.hop_length)
        if n == 1:  # the streaming case: one hop completes one frame; a slice is cheapest
            return samples[..., None, : self.config.frame_length]
        index = (
            np.arange(n)[:, None] * self.config.hop_length
            + np.arange(self.config.frame_length)[None, :]
        )
        return samples[..., index]

    def power_spectrum(self, frames: np.ndarray) -> np.ndarray:
        spectrum = np.fft.rfft(frames * self.window, n=self.config.fft_size, axis=-1)
        real, imag = spectrum.real, spectrum.imag
        return real * real + imag * imag

    def log_mel(self, frames: np.ndarray) -> np.ndarray:
        mel = self.power_spectrum(frames) @ self.mel_matrix
        return np.log(np.maximum(mel, self.config.log_floor)).astype(np.float32)


def _as_samples(audio: Any) -> np.ndarray:
    samples = np.asarray(audio, dtype=np.float64)
    if samples.ndim == 0:
        raise ValueError(
            "audio must be a 1-D (samples,) or 2-D (batch, samples) array, got a scalar"
        )
    return samples


def power_spectrogram(audio: Any, config: FeatureConfig | None = None) -> np.ndarray:
    """Power spectrum ``|rfft(window * frame)|^2`` of every complete frame.

    Args:
        audio: float samples, shape ``(samples,)`` or ``(batch, samples)``.
        config: feature configuration (defaults to :class:`FeatureConfig()`).

    Returns:
        float32 array ``(..., frames, fft_size // 2 + 1)``.
    """
    analyzer = _Analyzer(config or FeatureConfig())
    return analyzer.power_spectrum(analyzer.frames(_as_samples(audio))).astype(np.float32)


def log_mel_spectrogram(audio: Any, config: FeatureConfig | None = None) -> np.ndarray:
    """Log-mel features of every complete frame, as the Keras ``LogMelSpectrogram`` layer.

    Args:
        audio: float samples, shape ``(samples,)`` or ``(batch, samples)``.
        config: feature configuration (defaults to :class:`FeatureConfig()`).

    Returns:
        float32 array ``(..., frames, num_mel_bins)``.
    """
    analyzer = _Analyzer(config or FeatureConfig())
    return analyzer.log_mel(analyzer.frames(_as_samples(audio)))


class StreamingFeatures:
    """Log-mel frames from audio that arrives in chunks of any size.

    ``push(chunk)`` returns every frame completed by that chunk (possibly none), so the
    concatenation of all returned frames equals :func:`log_mel_spectrogram` of the whole
    signal. Only the last ``frame_length - hop_length`` unconsumed samples are kept.

    Args:
        config: feature configuration (defaults to :class:`FeatureConfig()`).

    Example::

        stream = StreamingFeatures()
        for chunk in microphone_chunks():
            for frame in stream.push(chunk):   # frame: (num_mel_bins,) float32
                ...
    """

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self._analyzer = _Analyzer(self.config)
        self._buffer = np.zeros(0, dtype=np.float64)
        self._frames_emitted = 0

    @property
    def frames_emitted(self) -> int:
        """Number of frames returned so far (the index of the next frame)."""
        return self._frames_emitted

    def reset(self) -> None:
        """Forget buffered samples and restart frame counting."""
        self._buffer = np.zeros(0, dtype=np.float64)
        self._frames_emitted = 0

    def push(self, chunk: Any) -> np.ndarray:
        """Add samples; return the newly completed frames, shape ``(k, num_mel_bins)``."""
        samples = np.asarray(chunk, dtype=np.float64)
        if samples.ndim != 1:
            raise ValueError(f"chunk must be 1-D (samples,), got shape {samples.shape}")
        if samples.size:
            self._buffer = np.concatenate([self._buffer, samples])
        count = num_frames(self._buffer.size, self.config.frame_length, self.config.hop_length)
        if count == 0:
            return np.zeros((0, self.config.num_mel_bins), dtype=np.float32)
        features = self._analyzer.log_mel(self._analyzer.frames(self._buffer))
        self._buffer = self._buffer[count * self.config.hop_length :]
        self._frames_emitted += count
        return features


class LowSampleRateWarning(UserWarning):
    """Audio recorded below the front end's rate was upsampled: its top mel bands are empty.

    Filter it where that is known and wanted (e.g. 8 kHz telephone speech)::

        warnings.simplefilter("ignore", LowSampleRateWarning)
    """


def empty_mel_bands(rate: int, config: FeatureConfig | None = None) -> tuple[list[int], list[int]]:
    """Mel bands of the front end (``config``, default ``FeatureConfig()``) that audio
    recorded at ``rate`` Hz cannot fill: ``(empty, partial)`` 0-based band indices, the
    bands whose whole triangle / only its upper part lies above ``rate / 2``."""
    config = config or FeatureConfig()
    nyquist = rate / 2.0
    weights = mel_weight_matrix(
        config.num_mel_bins,
        config.fft_size // 2 + 1,
        config.sample_rate,
        config.lower_edge_hz,
        config.upper_edge_hz,
    )
    frequencies = np.linspace(0.0, config.sample_rate / 2.0, weights.shape[0])
    empty, partial = [], []
    for band in range(weights.shape[1]):
        covered = frequencies[weights[:, band] > 0]
        if covered.size and covered.min() > nyquist:
            empty.append(band)
        elif covered.size and covered.max() > nyquist:
            partial.append(band)
    return empty, partial


def warn_if_upsampled(
    rate: int, config: FeatureConfig | None = None, stacklevel: int = 3
) -> None:
    """``LowSampleRateWarning`` naming the rate and the mel bands left empty when audio at
    ``rate`` Hz is brought up to the front end's rate (nothing when no band is affected)."""
    config = config or FeatureConfig()
    if rate >= config.sample_rate:
        return
    empty, partial = empty_mel_bands(rate, config)
    if not empty and not partial:
        return
    bands = config.num_mel_bins
    message = (
        f"audio recorded at {rate} Hz is upsampled to {config.sample_rate} Hz; it holds "
        f"nothing above {rate / 2:g} Hz, so "
    )
    if empty:
        message += f"mel bands {empty[0]}-{empty[-1]} (0-based, of {bands}) are empty"
    if partial:
        message += (" and " if empty else "") + f"band(s) {partial} partly empty"
    message += " (the model sees band-limited speech; train on such audio too if it matters)"
    warnings.warn(message, LowSampleRateWarning, stacklevel=stacklevel)
