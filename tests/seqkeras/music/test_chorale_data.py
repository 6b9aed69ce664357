"""The chorale dataset reads note events (cached); the music encoding turns them into tokens."""

from fractions import Fraction

import music21
import pytest

from seqkeras.datasets import bach_chorales  # noqa: E402
from seqkeras.datasets.bach_chorales import (  # noqa: E402
    NoteEvent,
    chorale_names,
    load_bach_chorales,
    part_events,
)
from seqkeras.music import encode_events, encode_score, load_chorale_tokens  # noqa: E402


def test_part_events_keep_chords_rests_and_grace_notes():
    part = music21.stream.Part()
    part.append(music21.note.Note("E4", quarterLength=Fraction(1, 3)))
    tied = [music21.note.Note("G4", quarterLength=1), music21.note.Note("G4", quarterLength=1)]
    tied[0].tie, tied[1].tie = music21.tie.Tie("start"), music21.tie.Tie("stop")
    part.append(tied)
    part.append(music21.note.Rest(quarterLength=1.5))
    part.append(music21.chord.Chord(["C4", "G4"], quarterLength=2))
    grace = music21.note.Note("D5").getGrace()
    part.append(grace)
    assert part_events(part) == [
        NoteEvent((64,), Fraction(1, 3)),
        NoteEvent((67,), Fraction(2)),  # the tie merged
        NoteEvent((), Fraction(3, 2)),
        NoteEvent((60, 67), Fraction(2)),
        NoteEvent((74,), Fraction(0)),
    ]
    # The melody encoding: highest chord pitch, grace note dropped.
    assert encode_events(part_events(part)) == ["n64:1/3", "n67:2", "r:3/2", "n67:2"]


def test_dataset_is_cached_and_tokens_match_the_scores(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path))
    events = load_bach_chorales(limit=3, progress=False)
    names = chorale_names(3)
    assert list(events) == names
    assert all(isinstance(e, NoteEvent) for piece in events.values() for e in piece)
    assert (
        tmp_path / "music" / f"bach_chorales_part0_v{bach_chorales.CACHE_VERSION}.json"
    ).exists()

    def no_parsing(name):
        raise AssertionError(f"{name} parsed again instead of read from the cache")

    monkeypatch.setattr(music21.corpus, "parse", no_parsing)
    assert load_bach_chorales(limit=3, progress=False) == events
    tokens = load_chorale_tokens(limit=3, progress=False)
    monkeypatch.undo()
    for name in names:
        assert tokens[name] == encode_score(music21.corpus.parse(name))


def test_bad_part_index_names_the_range(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path))
    with pytest.raises(ValueError, match="part_index 9 out of range: the score has 4 part"):
        load_bach_chorales(limit=1, part_index=9, progress=False)
