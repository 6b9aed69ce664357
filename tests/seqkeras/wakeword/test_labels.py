"""Trigger-word labels on the output grid: hand-computed placements and a brute-force oracle."""

import numpy as np
import pytest
from seqkeras_edge.features import FeatureConfig

from seqkeras.wakeword.labels import LabelConfig, make_labels

TEN_SECONDS = 160000


def test_grid_sizes_by_hand():
    # 10 s at 16 kHz, 400-sample frames every 160 samples: 1 + (160000 - 400) // 160 = 998 frames.
    assert LabelConfig().num_steps(TEN_SECONDS) == 998
    # The course's Conv1D(kernel 15, stride 4, valid): 1 + (998 - 15) // 4 = 246 steps.
    assert LabelConfig(frames_per_step=4, kernel_frames=15).num_steps(TEN_SECONDS) == 246
    assert LabelConfig(kernel_frames=15).num_steps(400 + 13 * 160) == 0
    assert LabelConfig().step_seconds() == pytest.approx(0.01)


def test_ones_start_right_after_keyword_by_hand():
    # Keyword ends at sample 16000 (1.0 s). Frame 97 ends at 97*160+400 = 15920 < 16000,
    # frame 98 ends at 16080 >= 16000, so the ones start at step 98 and last 50 steps.
    labels = make_labels([16000], TEN_SECONDS)
    assert labels.dtype == np.float32 and labels.shape == (998,)
    assert np.flatnonzero(labels).tolist() == list(range(98, 148))
    # Stride 4, kernel 15: step j has heard frames up to 4j + 14; 4*21 + 14 = 98 is the first >= 98.
    strided = make_labels(
        [16000], TEN_SECONDS, LabelConfig(ones_steps=10, frames_per_step=4, kernel_frames=15)
    )
    assert np.flatnonzero(strided).tolist() == list(range(21, 31))


def test_end_exactly_on_a_frame_boundary():
    # Frame 10 ends exactly at 10*160 + 400 = 2000: that frame has heard the whole keyword.
    assert np.flatnonzero(make_labels([2000], 16000, LabelConfig(ones_steps=3))).tolist() == [
        10,
        11,
        12,
    ]
    assert np.flatnonzero(make_labels([2001], 16000, LabelConfig(ones_steps=3))).tolist() == [
        11,
        12,
        13,
    ]
    # A keyword ending inside the first frame labels from step 0.
    assert np.flatnonzero(make_labels([100], 16000, LabelConfig(ones_steps=2))).tolist() == [0, 1]


def test_truncated_at_clip_end_and_runs_merge():
    labels = make_labels([TEN_SECONDS - 160 * 5], TEN_SECONDS)
    # End 159200 -> first frame with f*160+400 >= 159200 is f = 993; steps 993..997 remain.
    assert np.flatnonzero(labels).tolist() == [993, 994, 995, 996, 997]
    merged = make_labels([16000, 16000 + 160 * 20], TEN_SECONDS)
    assert np.flatnonzero(merged).tolist() == list(range(98, 168))


@pytest.mark.parametrize("stride, kernel", [(1, 1), (4, 15), (2, 3), (3, 1)])
def test_first_step_matches_brute_force(stride, kernel):
    config = LabelConfig(
        ones_steps=7,
        frames_per_step=stride,
        kernel_frames=kernel,
        features=FeatureConfig(frame_ms=30.0, hop_ms=10.0),
    )
    rng = np.random.default_rng(0)
    n = 48000
    steps = config.num_steps(n)
    for end in rng.integers(1, n, size=200):
        # Oracle: scan steps; step j's receptive field ends at sample ((j*s + k - 1)*hop + frame).
        heard = [(j * stride + kernel - 1) * 160 + 480 for j in range(steps)]
        first = next((j for j in range(steps) if heard[j] >= end), steps)
        expected = np.zeros(steps)
        expected[first : first + 7] = 1
        np.testing.assert_array_equal(make_labels([int(end)], n, config), expected)


def test_errors_and_round_trip():
    with pytest.raises(ValueError, match="outside the clip"):
        make_labels([16001], 16000)
    with pytest.raises(ValueError, match="ones_steps"):
        LabelConfig(ones_steps=0)
    with pytest.raises(ValueError, match="frames_per_step"):
        LabelConfig(frames_per_step=0)
    config = LabelConfig(
        ones_steps=20, frames_per_step=4, kernel_frames=15, features=FeatureConfig(num_mel_bins=32)
    )
    assert LabelConfig.from_dict(config.to_dict()) == config
