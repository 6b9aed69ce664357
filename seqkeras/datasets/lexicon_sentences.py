"""Synthetic negation sentences from VADER's sentiment lexicon (training augmentation).

Pang & Lee's 200 sentences hold few negations, too few for a network to learn what
"not" does (course 2.9). These sentences show it with words of known valence (VADER's
7.5k human-rated lexicon): "{w}", "not {w}", "the film is {w}", "the film is not {w}",
"{a} but {b}" (a and b of opposite sign; the clause after "but" decides). Labels are
``pos``/``neg`` from the sign of the valence, flipped by "not".

Keep them away from evaluation: pass the evaluation words in ``exclude`` (the
``sentiment`` recipe excludes every word of the negation probe, whose templates are
different too, so the probe measures whether negation learned on other words and
contexts carries over through the word vectors).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

import numpy as np

from ._errors import missing_package
from .labelled_text import LabelledTexts

VADER_INSTALL = "pip install vaderSentiment"
MIN_VALENCE = 1.5  # VADER rates -4..4; 1.5 leaves clearly polar words only
_WORD = re.compile("[a-z]+")
_TEMPLATES = ("{w}", "not {w}", "the film is {w}", "the film is not {w}", "{a} but {b}")


def vader_lexicon() -> dict[str, float]:
    """Lower-case alphabetic words of VADER's lexicon and their mean valence."""
    try:
        import vaderSentiment
    except ImportError as err:
        raise missing_package("VADER's lexicon (package 'vaderSentiment')", VADER_INSTALL) from err
    path = os.path.join(os.path.dirname(vaderSentiment.__file__), "vader_lexicon.txt")
    words = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split("\t")
            if len(fields) >= 2 and _WORD.fullmatch(fields[0]):
                words[fields[0]] = float(fields[1])
    return words


def negation_sentences(
    n: int,
    seed: int = 0,
    exclude: Iterable[str] = (),
    vocabulary: Iterable[str] | None = None,
    min_valence: float = MIN_VALENCE,
) -> LabelledTexts:
    """``n`` synthetic sentences, the templates in turn, words drawn with ``seed``.

    Args:
        n: number of sentences.
        seed: word choice seed.
        exclude: words never to use (e.g. every word of an evaluation set).
        vocabulary: if given, use only these words (e.g. the most frequent words of the
            pretrained vectors: no slang nor misspellings without a vector).
        min_valence: smallest absolute VADER valence of a word.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    banned = {w.lower() for w in exclude}
    allowed = None if vocabulary is None else set(vocabulary)
    lexicon = {
        w: v
        for w, v in vader_lexicon().items()
        if abs(v) >= min_valence and w not in banned and (allowed is None or w in allowed)
    }
    positive = sorted(w for w, v in lexicon.items() if v > 0)
    negative = sorted(w for w, v in lexicon.items() if v < 0)
    if not positive or not negative:
        raise ValueError("no polar words left after the exclusions")
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        template = _TEMPLATES[i % len(_TEMPLATES)]
        sign = bool(rng.integers(2))  # True: the deciding word is positive
        first, second = (negative, positive) if sign else (positive, negative)
        b = second[rng.integers(len(second))]
        a = first[rng.integers(len(first))]
        texts.append(template.format(w=b, a=a, b=b))
        flipped = "not" in template.split()
        labels.append("pos" if sign != flipped else "neg")
    return LabelledTexts(texts, labels, "vader-lexicon-negation")
