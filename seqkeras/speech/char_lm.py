"""A character n-gram language model (interpolated Kneser-Ney), trained and saved by seqkeras.

Used by :func:`~seqkeras.speech.ctc_prefix_beam_search` for shallow fusion: at every
character the beam search asks for ``P(next character | last n-1 characters)``. Counts
are kept as numpy arrays (one row of next-symbol counts per seen context), so training
on a few million characters takes seconds and a model saves to one ``.npz`` file.

Smoothing (Chen & Goodman 1998, interpolated Kneser-Ney with one discount ``D``):
``P_k(w | h) = max(c(h w) - D, 0) / c(h) + D * N1+(h •) / c(h) * P_{k-1}(w | h')`` where
``h'`` drops the oldest character; lower orders count *continuations* (in how many
contexts a string was seen) instead of occurrences. The bottom is uniform over the
symbols seen in training, so a character never seen gets probability 0: such an LM
forbids it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..atomic import atomic_path
from .text import CHARACTERS

DEFAULT_ORDER = 6
DEFAULT_DISCOUNT = 0.75
_FORMAT = 1
_CACHE_LIMIT = 200_000


class CharNgramLM:
    """Character n-gram LM over ``characters`` plus an end-of-text symbol.

    Args:
        characters: the alphabet (the recognizer's vocabulary, in class order).
        order: n (context of n-1 characters).
        contexts: per order k = 1..n, sorted int64 codes of the seen contexts (k-1 symbols).
        counts: per order, float32 ``(len(contexts[k]), len(characters) + 1)`` counts of the
            next symbol (occurrences at the top order, continuations below).
        discount: the Kneser-Ney discount D in (0, 1).

    Build one with :meth:`train`; :meth:`save` / :meth:`load` keep it in an ``.npz`` file.

    Example:
        >>> lm = CharNgramLM.train(["the cat", "the hat"], order=3)
        >>> round(float(np.exp(lm.next_log_probs("th")[lm.characters.index("e")])), 2)
        0.7
    """

    def __init__(
        self,
        characters: str,
        order: int,
        contexts: list[np.ndarray],
        counts: list[np.ndarray],
        discount: float = DEFAULT_DISCOUNT,
    ) -> None:
        if order < 1:
            raise ValueError(f"CharNgramLM: order must be >= 1, got {order}")
        if not 0.0 < discount < 1.0:
            raise ValueError(f"CharNgramLM: discount must be in (0, 1), got {discount}")
        if len(contexts) != order or len(counts) != order:
            raise ValueError(
                f"CharNgramLM: need {order} context/count tables, got {len(contexts)}/{len(counts)}"
            )
        self.characters = characters
        self.order = order
        self.discount = float(discount)
        self.contexts = [np.asarray(c, np.int64) for c in contexts]
        self.counts = [np.asarray(c, np.float32) for c in counts]
        self.end = len(characters)  # symbol id of end-of-text
        self.bos = len(characters) + 1  # padding before the first character
        self.base = len(characters) + 2  # radix of context codes
        self._index = {c: i for i, c in enumerate(characters)}
        seen = (
            self.counts[0].sum(axis=0) > 0 if self.counts[0].size else np.zeros(self.end + 1, bool)
        )
        self._floor = np.where(seen, 1.0 / max(int(seen.sum()), 1), 0.0)
        self._cache: dict[tuple[int, ...], np.ndarray] = {}

    # -- training ---------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        texts: Iterable[str],
        order: int = DEFAULT_ORDER,
        characters: str = CHARACTERS,
        discount: float = DEFAULT_DISCOUNT,
    ) -> CharNgramLM:
        """Counts n-grams of ``texts`` (each one a sentence; characters outside
        ``characters`` raise ``ValueError`` naming the text)."""
        if order < 1:
            raise ValueError(f"CharNgramLM: order must be >= 1, got {order}")
        index = {c: i for i, c in enumerate(characters)}
        end, bos, base = len(characters), len(characters) + 1, len(characters) + 2
        if order * np.log(base) >= np.log(2**62):
            raise ValueError(
                f"CharNgramLM: order {order} is too high for {len(characters)} characters"
            )
        rows = []
        for number, text in enumerate(texts):
            try:
                ids = [index[c] for c in text]
            except KeyError:
                bad = sorted({c for c in text if c not in index})
                raise ValueError(
                    f"LM text {number} ({text[:40]!r}) has characters {bad!r} outside {characters!r}"
                ) from None
            rows.append(np.array([bos] * (order - 1) + ids + [end], np.int64))
        if not rows:
            raise ValueError("CharNgramLM.train: no texts")
        # n-gram codes of the top order over every sentence
        grams = []
        for row in rows:
            if len(row) < order:
                continue
            code = np.zeros(len(row) - order + 1, np.int64)
            for j in range(order):
                code = code * base + row[j : len(row) - order + 1 + j]
            grams.append(code)
        top = np.concatenate(grams)
        contexts: list[np.ndarray] = [np.zeros(0, np.int64)] * order
        counts: list[np.ndarray] = [np.zeros((0, end + 1), np.float32)] * order
        codes, occurrences = np.unique(top, return_counts=True)
        for k in range(order, 0, -1):
            contexts[k - 1], counts[k - 1] = _table(
                codes, occurrences.astype(np.float32), base, end
            )
            if k > 1:
                # continuation counts: in how many distinct left contexts each shorter gram occurs
                codes, occurrences = np.unique(codes % base ** (k - 1), return_counts=True)
        return cls(characters, order, contexts, counts, discount)

    # -- probabilities ----------------------------------------------------------------

    def _context_ids(self, context: str) -> tuple[int, ...]:
        try:
            ids = [self._index[c] for c in context[-(self.order - 1) :]] if self.order > 1 else []
        except KeyError:
            bad = sorted({c for c in context if c not in self._index})
            raise ValueError(
                f"context {context!r} has characters {bad!r} outside the LM alphabet"
            ) from None
        return (self.bos,) * (self.order - 1 - len(ids)) + tuple(ids)

    def next_probs_ids(self, context: tuple[int, ...]) -> np.ndarray:
        """``P(symbol | context)`` for every character and the end (last entry); ``context``
        is ``order - 1`` symbol ids (BOS padded)."""
        cached = self._cache.get(context)
        if cached is not None:
            return cached
        probs = self._floor
        for k in range(1, self.order + 1):
            history = context[len(context) - (k - 1) :] if k > 1 else ()
            code = 0
            for symbol in history:
                code = code * self.base + symbol
            table = self.contexts[k - 1]
            row = np.searchsorted(table, code)
            if row < len(table) and table[row] == code:
                c = self.counts[k - 1][row].astype(np.float64)
                total = c.sum()
                types = np.count_nonzero(c)
                probs = (
                    np.maximum(c - self.discount, 0.0) / total
                    + self.discount * types / total * probs
                )
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        self._cache[context] = probs
        return probs

    def next_log_probs(self, context: str) -> np.ndarray:
        """``log P(next | context)`` for each character of :attr:`characters`, then the end
        of the text (shape ``(len(characters) + 1,)``; ``-inf`` for symbols never seen)."""
        with np.errstate(divide="ignore"):
            return np.log(self.next_probs_ids(self._context_ids(context)))

    def log_prob(self, text: str) -> float:
        """Natural-log probability of the whole text, its end included."""
        total = 0.0
        for i in range(len(text) + 1):
            symbol = self._index[text[i]] if i < len(text) else self.end
            if i < len(text) and text[i] not in self._index:
                raise ValueError(
                    f"text {text!r} has a character {text[i]!r} outside the LM alphabet"
                )
            p = self.next_probs_ids(self._context_ids(text[:i]))[symbol]
            total += float(np.log(p)) if p > 0 else -np.inf
        return total

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-symbol perplexity (characters plus one end per text)."""
        log_sum, symbols = 0.0, 0
        for text in texts:
            log_sum += self.log_prob(text)
            symbols += len(text) + 1
        if symbols == 0:
            raise ValueError("perplexity: no texts")
        return float(np.exp(-log_sum / symbols))

    # -- files ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> str:
        """Writes the model to ``path`` (``.npz``), atomically."""
        path = os.fspath(path)
        arrays: dict[str, Any] = {f"contexts_{k}": self.contexts[k] for k in range(self.order)}
        arrays.update({f"counts_{k}": self.counts[k] for k in range(self.order)})
        # through a file object: given a name, numpy would add ".npz" to one without it
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez_compressed(
                f,
                format=np.array(_FORMAT),
                characters=np.array(self.characters),
                order=np.array(self.order),
                discount=np.array(self.discount),
                **arrays,
            )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CharNgramLM:
        """Reads a model written by :meth:`save`; other files raise ``ValueError``."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"character LM file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as data:
                if int(data["format"]) != _FORMAT:
                    raise ValueError(f"format {int(data['format'])}, expected {_FORMAT}")
                order = int(data["order"])
                return cls(
                    str(data["characters"]),
                    order,
                    [data[f"contexts_{k}"] for k in range(order)],
                    [data[f"counts_{k}"] for k in range(order)],
                    float(data["discount"]),
                )
        except (OSError, KeyError, ValueError) as err:
            raise ValueError(f"{path} is not a seqkeras character LM ({err})") from None


def _table(
    codes: np.ndarray, occurrences: np.ndarray, base: int, end: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique context codes and a ``(contexts, end + 1)`` matrix of next-symbol counts."""
    context_codes = codes // base
    symbols = codes % base
    contexts, rows = np.unique(context_codes, return_inverse=True)
    counts = np.zeros((len(contexts), end + 1), np.float32)
    np.add.at(counts, (rows, symbols), occurrences)
    return contexts, counts
