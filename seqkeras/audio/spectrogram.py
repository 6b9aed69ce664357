"""``Spectrogram`` and ``LogMelSpectrogram`` Keras layers (keras.ops, any backend).

Framing is causal and unpadded, identical to ``seqkeras_edge.features``: frame ``k``
covers samples ``[k * hop, k * hop + frame)``, multiplied by a periodic Hann window and
zero-padded at the end to ``fft_size`` before the real FFT. A device can therefore
compute frame ``k`` the moment its last sample arrives, and the numpy twin reproduces
these layers to within 1e-4 (tested).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops
from seqkeras_edge.features import (
    FFT_SIZE,
    FRAME_MS,
    HOP_MS,
    LOG_FLOOR,
    LOWER_EDGE_HZ,
    NUM_MEL_BINS,
    SAMPLE_RATE,
    UPPER_EDGE_HZ,
    FeatureConfig,
    hann_window,
    mel_weight_matrix,
    ms_to_samples,
    num_frames,
    validate_framing,
)

_POWERS = (1.0, 2.0)
# The FFT runs in float64 by default: in float32 the rounding noise of a loud frame
# reaches bins 60-70 dB below it, and the log of those bins then differs from the numpy
# twin (which runs in float64) by more than 1e-4. Outputs are always float32.
PRECISIONS = ("float64", "float32")


class _FramedFFT(keras.layers.Layer):
    """Shared framing + windowed real FFT of the two public layers."""

    def __init__(
        self,
        sample_rate: int,
        frame_ms: float,
        hop_ms: float,
        fft_size: int,
        precision: str,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        validate_framing(sample_rate, frame_ms, hop_ms, fft_size)
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        self.precision = precision
        self.sample_rate = int(sample_rate)
        self.frame_ms = float(frame_ms)
        self.hop_ms = float(hop_ms)
        self.fft_size = int(fft_size)
        self.frame_length = ms_to_samples(self.frame_ms, self.sample_rate)
        self.hop_length = ms_to_samples(self.hop_ms, self.sample_rate)
        self._window = hann_window(self.frame_length).astype(precision)

    def num_frames(self, num_samples: int) -> int:
        """Complete frames this layer produces for ``num_samples`` input samples."""
        return num_frames(num_samples, self.frame_length, self.hop_length)

    def _samples(self, inputs: Any) -> Any:
        x = ops.convert_to_tensor(inputs)
        if len(x.shape) == 3:
            if x.shape[-1] != 1:
                raise ValueError(
                    f"{self.__class__.__name__} expects (batch, samples) or (batch, samples, 1), "
                    f"got shape {tuple(x.shape)}"
                )
            x = ops.squeeze(x, axis=-1)
        elif len(x.shape) != 2:
            raise ValueError(
                f"{self.__class__.__name__} expects (batch, samples) or (batch, samples, 1), "
                f"got shape {tuple(x.shape)}"
            )
        if x.shape[1] is not None and x.shape[1] < self.frame_length:
            raise ValueError(
                f"{self.__class__.__name__} needs at least frame_length={self.frame_length} samples, "
                f"got {x.shape[1]}"
            )
        return ops.cast(x, self.precision)

    def _power_spectrum(self, inputs: Any) -> Any:
        x = self._samples(inputs)
        length = ops.shape(x)[1]
        count = (length - self.frame_length) // self.hop_length + 1
        index = ops.expand_dims(ops.arange(count) * self.hop_length, 1) + ops.expand_dims(
            ops.arange(self.frame_length), 0
        )
        frames = ops.take(x, index, axis=1) * ops.convert_to_tensor(self._window)
        real, imag = ops.rfft(frames, fft_length=self.fft_size)
        return ops.square(real) + ops.square(imag)

    def _frames_out(self, input_shape: Any) -> Any:
        length = input_shape[1]
        return None if length is None else self.num_frames(int(length))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "sample_rate": self.sample_rate,
                "frame_ms": self.frame_ms,
                "hop_ms": self.hop_ms,
                "fft_size": self.fft_size,
                "precision": self.precision,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="seqkeras")
class Spectrogram(_FramedFFT):
    """Short-time power (or magnitude) spectrum of raw audio, optionally in log.

    Args:
        sample_rate: input sample rate in Hz (default 16000).
        frame_ms: window length in ms (default ``FRAME_MS`` = 25).
        hop_ms: hop between frame starts in ms (default ``HOP_MS`` = 10).
        fft_size: FFT length, >= frame length (default 512).
        power: 2.0 for the power spectrum, 1.0 for the magnitude.
        log_floor: if given, return ``log(max(spectrum, log_floor))``; ``None`` keeps it linear.
        precision: ``"float64"`` (default; matches the numpy twin to 1e-6) or ``"float32"``
            (faster on accelerators; backends without float64, e.g. JAX without x64, use
            float32 anyway). The output is float32 either way.

    Call arguments:
        inputs: float tensor ``(batch, samples)`` or ``(batch, samples, 1)``.

    Returns:
        ``(batch, frames, fft_size // 2 + 1)`` with ``frames = 1 + (samples - frame) // hop``.

    Example::

        layer = Spectrogram()
        layer(np.zeros((2, 16000), "float32")).shape   # (2, 98, 257)
    """

    def __init__(
        self,
        sample_rate: int = SAMPLE_RATE,
        frame_ms: float = FRAME_MS,
        hop_ms: float = HOP_MS,
        fft_size: int = FFT_SIZE,
        power: float = 2.0,
        log_floor: float | None = None,
        precision: str = "float64",
        **kwargs: Any,
    ) -> None:
        super().__init__(sample_rate, frame_ms, hop_ms, fft_size, precision, **kwargs)
        if float(power) not in _POWERS:
            raise ValueError(f"power must be 1.0 (magnitude) or 2.0 (power), got {power}")
        if log_floor is not None and not log_floor > 0:
            raise ValueError(f"log_floor must be > 0 or None, got {log_floor}")
        self.power = float(power)
        self.log_floor = None if log_floor is None else float(log_floor)

    def call(self, inputs: Any) -> Any:
        spectrum = self._power_spectrum(inputs)
        if self.power == 1.0:
            spectrum = ops.sqrt(spectrum)
        if self.log_floor is not None:
            spectrum = ops.log(ops.maximum(spectrum, self.log_floor))
        return ops.cast(spectrum, "float32")

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self._frames_out(input_shape), self.fft_size // 2 + 1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"power": self.power, "log_floor": self.log_floor})
        return config


@keras.saving.register_keras_serializable(package="seqkeras")
class LogMelSpectrogram(_FramedFFT):
    """Log-mel filterbank energies of raw audio; the twin of ``seqkeras_edge.features``.

    ``log(max(power_spectrum @ mel_matrix, log_floor))`` with the HTK mel matrix of
    ``seqkeras.audio.mel_weight_matrix``.

    Args:
        sample_rate: input sample rate in Hz (default 16000).
        frame_ms: window length in ms (default 25).
        hop_ms: hop between frame starts in ms (default 10).
        fft_size: FFT length, >= frame length (default 512).
        num_mel_bins: number of mel filters (default 40).
        lower_edge_hz: lowest filter edge (default 20 Hz).
        upper_edge_hz: highest filter edge, <= sample_rate / 2 (default 7600 Hz).
        log_floor: energies are clipped to at least this before the log (default 1e-6).
        precision: FFT precision, ``"float64"`` (default) or ``"float32"``; output is float32.

    Call arguments:
        inputs: float tensor ``(batch, samples)`` or ``(batch, samples, 1)``.

    Returns:
        ``(batch, frames, num_mel_bins)`` float32.

    Example::

        layer = LogMelSpectrogram(num_mel_bins=40)
        features = layer(np.zeros((1, 16000), "float32"))   # (1, 98, 40)
        # on the device: seqkeras_edge.features.log_mel_spectrogram(audio, layer.feature_config())
    """

    def __init__(
        self,
        sample_rate: int = SAMPLE_RATE,
        frame_ms: float = FRAME_MS,
        hop_ms: float = HOP_MS,
        fft_size: int = FFT_SIZE,
        num_mel_bins: int = NUM_MEL_BINS,
        lower_edge_hz: float = LOWER_EDGE_HZ,
        upper_edge_hz: float = UPPER_EDGE_HZ,
        log_floor: float = LOG_FLOOR,
        precision: str = "float64",
        **kwargs: Any,
    ) -> None:
        super().__init__(sample_rate, frame_ms, hop_ms, fft_size, precision, **kwargs)
        if not isinstance(num_mel_bins, (int, np.integer)) or num_mel_bins < 1:
            raise ValueError(f"num_mel_bins must be a positive integer, got {num_mel_bins!r}")
        if not log_floor > 0:
            raise ValueError(f"log_floor must be > 0, got {log_floor}")
        self.num_mel_bins = int(num_mel_bins)
        self.lower_edge_hz = float(lower_edge_hz)
        self.upper_edge_hz = float(upper_edge_hz)
        self.log_floor = float(log_floor)
        self._mel_matrix = mel_weight_matrix(
            self.num_mel_bins,
            self.fft_size // 2 + 1,
            self.sample_rate,
            self.lower_edge_hz,
            self.upper_edge_hz,
        ).astype(precision)

    def feature_config(self) -> FeatureConfig:
        """The equivalent ``seqkeras_edge.features.FeatureConfig`` (for the device/metadata)."""
        return FeatureConfig(
            sample_rate=self.sample_rate,
            frame_ms=self.frame_ms,
            hop_ms=self.hop_ms,
            fft_size=self.fft_size,
            num_mel_bins=self.num_mel_bins,
            lower_edge_hz=self.lower_edge_hz,
            upper_edge_hz=self.upper_edge_hz,
            log_floor=self.log_floor,
        )

    @classmethod
    def from_feature_config(cls, config: FeatureConfig, **kwargs: Any) -> LogMelSpectrogram:
        """Build the layer that computes the features described by ``config``."""
        return cls(**config.to_dict(), **kwargs)

    def call(self, inputs: Any) -> Any:
        mel = ops.matmul(self._power_spectrum(inputs), ops.convert_to_tensor(self._mel_matrix))
        return ops.cast(ops.log(ops.maximum(mel, self.log_floor)), "float32")

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self._frames_out(input_shape), self.num_mel_bins)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "num_mel_bins": self.num_mel_bins,
                "lower_edge_hz": self.lower_edge_hz,
                "upper_edge_hz": self.upper_edge_hz,
                "log_floor": self.log_floor,
            }
        )
        return config
