"""Entity-level precision, recall and F1 for BIO tags (as conlleval and seqeval count).

An entity is a maximal run ``B-x I-x I-x ...``; an ``I-x`` that does not continue an
entity of type ``x`` (after ``O``, or after a tag of another type) starts a new one, as
in conlleval and seqeval's default mode. A predicted entity counts as correct only if
its type and both boundaries equal a true entity's. seqeval is not imported: the tests
compare against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

OUTSIDE = "O"
Entity = tuple[str, int, int]  # (type, first token, last token)


def _split_tag(tag: str) -> tuple[str, str | None]:
    if tag == OUTSIDE:
        return OUTSIDE, None
    prefix, sep, kind = tag.partition("-")
    if prefix not in ("B", "I") or not sep or not kind:
        raise ValueError(f"tag {tag!r} is not a BIO tag (O, B-type or I-type)")
    return prefix, kind


def bio_entities(tags: Sequence[str]) -> list[Entity]:
    """The entities of one sentence's BIO tags, as ``(type, start, end)`` (inclusive).

    Example:
        >>> bio_entities(["B-person", "I-person", "O", "I-geo-loc"])
        [('person', 0, 1), ('geo-loc', 3, 3)]
    """
    entities: list[Entity] = []
    start: int | None = None
    current: str | None = None
    for i, tag in enumerate([*tags, OUTSIDE]):
        prefix, kind = _split_tag(tag)
        continues = prefix == "I" and start is not None and kind == current
        if start is not None and not continues:
            entities.append((current, start, i - 1))  # type: ignore[arg-type]
            start, current = None, None
        if prefix != OUTSIDE and not continues:
            start, current = i, kind
    return entities


def _prf(correct: int, predicted: int, true: int) -> dict[str, float]:
    precision = correct / predicted if predicted else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def entity_scores(
    true_tags: Sequence[Sequence[str]], predicted_tags: Sequence[Sequence[str]]
) -> dict[str, Any]:
    """Entity-level scores of predicted BIO tag sequences against the true ones.

    Returns:
        ``{"micro": {...}, "macro": {...}, "per_type": {type: {...}}}`` where each
        ``{...}`` holds ``precision``, ``recall``, ``f1`` (0 when undefined) and, per
        type and micro, ``support`` (true entities), ``predicted`` and ``correct``.
        ``macro`` averages the per-type scores over every type seen in either side.
    """
    if len(true_tags) != len(predicted_tags):
        raise ValueError(f"{len(true_tags)} true sentences but {len(predicted_tags)} predicted")
    true_set: set[tuple[int, str, int, int]] = set()
    pred_set: set[tuple[int, str, int, int]] = set()
    for n, (truth, guess) in enumerate(zip(true_tags, predicted_tags, strict=True)):
        if len(truth) != len(guess):
            raise ValueError(f"sentence {n}: {len(truth)} true tags but {len(guess)} predicted")
        true_set.update((n, *e) for e in bio_entities(truth))
        pred_set.update((n, *e) for e in bio_entities(guess))
    types = sorted({e[1] for e in true_set | pred_set})
    per_type = {}
    for kind in types:
        t = {e for e in true_set if e[1] == kind}
        p = {e for e in pred_set if e[1] == kind}
        per_type[kind] = {
            **_prf(len(t & p), len(p), len(t)),
            "support": len(t),
            "predicted": len(p),
            "correct": len(t & p),
        }
    micro = {
        **_prf(len(true_set & pred_set), len(pred_set), len(true_set)),
        "support": len(true_set),
        "predicted": len(pred_set),
        "correct": len(true_set & pred_set),
    }
    macro = {
        key: (sum(s[key] for s in per_type.values()) / len(types) if types else 0.0)
        for key in ("precision", "recall", "f1")
    }
    return {"micro": micro, "macro": macro, "per_type": per_type}


def bootstrap_f1(
    true_tags: Sequence[Sequence[str]],
    predicted_tags: Sequence[Sequence[str]],
    resamples: int = 1000,
    seed: int = 0,
) -> dict[str, float]:
    """Spread of the micro F1 over sentences drawn with replacement (the test set is a
    sample too): standard deviation and the 2.5 / 97.5 percentiles of ``resamples``
    bootstrap F1 values."""
    import numpy as np

    if len(true_tags) != len(predicted_tags) or not true_tags:
        raise ValueError("need the same, non-zero number of true and predicted sentences")
    counts = np.zeros((len(true_tags), 3))  # correct, predicted, true entities per sentence
    for n, (truth, guess) in enumerate(zip(true_tags, predicted_tags, strict=True)):
        t, p = set(bio_entities(truth)), set(bio_entities(guess))
        counts[n] = (len(t & p), len(p), len(t))
    rng = np.random.default_rng(seed)
    draws = counts[rng.integers(0, len(counts), (resamples, len(counts)))].sum(axis=1)
    correct, predicted, true = draws[:, 0], draws[:, 1], draws[:, 2]
    # F1 = 2·correct / (predicted + true): the harmonic mean of precision and recall
    f1 = np.divide(2 * correct, predicted + true, out=np.zeros(resamples), where=predicted + true > 0)
    return {
        "std": float(f1.std(ddof=1)),
        "low": float(np.percentile(f1, 2.5)),
        "high": float(np.percentile(f1, 97.5)),
        "resamples": resamples,
    }
