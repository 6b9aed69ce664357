"""Training-side log-mel features in TensorFlow float32, equal to the numpy twin within 1e-4.

The device computes features with the numpy twin ``seqkeras_edge.features`` (float64);
training data is far larger, so it is featurized here, in float32 on TensorFlow's FFT in
one XLA-compiled function per batch shape, with the numpy twin kept as the oracle
(tested: max difference <= 1e-4 on real recordings, noise, speech and music).

Plain float32 is not accurate enough everywhere. The FFT's rounding error is about
``eps32 * |frame|``, spread like white noise over the bins, so a mel band holding a share
``r`` of the frame's total power gets a relative error of about ``c / sqrt(r)``: with
``u = 2**-24``, ``log2(fft_size) = 9`` rounding stages and ``fft_size / 2`` bins, the rms is
``2 * 3u * sqrt(2 / 512) / sqrt(r) = 2.2e-8 / sqrt(r)``, and measured on the benchmark's
clips the largest ``error * sqrt(r)`` is 5.5e-8, so 1e-4 is crossed near ``r = 3e-7``. The
quiet bands are nearly always the upper ones (8 kHz telephone audio resampled to 16 kHz,
anti-alias filters, brown noise, bass notes) while the power sits low. So the float32
transform is taken of the pre-emphasized frame ``d_n = v_n - a v_{n-1}`` (``v``: the
windowed, zero-padded frame; ``a = EMPHASIS``), circular over the FFT length so that
``D_k = (1 - a exp(-2 pi i k / fft_size)) V_k`` holds exactly, and the mel matrix divides
``|D_k|^2`` by ``|H_k|^2 = |1 - a exp(-2 pi i k / fft_size)|^2`` again. The rounding error
is now relative to ``|d|``, 20-25 dB under ``|v|`` for speech-like frames, while the upper
bands gain up to 5.6 dB; ``d`` is computed in float64 and rounded once, so its own rounding
is relative to ``d`` as well. A frame is recomputed in float64 (the twin's arithmetic)
when a band seen through the transform is still quiet:
``min_m max(B_m, floor) * min_{k in m} |H_k|^2 < PRECISE_BAND_RATIO * sum_k |D_k|^2``
(a band under the log floor counts at the floor: clipping there only shrinks a
difference). That keeps every other band within ``5.5e-8 / sqrt(1e-6) = 5.5e-5`` of the
twin and sends 3 % of the frames of the benchmark's training-like clips to float64
(18 % without the pre-emphasis).

Example::

    from seqkeras.wakeword.features import log_mel_batches

    features = log_mel_batches(audio)      # (n, samples) int16 or float -> (n, frames, 40) float32
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from seqkeras_edge.features import FeatureConfig, hann_window, mel_weight_matrix

# A frame whose quietest mel band, seen through the pre-emphasis, holds less than this
# share of the transformed frame's total power (60 dB below it) is recomputed in float64
# (see the module docstring).
PRECISE_BAND_RATIO = 1e-6
# The float32 transform is of the pre-emphasized frame d_n = v_n - a v_{n-1} (v: the windowed
# frame); the mel matrix divides by |1 - a e^{-iw}|^2 again. 0.9: at most 20 dB loss for a
# band at DC, about 20 dB gain for the upper bands of speech (see the module docstring).
EMPHASIS = 0.9
# Cached int16 audio maps to floats as ``samples / 32767`` (``seqkeras.wakeword.cache``).
INT16_SCALE = 32767.0
DEFAULT_BATCH = 4
# Batches featurized at once by log_mel_batches (one core each).
WORKERS = 2


class _Features:
    """The compiled feature function of one ``FeatureConfig``."""

    def __init__(self, config: FeatureConfig) -> None:
        import tensorflow as tf

        self.config = config
        self.frame_length = config.frame_length
        self.hop_length = config.hop_length
        window = hann_window(config.frame_length)
        mel = mel_weight_matrix(
            config.num_mel_bins,
            config.num_spectrogram_bins,
            config.sample_rate,
            config.lower_edge_hz,
            config.upper_edge_hz,
        )
        # d_n = w_n v_n - a w_{n-1} v_{n-1} over n = 0..frame_length (w is 0 outside the
        # frame), written as window_e * e_n - window_x * x_{n-1} with e = x - a x_{-1}.
        extended = np.append(window, 0.0)
        previous = np.concatenate([[0.0], window])
        self.window_e = tf.constant(extended.astype(np.float32))
        self.window_x = tf.constant((EMPHASIS * (previous - extended)).astype(np.float32))
        gain = emphasis_gain(config)
        # One matmul gives the mel energies of the frame (|D_k|^2 / |H_k|^2 = |V_k|^2) and,
        # in the last column, the total power of the transformed frame d.
        self.matrix32 = tf.constant(
            np.concatenate([mel / gain[:, None], np.ones((len(gain), 1))], axis=1).astype(
                np.float32
            )
        )
        self.band_gain = tf.constant(band_gain(mel, gain).astype(np.float32))
        self.window64 = tf.constant(window)
        self.mel64 = tf.constant(mel)
        self.dense = tf.function(self._dense, jit_compile=True)
        self.function = tf.function(self._log_mel, reduce_retracing=True)

    def _dense(self, audio: Any) -> tuple[Any, Any]:
        """float32 log-mel of every frame (pre-emphasized transform) and the frames to redo."""
        import tensorflow as tf

        config = self.config
        length = self.frame_length + 1
        # Computed in float64 and rounded once, so e's rounding error is relative to e
        # (small where the frame is dominated by low frequencies), not to x.
        shifted = tf.pad(audio, [[0, 0], [1, 0]])
        emphasized = tf.cast(
            tf.cast(audio, tf.float64) - EMPHASIS * tf.cast(shifted[:, :-1], tf.float64),
            tf.float32,
        )
        emphasized = tf.pad(emphasized, [[0, 0], [0, 1]])
        frames_e = tf.reshape(tf.signal.frame(emphasized, length, self.hop_length), [-1, length])
        frames_x = tf.reshape(tf.signal.frame(shifted, length, self.hop_length), [-1, length])
        transformed = frames_e * self.window_e - frames_x * self.window_x
        if config.fft_size < length:  # fft_size == frame_length: the last sample wraps around
            transformed = tf.concat(
                [transformed[:, :1] + transformed[:, -1:], transformed[:, 1:-1]], axis=1
            )
        spectrum = tf.signal.rfft(transformed, fft_length=[config.fft_size])
        power = tf.math.square(tf.math.real(spectrum)) + tf.math.square(tf.math.imag(spectrum))
        energies = tf.matmul(power, self.matrix32)
        mel = tf.maximum(energies[:, :-1], config.log_floor)
        total = energies[:, -1]
        risky = tf.reduce_min(mel * self.band_gain, axis=-1) < PRECISE_BAND_RATIO * total
        return tf.math.log(mel), risky

    def _log_mel(self, audio: Any) -> Any:
        import tensorflow as tf

        if audio.dtype == tf.int16:
            audio = tf.cast(audio, tf.float32) / INT16_SCALE
        audio = tf.cast(audio, tf.float32)
        batch, samples = tf.shape(audio)[0], tf.shape(audio)[1]
        frames = tf.maximum(1 + (samples - self.frame_length) // self.hop_length, 0)
        out, risky = self.dense(audio)
        risky = tf.reshape(tf.where(risky), [-1])
        # The flagged frames, gathered from the audio: float32 samples are exact in float64,
        # so the recomputation sees the same input as the numpy twin.
        starts = (risky // tf.cast(frames, tf.int64)) * tf.cast(samples, tf.int64) + (
            risky % tf.cast(frames, tf.int64)
        ) * self.hop_length
        index = starts[:, None] + tf.range(self.frame_length, dtype=tf.int64)[None, :]
        flagged = tf.cast(tf.gather(tf.reshape(audio, [-1]), index), tf.float64)
        spectrum = tf.signal.rfft(flagged * self.window64, fft_length=[self.config.fft_size])
        power = tf.math.square(tf.math.real(spectrum)) + tf.math.square(tf.math.imag(spectrum))
        precise = tf.math.log(tf.maximum(tf.matmul(power, self.mel64), self.config.log_floor))
        out = tf.tensor_scatter_nd_update(out, risky[:, None], tf.cast(precise, tf.float32))
        return tf.reshape(out, [batch, frames, self.config.num_mel_bins])


def emphasis_gain(config: FeatureConfig) -> np.ndarray:
    """``|H_k|^2 = |1 - a exp(-2 pi i k / fft_size)|^2`` of the pre-emphasis, per rfft bin."""
    omega = 2.0 * np.pi * np.arange(config.num_spectrogram_bins) / config.fft_size
    return 1.0 - 2.0 * EMPHASIS * np.cos(omega) + EMPHASIS**2


def band_gain(mel: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """The smallest ``|H_k|^2`` under each mel band (1 for a band that covers no bin)."""
    covered = mel > 0
    return np.array(
        [
            gain[covered[:, band]].min() if covered[:, band].any() else 1.0
            for band in range(mel.shape[1])
        ]
    )


_COMPILED: dict[FeatureConfig, _Features] = {}


def _features(config: FeatureConfig | None) -> _Features:
    config = config or FeatureConfig()
    if config not in _COMPILED:
        _COMPILED[config] = _Features(config)
    return _COMPILED[config]


def log_mel_tf(audio: Any, config: FeatureConfig | None = None) -> Any:
    """Log-mel features of ``audio`` ``(..., samples)`` as a float32 tensor ``(..., frames, bins)``.

    ``audio`` is float (any precision; computed from its float32 value) or int16 (read as
    ``samples / 32767``, the wake-word cache's scale). Same framing and values as
    ``seqkeras_edge.features.log_mel_spectrogram`` to within 1e-4. Usable inside
    ``tf.data.Dataset.map``.
    """
    import tensorflow as tf

    audio = tf.convert_to_tensor(audio)
    if audio.shape.rank is not None and audio.shape.rank == 0:
        raise ValueError("audio must be (samples,) or (batch, samples), got a scalar")
    features = _features(config)
    if audio.shape.rank == 1:
        return features.function(audio[None])[0]
    return features.function(audio)


def _check_batches(audio: np.ndarray, batch_size: int) -> None:
    if audio.ndim != 2:
        raise ValueError(f"audio must be (clips, samples), got shape {audio.shape}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")


def audio_batches(audio: np.ndarray, batch_size: int = DEFAULT_BATCH) -> Any:
    """A ``tf.data.Dataset`` of audio batches ``(batch, samples)`` of the rows of ``audio``
    ``(n, samples)`` (an array or a memory map: rows are read batch by batch), prefetched."""
    import tensorflow as tf

    _check_batches(audio, batch_size)
    dtype = tf.int16 if audio.dtype == np.int16 else tf.float32

    def batches() -> Iterator[np.ndarray]:
        for start in range(0, len(audio), batch_size):
            block = np.asarray(audio[start : start + batch_size])
            yield block if dtype == tf.int16 else block.astype(np.float32)

    return tf.data.Dataset.from_generator(
        batches, output_signature=tf.TensorSpec((None, audio.shape[1]), dtype)
    ).prefetch(2)


def log_mel_dataset(
    audio: np.ndarray, config: FeatureConfig | None = None, batch_size: int = DEFAULT_BATCH
) -> Any:
    """A ``tf.data.Dataset`` of feature batches ``(batch, frames, bins)`` for the rows of
    ``audio`` (:func:`audio_batches` mapped through :func:`log_mel_tf`)."""
    features = _features(config)
    return audio_batches(audio, batch_size).map(features.function)


def log_mel_batches(
    audio: np.ndarray,
    config: FeatureConfig | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Any = None,
) -> np.ndarray:
    """Features ``(n, frames, bins)`` float32 of every row of ``audio`` (an array or a memory
    map: rows are read batch by batch), ``batch_size`` rows per compiled call.

    ``progress``: an object with ``update(n)`` (a tqdm bar), told after every batch.
    """
    _check_batches(audio, batch_size)
    config = config or FeatureConfig()
    frames = config.num_frames(audio.shape[1])
    if frames < 1:
        raise ValueError(
            f"clips of {audio.shape[1]} samples are shorter than one frame "
            f"({config.frame_length} samples)"
        )
    out = np.empty((len(audio), frames, config.num_mel_bins), dtype=np.float32)
    function = _features(config).function

    def featurize(start: int) -> int:
        block = np.asarray(audio[start : start + batch_size])
        if block.dtype != np.int16:
            block = block.astype(np.float32, copy=False)
        out[start : start + len(block)] = function(block).numpy()
        return len(block)

    # Batches go straight to the compiled function, two at a time (TensorFlow releases the
    # GIL; one batch runs on one core): tf.data's from_generator and map were measured
    # 2-3x slower here.
    with ThreadPoolExecutor(max(1, min(WORKERS, os.cpu_count() or 1))) as pool:
        for count in pool.map(featurize, range(0, len(audio), batch_size)):
            if progress is not None:
                progress.update(count)
    return out


def log_mel_stream(
    audio: np.ndarray, config: FeatureConfig | None = None, chunk_frames: int = 6000
) -> np.ndarray:
    """Features ``(frames, bins)`` of one long signal, computed ``chunk_frames`` frames at a
    time (frames are independent, so this equals one call on the whole signal while memory
    stays bounded)."""
    config = config or FeatureConfig()
    if chunk_frames < 1:
        raise ValueError(f"chunk_frames must be >= 1, got {chunk_frames}")
    total = config.num_frames(len(audio))
    out = np.empty((total, config.num_mel_bins), dtype=np.float32)
    span = (chunk_frames - 1) * config.hop_length + config.frame_length
    for first in range(0, total, chunk_frames):
        start = first * config.hop_length
        piece = np.asarray(audio[start : start + span], dtype=np.float32)
        values = np.asarray(log_mel_tf(piece, config))
        out[first : first + len(values)] = values
    return out
