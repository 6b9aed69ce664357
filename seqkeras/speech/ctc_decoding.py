"""CTC decoding in numpy: the greedy collapse rule and prefix beam search with an optional
character LM and word list. Backend-independent: give it ``(time, classes)`` logits or
log-probabilities from any framework, as numpy arrays.

Class 0 is the blank; class ``i + 1`` is ``characters[i]`` when an alphabet is given.

Prefix beam search (Hannun et al. 2014, "First-pass large vocabulary continuous speech
recognition using bi-directional recurrent DNNs") keeps, for each labelling prefix, the
probability of all alignments that end in a blank (``p_b``) and in its last character
(``p_nb``); a repeated character extends the prefix only from ``p_b`` (the collapse rule
merges it otherwise). Unlike a beam over alignments it sums every alignment of a
labelling, so its best hypothesis is the most probable *labelling*. With an LM each
character adds ``alpha * log P_lm(c | history) + beta``; the end of the text adds
``alpha * log P_lm(end | history)``. Work per frame is a few ``(beam, classes)`` numpy
operations plus a Python loop over the ``beam_width`` survivors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .char_lm import CharNgramLM
from .text import BLANK, CharVocabulary
from .word_list import WordList

DEFAULT_BEAM_WIDTH = 16
# Characters whose log-probability in a frame is below this are not tried as extensions
# in that frame (e^-12 ~ 6e-6: no effect on the n-best in practice, large speed-up).
DEFAULT_PRUNE_LOG_PROB = -12.0


@dataclass(frozen=True)
class Hypothesis:
    """One labelling found by :func:`ctc_prefix_beam_search`.

    Attributes:
        tokens: class ids (no blanks).
        score: the ranking score: ``acoustic + alpha * lm + beta * len(tokens)``.
        acoustic: ``log P_ctc(tokens | x)``, summed over all alignments kept in the beam.
        lm: ``log P_lm(text)`` including the end of the text (0 without an LM).
        text: the characters, when an alphabet was given.
    """

    tokens: tuple[int, ...]
    score: float
    acoustic: float
    lm: float
    text: str | None = None


def log_softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` in float64 (idempotent on log-probabilities)."""
    x = np.asarray(logits, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _check_logits(logits: Any, blank: int) -> np.ndarray:
    x = np.asarray(logits)
    if x.ndim != 2:
        raise ValueError(f"expected logits of shape (time, classes), got shape {x.shape}")
    if x.shape[1] < 2:
        raise ValueError(f"expected at least 2 classes (blank + 1 token), got {x.shape[1]}")
    if not 0 <= blank < x.shape[1]:
        raise ValueError(f"blank index {blank} is outside 0..{x.shape[1] - 1}")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x) | (x == -np.inf)):
        raise ValueError("logits contain NaN or +inf")
    return x


def ctc_greedy_decode(logits: Any, length: int | None = None, blank: int = BLANK) -> list[int]:
    """Best class per frame, repeats merged, blanks dropped ("tt_hh_e" -> "the").

    Args:
        logits: ``(time, classes)`` scores (logits, probabilities or log-probabilities).
        length: frames to use (default: all).
        blank: the blank class.

    Returns:
        The token ids.
    """
    x = _check_logits(logits, blank)
    if length is not None:
        if not 0 <= length <= x.shape[0]:
            raise ValueError(f"length {length} is outside 0..{x.shape[0]}")
        x = x[:length]
    best = np.argmax(x, axis=-1)
    if best.size == 0:
        return []
    keep = np.ones(best.shape, bool)
    keep[1:] = best[1:] != best[:-1]
    return [int(t) for t in best[keep & (best != blank)]]


def ctc_greedy_decode_batch(
    logits: Any, lengths: Iterable[int] | None = None, blank: int = BLANK
) -> list[list[int]]:
    """:func:`ctc_greedy_decode` for a ``(batch, time, classes)`` array."""
    x = np.asarray(logits)
    if x.ndim != 3:
        raise ValueError(f"expected logits of shape (batch, time, classes), got shape {x.shape}")
    lengths = [x.shape[1]] * x.shape[0] if lengths is None else [int(n) for n in lengths]
    if len(lengths) != x.shape[0]:
        raise ValueError(f"{len(lengths)} lengths for a batch of {x.shape[0]}")
    return [ctc_greedy_decode(x[i], lengths[i], blank) for i in range(x.shape[0])]


class _Scorer:
    """Per-prefix extension scores: ``alpha * log P_lm + beta`` and the word-list mask."""

    def __init__(
        self,
        num_classes: int,
        blank: int,
        vocabulary: CharVocabulary | None,
        lm: CharNgramLM | None,
        words: WordList | None,
        alpha: float,
        beta: float,
    ) -> None:
        self.blank = blank
        self.vocabulary = vocabulary
        self.lm = lm
        self.words = words
        self.alpha = alpha
        self.beta = beta
        self.num_classes = num_classes
        self.active = lm is not None or words is not None
        self._cache: dict[Any, tuple[np.ndarray, float]] = {}
        if self.active and vocabulary is None:
            raise ValueError("an LM or word list needs the alphabet: pass vocabulary=")
        if vocabulary is not None and vocabulary.num_classes != num_classes:
            raise ValueError(
                f"the vocabulary has {vocabulary.size} characters + blank = {vocabulary.num_classes} "
                f"classes but the logits have {num_classes}"
            )
        if blank != BLANK and self.active:
            raise ValueError("an LM or word list needs the blank at class 0")
        for name, model in (("LM", lm), ("word list", words)):
            if (
                model is not None
                and vocabulary is not None
                and model.characters != vocabulary.characters
            ):
                raise ValueError(
                    f"the {name} alphabet {model.characters!r} differs from the vocabulary {vocabulary.characters!r}"
                )
        self._plain = np.full(num_classes, beta)
        self._plain[blank] = 0.0

    def key(self, tokens: tuple[int, ...]) -> Any:
        if not self.active:
            return None
        lm_part = (
            tokens[-(self.lm.order - 1) :] if self.lm is not None and self.lm.order > 1 else ()
        )
        if self.words is None:
            return lm_part
        assert self.vocabulary is not None
        space = self.vocabulary.characters.index(" ") + 1
        start = len(tokens) - tokens[::-1].index(space) if space in tokens else 0
        return (lm_part, tokens[start:], len(tokens) == 0)

    def scores(self, tokens: tuple[int, ...], key: Any) -> tuple[np.ndarray, float]:
        """Extension scores for every class (blank: 0) and the end-of-text score."""
        if not self.active:
            return self._plain, 0.0
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        assert self.vocabulary is not None
        symbol = np.zeros(self.num_classes + 1)  # characters at class ids, end at [-1]
        if self.lm is not None:
            text = (
                self.vocabulary.decode(tokens[-(self.lm.order - 1) :]) if self.lm.order > 1 else ""
            )
            with np.errstate(divide="ignore"):
                log_p = self.lm.next_log_probs(text)
            symbol[1:] += self.alpha * log_p
        if self.words is not None:
            symbol[1:] += self.words.next_mask(self.vocabulary.decode(tokens))
        extension = symbol[:-1] + self.beta
        extension[self.blank] = 0.0
        result = (extension, float(symbol[-1]))
        self._cache[key] = result
        return result

    def lm_log_prob(self, tokens: tuple[int, ...]) -> float:
        if self.lm is None:
            return 0.0
        assert self.vocabulary is not None
        return self.lm.log_prob(self.vocabulary.decode(tokens))


def ctc_prefix_beam_search(
    logits: Any,
    beam_width: int = DEFAULT_BEAM_WIDTH,
    *,
    vocabulary: CharVocabulary | str | None = None,
    lm: CharNgramLM | None = None,
    words: WordList | Iterable[str] | None = None,
    alpha: float = 0.5,
    beta: float = 1.0,
    top_paths: int = 1,
    blank: int = BLANK,
    length: int | None = None,
    prune_log_prob: float | None = DEFAULT_PRUNE_LOG_PROB,
) -> list[Hypothesis]:
    """Most probable labellings under CTC, optionally fused with a character LM.

    Args:
        logits: ``(time, classes)`` logits or log-probabilities (a log-softmax is applied).
        beam_width: prefixes kept after each frame.
        vocabulary: the alphabet (:class:`CharVocabulary` or its characters); needed for
            ``lm``/``words`` and to fill :attr:`Hypothesis.text`.
        lm: a :class:`CharNgramLM` over the same alphabet (shallow fusion).
        words: a :class:`WordList` or words: only those may be spelled.
        alpha: LM weight. beta: bonus per emitted character (offsets the LM's and
            the acoustic model's preference for short outputs). Both apply only with
            ``lm`` or ``words``.
        top_paths: hypotheses to return (n-best), best first.
        blank: the blank class (must be 0 with ``lm``/``words``).
        length: frames to use (default: all).
        prune_log_prob: characters below this log-probability in a frame are not tried
            there (``None``: try all; exact search with a wide enough beam).

    Returns:
        Up to ``top_paths`` :class:`Hypothesis`, best first.
    """
    x = _check_logits(logits, blank)
    if not isinstance(beam_width, int) or beam_width < 1:
        raise ValueError(f"beam_width must be a positive int, got {beam_width!r}")
    if not isinstance(top_paths, int) or not 1 <= top_paths:
        raise ValueError(f"top_paths must be a positive int, got {top_paths!r}")
    if length is not None:
        if not 0 <= length <= x.shape[0]:
            raise ValueError(f"length {length} is outside 0..{x.shape[0]}")
        x = x[:length]
    if isinstance(vocabulary, str):
        vocabulary = CharVocabulary(vocabulary)
    if words is not None and not isinstance(words, WordList):
        if vocabulary is None:
            raise ValueError("a word list needs the alphabet: pass vocabulary=")
        words = WordList(words, vocabulary.characters)
    num_classes = x.shape[1]
    use_scorer = lm is not None or words is not None
    scorer = _Scorer(
        num_classes,
        blank,
        vocabulary,
        lm,
        words,
        alpha if use_scorer else 0.0,
        beta if use_scorer else 0.0,
    )
    log_probs = log_softmax(x)
    classes = np.arange(num_classes)
    tokens_of: list[tuple[int, ...]] = [()]
    key0 = scorer.key(())
    ext0, end0 = scorer.scores((), key0)
    p_b = np.array([0.0])
    p_nb = np.array([-np.inf])
    bonus = np.array([0.0])  # alpha * LM + beta * length so far
    extension = ext0[None, :]
    ends = [end0]
    last = np.array([-1])
    neg_inf = -np.inf

    for t in range(log_probs.shape[0]):
        lp = log_probs[t]
        if prune_log_prob is None:
            cand = classes[classes != blank]
        else:
            cand = classes[(lp >= prune_log_prob) & (classes != blank)]
        total = np.logaddexp(p_b, p_nb)
        # staying: a blank, or a repeat of the last character merged by the collapse rule
        new_b = total + lp[blank]
        new_nb = np.where(last >= 0, p_nb + lp[np.maximum(last, 0)], neg_inf)
        # extending by each candidate character
        ext = total[:, None] + lp[cand][None, :]
        same = cand[None, :] == last[:, None]
        if same.any():
            ext = np.where(same, p_b[:, None] + lp[cand][None, :], ext)
        # a prefix extended into one already in the beam adds to that one
        index = {tok: i for i, tok in enumerate(tokens_of)}
        position = np.full(num_classes, -1)
        position[cand] = np.arange(len(cand))
        for j, tok in enumerate(tokens_of):
            if tok:
                parent = index.get(tok[:-1])
                k = position[tok[-1]]
                if parent is not None and k >= 0:
                    new_nb[j] = np.logaddexp(new_nb[j], ext[parent, k])
                    ext[parent, k] = neg_inf
        stay_score = np.logaddexp(new_b, new_nb) + bonus
        ext_bonus = bonus[:, None] + extension[:, cand]
        ext_score = ext + ext_bonus
        scores = np.concatenate([stay_score, ext_score.ravel()])
        n = min(beam_width, int(np.count_nonzero(scores > neg_inf)))
        if n == 0:
            break
        chosen = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        chosen = chosen[scores[chosen] > neg_inf]
        beam_size = len(tokens_of)
        next_tokens: list[tuple[int, ...]] = []
        next_b, next_nb, next_bonus, next_last, next_ext, next_end = [], [], [], [], [], []
        for c in chosen:
            if c < beam_size:
                next_tokens.append(tokens_of[c])
                next_b.append(new_b[c])
                next_nb.append(new_nb[c])
                next_bonus.append(bonus[c])
                next_last.append(last[c])
                next_ext.append(extension[c])
                next_end.append(ends[c])
            else:
                parent, k = divmod(int(c) - beam_size, len(cand))
                token = int(cand[k])
                tok = tokens_of[parent] + (token,)
                next_tokens.append(tok)
                next_b.append(neg_inf)
                next_nb.append(ext[parent, k])
                next_bonus.append(ext_bonus[parent, k])
                next_last.append(token)
                e, end = scorer.scores(tok, scorer.key(tok))
                next_ext.append(e)
                next_end.append(end)
        tokens_of = next_tokens
        p_b, p_nb = np.array(next_b), np.array(next_nb)
        bonus, last = np.array(next_bonus), np.array(next_last)
        extension = np.stack(next_ext)
        ends = next_end

    acoustic = np.logaddexp(p_b, p_nb)
    final = acoustic + bonus + np.array(ends)
    order = [int(i) for i in np.argsort(-final, kind="stable") if final[i] > neg_inf]
    results = []
    for i in order[:top_paths]:
        tok = tokens_of[i]
        results.append(
            Hypothesis(
                tokens=tok,
                score=float(final[i]),
                acoustic=float(acoustic[i]),
                lm=scorer.lm_log_prob(tok),
                text=vocabulary.decode(tok) if vocabulary is not None else None,
            )
        )
    if not results:
        # every prefix was ruled out (e.g. the word list): the empty labelling is allowed
        empty = float(np.sum(log_probs[:, blank]))
        results.append(
            Hypothesis(
                (), empty, empty, scorer.lm_log_prob(()), "" if vocabulary is not None else None
            )
        )
    return results
