"""Signal helpers: RMS, decibels, coloured noise, mixing at an SNR, silence trimming."""

from __future__ import annotations

from typing import Any

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

NOISE_COLOURS = ("white", "pink", "brown")
SILENCE_THRESHOLD_DB = -40.0
SILENCE_PAD_MS = 20.0


def rms(audio: Any) -> float:
    """Root mean square of ``audio`` (0.0 for an empty array)."""
    samples = np.asarray(audio, dtype=np.float64)
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def db_to_gain(decibels: float) -> float:
    """Amplitude factor for ``decibels`` (20 log10 convention)."""
    return float(10.0 ** (decibels / 20.0))


def coloured_noise(
    colour: str, num_samples: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """White, pink (power ∝ 1/f) or brown (power ∝ 1/f²) noise with unit RMS, float32.

    Shaped in the frequency domain: white Gaussian noise's spectrum is multiplied by
    ``f^(-alpha/2)`` with alpha 0, 1, 2; the DC bin is zeroed.
    """
    if colour not in NOISE_COLOURS:
        raise ValueError(f"colour must be one of {NOISE_COLOURS}, got {colour!r}")
    if num_samples < 1:
        raise ValueError(f"num_samples must be >= 1, got {num_samples}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    white = rng.standard_normal(num_samples)
    alpha = NOISE_COLOURS.index(colour)
    if alpha:
        spectrum = np.fft.rfft(white)
        frequencies = np.fft.rfftfreq(num_samples)
        shape = np.zeros_like(frequencies)
        shape[1:] = frequencies[1:] ** (-alpha / 2.0)
        white = np.fft.irfft(spectrum * shape, n=num_samples)
    level = rms(white)
    return (white / level if level > 0 else white).astype(np.float32)


def mix_at_snr(signal: Any, noise: Any, snr_db: float) -> np.ndarray:
    """``signal + g * noise`` with ``g`` chosen so ``10 log10(P_signal / P_noise') = snr_db``.

    Both arrays must have the same length. Returns float32.
    """
    signal = np.asarray(signal, dtype=np.float64)
    noise = np.asarray(noise, dtype=np.float64)
    if signal.shape != noise.shape:
        raise ValueError(
            f"signal and noise must have the same shape, got {signal.shape} and {noise.shape}"
        )
    return (signal + scale_to_snr(noise, rms(signal), snr_db)).astype(np.float32)


def scale_to_snr(audio: Any, reference_rms: float, snr_db: float) -> np.ndarray:
    """Scale ``audio`` so ``10 log10(reference_rms² / rms(out)²) = snr_db``."""
    audio = np.asarray(audio, dtype=np.float64)
    level = rms(audio)
    if level == 0.0:
        raise ValueError("cannot scale silent audio to an SNR (its RMS is 0)")
    return audio * (reference_rms / level) * db_to_gain(-snr_db)


def trim_silence(
    audio: Any,
    sample_rate: int = SAMPLE_RATE,
    threshold_db: float = SILENCE_THRESHOLD_DB,
    pad_ms: float = SILENCE_PAD_MS,
) -> np.ndarray:
    """Cut leading and trailing samples quieter than ``threshold_db`` below the peak.

    The envelope is the max absolute value over 5 ms blocks; ``pad_ms`` of context is
    kept on both sides. TTS engines add silence, and a keyword's label must start where
    the speech ends, so utterances are trimmed before they are mixed.
    """
    samples = np.asarray(audio, dtype=np.float32)
    start, end = silence_bounds(samples, sample_rate, threshold_db, pad_ms)
    return samples[start:end]


def silence_bounds(
    audio: Any,
    sample_rate: int = SAMPLE_RATE,
    threshold_db: float = SILENCE_THRESHOLD_DB,
    pad_ms: float = SILENCE_PAD_MS,
) -> tuple[int, int]:
    """``(start, end)``: the samples :func:`trim_silence` keeps (``(0, 0)`` for silence)."""
    samples = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return 0, 0
    block = max(1, int(sample_rate * 0.005))
    usable = samples[: samples.size // block * block]
    if usable.size == 0:
        return 0, samples.size
    envelope = np.abs(usable).reshape(-1, block).max(axis=1)
    loud = np.flatnonzero(envelope >= peak * db_to_gain(threshold_db))
    pad = int(round(pad_ms * sample_rate / 1000.0))
    start = max(0, int(loud[0]) * block - pad)
    end = min(samples.size, (int(loud[-1]) + 1) * block + pad)
    return start, end


__all__ = [
    "NOISE_COLOURS",
    "SILENCE_PAD_MS",
    "SILENCE_THRESHOLD_DB",
    "coloured_noise",
    "db_to_gain",
    "mix_at_snr",
    "rms",
    "scale_to_snr",
    "silence_bounds",
    "trim_silence",
]
