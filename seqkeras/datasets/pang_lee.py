"""Pang & Lee's movie-review sentences: gensim's 200-sentence sample (real labels)."""

from __future__ import annotations

from ._errors import missing_package
from .labelled_text import LabelledTexts, read_labelled_texts

PANG_LEE_INSTALL = "pip install gensim"
PANG_LEE_FILE = "pang_lee_polarity.cor"
PANG_LEE_LABELS = ("neg", "pos")
PANG_LEE_ENCODING = "latin-1"


def load_pang_lee() -> LabelledTexts:
    """The 200 sentences (100 ``neg``, 100 ``pos``, in that order) of gensim's test data.

    They come from Pang & Lee's sentence polarity data (rotten tomatoes snippets):
    lower-cased and already tokenized ("it's so laddish and juvenile , only ...").

    Raises:
        MissingDatasetError: gensim is not installed (the message names the command).
    """
    try:
        from gensim.test.utils import datapath
    except ImportError as err:
        raise missing_package("Pang & Lee sentences (gensim's test data)", PANG_LEE_INSTALL) from err
    return read_labelled_texts(
        datapath(PANG_LEE_FILE), labels=PANG_LEE_LABELS, encoding=PANG_LEE_ENCODING, format="fasttext"
    )
