"""Transcript normalization, the character vocabulary and WUW-II marker stripping."""

import pytest

from seqkeras.speech import (
    CharVocabulary,
    character_error_rate,
    clean_wuw_transcription,
    normalize_transcript,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Please press 1, then 2.", "please press one then two"),
        ("A 28.8 kilobit modem", "a twenty eight point eight kilobit modem"),
        ("Call-Forward on Busy", "call forward on busy"),
        ("Waldo's \u201cpremier\u201d provider", "waldo's premier provider"),
        ("'quoted' words", "quoted words"),
        ("ThinkEngine", "think engine"),
        ("caf\u00e9  au   lait", "cafe au lait"),
        ("1,234 people", "one thousand two hundred and thirty four people"),
    ],
)
def test_normalize_transcript(raw, expected):
    assert normalize_transcript(raw) == expected


@pytest.mark.parametrize(
    ("raw", "text", "unclear", "cut_off"),
    [
        ("{breath} I'm +gonna say [click] _Voyager_", "i'm gonna say voyager", False, ()),
        ("[static/] Operator [/static] ", "operator", False, ()),
        ("{lip smack}Operator [background voices]", "operator", False, ()),
        ("I was traveling s- through space", "i was traveling through space", False, ("s-",)),
        ("[click] -perator [static]", "", False, ("-perator",)),
        ("wait a ju(-) wait a second", "wait a wait a second", False, ("ju-",)),
        ("((Nehal)) Goda", "goda", True, ()),
        ("[static\\] (( )) [\\static]", "", True, ()),
        (
            "^Star Trek *gonna ~TV <as> twoVoyager </as>",
            "star trek gonna tv two voyager",
            False,
            (),
        ),
        ("[[skip]]", "", False, ()),
    ],
)
def test_wuw_markers(raw, text, unclear, cut_off):
    clean = clean_wuw_transcription(raw)
    assert clean.text == text
    assert clean.unclear is unclear
    assert clean.cut_off == cut_off


def test_vocabulary_round_trip_and_errors():
    vocab = CharVocabulary()
    assert vocab.num_classes == 29 and vocab.encode(" ") == [1]
    assert vocab.decode(vocab.encode("don't stop")) == "don't stop"
    assert vocab.decode([0, 8, -1, 9]) == "gh"
    with pytest.raises(ValueError, match=r"outside the vocabulary: \['!', 'H'\]"):
        vocab.encode("Hi!")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        vocab.decode([30])
    with pytest.raises(ValueError, match="duplicate"):
        CharVocabulary("aab")


def test_character_error_rate_counts_edits():
    # "kitten" -> "sitting": 3 edits over 6 reference characters
    assert character_error_rate(["kitten"], ["sitting"]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="empty"):
        character_error_rate([""], ["a"])
