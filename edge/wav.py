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
# The filter of scipy.signal.resample_poly (what seqkeras' training data went through):
# Kaiser window beta 5.0, 10 zero crossings of the lower rate's sinc on each side.
RESAMPLE_KAISER_BETA = 5.0
RESAMPLE_ZERO_CROSSINGS = 10
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
    """Band-limited polyphase resampling of a 1-D float signal: a numpy twin of
    ``scipy.signal.resample_poly(signal, up, down)`` (same Kaiser-windowed sinc, same
    alignment, same output length), so a file at another rate reaches the device model
    filtered exactly as seqkeras' training audio was (seqkeras.audio.resample)."""
    if source_rate <= 0 or target_rate <= 0:
        raise ValueError(f"sample rates must be > 0, got {source_rate} -> {target_rate}")
    if source_rate == target_rate:
        return signal.astype(np.float32)
    divisor = math.gcd(int(source_rate), int(target_rate))
    up, down = int(target_rate) // divisor, int(source_rate) // divisor
    taps = _resample_filter(up, down)
    half_len = (len(taps) - 1) // 2
    # resample_poly's alignment: the filter is zero-padded in front so that output 0 is the
    # sample at the filter's centre, and the first outputs of the full upfirdn are dropped.
    pre_pad = down - half_len % down
    first = (half_len + pre_pad) // down
    taps = np.concatenate([np.zeros(pre_pad), taps])
    # Polyphase table: output k reads x[i] with weight taps[t - i*up], t = (k + first)*down;
    # for phase p = t % up those are taps[p + j*up] against x[t // up - j], j = 0, 1, ...
    columns = -(-len(taps) // up)
    table = np.zeros((up, columns))
    for phase in range(up):
        row = taps[phase::up]
        table[phase, : len(row)] = row
    x = np.asarray(signal, np.float64)
    count = -(-len(x) * up // down)
    newest_last = ((count - 1 + first) * down) // up
    # x[i] sits at padded[i + columns]; zeros before it and after its end.
    padded = np.concatenate([np.zeros(columns), x, np.zeros(max(0, newest_last - len(x) + 1))])
    out = np.empty(count, np.float32)
    lags = np.arange(columns)
    for start in range(0, count, RESAMPLE_BLOCK):
        k = np.arange(start, min(count, start + RESAMPLE_BLOCK))
        t = (k + first) * down
        index = (t // up)[:, None] - lags[None, :] + columns
        out[k] = np.sum(padded[index] * table[t % up], axis=1)
    return out


def _resample_filter(up: int, down: int) -> np.ndarray:
    """``scipy.signal.firwin(2 * half_len + 1, 1 / max(up, down), window=("kaiser", 5.0)) * up``."""
    rate = max(up, down)
    half_len = RESAMPLE_ZERO_CROSSINGS * rate
    m = np.arange(-half_len, half_len + 1, dtype=np.float64)
    cutoff = 1.0 / rate
    taps = cutoff * np.sinc(cutoff * m) * np.kaiser(2 * half_len + 1, RESAMPLE_KAISER_BETA)
    return taps / taps.sum() * up


def load_audio(path: str | Path, sample_rate: int) -> tuple[np.ndarray, int]:
    """Mono float32 samples at ``sample_rate`` and the file's original rate."""
    samples, rate = read_wav(path)
    return resample(to_mono(samples), rate, sample_rate), rate
