"""Decision logic on hand-made score streams (expected values computed by hand)."""

import pytest
from seqkeras_edge.decision import DecisionConfig, StreamingDecision, detect, hop_seconds


def _steps(scores, **kwargs):
    config = DecisionConfig(**{"step_seconds": 0.01, **kwargs})
    return [d.step for d in detect(scores, config)]


def test_threshold_without_smoothing_or_refractory():
    scores = [0.1, 0.6, 0.4, 0.7, 0.7]
    assert _steps(scores, threshold=0.5, refractory_seconds=0.0) == [1, 3, 4]


def test_refractory_counts_a_run_once():
    run = [0.0] * 3 + [0.9] * 50 + [0.0] * 10 + [0.9] * 5
    # one detection at step 3; refractory 0.6 s = 60 steps covers the rest of the run
    # (steps 4..52) and the gap; the second run starts at step 63 = 3 + 60: it fires.
    assert _steps(run, threshold=0.5, refractory_seconds=0.6) == [3, 63]
    # a shorter refractory period (0.3 s = 30 steps) fires again inside the long run
    assert _steps(run, threshold=0.5, refractory_seconds=0.3) == [3, 33, 63]


def test_refractory_boundary_is_exclusive():
    # refractory 0.03 s at 0.01 s steps = 3 steps: fires at 0, blocked at 1 and 2, fires at 3.
    assert _steps([1.0] * 7, threshold=0.5, refractory_seconds=0.03) == [0, 3, 6]


def test_smoothing_window_mean():
    scores = [0.0, 0.9, 0.9, 0.0, 0.0, 0.6, 0.6, 0.6]
    # window 3 means: 0, .45, .6, .6, .3, .2, .4, .6
    config = DecisionConfig(threshold=0.55, smoothing_steps=3, refractory_seconds=0.0, step_seconds=0.02)
    found = detect(scores, config)
    assert [d.step for d in found] == [2, 3, 7]
    assert found[0].time == pytest.approx(0.04)
    assert found[0].score == pytest.approx(0.6)
    later = DecisionConfig(threshold=0.55, smoothing_steps=3, step_seconds=0.02, first_step_seconds=0.5)
    assert [d.time for d in detect(scores, later)] == pytest.approx([0.54])  # refractory 1 s


def test_streaming_equals_offline():
    scores = [0.2, 0.8, 0.9, 0.1, 0.95, 0.97, 0.99, 0.2, 0.1, 0.9]
    config = DecisionConfig(threshold=0.7, smoothing_steps=2, refractory_seconds=0.05, step_seconds=0.01)
    decision = StreamingDecision(config)
    streamed = [e for e in (decision.update(s) for s in scores) if e is not None]
    assert streamed == detect(scores, config)


@pytest.mark.parametrize(
    "field, value",
    [
        ("smoothing_steps", 0),
        ("refractory_seconds", -1.0),
        ("step_seconds", 0.0),
        ("threshold", float("nan")),
        ("first_step_seconds", -0.1),
    ],
)
def test_invalid_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        DecisionConfig(**{field: value})


def test_from_dict_rejects_unknown_keys():
    with pytest.raises(ValueError, match="thresh"):
        DecisionConfig.from_dict({"thresh": 0.5})


def test_hop_seconds_uses_rounded_samples():
    assert hop_seconds({"sample_rate": 16000, "hop_ms": 10.0}) == pytest.approx(0.01)
    assert hop_seconds({"sample_rate": 22050, "hop_ms": 10.0}) == pytest.approx(220 / 22050)
    assert hop_seconds({}) is None
