"""Trigger-word training: loss, SpecAugment masks, resumable runs, learning on synthesized clips."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from seqkeras.wakeword.train import (
    AugmentedClips,
    TrainConfig,
    WeightedBinaryCrossentropy,
    feature_model,
    learning_rate_for,
    mel_center_frequencies,
    spec_augment_numpy,
    train,
    warp_frequency_numpy,
)


def test_weighted_bce_equals_hand_formula():
    y = np.array([[[1.0], [0.0], [1.0]], [[0.0], [0.0], [1.0]]], np.float32)
    p = np.array([[[0.9], [0.2], [0.4]], [[0.7], [0.1], [0.99]]], np.float32)
    w = 3.0
    per_step = -(w * y * np.log(p) + (1 - y) * np.log(1 - p))[..., 0]
    expected = per_step.mean()  # Keras averages the per-step losses over batch and time
    got = float(WeightedBinaryCrossentropy(positive_weight=w)(y, p))
    assert got == pytest.approx(expected, rel=1e-5)
    # Weight 1 is plain binary cross-entropy.
    plain = float(keras.losses.BinaryCrossentropy()(y, p))
    assert float(WeightedBinaryCrossentropy(positive_weight=1.0)(y, p)) == pytest.approx(
        plain, rel=1e-4
    )
    config = WeightedBinaryCrossentropy(positive_weight=2.5).get_config()
    assert WeightedBinaryCrossentropy.from_config(config).positive_weight == 2.5
    with pytest.raises(ValueError, match="positive_weight"):
        WeightedBinaryCrossentropy(positive_weight=0.0)


def test_spec_augment_masks_bands_with_the_mean():
    features = np.arange(50 * 8, dtype=np.float32).reshape(50, 8)
    rng = np.random.default_rng(0)
    out = spec_augment_numpy(
        features, rng, time_masks=1, time_mask_frames=6, freq_masks=1, freq_mask_bins=3
    )
    assert out.shape == features.shape
    assert not np.shares_memory(out, features)
    fill = features.mean()
    changed = out != features
    masked_rows = np.flatnonzero(changed.all(axis=1) | (out == fill).all(axis=1))
    masked_cols = np.flatnonzero((out == fill).all(axis=0))
    # At most one band of <= 6 whole frames and one band of <= 3 whole bins, all set to the mean.
    assert len(masked_rows) <= 6 and len(masked_cols) <= 3
    assert np.all(out[changed] == fill)
    untouched = spec_augment_numpy(features, rng, 0, 6, 0, 3)
    np.testing.assert_array_equal(untouched, features)


def test_augmented_batches_are_reproducible_per_epoch():
    x = np.random.default_rng(1).standard_normal((10, 20, 4)).astype(np.float32)
    y = np.zeros((10, 20, 1), np.float32)
    config = TrainConfig(batch_size=4, frequency_warp=0.1)
    first = AugmentedClips(x, y, config)
    epoch0 = first[0][0]
    first.on_epoch_end()
    resumed = AugmentedClips(x, y, config, initial_epoch=1)
    np.testing.assert_array_equal(first[1][0], resumed[1][0])
    # A new epoch draws a new order and new masks.
    assert not np.array_equal(first[0][0], epoch0)
    assert len(first) == 3 and first[2][0].shape == (2, 20, 4)


def _mel_centroid_hz(features: np.ndarray, feature_config) -> float:
    energy = np.exp(features[10:-10]).mean(axis=0)  # skip the zero-padded edge frames
    return float((energy * mel_center_frequencies(feature_config)).sum() / energy.sum())


@pytest.mark.parametrize("frequency, factor", [(1000.0, 1.1), (700.0, 0.9), (2000.0, 1.08)])
def test_frequency_warp_equals_features_of_the_shifted_sound(frequency, factor):
    """Oracle: the features of a tone actually synthesized at ``frequency * factor``."""
    from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

    config = FeatureConfig()
    t = np.arange(16000) / 16000.0
    tone = log_mel_spectrogram(np.sin(2 * np.pi * frequency * t).astype(np.float32), config)
    shifted = log_mel_spectrogram(
        np.sin(2 * np.pi * frequency * factor * t).astype(np.float32), config
    )
    warped = warp_frequency_numpy(tone, factor, config)
    assert warped.shape == tone.shape and warped.dtype == np.float32
    assert _mel_centroid_hz(warped, config) == pytest.approx(
        _mel_centroid_hz(shifted, config), rel=0.005
    )
    # The brightest filter moves with the tone.
    assert np.argmax(warped[50]) == np.argmax(shifted[50])
    np.testing.assert_array_equal(warp_frequency_numpy(tone, 1.0, config), tone)
    with pytest.raises(ValueError, match="mel bins"):
        warp_frequency_numpy(tone[:, :10], 1.1, config)


def test_cosine_schedule_decays_to_the_final_fraction():
    config = TrainConfig(epochs=4, learning_rate=0.01, lr_schedule="cosine", final_lr_fraction=0.1)
    schedule = learning_rate_for(config, steps_per_epoch=25)
    total = 100
    for step in (0, 30, 50, 99, 100, 150):
        done = min(step, total) / total
        expected = 0.01 * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * done)))
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-5)
    assert learning_rate_for(TrainConfig(lr_schedule="constant"), 25) == TrainConfig().learning_rate


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"model": "big"}, "model"),
        ({"lr_schedule": "step"}, "lr_schedule"),
        ({"final_lr_fraction": 0.0}, "final_lr_fraction"),
        ({"frequency_warp": 0.6}, "frequency_warp"),
        ({"train_engines": ("espeak", "mbrola")}, "mbrola"),
        ({"train_engines": "espeak"}, "train_engines"),
        ({"loss": "hinge"}, "loss"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"cell": "rnn"}, "cell"),
        ({"hard_negative_fraction": 1.5}, "hard_negative_fraction"),
        ({"max_negatives": -1}, "max_negatives"),
    ],
)
def test_bad_config_names_the_field(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_config_round_trip_and_unknown_keys():
    config = TrainConfig(units=12, loss="focal")
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    # Training clips get the run's near-miss share and negative count; the protocol keeps its own.
    mixed = TrainConfig(hard_negative_fraction=0.9, max_negatives=5)
    assert mixed.training_data_config().hard_negative_fraction == 0.9
    assert mixed.training_data_config().max_negatives == 5
    assert mixed.data_config().hard_negative_fraction == 0.5
    assert mixed.data_config().max_negatives == 3
    # Training engines change the training clips only: the test protocol stays the same.
    engines = TrainConfig(train_engines=["espeak", "festival"])
    assert engines.train_engines == ("espeak", "festival")
    assert engines.training_data_config().train_engines == ("espeak", "festival")
    assert engines.data_config().train_engines == TrainConfig().data_config().train_engines
    assert TrainConfig.from_dict(json.loads(json.dumps(engines.to_dict()))) == engines
    with pytest.raises(ValueError, match="unknown training config keys"):
        TrainConfig.from_dict({"unit": 3})


def test_train_saves_audio_model_and_resumes(tmp_path):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 30, 40)).astype(np.float32)
    y = (rng.random((8, 30, 1)) > 0.9).astype(np.float32)
    config = TrainConfig(epochs=1, batch_size=4, filters=4, units=4, loss="focal")
    result = train(config, tmp_path, progress=False, data=(x, y, None, None))
    model = keras.saving.load_model(result.model_path, compile=False)
    assert model.inputs[0].shape[1:] == (None,)  # raw audio in: the LogMelSpectrogram is inside
    assert feature_model(model).count_params() > 0
    info = json.loads((tmp_path / "train.json").read_text())
    assert info["config"]["units"] == 4 and len(info["history"]["loss"]) == 1
    state = json.loads((tmp_path / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 1
    # Two epochs in the same directory: the first is restored, only the second is trained.
    longer = TrainConfig(epochs=2, batch_size=4, filters=4, units=4, loss="focal")
    with pytest.raises(ValueError, match="different run"):
        train(longer, tmp_path, progress=False, data=(x, y, None, None))


@pytest.mark.slow
def test_tiny_model_detects_keyword_better_than_chance(tmp_path, monkeypatch):
    """Train a tiny model for a few dozen steps on 48 synthesized 3-second clips, then
    detect with the runner's decision logic on the same clips."""
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    from seqkeras_edge.decision import DecisionConfig

    from seqkeras.wakeword.data import build_dataset
    from seqkeras.wakeword.data_config import UNAUGMENTED, WakewordDataConfig
    from seqkeras.wakeword.evaluate import keras_scores, keyword_windows, operating_point

    data_config = WakewordDataConfig(
        clip_seconds=3.0,
        voices_per_engine=4,
        negatives_per_voice=2,
        max_keywords=1,
        max_negatives=1,
        hard_negative_fraction=0.0,
        use_phrases=False,
        real_background_probability=0.0,
        noise_probability=0.0,
        **UNAUGMENTED,
    )
    dataset = build_dataset(48, "train", data_config, seed=0, progress=False)
    x, y = dataset.features(), dataset.labels()
    config = TrainConfig(
        epochs=24,
        batch_size=8,
        filters=16,
        units=16,
        learning_rate=1e-2,
        time_masks=0,
        freq_masks=0,
        dropout=0.0,
    )
    result = train(config, tmp_path / "run", progress=False, data=(x, y, None, None))
    model = feature_model(keras.saving.load_model(result.model_path, compile=False))
    scores = keras_scores(model, x)
    windows = [
        keyword_windows(
            [s.end for s in clip if s.kind == "keyword"],
            data_config.labels,
            data_config.clip_samples,
        )
        for clip in dataset.segments
    ]
    coverage = float(y.mean())  # where a detector firing at random times would land inside
    points = [
        operating_point(
            list(scores),
            windows,
            [np.zeros(1)],
            1.0,
            DecisionConfig(threshold=t, smoothing_steps=3),
        )
        for t in (0.5, 0.6, 0.7, 0.8)
    ]
    best = max(points, key=lambda p: (p.keywords - p.misses) - p.clip_false_accepts)
    assert best.keywords >= 10
    assert best.frr < 0.8
    assert best.inside_fraction is not None and best.inside_fraction > 2.5 * coverage
