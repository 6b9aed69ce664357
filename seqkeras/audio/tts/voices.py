"""Choosing voices: every combination of names, speeds and pitches, or a random sample."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seqkeras.audio.tts.base import Voice


def voices_grid(
    engine: str,
    names: Sequence[str],
    speeds: Sequence[float] = (1.0,),
    pitches: Sequence[float | None] = (None,),
) -> list[Voice]:
    """Every combination of voice name, speed and pitch for one engine."""
    return [
        Voice(engine, name, speed, pitch) for name in names for speed in speeds for pitch in pitches
    ]


def sample_voices(
    engine: str,
    names: Sequence[str],
    count: int,
    rng: np.random.Generator,
    speed_range: tuple[float, float] = (0.8, 1.25),
    pitch_range: tuple[float, float] | None = None,
) -> list[Voice]:
    """``count`` random voices of ``engine``: names cycled in random order, random speed/pitch."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if not names:
        raise ValueError(f"no voice names given for engine {engine!r}")
    order = list(rng.permutation(len(names)))
    voices = []
    for index in range(count):
        name = names[order[index % len(names)]]
        speed = round(float(rng.uniform(*speed_range)), 2)
        pitch = None if pitch_range is None else round(float(rng.uniform(*pitch_range)))
        voices.append(Voice(engine, name, speed, pitch))
    return voices
