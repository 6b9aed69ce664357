"""FRR / false accepts per hour on hand-made score streams, DET, threshold choice."""

from __future__ import annotations

import numpy as np
import pytest
from seqkeras_edge.decision import DecisionConfig

from seqkeras.wakeword.evaluate import (
    det_curve,
    frr_by_voice,
    keras_stream_scores,
    keyword_windows,
    operating_point,
    plot_det,
    score_detections,
    threshold_for,
    voice_name,
)
from seqkeras.wakeword.labels import LabelConfig, make_labels

STEP = 0.01


def _decision(threshold=0.5, smoothing=1, refractory=1.0):
    return DecisionConfig(
        threshold=threshold,
        smoothing_steps=smoothing,
        refractory_seconds=refractory,
        step_seconds=STEP,
    )


def test_hits_duplicates_and_outside_detections():
    windows = [(10, 20), (50, 60)]
    counts = score_detections([12, 15, 30, 55], windows)
    # 12 hits window 0, 15 is a second detection in the same window, 30 is outside, 55 hits window 1.
    assert (counts.keywords, counts.hits, counts.misses) == (2, 2, 0)
    assert counts.false_accepts == 2
    assert (counts.detections, counts.inside) == (4, 3)
    # Window ends are exclusive.
    edge = score_detections([20, 9], [(10, 20)])
    assert (edge.hits, edge.false_accepts, edge.inside) == (0, 2, 0)


def test_refractory_period_counts_a_long_burst_once():
    scores = np.zeros(1000)
    scores[100:180] = 0.9  # 0.8 s above threshold
    negatives = [scores]
    seconds = 1000 * STEP
    point = operating_point([], [], negatives, seconds, _decision(refractory=1.0))
    assert point.false_accepts == 1
    assert point.fa_per_hour == pytest.approx(1 / (10 / 3600))
    # Without a refractory period every step above threshold fires (80 false accepts).
    point = operating_point([], [], negatives, seconds, _decision(refractory=0.0))
    assert point.false_accepts == 80
    # A 1.5 s burst with a 1 s refractory period fires at its start and 100 steps later.
    scores[100:250] = 0.9
    point = operating_point([], [], [scores], seconds, _decision(refractory=1.0))
    assert point.false_accepts == 2


def test_frr_and_clip_false_accepts():
    clip_a = np.zeros(300)
    clip_a[105:110] = 0.8  # inside the window (100, 150)
    clip_b = np.zeros(300)
    clip_b[30:35] = 0.8  # before its keyword: a false accept, and its keyword is missed
    clip_c = np.zeros(300)  # no keyword, no detection
    windows = [[(100, 150)], [(200, 250)], []]
    point = operating_point([clip_a, clip_b, clip_c], windows, [np.zeros(360)], 3.6, _decision())
    assert (point.keywords, point.misses) == (2, 1)
    assert point.frr == pytest.approx(0.5)
    assert point.clip_false_accepts == 1
    assert point.false_accepts == 0 and point.fa_per_hour == 0.0
    assert point.inside_fraction == pytest.approx(0.5)


def test_early_tolerance_turns_a_last_syllable_detection_into_a_hit():
    labels = LabelConfig()
    end = 16000  # keyword ends at 1.0 s
    strict = keyword_windows([end], labels)
    tolerant = keyword_windows([end], labels, early_steps=20)
    assert tolerant[0] == (strict[0][0] - 20, strict[0][1])
    early_step = strict[0][0] - 10  # fired 0.1 s before the labelled window
    counts = score_detections([early_step], strict)
    assert (counts.hits, counts.false_accepts) == (0, 1)  # strict: a miss AND a false accept
    counts = score_detections([early_step], tolerant, early_steps=20)
    assert (counts.hits, counts.false_accepts, counts.inside) == (1, 0, 0)  # hit, not "inside"
    counts = score_detections([strict[0][0] + 3], tolerant, early_steps=20)
    assert (counts.hits, counts.inside) == (1, 1)
    assert keyword_windows([160], labels, early_steps=50)[0][0] == 0  # never before step 0
    with pytest.raises(ValueError, match="early_steps"):
        keyword_windows([end], labels, early_steps=-1)


def test_frr_by_voice_counts_each_keyword_under_its_own_voice():
    clip_a = np.zeros(300)
    clip_a[105:110] = 0.8  # hits its first keyword (awb); its second (rms) is missed
    clip_b = np.zeros(300)
    clip_b[210:215] = 0.8  # hits its only keyword (rms)
    table = frr_by_voice(
        [clip_a, clip_b],
        [["flite:awb", "flite:rms"], ["flite:rms"]],
        [[(100, 150), (200, 250)], [(200, 250)]],
        _decision(),
    )
    assert table == {
        "flite:awb": {"keywords": 1, "misses": 0, "frr": 0.0},
        "flite:rms": {"keywords": 2, "misses": 1, "frr": 0.5},
    }
    assert voice_name("flite:awb:s0.82:pdefault") == "flite:awb"
    with pytest.raises(ValueError, match="keyword voices"):
        frr_by_voice([clip_a], [["flite:awb"]], [[(1, 2), (3, 4)]], _decision())


def test_smoothing_delays_and_suppresses_blips():
    scores = np.zeros(200)
    scores[50] = 1.0  # a one-step blip: smoothed over 5 steps it is 0.2
    scores[120:130] = 1.0
    point = operating_point([scores], [[(120, 170)]], [np.zeros(10)], 1.0, _decision(smoothing=5))
    # Mean of 5 steps reaches 0.6 >= 0.5 at step 122 (3 of 5 ones): a hit, and no blip detection.
    assert point.misses == 0 and point.clip_false_accepts == 0


def test_det_curve_and_threshold_choice():
    rng = np.random.default_rng(0)
    positives, windows = [], []
    for peak in (0.95, 0.85, 0.75, 0.65):
        clip = rng.uniform(0, 0.1, 400)
        clip[200:220] = peak
        positives.append(clip)
        windows.append([(195, 245)])
    negative = rng.uniform(0, 0.1, 3600)
    negative[[500, 1500, 2500]] = [0.7, 0.8, 0.9]  # three isolated false peaks
    curve = det_curve(
        positives, windows, [negative], 36.0, _decision(), thresholds=[0.6, 0.72, 0.82, 0.92]
    )
    frr = [p.frr for p in curve]
    fa = [p.false_accepts for p in curve]
    assert frr == [0.0, 0.25, 0.5, 0.75]
    assert fa == [3, 2, 1, 0]
    assert curve[0].fa_per_hour == pytest.approx(3 / 0.01)
    best = threshold_for(curve, target_fa_per_hour=150.0)  # allows at most 1 in 36 s
    assert best is not None and best.threshold == 0.82
    assert threshold_for(curve, target_fa_per_hour=0.0).threshold == 0.92
    assert threshold_for(curve[:2], target_fa_per_hour=0.0) is None


def test_keyword_windows_match_the_labels():
    labels = LabelConfig(ones_steps=30)
    ends = [16000, 52345]
    windows = keyword_windows(ends, labels, 80000)
    label = make_labels(ends, 80000, labels)
    expected = np.zeros_like(label)
    for a, b in windows:
        expected[a:b] = 1.0
    np.testing.assert_array_equal(label, expected)
    assert all(b - a == 30 for a, b in windows)


def test_chunked_stream_scores_equal_whole_sequence():
    from seqkeras.wakeword.models import streaming_model

    model = streaming_model(filters=4, units=6, kernel_size=3)
    features = np.random.default_rng(1).standard_normal((95, 40)).astype(np.float32)
    whole = model.predict(features[None], verbose=0)[0, :, 0]
    # A warm-up longer than the stream makes every chunk see its whole past: exact.
    chunked = keras_stream_scores(model, features, chunk_frames=20, warmup_frames=100)
    np.testing.assert_allclose(chunked, whole, atol=1e-5)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="negative_seconds"):
        operating_point([], [], [], 0.0, _decision())
    with pytest.raises(ValueError, match="window lists"):
        operating_point([np.zeros(3)], [], [], 1.0, _decision())


def test_plot_det_writes_png(tmp_path):
    curve = det_curve(
        [np.zeros(10)], [[(2, 5)]], [np.zeros(10)], 1.0, _decision(), thresholds=[0.5]
    )
    path = plot_det({"keras": curve}, tmp_path / "det.png", target_fa_per_hour=0.5)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
