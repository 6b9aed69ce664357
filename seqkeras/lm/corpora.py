"""Corpora for the language-model recipe, by name (a registry), or a user path."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..text import EOS_ID
from ..text._lookup import LookupVocabulary


@dataclass(frozen=True)
class SplitCorpus:
    """Train/valid/test text; ``lines`` says whether each line is a sentence (word LM
    streams append ``<eos>`` per line) or the text is one running stream."""

    train: str
    valid: str
    test: str
    name: str


def _ptb() -> SplitCorpus:
    from ..datasets import load_ptb

    return SplitCorpus(
        *("\n".join(load_ptb(s)) + "\n" for s in ("train", "valid", "test")), name="ptb"
    )


def _shakespeare() -> SplitCorpus:
    from ..datasets import load_shakespeare, split_text

    parts = split_text("".join(load_shakespeare().values()))
    return SplitCorpus(parts["train"], parts["valid"], parts["test"], name="shakespeare")


CORPORA: dict[str, Callable[[], SplitCorpus]] = {"ptb": _ptb, "shakespeare": _shakespeare}


def load_corpus(name_or_path: str) -> SplitCorpus:
    """``"ptb"``, ``"shakespeare"`` or a UTF-8 file/directory (split 90/5/5 by lines)."""
    if name_or_path in CORPORA:
        return CORPORA[name_or_path]()
    from ..datasets import load_text_files, split_text

    if not os.path.exists(name_or_path):
        raise FileNotFoundError(
            f"--corpus {name_or_path!r} is neither one of {sorted(CORPORA)} nor an existing file or directory"
        )
    parts = split_text(load_text_files(name_or_path))
    return SplitCorpus(
        parts["train"], parts["valid"], parts["test"], name=os.path.basename(name_or_path)
    )


def make_vocabulary(corpus: SplitCorpus, level: str, max_tokens: int | None) -> LookupVocabulary:
    from ..text import CharVocabulary, WordVocabulary

    if level == "char":
        return CharVocabulary(max_tokens=max_tokens).adapt(corpus.train)
    if level != "word":
        raise ValueError(f"level must be 'word' or 'char'; got level={level!r}")
    if corpus.name == "ptb":
        # PTB is already tokenized, lowercased and capped at 10k words with <unk>.
        return WordVocabulary(max_tokens=max_tokens, lowercase=False, split="whitespace").adapt(
            corpus.train.splitlines()
        )
    return WordVocabulary(
        max_tokens=max_tokens or 10000, lowercase=True, keep_punctuation=True
    ).adapt(corpus.train.splitlines())


def encode_stream(vocabulary: LookupVocabulary, text: str, level: str) -> np.ndarray:
    """One id stream: words with ``<eos>`` after every non-empty line, or every character."""
    if level == "char":
        return vocabulary.tokens_to_ids(vocabulary.tokenize(text))
    tokens: list[str] = []
    for line in text.splitlines():
        words = vocabulary.tokenize(line)
        if words:
            tokens.extend(words)
            tokens.append("<eos>")
    ids = vocabulary.tokens_to_ids(tokens)
    assert ids.size == 0 or ids[-1] == EOS_ID
    return ids


def stream_start_id(vocabulary: LookupVocabulary, level: str) -> int:
    """What preceded a sentence in the training stream: ``<eos>``, or a newline for chars."""
    if level == "char":
        newline = vocabulary.tokens_to_ids(["\n"])[0]
        return int(newline)
    return EOS_ID
