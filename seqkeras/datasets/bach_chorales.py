"""Bach chorales bundled with music21: the notes and rests of one voice (cached).

This module only reads the scores: each element of a part becomes a :class:`NoteEvent`
(its MIDI pitches — none for a rest, several for a chord — and its exact duration in
quarter notes, tied notes merged). Turning events into model tokens (which pitch of a
chord, what to do with grace notes) is :func:`seqkeras.music.encode_events`.
"""

from __future__ import annotations

import json
import os
from fractions import Fraction
from typing import Any, NamedTuple

from ..atomic import write_json_atomic
from ._errors import missing_package
from .cache import cache_root

MUSIC21_INSTALL = "pip install music21"
# v2: note events (v1 held tokens, written by the music encoding).
CACHE_VERSION = 2


class NoteEvent(NamedTuple):
    """One note, chord or rest of a part: ``pitches`` are MIDI numbers (``()`` for a
    rest), ``duration`` is in quarter notes (0 for a grace note)."""

    pitches: tuple[int, ...]
    duration: Fraction


def cache_dir() -> str:
    return str(cache_root() / "music")


def _music21_corpus() -> Any:
    try:
        from music21 import corpus
    except ImportError as err:
        raise missing_package("music21", MUSIC21_INSTALL) from err
    return corpus


def chorale_names(limit: int | None = None) -> list[str]:
    """Corpus paths of music21's 371 Riemenschneider chorales (``"bach/bwv269"``, ...)."""
    corpus = _music21_corpus()
    names = [str(n) for n in corpus.chorales.Iterator(returnType="filename")]
    return names[:limit] if limit else names


def part_events(part: Any) -> list[NoteEvent]:
    """The notes, chords and rests of a music21 part/stream in order, ties merged."""
    events = []
    for element in part.stripTies().flatten().notesAndRests:
        if element.isRest:
            pitches: tuple[int, ...] = ()
        elif element.isChord:
            pitches = tuple(int(p.midi) for p in element.pitches)
        else:
            pitches = (int(element.pitch.midi),)
        events.append(NoteEvent(pitches, Fraction(element.quarterLength)))
    return events


def score_part(score: Any, part_index: int = 0) -> Any:
    """Part ``part_index`` of a music21 score (0 = soprano in the chorales); a plain
    stream is its own only part."""
    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    if not -len(parts) <= part_index < len(parts):
        raise ValueError(
            f"part_index {part_index} out of range: the score has {len(parts)} part(s)"
        )
    return parts[part_index]


def _to_json(events: list[NoteEvent]) -> list[list[Any]]:
    return [[list(e.pitches), str(e.duration)] for e in events]


def _from_json(rows: list[list[Any]]) -> list[NoteEvent]:
    return [NoteEvent(tuple(pitches), Fraction(duration)) for pitches, duration in rows]


def load_bach_chorales(
    limit: int | None = None, part_index: int = 0, progress: bool = True
) -> dict[str, list[NoteEvent]]:
    """``{name: events}`` of one voice (0 = soprano) of the chorales, parsed once and
    cached under ``$SEQKERAS_CACHE/music`` (default ``~/.cache/seqkeras/music``).

    Chorales whose part holds no note or rest are left out.
    """
    corpus = _music21_corpus()
    names = chorale_names(limit)
    path = os.path.join(cache_dir(), f"bach_chorales_part{part_index}_v{CACHE_VERSION}.json")
    cached: dict[str, list[list[Any]]] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            cached = json.load(f)
    missing = [n for n in names if n not in cached]
    if missing:
        iterator = missing
        if progress:
            from tqdm import tqdm

            iterator = tqdm(missing, desc="parsing chorales", unit="chorale")
        for name in iterator:
            cached[name] = _to_json(part_events(score_part(corpus.parse(name), part_index)))
        write_json_atomic(path, cached, indent=None)
    return {n: _from_json(cached[n]) for n in names if cached.get(n)}
