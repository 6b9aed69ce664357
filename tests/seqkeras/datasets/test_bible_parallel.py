"""Parsing diatheke output: titles before indented headers, poetry, footnotes, Strong's."""

import shutil

import pytest

from seqkeras.datasets.bible_parallel import (
    ENGLISH_MODULE,
    SPANISH_MODULE,
    VersePair,
    parse_diatheke,
    read_module,
    split_by_book,
    split_by_chapter,
)

RAW = """Psalms 2:12: Give sincere homage to the Son,
for his wrath will soon be kindled.
Blessed are all those who take refuge in him.


A Psalm by David, when he fled from Absalom his son.
  Psalms 3:1: Yahweh, how my adversaries have increased!
Many are those who rise up against me.
I Samuel 1:1: Now there was a certain man [1:1 or, Ramathaim] of Ramathaim.
Matthew 1:1: LIBRO de la generación de Jesucristo <G5547>, hijo de David.
Revelation of John 22:21: The grace of the Lord Jesus Christ be with all the saints. Amen.
   The following words used in the World English Bible are not very common.
(engWEB2015eb)
"""


def test_parse_handles_every_quirk_by_hand():
    verses = parse_diatheke(RAW)
    assert verses[("Psalms", 2, 12)] == (
        "Give sincere homage to the Son, for his wrath will soon be kindled. "
        "Blessed are all those who take refuge in him."
    )
    assert verses[("Psalms", 3, 1)] == (
        "Yahweh, how my adversaries have increased! Many are those who rise up against me."
    )
    assert verses[("I Samuel", 1, 1)] == "Now there was a certain man of Ramathaim."
    assert verses[("Matthew", 1, 1)] == "LIBRO de la generación de Jesucristo, hijo de David."
    assert verses[("Revelation of John", 22, 21)].endswith("saints. Amen.")
    assert len(verses) == 5


def test_splits_keep_books_and_chapters_apart():
    pairs = [VersePair(b, c, 1, "es", "en") for b in ("Mark", "Ruth", "John") for c in range(1, 21)]
    train, held = split_by_book(pairs, ("Mark",))
    assert {p.book for p in held} == {"Mark"} and "Mark" not in {p.book for p in train}
    train, held = split_by_chapter(pairs, every=10)
    assert {p.chapter for p in held} == {10, 20}
    assert not {(p.book, p.chapter) for p in train} & {(p.book, p.chapter) for p in held}
    with pytest.raises(ValueError, match="unknown book"):
        split_by_book(pairs, ("Mrak",))


@pytest.mark.skipif(shutil.which("diatheke") is None, reason="diatheke not installed")
def test_real_modules_give_aligned_clean_text():
    english = parse_diatheke(read_module(ENGLISH_MODULE, "f", keys="Gen 1:1-2"))
    spanish = parse_diatheke(read_module(SPANISH_MODULE, keys="Gen 1:1-2"))
    # the WEB's plain rendering alone reads "Godcreated"
    assert english[("Genesis", 1, 1)] == (
        "In the beginning, God created the heavens and the earth."
    )
    assert spanish[("Genesis", 1, 1)] == "EN el principio crió Dios los cielos y la tierra."
    assert set(english) == set(spanish) == {("Genesis", 1, 1), ("Genesis", 1, 2)}
    with pytest.raises(FileNotFoundError, match="apt-get install"):
        read_module("NoSuchModule", keys="Gen 1:1")
