"""Trigger-word labels on the model's output time grid (course section 3.10).

The label of a clip is 0 everywhere except a run of ones (default 50 output steps)
that starts at the first output step that has heard the whole keyword.

The grid: feature frame ``f`` covers samples ``[f*hop, f*hop + frame)`` (see
``seqkeras_edge.features``); output step ``j`` of a model with stride ``s`` (feature frames
per output step) and receptive field ``k`` frames (the first step's kernel; 1 for causal
models) has seen frames up to ``j*s + k - 1``, i.e. samples up to
``end(j) = (j*s + k - 1)*hop + frame`` (exclusive). The ones for a keyword ending at
sample ``e`` start at the smallest ``j`` with ``end(j) >= e``.

Example::

    config = LabelConfig()                      # 50 ones, stride 1, causal, 25/10 ms frames
    labels = make_labels([16000], 160000, config)   # keyword ends at 1.0 s of a 10 s clip
    np.flatnonzero(labels)[[0, -1]]             # array([ 98, 147])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from seqkeras_edge.features import FeatureConfig

ONES_STEPS = 50


@dataclasses.dataclass(frozen=True)
class LabelConfig:
    """Where output steps fall in time, and how many ones follow a keyword.

    Args:
        ones_steps: length of the run of ones after each keyword (output steps).
        frames_per_step: model output stride in feature frames (e.g. 4 for the course's
            ``Conv1D(196, 15, strides=4)``).
        kernel_frames: feature frames the first output step needs (15 for that valid
            convolution; 1 for causal/streaming models).
        features: the feature framing (``seqkeras_edge.features.FeatureConfig``).
    """

    ones_steps: int = ONES_STEPS
    frames_per_step: int = 1
    kernel_frames: int = 1
    features: FeatureConfig = dataclasses.field(default_factory=FeatureConfig)

    def __post_init__(self) -> None:
        if self.ones_steps < 1:
            raise ValueError(f"ones_steps must be >= 1, got {self.ones_steps}")
        if self.frames_per_step < 1:
            raise ValueError(f"frames_per_step must be >= 1, got {self.frames_per_step}")
        if self.kernel_frames < 1:
            raise ValueError(f"kernel_frames must be >= 1, got {self.kernel_frames}")

    def num_steps(self, num_samples: int) -> int:
        """Output steps for a clip of ``num_samples`` samples."""
        frames = self.features.num_frames(num_samples)
        if frames < self.kernel_frames:
            return 0
        return 1 + (frames - self.kernel_frames) // self.frames_per_step

    def step_end_sample(self, step: int) -> int:
        """Exclusive end sample of everything output step ``step`` has heard."""
        last_frame = step * self.frames_per_step + self.kernel_frames - 1
        return last_frame * self.features.hop_length + self.features.frame_length

    def first_step_after(self, end_sample: int) -> int:
        """Smallest output step that has heard samples up to ``end_sample`` (exclusive)."""
        hop, frame = self.features.hop_length, self.features.frame_length
        last_frame = max(0, -(-(end_sample - frame) // hop))  # ceil division
        return max(0, -(-(last_frame - (self.kernel_frames - 1)) // self.frames_per_step))

    def step_seconds(self) -> float:
        """Time between output steps in seconds."""
        return self.frames_per_step * self.features.hop_length / self.features.sample_rate

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["features"] = self.features.to_dict()
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> LabelConfig:
        values = dict(values)
        features = FeatureConfig.from_dict(values.pop("features", {}))
        return cls(features=features, **values)


def make_labels(
    keyword_ends: Iterable[int], num_samples: int, config: LabelConfig | None = None
) -> np.ndarray:
    """Labels ``(num_steps,)`` float32: ones for ``ones_steps`` steps after each keyword end.

    Args:
        keyword_ends: exclusive end sample of every keyword in the clip.
        num_samples: clip length in samples.
        config: the output grid (defaults to ``LabelConfig()``).

    Runs that would pass the end of the clip are truncated; overlapping runs merge.
    """
    config = config or LabelConfig()
    labels = np.zeros(config.num_steps(num_samples), dtype=np.float32)
    for end in keyword_ends:
        if not 0 < end <= num_samples:
            raise ValueError(
                f"keyword end sample {end} is outside the clip of {num_samples} samples"
            )
        start = config.first_step_after(int(end))
        labels[start : start + config.ones_steps] = 1.0
    return labels
