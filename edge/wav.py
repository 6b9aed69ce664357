"""WAV reading and resampling in plain numpy (the runner cannot depend on soundfile/scipy).

Supports RIFF/WAVE PCM 8/16/24/32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE
holding either. Every malformed file raises :class:`AudioError` with a message that says
what is wrong (not a WAV, truncated, no samples, unsupported encoding).
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
_STREAMING_SIZES = (0, 0xFFFFFFFF)  # recorders that never patched the header
RESAMPLE_HALF_TAPS = 16
RESAMPLE_KAISER_BETA = 8.6
RESAMPLE_BLOCK = 8192


class AudioError(ValueError):
    """The audio file cannot be used (the message names the file and the problem)."""


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a WAV file as float32 ``(samples, channels)`` in [-1, 1] and its sample rate."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"audio file {str(path)!r} does not exist")
    data = path.read_bytes()
    name = str(path)
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(f"{name}: not a WAV file (no RIFF/WAVE header)")
    position = 12
    fmt = None
    payload = None
    while position + 8 <= len(data):
        chunk_id = data[position : position + 4]
        size = struct.unpack_from("<I", data, position + 4)[0]
        body = position + 8
        if chunk_id == b"data":
            available = len(data) - body
            if size in _STREAMING_SIZES:
                size = available
            if size > available:
                raise AudioError(
                    f"{name}: truncated WAV file: the header announces {size} bytes of audio "
                    f"but only {available} are present"
                )
            payload = data[body : body + size]
            break
        if body + size > len(data):
            raise AudioError(f"{name}: truncated WAV file (chunk {chunk_id!r} runs past the end)")
        if chunk_id == b"fmt ":
            if size < 16:
                raise AudioError(f"{name}: corrupt WAV 'fmt ' chunk ({size} bytes)")
            fmt = struct.unpack_from("<HHIIHH", data, body)
            if fmt[0] == WAVE_FORMAT_EXTENSIBLE and size >= 26:
                subformat = struct.unpack_from("<H", data, body + 24)[0]
                fmt = (subformat, *fmt[1:])
        position = body + size + (size & 1)
    if fmt is None:
        raise AudioError(f"{name}: corrupt WAV file (no 'fmt ' chunk before the audio)")
    if payload is None:
        raise AudioError(f"{name}: WAV file has no 'data' chunk (empty or truncated)")
    tag, channels, rate, _, block_align, bits = fmt
    if channels < 1 or rate < 1 or block_align < 1:
        raise AudioError(f"{name}: corrupt WAV header (channels={channels}, rate={rate})")
    if len(payload) % block_align:
        raise AudioError(
            f"{name}: truncated WAV file: {len(payload)} audio bytes is not a whole number of "
            f"{block_align}-byte frames"
        )
    samples = _decode(payload, tag, bits, name)
    if samples.size == 0:
        raise AudioError(f"{name}: WAV file contains no audio samples")
    return samples.reshape(-1, channels), int(rate)


def _decode(payload: bytes, tag: int, bits: int, name: str) -> np.ndarray:
    if tag == WAVE_FORMAT_PCM:
        if bits == 8:
            return (np.frombuffer(payload, np.uint8).astype(np.float32) - 128.0) / 128.0
        if bits == 16:
            return np.frombuffer(payload, "<i2").astype(np.float32) / 32768.0
        if bits == 24:
            raw = np.frombuffer(payload, np.uint8).reshape(-1, 3).astype(np.int32)
            value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
            value = np.where(value >= 1 << 23, value - (1 << 24), value)
            return value.astype(np.float32) / float(1 << 23)
        if bits == 32:
            return (np.frombuffer(payload, "<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    if tag == WAVE_FORMAT_IEEE_FLOAT and bits in (32, 64):
        return np.frombuffer(payload, "<f4" if bits == 32 else "<f8").astype(np.float32)
    raise AudioError(f"{name}: unsupported WAV encoding (format tag {tag:#06x}, {bits} bits)")


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of ``(samples, channels)`` audio."""
    return samples.mean(axis=1) if samples.ndim == 2 else samples


def resample(signal: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Band-limited resampling (Kaiser-windowed sinc, 32 taps) of a 1-D float signal."""
    if source_rate == target_rate:
        return signal.astype(np.float32)
    ratio = target_rate / source_rate
    cutoff = min(1.0, ratio)  # low-pass below the lower Nyquist frequency
    count = int(math.floor(len(signal) * ratio))
    out = np.empty(count, np.float32)
    padded = np.concatenate([np.zeros(RESAMPLE_HALF_TAPS), signal.astype(np.float64), np.zeros(RESAMPLE_HALF_TAPS + 1)])
    offsets = np.arange(-RESAMPLE_HALF_TAPS + 1, RESAMPLE_HALF_TAPS + 1)
    norm = np.i0(RESAMPLE_KAISER_BETA)
    for start in range(0, count, RESAMPLE_BLOCK):
        n = np.arange(start, min(count, start + RESAMPLE_BLOCK))
        position = n / ratio
        base = np.floor(position).astype(np.int64)
        taps = base[:, None] + offsets[None, :]
        distance = position[:, None] - taps
        window_arg = 1.0 - (distance / (RESAMPLE_HALF_TAPS + 1)) ** 2
        window = np.i0(RESAMPLE_KAISER_BETA * np.sqrt(np.clip(window_arg, 0.0, 1.0))) / norm
        weights = cutoff * np.sinc(cutoff * distance) * window
        out[n - 0] = np.sum(padded[taps + RESAMPLE_HALF_TAPS] * weights, axis=1)
    return out


def load_audio(path: str | Path, sample_rate: int) -> tuple[np.ndarray, int]:
    """Mono float32 samples at ``sample_rate`` and the file's original rate."""
    samples, rate = read_wav(path)
    return resample(to_mono(samples), rate, sample_rate), rate
