"""Phonetic near misses (CMU dictionary, espeak-ng), carrier sentences, real negatives split."""

from __future__ import annotations

import pocketsphinx  # noqa: F401  (the CMU dictionary ships in its wheel; audio extra)

from seqkeras.wakeword.phonetics import (
    edit_distance,
    ipa_to_arpabet,
    near_misses,
    partial_phrases,
    pronounce,
)
from seqkeras.wakeword.vocabulary import (
    CARRIER_SENTENCES,
    carrier_templates,
    contains_keyword,
    hard_negatives_for,
    keyword_sentences,
)


def test_edit_distance_by_hand():
    assert edit_distance("K AH M P Y UW T ER".split(), "K AH M Y UW T ER".split()) == 1
    assert edit_distance(["A", "B", "C"], ["A", "X", "C", "D"]) == 2
    assert edit_distance([], ["A", "B"]) == 2
    assert edit_distance(["A"] * 3, ["B"] * 9, limit=2) == 3  # stopped early: above the limit


def test_ipa_maps_to_the_cmu_phones():
    # espeak-ng's IPA for "computer" and "voyager" against the CMU dictionary's entries.
    assert ipa_to_arpabet("kəmpjˈuːɾɚ") == ("K", "AH", "M", "P", "Y", "UW", "T", "ER")
    assert ipa_to_arpabet("vˈɔɪɪdʒɚ") == ("V", "OY", "IH", "JH", "ER")
    assert pronounce("Computer") == ("K", "AH", "M", "P", "Y", "UW", "T", "ER")


def test_near_misses_of_computer_sound_close_and_are_never_the_keyword():
    found = near_misses("computer")
    assert "commuter" in found and "compute" in found
    assert "computer" not in found
    target = pronounce("computer")
    for text in found:
        phones = pronounce(text)
        assert phones != target
        # Nothing that contains the keyword's sound ("computers", "supercomputer").
        assert not any(
            phones[i : i + len(target)] == target for i in range(len(phones) - len(target) + 1)
        ), text
    assert len([t for t in found if " " in t]) >= 1  # word pairs too


def test_multi_word_keywords_get_their_partial_phrases():
    assert partial_phrases("smart mirror") == ["smart", "mirror"]
    assert partial_phrases("ok seqkeras go")[:2] == ["ok seqkeras", "seqkeras go"]
    found = hard_negatives_for("smart mirror")
    assert found[:2] == ("smart", "mirror")
    assert not any(contains_keyword(text, "smart mirror") for text in found)


def test_the_curated_list_of_activate_comes_first():
    found = hard_negatives_for("activate")
    assert found[:4] == ("activity", "active", "captivate", "activated")
    assert "aggravate" in found and "activate" not in found


def test_carriers_never_contain_the_keyword_themselves():
    assert len(keyword_sentences("computer")) == len(CARRIER_SENTENCES)
    for keyword in ("lights", "now", "the camera"):
        templates = carrier_templates(keyword)
        assert 0 < len(templates) < len(CARRIER_SENTENCES)
        for sentence, index in keyword_sentences(keyword):
            words = sentence.split()
            size = len(keyword.split())
            assert words[index - size + 1 : index + 1] == keyword.split()
            rest = words[: index - size + 1] + words[index + 1 :]
            assert not contains_keyword(" ".join(rest), keyword), sentence
