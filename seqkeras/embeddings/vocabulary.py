"""``Vocabulary``: the words an embedding is trained for, with their corpus counts,
word2vec's subsampling of frequent words and the noise distribution of negative sampling
(course 2.7)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..atomic import write_text_atomic

NOISE_POWER = 0.75  # P(w) ∝ count(w)^(3/4): Mikolov et al. 2013, course 2.7


@dataclass(frozen=True)
class Vocabulary:
    """Words sorted by descending corpus count (ties keep first-seen order, as gensim).

    Attributes:
        words: the words; a word's id is its position.
        counts: int64 corpus count of each word.
    """

    words: tuple[str, ...]
    counts: np.ndarray
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.int64)
        if counts.shape != (len(self.words),):
            raise ValueError(f"{len(self.words)} words but counts of shape {counts.shape}")
        if len(counts) and counts.min() < 1:
            raise ValueError("every word of a vocabulary must have a count >= 1")
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "index", {w: i for i, w in enumerate(self.words)})
        if len(self.index) != len(self.words):
            raise ValueError("the vocabulary lists a word twice")

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        min_count: int = 5,
        max_size: int | None = None,
    ) -> Vocabulary:
        """Counts the words of ``sentences`` and keeps those seen ``min_count`` times
        (then the ``max_size`` most frequent).

        Raises:
            ValueError: ``min_count`` < 1, or no word is left (an empty corpus).
        """
        if min_count < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}")
        if max_size is not None and max_size < 1:
            raise ValueError(f"max_size must be >= 1, got {max_size}")
        counter: Counter[str] = Counter()
        for sentence in sentences:
            counter.update(sentence)
        kept = [(w, c) for w, c in counter.items() if c >= min_count]
        # stable sort: equal counts stay in first-seen order (gensim's order)
        kept.sort(key=lambda item: -item[1])
        if max_size is not None:
            kept = kept[:max_size]
        if not kept:
            raise ValueError(
                f"empty vocabulary: no word occurs {min_count} times or more "
                f"({sum(counter.values())} tokens in the corpus)"
            )
        return cls(tuple(w for w, _ in kept), np.array([c for _, c in kept], np.int64))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    @property
    def total(self) -> int:
        """Tokens of the corpus that are in the vocabulary."""
        return int(self.counts.sum())

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """int32 ids of the known ``tokens`` (unknown ones are dropped, as in word2vec)."""
        index = self.index
        return np.fromiter((index[t] for t in tokens if t in index), dtype=np.int32, count=-1)

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """word2vec's subsampling: the probability of keeping each occurrence of a word
        with corpus frequency f = count/total is (sqrt(f/s) + 1)·s/f, capped at 1
        (gensim's formula; ``sample`` = s, 0 keeps everything)."""
        if sample < 0:
            raise ValueError(f"sample must be >= 0, got {sample}")
        if sample == 0:
            return np.ones(len(self), np.float64)
        threshold = sample * self.total
        counts = self.counts.astype(np.float64)
        return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)

    def noise_distribution(self, power: float = NOISE_POWER) -> np.ndarray:
        """P(w) ∝ count(w)^power, the distribution negatives are drawn from."""
        weights = self.counts.astype(np.float64) ** power
        return weights / weights.sum()

    def save(self, path: str | os.PathLike[str]) -> str:
        """Writes ``{"words": [...], "counts": [...]}`` as JSON, atomically."""
        path = os.fspath(path)
        write_text_atomic(path, json.dumps({"words": list(self.words), "counts": self.counts.tolist()}))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Reads a vocabulary written by ``save``."""
        path = os.fspath(path)
        with open(path, encoding="utf-8") as f:
            try:
                data = json.load(f)
                return cls(tuple(data["words"]), np.array(data["counts"], np.int64))
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise ValueError(f"{path}: not a seqkeras vocabulary file ({err})") from None
