"""Training-side log-mel features in TensorFlow float32, batched in ``tf.data``.

The device computes features with the numpy twin ``seqkeras_edge.features`` (float64);
training data is far larger, so it is featurized here, in float32 on TensorFlow's FFT,
with the numpy twin kept as the oracle (tested: max difference <= 1e-4 on real
recordings, noise, speech and music).

Plain float32 is not accurate enough everywhere. The FFT's rounding error in a frame is
about ``eps32 * |frame|``, spread over every frequency bin; a mel band that lies 70-80 dB
below the frame's loudest content (the empty upper bands of 8 kHz telephone audio
resampled to 16 kHz; the top bands of a phone recording with an anti-alias filter; a
bass-heavy music frame) then gets a relative error of 1e-4..1e-3, and so does its log.
Such frames are found from the float32 result itself — the quietest band's energy over
the frame's total power, below ``PRECISE_BAND_RATIO`` (measured: frames above it stay
within 5e-5 of the twin) — and only they are recomputed in float64 (about 15 % of the
frames of mixed training clips, 25 % of raw recordings).

Example::

    from seqkeras.wakeword.features import log_mel_batches

    features = log_mel_batches(audio)      # (n, samples) int16 or float -> (n, frames, 40) float32
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from seqkeras_edge.features import FeatureConfig, hann_window, mel_weight_matrix

# A frame whose quietest mel band holds less than this share of the frame's total power
# (60 dB below it) is recomputed in float64 (see the module docstring).
PRECISE_BAND_RATIO = 1e-6
# Cached int16 audio maps to floats as ``samples / 32767`` (``seqkeras.wakeword.cache``).
INT16_SCALE = 32767.0
DEFAULT_BATCH = 16


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
        self.window32 = tf.constant(window.astype(np.float32))
        self.window64 = tf.constant(window)
        self.mel32 = tf.constant(mel.astype(np.float32))
        self.mel64 = tf.constant(mel)
        self.function = tf.function(self._log_mel, reduce_retracing=True)

    def _mel(self, frames: Any, window: Any, mel: Any) -> tuple[Any, Any]:
        import tensorflow as tf

        spectrum = tf.signal.rfft(frames * window, fft_length=[self.config.fft_size])
        power = tf.math.square(tf.math.real(spectrum)) + tf.math.square(tf.math.imag(spectrum))
        return power, tf.matmul(power, mel)

    def _log_mel(self, audio: Any) -> Any:
        import tensorflow as tf

        if audio.dtype == tf.int16:
            audio = tf.cast(audio, tf.float32) / INT16_SCALE
        audio = tf.cast(audio, tf.float32)
        frames = tf.signal.frame(audio, self.frame_length, self.hop_length)
        shape = tf.shape(frames)
        flat = tf.reshape(frames, [-1, self.frame_length])
        power, mel = self._mel(flat, self.window32, self.mel32)
        mel = tf.maximum(mel, self.config.log_floor)
        quietest = tf.reduce_min(mel, axis=-1) / (tf.reduce_sum(power, axis=-1) + 1e-30)
        out = tf.math.log(mel)
        risky = tf.reshape(tf.where(quietest < PRECISE_BAND_RATIO), [-1])
        # The float32 frame samples are exact in float64: the recomputation sees the
        # same input as the numpy twin.
        _, precise = self._mel(
            tf.cast(tf.gather(flat, risky), tf.float64), self.window64, self.mel64
        )
        precise = tf.cast(tf.math.log(tf.maximum(precise, self.config.log_floor)), tf.float32)
        out = tf.tensor_scatter_nd_update(out, risky[:, None], precise)
        return tf.reshape(out, tf.concat([shape[:-1], [self.config.num_mel_bins]], axis=0))


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


def audio_batches(audio: np.ndarray, batch_size: int = DEFAULT_BATCH) -> Any:
    """A ``tf.data.Dataset`` of audio batches ``(batch, samples)`` of the rows of ``audio``
    ``(n, samples)`` (an array or a memory map: rows are read batch by batch), prefetched."""
    import tensorflow as tf

    if audio.ndim != 2:
        raise ValueError(f"audio must be (clips, samples), got shape {audio.shape}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
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
    """Features ``(n, frames, bins)`` float32 of every row of ``audio`` (batched in ``tf.data``).

    ``progress``: an object with ``update(n)`` (a tqdm bar), told after every batch.
    """
    config = config or FeatureConfig()
    frames = config.num_frames(audio.shape[1])
    if frames < 1:
        raise ValueError(
            f"clips of {audio.shape[1]} samples are shorter than one frame "
            f"({config.frame_length} samples)"
        )
    out = np.empty((len(audio), frames, config.num_mel_bins), dtype=np.float32)
    row = 0
    function = _features(config).function
    # The compiled function is called on each prefetched batch rather than mapped inside
    # the dataset: tf.data's map runs it on its own thread pool, measured 2-3x slower here.
    for batch in audio_batches(audio, batch_size):
        values = function(batch).numpy()
        out[row : row + len(values)] = values
        row += len(values)
        if progress is not None:
            progress.update(len(values))
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
