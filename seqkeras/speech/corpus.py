"""Sentences for training speech and the character LM, from the offline text corpora.

Sources (shared DATA.md): Penn Treebank (Mikolov's split; sentences with ``<unk>`` or
the number token ``N`` are skipped because their words are unknown) and the World
English Bible (verses split at punctuation into clauses). Every sentence is normalized
with :func:`~seqkeras.speech.text.normalize_transcript`. The Asterisk prompt texts are
*not* a source: they are the transcripts of a real-speech test set, and training on them
would leak the test (see docs/speech.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .text import normalize_transcript

_PTB_CLITIC = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b")
_CLAUSE = re.compile(r"[.;:!?]+\s+|,\s+(?=\w+\s+\w+\s+\w+)")


def _ptb(split: str) -> list[str]:
    from seqkeras.datasets import load_ptb

    lines = load_ptb("train" if split == "train" else "test")
    return [_PTB_CLITIC.sub(r"\1", s) for s in lines if "<unk>" not in s and " N " not in f" {s} "]


def _bible(split: str) -> list[str]:
    from seqkeras.datasets import load_verse_pairs

    pairs = load_verse_pairs()
    # every 20th verse is held out: test sentences never seen in training
    chosen = [p.english for i, p in enumerate(pairs) if (i % 20 == 0) == (split != "train")]
    return [clause for verse in chosen for clause in _CLAUSE.split(verse)]


TEXT_SOURCES: dict[str, Callable[[str], list[str]]] = {"ptb": _ptb, "bible": _bible}


def corpus_sentences(
    sources: Sequence[str] = ("ptb", "bible"),
    split: str = "train",
    min_words: int = 2,
    max_words: int = 14,
) -> list[str]:
    """Normalized, de-duplicated sentences of ``min_words..max_words`` words.

    Args:
        sources: names in :data:`TEXT_SOURCES`.
        split: ``"train"`` or ``"test"`` (PTB's test split, held-out Bible verses).
        min_words, max_words: sentence length bounds in words.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    unknown = [s for s in sources if s not in TEXT_SOURCES]
    if unknown or not sources:
        raise ValueError(f"unknown text source(s) {unknown}; choose from {sorted(TEXT_SOURCES)}")
    if not 1 <= min_words <= max_words:
        raise ValueError(f"need 1 <= min_words <= max_words, got {min_words}, {max_words}")
    seen: dict[str, None] = {}
    for source in sources:
        for raw in TEXT_SOURCES[source](split):
            text = normalize_transcript(raw)
            if min_words <= len(text.split()) <= max_words:
                seen.setdefault(text, None)
    return list(seen)
