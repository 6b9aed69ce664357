"""Reading and writing audio files (WAV, FLAC, OGG/OGA through ``soundfile``)."""

from __future__ import annotations

import os
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE as SAMPLE_RATE
from seqkeras_edge.features import FeatureConfig as FeatureConfig
from seqkeras_edge.features import LowSampleRateWarning as LowSampleRateWarning
from seqkeras_edge.features import empty_mel_bands as empty_mel_bands
from seqkeras_edge.features import warn_if_upsampled as warn_if_upsampled

from seqkeras.atomic import atomic_path


def _soundfile() -> Any:
    try:
        import soundfile
    except (
        ImportError
    ) as error:  # pragma: no cover - soundfile is an install requirement of [audio]
        raise ImportError("reading audio needs soundfile: pip install soundfile") from error
    return soundfile


def resample(audio: np.ndarray, orig_rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling (``scipy.signal.resample_poly``) along the last axis.

    Args:
        audio: float samples, ``(samples,)`` or ``(..., samples)``.
        orig_rate: rate of ``audio`` in Hz.
        target_rate: wanted rate in Hz.

    Returns:
        float32 samples at ``target_rate``.
    """
    if orig_rate <= 0 or target_rate <= 0:
        raise ValueError(
            f"sample rates must be > 0, got orig_rate={orig_rate}, target_rate={target_rate}"
        )
    audio = np.asarray(audio, dtype=np.float32)
    if orig_rate == target_rate:
        return audio
    from scipy.signal import resample_poly

    divisor = gcd(int(orig_rate), int(target_rate))
    up, down = int(target_rate) // divisor, int(orig_rate) // divisor
    return resample_poly(audio, up, down, axis=-1).astype(np.float32)


def read_audio(path: str | os.PathLike[str], sample_rate: int | None = SAMPLE_RATE) -> np.ndarray:
    """Read an audio file as float32 mono samples in [-1, 1] at ``sample_rate``.

    Multi-channel audio is mixed down by averaging the channels; other rates are
    resampled with a polyphase filter.

    Args:
        path: a WAV, FLAC or OGG/OGA (Vorbis) file.
        sample_rate: output rate in Hz (default 16000); ``None`` keeps the file's rate.

    Returns:
        1-D float32 array.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not readable audio, or holds no samples.

    Warns:
        LowSampleRateWarning: the file's rate is below ``sample_rate`` (e.g. 8 kHz
            telephone audio read at 16 kHz); the message names the rate and the mel bands
            of the front end that stay empty.

    Example::

        audio = read_audio("/usr/share/asterisk/sounds/en_US_f_Allison/activated.wav")
    """
    audio, rate = read_audio_with_rate(path)
    if sample_rate is not None and rate != sample_rate:
        if rate < sample_rate:
            warn_if_upsampled(rate, FeatureConfig() if sample_rate == SAMPLE_RATE else None)
        audio = resample(audio, rate, sample_rate)
    return audio


def read_audio_with_rate(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Like :func:`read_audio` without resampling: ``(mono float32 samples, file rate)``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"audio file not found: {path}")
    if path.is_dir():
        raise ValueError(f"{path} is a directory, not an audio file")
    soundfile = _soundfile()
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, soundfile.LibsndfileError, TypeError, ValueError) as error:
        raise ValueError(
            f"cannot read audio file {path}: not a readable WAV/FLAC/OGG file ({error})"
        ) from error
    if data.shape[0] == 0:
        raise ValueError(f"audio file {path} holds no samples")
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def write_audio(path: str | os.PathLike[str], audio: Any, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write float samples as a 16-bit PCM WAV file, atomically (temp file + ``os.replace``).

    Samples are clipped to [-1, 1]. Returns the path written.
    """
    path = Path(path)
    samples = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    if samples.ndim != 1:
        raise ValueError(f"write_audio expects 1-D mono samples, got shape {samples.shape}")
    with atomic_path(path) as temp:
        _soundfile().write(temp, samples, sample_rate, subtype="PCM_16", format="WAV")
    return path
