"""Intrinsic evaluation of word vectors with gensim's conventions: Google's analogy
questions (3CosAdd, course 2.3) and word-pair similarity (WordSim-353, SimLex-999).

The rules are those of gensim's ``KeyedVectors.evaluate_word_analogies`` and
``evaluate_word_pairs`` so that a figure can be set beside gensim's: only the first
``restrict_vocab`` words take part; with ``case_insensitive`` words are compared in
upper case and the most frequent casing's vector is used; a question with a word
outside that vocabulary is skipped (``dummy4unknown=False``) and counted in the OOV
fraction. Questions are answered in batches by one matrix product each instead of one
``most_similar`` call per question.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .keyed_vectors import KeyedVectors

DEFAULT_RESTRICT_VOCAB = 300_000
GENSIM_INSTALL = "pip install gensim"
WORD_PAIR_SETS = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
ANALOGY_FILE = "questions-words.txt"
_TOP = 5  # gensim looks at the 5 best answers and takes the first that is not a question word
_SCORE_CELLS = 1 << 25  # question x word scores held at once (128 MiB of float32)


def gensim_test_file(name: str) -> str:
    """Path of a file of gensim's test data (``questions-words.txt``, ``wordsim353.tsv``,
    ``simlex999.txt``); ``MissingDatasetError`` naming the pip command without gensim."""
    from seqkeras.datasets import MissingDatasetError

    try:
        from gensim.test.utils import datapath
    except ImportError as err:
        raise MissingDatasetError(
            f"{name} ships with gensim's test data, which is not installed; install it with: {GENSIM_INSTALL}"
        ) from err
    path = datapath(name)
    if not os.path.exists(path):
        raise MissingDatasetError(f"{path} is missing; reinstall gensim ({GENSIM_INSTALL})")
    return path


@dataclass(frozen=True)
class AnalogySection:
    """Results of one section (``"capital-common-countries"``, ..., ``"Total accuracy"``)."""

    section: str
    correct: int
    incorrect: int

    @property
    def accuracy(self) -> float:
        answered = self.correct + self.incorrect
        return self.correct / answered if answered else 0.0


@dataclass(frozen=True)
class AnalogyResult:
    """``evaluate_analogies``' answer.

    Attributes:
        accuracy: correct / answered over all sections (gensim's ``analogies_score``).
        sections: per section, then ``"Total accuracy"`` last (as gensim).
        questions: questions read; ``oov_questions`` of them had an unknown word.
        mistakes: up to a few ``(a, b, c, expected, predicted)`` examples of errors.
    """

    accuracy: float
    sections: list[AnalogySection]
    questions: int
    oov_questions: int
    mistakes: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    @property
    def oov_fraction(self) -> float:
        return self.oov_questions / self.questions if self.questions else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "questions": self.questions,
            "oov_questions": self.oov_questions,
            "oov_fraction": self.oov_fraction,
            "sections": [
                {
                    "section": s.section,
                    "correct": s.correct,
                    "incorrect": s.incorrect,
                    "accuracy": s.accuracy,
                }
                for s in self.sections
            ],
        }


def _vocabulary_view(
    kv: KeyedVectors, restrict_vocab: int, case_insensitive: bool
) -> tuple[dict[str, int], int]:
    limit = min(int(restrict_vocab), len(kv))
    keys = kv.index_to_key[:limit]
    # reversed: the first (most frequent) casing of a word wins, as in gensim
    if case_insensitive:
        return {k.upper(): i for i, k in reversed(list(enumerate(keys)))}, limit
    return {k: i for i, k in reversed(list(enumerate(keys)))}, limit


def read_analogy_questions(path: str) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """``[(section, [(a, b, c, expected), ...]), ...]`` from a questions-words file.

    Raises:
        ValueError: a question before the first ``: section`` line (names file and line).
    """
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            line = raw.decode("utf-8", errors="replace")
            if line.startswith(": "):
                sections.append((line.lstrip(": ").strip(), []))
                continue
            words = line.split()
            if len(words) != 4:
                continue  # gensim skips malformed lines too
            if not sections:
                raise ValueError(f"{path}:{number}: a question before the first ': section' line")
            sections[-1][1].append((words[0], words[1], words[2], words[3]))
    return sections


def evaluate_analogies(
    kv: KeyedVectors,
    path: str | None = None,
    restrict_vocab: int = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> AnalogyResult:
    """Accuracy on analogy questions "a b c expected" (a : b :: c : expected), answered
    by argmax cos(w, b − a + c) over unit vectors, excluding a, b and c (3CosAdd).

    Args:
        kv: the vectors (sorted by frequency, so ``restrict_vocab`` keeps frequent words).
        path: questions file; default gensim's copy of Google's ``questions-words.txt``
            (19,544 questions in 14 sections).
        restrict_vocab: only the first words take part (as questions and as answers).
        case_insensitive: compare words in upper case.
        dummy4unknown: count questions with unknown words as wrong instead of skipping.
    """
    path = path or gensim_test_file(ANALOGY_FILE)
    vocab, limit = _vocabulary_view(kv, restrict_vocab, case_insensitive)
    normalise = (lambda w: w.upper()) if case_insensitive else (lambda w: w)
    unit = kv.unit_vectors[:limit]
    results: list[AnalogySection] = []
    mistakes: list[tuple[str, str, str, str, str]] = []
    questions = oov = 0
    for name, items in read_analogy_questions(path):
        correct = incorrect = 0
        known = []
        for item in items:
            questions += 1
            words = tuple(normalise(w) for w in item)
            if all(w in vocab for w in words):
                known.append(words)
            else:
                oov += 1
                incorrect += int(dummy4unknown)
        per_batch = max(1, _SCORE_CELLS // max(limit, 1))
        for start in range(0, len(known), per_batch):
            batch = known[start : start + per_batch]
            ids = np.array([[vocab[w] for w in q] for q in batch])
            query = unit[ids[:, 1]] - unit[ids[:, 0]] + unit[ids[:, 2]]
            scores = query @ unit.T
            rows = np.arange(len(batch))[:, None]
            scores[rows, ids[:, :3]] = -np.inf  # most_similar never returns its own inputs
            top = np.argpartition(scores, -_TOP, axis=1)[:, -_TOP:]  # no negated copy
            top = np.take_along_axis(
                top, np.argsort(-np.take_along_axis(scores, top, 1), axis=1, kind="stable"), 1
            )
            for question, candidates in zip(batch, top, strict=True):
                predicted = None
                for candidate in candidates:
                    predicted = normalise(kv.index_to_key[candidate])
                    if predicted not in question[:3]:
                        break
                if predicted == question[3]:
                    correct += 1
                else:
                    incorrect += 1
                    if len(mistakes) < 20:
                        mistakes.append((*question, str(predicted)))
        results.append(AnalogySection(name, correct, incorrect))
    total = AnalogySection(
        "Total accuracy", sum(s.correct for s in results), sum(s.incorrect for s in results)
    )
    return AnalogyResult(total.accuracy, [*results, total], questions, oov, mistakes)


@dataclass(frozen=True)
class WordPairResult:
    """``evaluate_word_pairs``' answer: correlations with human judgements."""

    spearman: float
    pearson: float
    pairs: int
    oov_pairs: int

    @property
    def oov_fraction(self) -> float:
        total = self.pairs + self.oov_pairs
        return self.oov_pairs / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "spearman": self.spearman,
            "pearson": self.pearson,
            "pairs": self.pairs,
            "oov_pairs": self.oov_pairs,
            "oov_fraction": self.oov_fraction,
        }


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their mean rank (as Spearman's ρ needs)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    ranks = np.empty(len(values))
    start = 0
    while start < len(values):
        stop = start + 1
        while stop < len(values) and sorted_values[stop] == sorted_values[start]:
            stop += 1
        ranks[order[start:stop]] = (start + stop + 1) / 2  # mean of ranks start+1 .. stop
        start = stop
    return ranks


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    x = x - x.mean()
    y = y - y.mean()
    denominator = np.sqrt((x * x).sum() * (y * y).sum())
    return float((x * y).sum() / denominator) if denominator else float("nan")


def evaluate_word_pairs(
    kv: KeyedVectors,
    pairs: str = "wordsim353",
    delimiter: str = "\t",
    restrict_vocab: int = DEFAULT_RESTRICT_VOCAB,
    case_insensitive: bool = True,
    dummy4unknown: bool = False,
) -> WordPairResult:
    """Spearman ρ and Pearson r between cos(a, b) and human similarity scores.

    Args:
        pairs: ``"wordsim353"``, ``"simlex999"`` (gensim's copies) or a file of
            ``word1 <delimiter> word2 <delimiter> score`` lines (``#`` comments).
        restrict_vocab, case_insensitive: as in ``evaluate_analogies``.
        dummy4unknown: score pairs with unknown words as similarity 0 instead of skipping.

    Raises:
        ValueError: no pair could be scored.
    """
    path = gensim_test_file(WORD_PAIR_SETS[pairs]) if pairs in WORD_PAIR_SETS else pairs
    vocab, _ = _vocabulary_view(kv, restrict_vocab, case_insensitive)
    unit = kv.unit_vectors
    gold, model = [], []
    oov = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            fields = line.split(delimiter)
            if len(fields) != 3:
                continue
            a, b = (w.upper() for w in fields[:2]) if case_insensitive else fields[:2]
            try:
                score = float(fields[2])
            except ValueError:
                continue
            if a not in vocab or b not in vocab:
                oov += 1
                if dummy4unknown:
                    gold.append(score)
                    model.append(0.0)
                continue
            gold.append(score)
            model.append(float(unit[vocab[a]] @ unit[vocab[b]]))
    if not gold:
        raise ValueError(f"no word pair of {path} could be scored: every pair has an unknown word")
    g, m = np.array(gold), np.array(model)
    return WordPairResult(
        _pearson(_ranks(g), _ranks(m)),
        _pearson(g, m),
        len(gold) - (oov if dummy4unknown else 0),
        oov,
    )
