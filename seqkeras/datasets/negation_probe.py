"""A small built-in challenge set: sentences whose sentiment turns on word order.

Two kinds of minimal pairs (course 2.9: "completely lacking in good taste"):

* ``order``: both sentences of a pair hold exactly the same words, so any model that
  ignores word order (the average of word vectors) gives both the same prediction and
  can be right on at most one of them — its pair accuracy on this kind is 0 by
  construction;
* ``negation``: a sentence and its negated or "lacking" counterpart.

The sentences are written in the style of Pang & Lee's (lower case, punctuation split
off) and labelled ``neg`` / ``pos``. They are never used for training.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

PROBE_KINDS = ("order", "negation")

# (kind, positive sentence, negative sentence)
_PAIRS = (
    ("order", "good , not bad", "bad , not good"),
    ("order", "i expected it to be boring , but it was brilliant",
     "i expected it to be brilliant , but it was boring"),
    ("order", "the critics called it dull , but i found it delightful",
     "the critics called it delightful , but i found it dull"),
    ("order", "not a failure , a triumph", "not a triumph , a failure"),
    ("order", "it could have been a mess ; instead it is a gem",
     "it could have been a gem ; instead it is a mess"),
    ("order", "funny , never tedious", "tedious , never funny"),
    ("order", "rarely dull and often moving", "rarely moving and often dull"),
    ("order", "the plot is thin but the performances are superb",
     "the performances are superb but the plot is thin"),
    ("negation", "a film of good taste", "completely lacking in good taste"),
    ("negation", "this is a good movie", "this is not a good movie"),
    ("negation", "i enjoyed every minute of it", "i did n't enjoy a minute of it"),
    ("negation", "the acting is convincing", "the acting is n't convincing"),
    ("negation", "everything about it works", "nothing about it works"),
    ("negation", "never boring", "always boring"),
    ("negation", "not bad at all", "bad in every way"),
    ("negation", "a masterpiece", "hardly a masterpiece"),
    ("negation", "the jokes are funny", "none of the jokes are funny"),
    ("negation", "worth seeing", "not worth seeing"),
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class ProbeItem:
    text: str
    label: str  # "neg" or "pos"
    kind: str  # one of PROBE_KINDS
    pair: int  # the two sentences of a pair share it


def load_negation_probe() -> list[ProbeItem]:
    """The probe's sentences: for every pair, the positive one then the negative one."""
    items = []
    for pair, (kind, positive, negative) in enumerate(_PAIRS):
        items.append(ProbeItem(positive, "pos", kind, pair))
        items.append(ProbeItem(negative, "neg", kind, pair))
    return items


def probe_report(items: Sequence[ProbeItem], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy and pair accuracy (both sentences right), overall and per kind."""
    if len(items) != len(predicted):
        raise ValueError(f"{len(items)} probe items but {len(predicted)} predictions")
    right = [p == item.label for item, p in zip(items, predicted, strict=True)]
    report: dict[str, Any] = {}
    for kind in (None, *PROBE_KINDS):
        chosen = [i for i, item in enumerate(items) if kind is None or item.kind == kind]
        pairs: dict[int, bool] = {}
        for i in chosen:
            pairs[items[i].pair] = pairs.get(items[i].pair, True) and right[i]
        report[kind or "all"] = {
            "sentences": len(chosen),
            "accuracy": sum(right[i] for i in chosen) / len(chosen),
            "pair_accuracy": sum(pairs.values()) / len(pairs),
        }
    report["mistakes"] = [
        {"text": item.text, "label": item.label, "predicted": p}
        for item, p, ok in zip(items, predicted, right, strict=True)
        if not ok
    ]
    return report
