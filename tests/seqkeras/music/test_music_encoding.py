from fractions import Fraction

import music21
import numpy as np
import pytest

from seqkeras.music import (  # noqa: E402
    BigramModel,
    decode_tokens,
    encode_score,
    histogram_distance,
    note_token,
    parse_token,
    perplexity_of,
    pitch_class_histogram,
    transpose_tokens,
    write_midi,
)


@pytest.fixture(scope="module")
def chorale():
    return music21.corpus.parse("bach/bwv66.6")


def test_chorale_tokens_match_music21_soprano(chorale):
    tokens = encode_score(chorale)
    soprano = chorale.parts[0].stripTies().flatten().notesAndRests
    expected = [(None if n.isRest else n.pitch.midi, Fraction(n.quarterLength)) for n in soprano]
    assert [parse_token(t) for t in tokens] == expected
    assert tokens[:3] == ["n73:1/2", "n71:1/2", "n69:1"]  # C#5 B4 A4, read off the score


def test_encode_decode_round_trip(chorale, tmp_path):
    tokens = encode_score(chorale)
    assert encode_score(decode_tokens(tokens)) == tokens
    path = write_midi(tokens, tmp_path / "x.mid")
    parsed = music21.converter.parse(path)
    assert encode_score(parsed) == tokens


def test_triplets_rests_and_chords_encode_exactly():
    s = music21.stream.Part()
    for ql in (Fraction(1, 3),) * 3:
        s.append(music21.note.Note("E4", quarterLength=ql))
    s.append(music21.note.Rest(quarterLength=1.5))
    s.append(music21.chord.Chord(["C4", "G4"], quarterLength=2))
    tokens = encode_score(s)
    assert tokens == ["n64:1/3", "n64:1/3", "n64:1/3", "r:3/2", "n67:2"]
    assert encode_score(decode_tokens(tokens)) == tokens


def test_transpose_and_bad_tokens():
    assert transpose_tokens(["n60:1", "r:1/2"], 3) == ["n63:1", "r:1/2"]
    with pytest.raises(ValueError, match="MIDI range"):
        transpose_tokens(["n126:1"], 5)
    for bad in ("x60:1", "n60", "n60:0", "n200:1"):
        with pytest.raises(ValueError):
            parse_token(bad)
    with pytest.raises(ValueError, match="duration"):
        note_token(60, 0)
    with pytest.raises(ValueError, match="no note tokens"):
        decode_tokens([])


def test_bigram_probabilities_by_hand():
    # ids 0 start, 1..3 tokens; sequences [1, 2], [1, 3]
    model = BigramModel(4, alpha=1.0).fit([np.array([1, 2]), np.array([1, 3])])
    lp = model.score_ids([np.array([1, 2])])[0]
    # P(1 | start) = (2 + 1) / (2 + 3) ; P(2 | 1) = (1 + 1) / (2 + 3)
    np.testing.assert_allclose(np.exp(lp), [3 / 5, 2 / 5])
    assert perplexity_of(model.score_ids, [np.array([1, 2])]) == pytest.approx(
        (3 / 5 * 2 / 5) ** -0.5
    )


def test_pitch_class_histogram_and_distance():
    hist = pitch_class_histogram([["n60:1", "n72:1", "n62:2", "r:4"]])
    expected = np.zeros(12)
    expected[0], expected[2] = 0.5, 0.5  # C for 2 beats, D for 2 beats
    np.testing.assert_allclose(hist, expected)
    other = np.zeros(12)
    other[0] = 1.0
    assert histogram_distance(hist, other) == pytest.approx(0.5)
    assert histogram_distance(hist, hist) == 0.0
    with pytest.raises(ValueError, match="no note"):
        pitch_class_histogram([["r:1"]])
