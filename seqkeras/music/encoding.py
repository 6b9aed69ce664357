"""Note tokens: one token per note or rest, pitch and duration together.

``"n67:1/2"`` is MIDI pitch 67 (G4) lasting half a quarter note; ``"r:1"`` a quarter
rest. Durations are exact fractions of a quarter note (triplets stay exact). A chord
contributes its highest pitch (the melody), ties are merged first, grace notes (zero
duration) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

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


def encode_part(part: Any) -> list[str]:
    """Tokens of a music21 part/stream (melody line)."""
    tokens = []
    for element in part.stripTies().flatten().notesAndRests:
        if element.quarterLength <= 0:
            continue  # grace note
        if element.isRest:
            tokens.append(note_token(None, element.quarterLength))
        elif element.isChord:
            tokens.append(note_token(max(p.midi for p in element.pitches), element.quarterLength))
        else:
            tokens.append(note_token(element.pitch.midi, element.quarterLength))
    return tokens


def encode_score(score: Any, part_index: int = 0) -> list[str]:
    """Tokens of one part of a music21 score (0 = soprano in the Bach chorales)."""
    parts = list(score.parts) if hasattr(score, "parts") and len(score.parts) else [score]
    if not -len(parts) <= part_index < len(parts):
        raise ValueError(
            f"part_index {part_index} out of range: the score has {len(parts)} part(s)"
        )
    return encode_part(parts[part_index])


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
