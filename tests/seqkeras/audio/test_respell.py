"""English respelled for Czech and Finnish voices (accented English speakers)."""

import shutil

import pytest

from seqkeras.audio.respell import CZECH, FINNISH, english_phonemes, respell


@pytest.mark.parametrize(
    "ipa, czech, finnish",
    [
        ("ˈæktᵻvˌeɪt", "ektyvejt", "äktiveit"),  # activate
        ("kˈæptᵻvˌeɪt", "keptyvejt", "käptiveit"),  # captivate
        ("ˌæktɪvˈeɪʃən", "ektyvejšen", "äktiveisen"),  # activation: Finnish has no /ʃ/
        ("ðə wˈɛðɚ", "de veder", "de veder"),  # the weather: no /ð/, /w/ in either
        ("tʃˈiːz", "číz", "tsiis"),  # cheese: Czech "č", Finnish long vowels doubled, no /z/
        ("tˈiːm", "tým", "tiim"),  # team: Czech "tí" would be palatal /ciː/, so "tý"
    ],
)
def test_respelling_by_hand(ipa, czech, finnish):
    assert respell(ipa, "cs") == czech
    assert respell(ipa, "fi") == finnish


def test_every_table_symbol_is_spelled_with_letters_of_the_voices_encoding():
    for table, encoding in ((CZECH, "iso-8859-2"), (FINNISH, "latin-1")):
        for symbol, letters in table.items():
            letters.encode(encoding)  # raises UnicodeEncodeError for a letter the voice cannot read
            assert letters == "" or letters.isalpha(), symbol


def test_unknown_symbol_and_language_are_named():
    with pytest.raises(ValueError, match="IPA symbol 'ʁ'"):
        respell("ʁoʊz", "cs")
    with pytest.raises(ValueError, match="language"):
        respell("tiːm", "de")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_espeak_phonemes_respell_for_every_text_the_wake_word_data_speaks():
    from seqkeras.wakeword.data_config import WakewordDataConfig

    config = WakewordDataConfig()
    texts = ["activate", *config.hard_negative_texts(), *config.word_texts()]
    phonemes = english_phonemes(texts)
    assert phonemes[0].replace("ˈ", "").replace("ˌ", "").startswith("ækt")
    for text, ipa in zip(texts, phonemes, strict=True):
        assert respell(ipa, "cs") and respell(ipa, "fi"), text
