"""Scoring detections: FRR, false accepts per hour, DET curve, operating threshold.

Detections are made by ``seqkeras_edge.decision`` — the very code the device runner
(``seqkeras-wake``) uses: moving-average smoothing, threshold, refractory period. Scores
are scored against the labelled windows of the synthesized clips:

- every keyword utterance has a window: the output steps its label is 1 on (the
  ``ones_steps`` steps right after it ends, ``seqkeras.wakeword.labels``), opened
  ``early_steps`` earlier (``EvalSettings.early_tolerance_seconds``, 0.2 s): a detection
  during the keyword's last syllable is a hit, not a false accept plus a miss — a word
  ending in a stop consonant ("activate") has its closure silence and release burst
  inside the utterance, and voices differ in where a model is sure (measured: flite's awb
  voice is detected ~130 ms before the trimmed end, espeak's ~25 ms);
- the first detection inside a window is a **hit**; an utterance without a hit is a
  **false reject**; FRR = false rejects / keyword utterances;
- every other detection — outside every window, or a second detection inside an
  already hit window — is a **false accept**; FA/h = false accepts on the long
  negative streams (speech without the keyword over background) / their hours;
- ``inside_fraction`` = detections inside some **labelled** window (without the early
  tolerance) / all detections on the positive clips (the "fires where the label says"
  check).

:func:`det_curve` sweeps thresholds, :func:`threshold_for` picks the operating point that
meets a target FA/h, :func:`frr_at_budgets` reads the lowest FRR under several budgets.
Everything here is pure arithmetic on score streams (no model, no audio).

Example::

    windows = keyword_windows([16000], label_config)          # keyword ends at 1.0 s
    counts = score_detections([d.step for d in detect(scores, decision)], windows)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from seqkeras_edge.decision import DecisionConfig, detect

from seqkeras.wakeword.labels import LabelConfig

# Fine enough that "FRR at the same FA/h" of two models is not a grid artefact.
DEFAULT_THRESHOLDS = tuple(
    [round(t, 3) for t in np.arange(0.02, 0.981, 0.02)]
    + [0.985, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999]
)
SECONDS_PER_HOUR = 3600.0


def keyword_windows(
    keyword_ends: Iterable[int],
    labels: LabelConfig,
    num_samples: int | None = None,
    early_steps: int = 0,
) -> list[tuple[int, int]]:
    """``[start, stop)`` output steps of the label window after each keyword end (samples),
    opened ``early_steps`` before the label's first step (never before step 0).

    Windows are clipped to the clip's steps when ``num_samples`` is given.
    """
    if early_steps < 0:
        raise ValueError(f"early_steps must be >= 0, got {early_steps}")
    limit = labels.num_steps(num_samples) if num_samples is not None else None
    windows = []
    for end in keyword_ends:
        first = labels.first_step_after(int(end))
        stop = first + labels.ones_steps
        if limit is not None:
            stop = min(stop, limit)
        windows.append((max(0, first - early_steps), stop))
    return windows


@dataclasses.dataclass
class DetectionCounts:
    """Hits, misses and false accepts of one or many score streams (add with ``+``)."""

    keywords: int = 0
    hits: int = 0
    false_accepts: int = 0
    detections: int = 0
    inside: int = 0

    @property
    def misses(self) -> int:
        return self.keywords - self.hits

    def __add__(self, other: DetectionCounts) -> DetectionCounts:
        return DetectionCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self))
        )


def score_detections(
    detection_steps: Sequence[int], windows: Sequence[tuple[int, int]], early_steps: int = 0
) -> DetectionCounts:
    """Match detections (output steps) to keyword windows.

    The first detection in a window hits it; a detection outside every window, or in
    windows that are all already hit, is a false accept. ``inside`` counts detections in
    the labelled part of a window (its first ``early_steps`` steps are the early tolerance
    of :func:`keyword_windows`).
    """
    hit = [False] * len(windows)
    counts = DetectionCounts(keywords=len(windows), detections=len(detection_steps))
    for step in detection_steps:
        containing = [i for i, (a, b) in enumerate(windows) if a <= step < b]
        if any(windows[i][0] + early_steps <= step for i in containing):
            counts.inside += 1
        fresh = [i for i in containing if not hit[i]]
        if fresh:
            hit[fresh[0]] = True
            counts.hits += 1
        else:
            counts.false_accepts += 1
    return counts


def detection_steps(scores: np.ndarray, decision: DecisionConfig) -> list[int]:
    """Steps at which the runner's decision logic fires on ``scores`` (1-D)."""
    return [d.step for d in detect(np.asarray(scores, np.float64).ravel().tolist(), decision)]


@dataclasses.dataclass
class OperatingPoint:
    """FRR and FA/h at one threshold."""

    threshold: float
    frr: float
    fa_per_hour: float
    false_accepts: int
    misses: int
    keywords: int
    clip_false_accepts: int
    inside_fraction: float | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def operating_point(
    positive_scores: Sequence[np.ndarray],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    negative_scores: Sequence[np.ndarray],
    negative_seconds: float,
    decision: DecisionConfig,
    early_steps: int = 0,
) -> OperatingPoint:
    """FRR on the positive clips and FA/h on the negative streams at ``decision``.

    Args:
        positive_scores: per clip, the 1-D score stream (one value per output step).
        positive_windows: per clip, its keyword windows (:func:`keyword_windows`).
        negative_scores: the negative streams' 1-D scores (each decided from a fresh start).
        negative_seconds: total duration of the negative streams.
        decision: smoothing, threshold, refractory (the runner's ``DecisionConfig``).
        early_steps: the windows' early tolerance (for ``inside_fraction``).
    """
    if len(positive_scores) != len(positive_windows):
        raise ValueError(
            f"{len(positive_scores)} positive score streams but {len(positive_windows)} window lists"
        )
    if not negative_seconds > 0:
        raise ValueError(f"negative_seconds must be > 0, got {negative_seconds!r}")
    clips = DetectionCounts()
    for scores, windows in zip(positive_scores, positive_windows, strict=True):
        clips = clips + score_detections(detection_steps(scores, decision), windows, early_steps)
    negatives = DetectionCounts()
    for scores in negative_scores:
        negatives = negatives + score_detections(detection_steps(scores, decision), [])
    return OperatingPoint(
        threshold=float(decision.threshold),
        frr=clips.misses / clips.keywords if clips.keywords else 0.0,
        fa_per_hour=negatives.false_accepts / (negative_seconds / SECONDS_PER_HOUR),
        false_accepts=negatives.false_accepts,
        misses=clips.misses,
        keywords=clips.keywords,
        clip_false_accepts=clips.false_accepts,
        inside_fraction=clips.inside / clips.detections if clips.detections else None,
    )


def frr_by_voice(
    positive_scores: Sequence[np.ndarray],
    keyword_voices: Sequence[Sequence[str]],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    decision: DecisionConfig,
) -> dict[str, dict[str, float]]:
    """Misses per voice at ``decision``: ``{voice: {"keywords", "misses", "frr"}}``.

    ``keyword_voices[i][k]`` names the voice of clip ``i``'s ``k``-th keyword (window
    ``positive_windows[i][k]``); a keyword is missed when no detection falls in its window.
    """
    table: dict[str, dict[str, float]] = {}
    for scores, voices, windows in zip(positive_scores, keyword_voices, positive_windows, strict=True):
        if len(voices) != len(windows):
            raise ValueError(f"{len(voices)} keyword voices but {len(windows)} windows in a clip")
        steps = detection_steps(scores, decision)
        for voice, (start, stop) in zip(voices, windows, strict=True):
            row = table.setdefault(voice, {"keywords": 0, "misses": 0})
            row["keywords"] += 1
            row["misses"] += not any(start <= step < stop for step in steps)
    for row in table.values():
        row["frr"] = row["misses"] / row["keywords"]
    return dict(sorted(table.items()))


def voice_name(voice: str) -> str:
    """``"flite:awb:s0.82:pdefault"`` -> ``"flite:awb"`` (engine and voice, no variant)."""
    return ":".join(voice.split(":")[:2])


def det_curve(
    positive_scores: Sequence[np.ndarray],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    negative_scores: Sequence[np.ndarray],
    negative_seconds: float,
    decision: DecisionConfig,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    early_steps: int = 0,
) -> list[OperatingPoint]:
    """:func:`operating_point` at every threshold (smoothing and refractory from ``decision``)."""
    return [
        operating_point(
            positive_scores,
            positive_windows,
            negative_scores,
            negative_seconds,
            dataclasses.replace(decision, threshold=float(t)),
            early_steps,
        )
        for t in thresholds
    ]


def threshold_for(
    curve: Sequence[OperatingPoint], target_fa_per_hour: float
) -> OperatingPoint | None:
    """The point with FA/h <= target and the lowest FRR (ties: fewer false accepts, then
    the higher threshold); ``None`` when no threshold meets the target."""
    meeting = [p for p in curve if p.fa_per_hour <= target_fa_per_hour]
    if not meeting:
        return None
    return min(meeting, key=lambda p: (p.frr, p.fa_per_hour, -p.threshold))


def frr_at_budgets(
    curve: Sequence[OperatingPoint], budgets: Iterable[float]
) -> dict[str, OperatingPoint | None]:
    """The :func:`threshold_for` point under each FA/h budget, keyed by the budget as text."""
    return {f"{budget:g}": threshold_for(curve, budget) for budget in budgets}
