"""Streaming detection decisions: smoothing window, threshold, refractory period.

The SAME code decides on the device (``seqkeras-wake``) and in the wake-word evaluation
(FRR / false accepts per hour), so the two can never disagree. Rules, per model output
step ``t`` (scores are the model's keyword probability at that step):

1. ``smoothed[t]`` = mean of the raw scores of steps ``max(0, t - smoothing_steps + 1)``
   .. ``t`` (a shorter window at the very start of a stream).
2. A detection fires at step ``t`` when ``smoothed[t] >= threshold`` and no detection
   fired at a step ``d`` with ``(t - d) * step_seconds < refractory_seconds``.
3. Its time is ``first_step_seconds + t * step_seconds`` (the model's output time grid,
   the same grid the training labels use; ``first_step_seconds`` is 0 for log-mel frames
   and 0.782 s for a speech-embedding model, whose first output has heard 12,512
   samples); its score is ``smoothed[t]``.

Example::

    from seqkeras_edge.decision import DecisionConfig, detect

    config = DecisionConfig(threshold=0.5, smoothing_steps=2, refractory_seconds=0.03,
                            step_seconds=0.01)
    [d.step for d in detect([0.1, 0.9, 0.9, 0.9, 0.9, 0.9], config)]   # [1, 4]
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class DecisionConfig:
    """Decision parameters stored in the model metadata.

    Args:
        threshold: fire when the smoothed score reaches this value.
        smoothing_steps: moving-average window in output steps (1 = no smoothing).
        refractory_seconds: minimum time between two detections.
        step_seconds: seconds per model output step (the feature hop for stride-1 models).
        output_index: which channel of the model output is the keyword score.
        keyword: the keyword's name (informational).
        first_step_seconds: stream time of output step 0 (detection times add it).
    """

    threshold: float = 0.5
    smoothing_steps: int = 1
    refractory_seconds: float = 1.0
    step_seconds: float = 0.01
    output_index: int = 0
    keyword: str | None = None
    first_step_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not math.isfinite(self.threshold):
            raise ValueError(f"threshold must be a finite number, got {self.threshold!r}")
        if not isinstance(self.smoothing_steps, int) or self.smoothing_steps < 1:
            raise ValueError(f"smoothing_steps must be an integer >= 1, got {self.smoothing_steps!r}")
        if not self.refractory_seconds >= 0:
            raise ValueError(f"refractory_seconds must be >= 0, got {self.refractory_seconds!r}")
        if not self.step_seconds > 0:
            raise ValueError(f"step_seconds must be > 0, got {self.step_seconds!r}")
        if not isinstance(self.output_index, int) or self.output_index < 0:
            raise ValueError(f"output_index must be an integer >= 0, got {self.output_index!r}")
        if not self.first_step_seconds >= 0:
            raise ValueError(f"first_step_seconds must be >= 0, got {self.first_step_seconds!r}")

    @property
    def refractory_steps(self) -> int:
        """Steps after a detection during which no other detection may fire."""
        return math.ceil(self.refractory_seconds / self.step_seconds - 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> DecisionConfig:
        """Inverse of :meth:`to_dict`; unknown keys raise ``ValueError`` naming them."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown decision config keys {unknown}; expected a subset of {sorted(known)}")
        return cls(**dict(values))


@dataclasses.dataclass(frozen=True)
class Detection:
    step: int
    time: float
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "score": round(self.score, 6), "step": self.step}


class StreamingDecision:
    """Feed one score per output step with :meth:`update`; returns a Detection or None."""

    def __init__(self, config: DecisionConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._window: deque[float] = deque(maxlen=self.config.smoothing_steps)
        self._step = -1
        self._last_detection: int | None = None

    def update(self, score: float) -> Detection | None:
        self._step += 1
        self._window.append(float(score))
        smoothed = sum(self._window) / len(self._window)
        if smoothed < self.config.threshold:
            return None
        last = self._last_detection
        if last is not None and self._step - last < self.config.refractory_steps:
            return None
        self._last_detection = self._step
        time = self.config.first_step_seconds + self._step * self.config.step_seconds
        return Detection(self._step, time, smoothed)


def detect(scores: Iterable[float], config: DecisionConfig) -> list[Detection]:
    """All detections in a score stream (offline; identical to feeding them one by one)."""
    decision = StreamingDecision(config)
    found = []
    for score in scores:
        event = decision.update(score)
        if event is not None:
            found.append(event)
    return found


def hop_seconds(features: Mapping[str, Any]) -> float | None:
    """Seconds between model input frames (= output steps for stride-1 models)."""
    try:
        rate = int(features["sample_rate"])
        if "mel_hop" in features:  # speech-embedding mel windows: one input per step_frames
            hop = int(features["mel_hop"]) * int(features["step_frames"])
        else:
            hop = int(round(float(features["hop_ms"]) * rate / 1000.0))
    except (KeyError, TypeError, ValueError):
        return None
    return hop / rate if rate > 0 and hop > 0 else None
