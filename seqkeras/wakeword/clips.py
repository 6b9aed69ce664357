"""Mixing one training clip: background + keywords + negatives at random, non-overlapping places."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np

from seqkeras.audio.synth import NOISE_COLOURS, coloured_noise, db_to_gain, rms
from seqkeras.wakeword.background import BackgroundBank
from seqkeras.wakeword.bank import NEGATIVE_KINDS, UtteranceBank
from seqkeras.wakeword.data_config import WakewordDataConfig
from seqkeras.wakeword.labels import make_labels

CLIP_PEAK_LIMIT = 0.99


@dataclasses.dataclass(frozen=True)
class Segment:
    """An inserted utterance: samples ``[start, end)`` of the clip."""

    start: int
    end: int
    kind: str
    text: str
    voice: str

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Clip:
    """A mixed clip, what was inserted where, and its labels."""

    audio: np.ndarray
    segments: list[Segment]
    labels: np.ndarray

    @property
    def keyword_ends(self) -> list[int]:
        return [s.end for s in self.segments if s.kind == "keyword"]


def stretch(audio: np.ndarray, factor: float) -> np.ndarray:
    """Resample ``audio`` to ``round(len / factor)`` samples by linear interpolation (float64).

    ``factor > 1`` plays faster and higher, like a tape; 1.0 returns the samples unchanged.
    """
    samples = np.asarray(audio, dtype=np.float64)
    if factor == 1.0 or samples.size < 2:
        return samples
    length = max(2, int(round(samples.size / factor)))
    positions = np.linspace(0.0, samples.size - 1, length)
    return np.interp(positions, np.arange(samples.size), samples)


def band_limit(audio: np.ndarray, cutoff_hz: float, sample_rate: int) -> np.ndarray:
    """``audio`` with every frequency above ``cutoff_hz`` removed (an FFT brick wall), like
    8 kHz telephone audio or a cheap microphone."""
    samples = np.asarray(audio, dtype=np.float64)
    spectrum = np.fft.rfft(samples)
    spectrum[np.fft.rfftfreq(samples.size, 1.0 / sample_rate) > cutoff_hz] = 0.0
    return np.fft.irfft(spectrum, samples.size)


def spectral_tilt(audio: np.ndarray, db_per_octave: float, sample_rate: int) -> np.ndarray:
    """``audio`` through a filter whose gain is ``db_per_octave * log2(f / 1 kHz)`` dB,
    flat below 125 Hz (a different voice's, room's or microphone's spectral balance)."""
    samples = np.asarray(audio, dtype=np.float64)
    freqs = np.fft.rfftfreq(samples.size, 1.0 / sample_rate)
    octaves = np.log2(np.maximum(freqs, 125.0) / 1000.0)
    gain = 10.0 ** (db_per_octave * octaves / 20.0)
    return np.fft.irfft(np.fft.rfft(samples) * gain, samples.size)


def room_impulse_response(
    rt60_seconds: float, sample_rate: int, rng: np.random.Generator
) -> np.ndarray:
    """A synthetic room: the direct sound, then a tail of decaying noise whose energy falls
    60 dB in ``rt60_seconds`` (Sabine's exponential decay), starting after a short
    pre-delay; unit energy. No room recordings are available offline; this is the model
    that simple room simulators reduce to."""
    if not rt60_seconds > 0:
        raise ValueError(f"rt60_seconds must be > 0, got {rt60_seconds}")
    length = int(rt60_seconds * sample_rate)
    t = np.arange(length) / sample_rate
    tail = rng.standard_normal(length) * np.exp(-6.9078 * t / rt60_seconds)
    delay = int(rng.uniform(0.002, 0.01) * sample_rate)
    tail[:delay] = 0.0
    # Direct-to-reverberant ratio between -3 and +10 dB: near and far talkers.
    ratio = 10 ** (rng.uniform(-3.0, 10.0) / 10)
    tail *= np.sqrt(1.0 / (ratio * max(np.sum(tail**2), 1e-12)))
    tail[0] = 1.0
    return tail / np.sqrt(np.sum(tail**2))


def reverberate(audio: np.ndarray, response: np.ndarray) -> np.ndarray:
    """``audio`` convolved with ``response`` (FFT), cut to its own length plus the tail."""
    from scipy.signal import fftconvolve

    return fftconvolve(np.asarray(audio, np.float64), response)[: audio.size + response.size // 2]


def _augment(
    audio: np.ndarray, config: WakewordDataConfig, rng: np.random.Generator
) -> tuple[np.ndarray, int]:
    """Tape stretch (``stretch_range``), band limiting (``lowpass_probability``), a random
    spectral tilt (``tilt_probability``) and a room (``reverb_probability``).

    Returns the audio and where the spoken utterance ends in it (a room's reverberation
    tail comes after that: a keyword has been said when its direct sound ends)."""
    audio = stretch(audio, _stretch_factor(config, rng))
    spoken = audio.size
    if config.lowpass_probability > 0 and rng.random() < config.lowpass_probability:
        audio = band_limit(audio, float(rng.uniform(*config.lowpass_hz_range)), config.sample_rate)
    if config.tilt_probability > 0 and rng.random() < config.tilt_probability:
        tilt = float(rng.uniform(-config.tilt_db_per_octave, config.tilt_db_per_octave))
        audio = spectral_tilt(audio, tilt, config.sample_rate)
    # No draw when reverberation is off, so such clips match those of earlier versions.
    if config.reverb_probability > 0 and rng.random() < config.reverb_probability:
        rt60 = float(rng.uniform(*config.reverb_seconds_range))
        audio = reverberate(audio, room_impulse_response(rt60, config.sample_rate, rng))
    return audio, spoken


def _stretch_factor(config: WakewordDataConfig, rng: np.random.Generator) -> float:
    low, high = config.stretch_range
    return 1.0 if low == high == 1.0 else float(rng.uniform(low, high))


def place_segments(
    lengths: Sequence[int], total: int, min_gap: int, rng: np.random.Generator
) -> list[int]:
    """Random start positions for segments of ``lengths`` inside ``[0, total)``, in the given
    order, at least ``min_gap`` apart, never overlapping.

    The free room ``total - sum(lengths) - (n-1)*min_gap`` is split at ``n`` uniform
    random points, so every non-overlapping arrangement of that order is possible and
    no retry loop is needed. Raises ``ValueError`` when the segments cannot fit.
    """
    count = len(lengths)
    if count == 0:
        return []
    free = total - int(sum(lengths)) - (count - 1) * min_gap
    if free < 0:
        raise ValueError(f"segments of {sum(lengths)} samples (+ gaps) do not fit in {total}")
    cuts = np.sort(rng.integers(0, free + 1, size=count))
    starts, position, previous_cut = [], 0, 0
    for length, cut in zip(lengths, cuts, strict=True):
        position += int(cut - previous_cut)
        starts.append(position)
        position += int(length) + min_gap
        previous_cut = int(cut)
    return starts


def synthesize_clip(
    rng: np.random.Generator,
    bank: UtteranceBank,
    config: WakewordDataConfig,
    background: BackgroundBank | None = None,
    background_split: str | None = None,
    num_keywords: int | None = None,
    num_negatives: int | None = None,
    num_samples: int | None = None,
    real_speech_fraction: float = 0.0,
) -> Clip:
    """Mix one clip from ``bank`` (utterances) and ``background``.

    Args:
        rng: the only source of randomness (seeded by the caller).
        bank: utterances of the split.
        config: levels, counts, label grid.
        background: real background audio; ``None`` = coloured noise only.
        background_split: ``"train"``/``"test"`` files of ``background``.
        num_keywords / num_negatives: fixed counts (default: uniform 0..max).
        num_samples: clip length (default ``config.clip_samples``).
        real_speech_fraction: share of negatives taken from recorded speech (utterances of
            kind ``"real"`` in ``bank``, see ``UtteranceBank.load_real_speech``).
    """
    total = config.clip_samples if num_samples is None else num_samples
    keywords = (
        int(rng.integers(0, config.max_keywords + 1)) if num_keywords is None else num_keywords
    )
    negatives = (
        int(rng.integers(0, config.max_negatives + 1)) if num_negatives is None else num_negatives
    )
    hard_share = config.hard_negative_fraction
    # No draw at all when sentences are off, so such clips match those of earlier versions.
    in_sentences = config.sentence_fraction > 0 and bank.count("sentence") > 0
    chosen = [
        bank.choose(
            ["sentence"] if in_sentences and rng.random() < config.sentence_fraction else ["keyword"],
            rng,
        )
        for _ in range(keywords)
    ]
    for _ in range(negatives):
        if real_speech_fraction > 0 and bank.count("real") and rng.random() < real_speech_fraction:
            chosen.append(bank.choose(["real"], rng))
            continue
        kinds = ["hard"] if rng.random() < hard_share and bank.count("hard") else ["word", "phrase"]
        if not any(bank.count(k) for k in kinds):
            kinds = list(NEGATIVE_KINDS)
        chosen.append(bank.choose(kinds, rng))
    order = [chosen[i] for i in rng.permutation(len(chosen))]
    originals = [bank.samples(i) for i in order]
    augmented = [_augment(audio, config, rng) for audio in originals]
    pieces = [piece for piece, _ in augmented]
    spoken = [length for _, length in augmented]
    # The tape stretch moves a sentence's keyword end by the same ratio as its length.
    ratios = [length / max(audio.size, 1) for audio, length in zip(originals, spoken, strict=True)]
    min_gap = int(round(config.min_gap_seconds * config.sample_rate))
    # Drop utterances (last in the random order) until the rest fit.
    while pieces and sum(p.size for p in pieces) + (len(pieces) - 1) * min_gap > total:
        pieces.pop()
        order.pop()
        ratios.pop()
        spoken.pop()
    starts = place_segments([p.size for p in pieces], total, min_gap, rng)

    speech_level = db_to_gain(float(rng.uniform(*config.speech_dbfs_range)))
    mix = np.zeros(total, dtype=np.float64)
    segments = []
    for index, audio, start, ratio, said in zip(order, pieces, starts, ratios, spoken, strict=True):
        entry = bank.utterances[index]
        gain_db = float(rng.uniform(-config.utterance_gain_db, config.utterance_gain_db))
        level = speech_level * db_to_gain(gain_db) / max(rms(audio), 1e-9)
        mix[start : start + audio.size] += audio * level
        if entry.kind == "sentence" and entry.keyword_end is not None:
            # The sentence's keyword part (its end scaled by the tape stretch) is the
            # labelled keyword; the words after it are ordinary speech.
            end = start + max(1, min(audio.size, round(entry.keyword_end * ratio)))
            segments.append(Segment(start, end, "keyword", entry.text, entry.voice))
        else:
            segments.append(Segment(start, start + said, entry.kind, entry.text, entry.voice))

    background_rms = speech_level * db_to_gain(-float(rng.uniform(*config.snr_db_range)))
    use_real = background is not None and rng.random() < config.real_background_probability
    if use_real:
        assert background is not None
        noise = background.sample(total, rng, background_split).astype(np.float64)
        level = rms(noise)
        if level > 0:
            mix += noise * (background_rms / level)
        else:
            use_real = False
    if not use_real or rng.random() < config.noise_probability:
        colour = NOISE_COLOURS[int(rng.integers(len(NOISE_COLOURS)))]
        noise_rms = (
            background_rms
            if not use_real
            else speech_level * db_to_gain(-float(rng.uniform(*config.noise_snr_db_range)))
        )
        mix += coloured_noise(colour, total, rng).astype(np.float64) * noise_rms

    peak = float(np.max(np.abs(mix))) if total else 0.0
    if peak > CLIP_PEAK_LIMIT:
        mix *= CLIP_PEAK_LIMIT / peak
    segments.sort(key=lambda s: s.start)
    labels = make_labels([s.end for s in segments if s.kind == "keyword"], total, config.labels)
    return Clip(mix.astype(np.float32), segments, labels)
