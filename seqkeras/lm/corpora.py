"""Corpora for the language-model recipe, by name (a registry), or a user path."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..text import Vocabulary
from ..text.vocabulary import LM_RESERVED_TOKENS


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


DEFAULT_WORD_VOCABULARY = 10000


def make_vocabulary(corpus: SplitCorpus, level: str, max_tokens: int | None) -> Vocabulary:
    """The LM's vocabulary of ``corpus.train``: ids "" = 0, ``<unk>`` = 1, ``<eos>`` = 2.

    ``max_tokens`` caps the size (reserved ids included).
    """
    if level == "char":
        return Vocabulary.build(
            corpus.train, split="chars", max_size=max_tokens, **LM_RESERVED_TOKENS
        )
    if level != "word":
        raise ValueError(f"level must be 'word' or 'char'; got level={level!r}")
    if corpus.name == "ptb":
        # PTB is already tokenized, lowercased and capped at 10k words with <unk>.
        split, lowercase = "whitespace", False
    else:
        split, lowercase = "words_and_punctuation", True
        max_tokens = max_tokens or DEFAULT_WORD_VOCABULARY
    return Vocabulary.build(
        corpus.train.splitlines(),
        split=split,
        lowercase=lowercase,
        max_size=max_tokens,
        **LM_RESERVED_TOKENS,
    )


def encode_stream(vocabulary: Vocabulary, text: str, level: str) -> np.ndarray:
    """One id stream: words with the end token after every non-empty line, or every
    character."""
    if level == "char":
        return vocabulary.tokens_to_ids(vocabulary.split(text))
    if vocabulary.eos_token is None:
        raise ValueError("a word stream needs a vocabulary with an end token (eos_token)")
    tokens: list[str] = []
    for line in text.splitlines():
        words = vocabulary.split(line)
        if words:
            tokens.extend(words)
            tokens.append(vocabulary.eos_token)
    return vocabulary.tokens_to_ids(tokens)


def stream_start_id(vocabulary: Vocabulary, level: str) -> int:
    """What preceded a sentence in the training stream: the end token, or a newline
    for chars."""
    if level == "char":
        return vocabulary.token_to_id("\n")
    assert vocabulary.eos_id is not None
    return vocabulary.eos_id
