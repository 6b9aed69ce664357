"""Note tokens: one token per note or rest, pitch and duration together.

``"n67:1/2"`` is MIDI pitch 67 (G4) lasting half a quarter note; ``"r:1"`` a quarter
rest. Durations are exact fractions of a quarter note (triplets stay exact). A chord
contributes its highest pitch (the melody), ties are merged first, grace notes (zero
duration) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..datasets.bach_chorales import NoteEvent

REST = "r"
# Shortest grid kept exact: 1/48 of a quarter note covers 64ths and their triplets.
DURATION_GRID = 48
MIDI_RANGE = range(0, 128)
_TOKEN = re.compile(r"^(?:n(\d{1,3})|r):(\d+(?:/\d+)?)$")


def note_token(midi: int | None, quarter_length: Fraction | float) -> str:
    """Token of one note (``midi``) or rest (``None``)."""
    duration = Fraction(quarter_length).limit_denominator(DURATION_GRID)
    if duration <= 0:
        raise ValueError(f"duration must be > 0 quarter notes; got {quarter_length}")
    if midi is not None and midi not in MIDI_RANGE:
        raise ValueError(f"MIDI pitch must be in 0..127; got {midi}")
    return f"{REST if midi is None else f'n{midi}'}:{duration}"


def parse_token(token: str) -> tuple[int | None, Fraction]:
    """``"n67:1/2"`` → ``(67, Fraction(1, 2))``; ``"r:1"`` → ``(None, Fraction(1))``."""
    match = _TOKEN.match(token)
    if not match:
        raise ValueError(f"not a note token: {token!r} (expected like 'n67:1/2' or 'r:1')")
    pitch = None if match.group(1) is None else int(match.group(1))
    if pitch is not None and pitch not in MIDI_RANGE:
        raise ValueError(f"MIDI pitch must be in 0..127; got {token!r}")
    duration = Fraction(match.group(2))
    if duration <= 0:
        raise ValueError(f"duration must be > 0 in {token!r}")
    return pitch, duration


def encode_events(events: Iterable[NoteEvent]) -> list[str]:
    """Tokens of a part's note events (from :func:`seqkeras.datasets.bach_chorales.part_events`):
    a chord gives its highest pitch (the melody), grace notes (zero duration) are dropped."""
    tokens = []
    for pitches, duration in events:
        if duration <= 0:
            continue  # grace note
        tokens.append(note_token(max(pitches) if pitches else None, duration))
    return tokens


def encode_part(part: Any) -> list[str]:
    """Tokens of a music21 part/stream (melody line; ties merged first)."""
    from ..datasets.bach_chorales import part_events

    return encode_events(part_events(part))


def encode_score(score: Any, part_index: int = 0) -> list[str]:
    """Tokens of one part of a music21 score (0 = soprano in the Bach chorales)."""
    from ..datasets.bach_chorales import score_part

    return encode_part(score_part(score, part_index))


def load_chorale_tokens(
    limit: int | None = None, part_index: int = 0, progress: bool = True
) -> dict[str, list[str]]:
    """``{name: tokens}`` of one voice of music21's Bach chorales (see
    :func:`seqkeras.datasets.load_bach_chorales`); pieces without a token are left out."""
    from ..datasets.bach_chorales import load_bach_chorales

    pieces = load_bach_chorales(limit=limit, part_index=part_index, progress=progress)
    tokens = {name: encode_events(events) for name, events in pieces.items()}
    return {name: t for name, t in tokens.items() if t}


def transpose_tokens(tokens: Sequence[str], semitones: int) -> list[str]:
    """Shifts every pitch by ``semitones`` (rests unchanged); used for augmentation."""
    out = []
    for token in tokens:
        pitch, duration = parse_token(token)
        if pitch is not None:
            pitch += semitones
            if pitch not in MIDI_RANGE:
                raise ValueError(f"transposing {token!r} by {semitones} leaves the MIDI range")
        out.append(note_token(pitch, duration))
    return out


def decode_tokens(tokens: Sequence[str], tempo_bpm: float | None = None) -> Any:
    """A music21 ``Score`` with one part holding the tokens' notes and rests."""
    from music21 import meter, note, stream, tempo

    if len(tokens) == 0:
        raise ValueError("no note tokens to decode")
    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    if tempo_bpm is not None:
        part.append(tempo.MetronomeMark(number=tempo_bpm))
    for token in tokens:
        pitch, duration = parse_token(token)
        element = note.Rest() if pitch is None else note.Note(midi=pitch)
        element.quarterLength = duration
        part.append(element)
    score = stream.Score()
    score.insert(0, part)
    return score
