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


def _bands(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def test_spec_augment_masks_bands_with_the_mean():
    # Values that never equal the mean by accident: a masked entry is exactly the fill.
    features = np.arange(50 * 8, dtype=np.float32).reshape(50, 8)
    fill = np.float32(features.mean())
    with_time_masks = with_freq_masks = 0
    for seed in range(60):
        out = spec_augment_numpy(
            features,
            np.random.default_rng(seed),
            time_masks=1,
            time_mask_frames=6,
            freq_masks=1,
            freq_mask_bins=3,
        )
        assert out.shape == features.shape and not np.shares_memory(out, features)
        filled = out == fill
        rows, cols = filled.all(axis=1), filled.all(axis=0)
        # Every changed entry is the fill and lies in one band of whole frames (<= 6) or
        # one band of whole mel bins (<= 3); everything else is untouched.
        changed = out != features
        assert np.all(out[changed] == fill)
        assert np.array_equal(changed, rows[:, None] | cols[None, :])
        row_bands, col_bands = _bands(rows), _bands(cols)
        assert len(row_bands) <= 1 and all(b - a <= 6 for a, b in row_bands)
        assert len(col_bands) <= 1 and all(b - a <= 3 for a, b in col_bands)
        with_time_masks += bool(row_bands)
        with_freq_masks += bool(col_bands)
    # Widths are uniform in 0..6 and 0..3: a band is drawn 6/7 and 3/4 of the time
    # (expected 51 and 45 of 60 clips; the bounds are 4 standard deviations below).
    assert with_time_masks >= 40 and with_freq_masks >= 30
    untouched = spec_augment_numpy(features, np.random.default_rng(0), 0, 6, 0, 3)
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
    extended = train(longer, tmp_path, progress=False, data=(x, y, None, None))
    assert extended.history["epoch"] == [0, 1]
    assert extended.history["loss"][0] == result.history["loss"][0]  # restored, not retrained
    assert json.loads((tmp_path / "checkpoint" / "state.json").read_text())["epoch"] == 2
    assert "epochs" not in json.loads((tmp_path / "checkpoint" / "state.json").read_text())["config"]
    # Another model in the same directory is a different run: refused, naming the field.
    other = TrainConfig(epochs=3, batch_size=4, filters=4, units=5, loss="focal")
    with pytest.raises(ValueError, match="different run.*units"):
        train(other, tmp_path, progress=False, data=(x, y, None, None))


def test_average_from_epoch_saves_the_mean_of_the_epoch_weights(tmp_path):
    """The saved model of a run with ``average_from_epoch=2`` over 3 epochs has the mean
    of the weights that the same run without averaging saves after epochs 2 and 3 (the
    training is the same: seeds and masks do not depend on the averaging, and the
    average file carries over the resume after epoch 2)."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 30, 40)).astype(np.float32)
    y = (rng.random((8, 30, 1)) > 0.8).astype(np.float32)
    data = (x, y, None, None)

    def weights(result):
        return feature_model(keras.saving.load_model(result.model_path, compile=False)).get_weights()

    plain = dict(batch_size=4, filters=4, units=4, learning_rate=0.05)
    two = weights(train(TrainConfig(epochs=2, **plain), tmp_path / "plain", progress=False, data=data))
    three = weights(train(TrainConfig(epochs=3, **plain), tmp_path / "plain", progress=False, data=data))
    # the same steps (a run resumed after epoch 2), with averaging from epoch 2
    first = train(TrainConfig(epochs=2, average_from_epoch=2, **plain), tmp_path / "avg", progress=False, data=data)
    for got, want in zip(weights(first), two, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)  # one epoch averaged
    averaged_config = TrainConfig(epochs=3, average_from_epoch=2, **plain)
    averaged = train(averaged_config, tmp_path / "avg", progress=False, data=data)
    assert json.loads((tmp_path / "avg" / "train.json").read_text())["averaged_epochs"] == 2
    assert not all(np.allclose(a, b) for a, b in zip(two, three, strict=True))
    for got, a, b in zip(weights(averaged), two, three, strict=True):
        np.testing.assert_allclose(got, (a + b) / 2, rtol=1e-5, atol=1e-6)
    # "average_from_epoch" is not the run's identity: the plain run can go on averaged
    more = TrainConfig(epochs=4, average_from_epoch=4, **plain)
    train(more, tmp_path / "plain", progress=False, data=data)
    assert json.loads((tmp_path / "plain" / "train.json").read_text())["averaged_epochs"] == 1


@pytest.mark.slow
def test_tiny_model_finds_unseen_voices_keywords_better_than_chance(tmp_path, monkeypatch):
    """Train a tiny model on 128 synthesized 3-second clips, then measure it on clips of
    held-out voices (the ``val`` split) against a keyword-free stream of those voices: an
    operating point exists, and keywords outscore the stream (ROC area of peak scores)
    by more than chance does. Chance baseline in the same test: the same score streams
    rolled by a random offset (a detector that fires as often, at random places)."""
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))

    from seqkeras_edge.decision import DecisionConfig
    from seqkeras_edge.features import log_mel_spectrogram

    from seqkeras.wakeword.data import build_dataset, negative_stream_audio
    from seqkeras.wakeword.data_config import UNAUGMENTED, WakewordDataConfig
    from seqkeras.wakeword.evaluate import (
        det_curve,
        keras_scores,
        keras_stream_scores,
        keyword_windows,
        threshold_for,
    )

    data_config = WakewordDataConfig(
        clip_seconds=3.0,
        train_engines=("espeak",),
        voices_per_engine=8,
        keyword_voices_per_engine=8,
        negatives_per_voice=3,
        max_keywords=2,
        max_negatives=1,
        hard_negative_fraction=0.0,
        use_phrases=False,
        real_background_probability=0.0,
        noise_probability=0.0,
        **UNAUGMENTED,
    )
    train_set = build_dataset(128, "train", data_config, seed=0, progress=False)
    held_out = build_dataset(40, "val", data_config, seed=1, progress=False)
    config = TrainConfig(
        epochs=40,
        batch_size=16,
        filters=16,
        units=32,
        learning_rate=1e-2,
        time_masks=0,
        freq_masks=0,
        dropout=0.0,
    )
    data = (train_set.features(), train_set.labels(), None, None)
    result = train(config, tmp_path / "run", progress=False, data=data)
    model = feature_model(keras.saving.load_model(result.model_path, compile=False))
    positives = list(keras_scores(model, held_out.features()))
    windows = [
        keyword_windows(
            [s.end for s in clip if s.kind == "keyword"],
            data_config.labels,
            data_config.clip_samples,
        )
        for clip in held_out.segments
    ]
    seconds = 120.0
    stream, _ = negative_stream_audio(seconds, data_config, split="val", seed=2, progress=False)
    negatives = [keras_stream_scores(model, log_mel_spectrogram(stream))]
    decision = DecisionConfig(smoothing_steps=3)
    # At most 2 false accepts in the 2-minute keyword-free stream: a usable operating point.
    point = threshold_for(det_curve(positives, windows, negatives, seconds, decision), 60.0)
    assert point is not None and point.keywords >= 20
    # Over all thresholds: the peak score in each keyword's label window against the peak
    # of every window-long stretch of the keyword-free stream (ROC area), beside the same
    # score streams rolled by a random offset (a detector that fires as often, at random
    # places). The margin is two Hanley-McNeil standard errors of the chance area.
    width = windows[0][0][1] - windows[0][0][0]
    stream_peaks = np.array([negatives[0][i : i + width].max() for i in range(0, len(negatives[0]) - width, width)])

    def keyword_peaks(streams):
        return np.array([s[a:b].max() for s, ws in zip(streams, windows, strict=True) for a, b in ws if b > a])

    def roc_area(peaks):
        return float(np.mean((peaks[:, None] > stream_peaks[None, :]) + 0.5 * (peaks[:, None] == stream_peaks[None, :])))

    rng = np.random.default_rng(0)
    rolled = [np.roll(s, int(rng.integers(1, len(s)))) for s in positives]
    area, chance = roc_area(keyword_peaks(positives)), roc_area(keyword_peaks(rolled))
    n1, n0 = len(keyword_peaks(positives)), len(stream_peaks)
    q1, q2 = chance / (2 - chance), 2 * chance**2 / (1 + chance)
    variance = (chance * (1 - chance) + (n1 - 1) * (q1 - chance**2) + (n0 - 1) * (q2 - chance**2)) / (n1 * n0)
    assert area > chance + 2 * np.sqrt(variance), (area, chance, np.sqrt(variance), point)


_STRATEGY_RUN = """
import json, os, sys
import numpy as np
import tensorflow as tf
if sys.argv[1] == "mirrored":
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from seqkeras.wakeword.train import TrainConfig, train
rng = np.random.default_rng(2)
x = rng.standard_normal((16, 30, 40)).astype(np.float32)
y = (rng.random((16, 30, 1)) > 0.8).astype(np.float32)
config = TrainConfig(epochs=2, batch_size=8, filters=4, units=4, time_masks=0, freq_masks=0)
result = train(config, sys.argv[2], strategy=sys.argv[1], progress=False, data=(x, y, None, None))
print(json.dumps({"loss": result.history["loss"], "epochs": result.history["epoch"]}))
"""


def _strategy_env():
    import os

    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


@pytest.mark.slow
@pytest.mark.distributed
def test_training_under_mirrored_on_two_logical_cpus(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _STRATEGY_RUN, "mirrored", str(tmp_path / "run")],
        capture_output=True, text=True, env=_strategy_env(), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["epochs"] == [0, 1] and all(np.isfinite(out["loss"]))
    assert keras.saving.load_model(tmp_path / "run" / "model.keras", compile=False) is not None


@pytest.mark.slow
@pytest.mark.distributed
def test_training_under_multiworker_with_two_loopback_workers(tmp_path):
    import os
    import socket
    import subprocess
    import sys

    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    workers = [f"127.0.0.1:{p}" for p in ports]
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**_strategy_env(), "TF_CONFIG": json.dumps(tf_config)}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", _STRATEGY_RUN, "multiworker", str(tmp_path / f"run{index}")],
                env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
        )
    outs = []
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=300)
            assert proc.returncode == 0, stderr[-3000:]
            outs.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    # The workers train one model in lockstep: the same losses on both.
    assert outs[0]["loss"] == outs[1]["loss"] and outs[0]["epochs"] == [0, 1]
    assert os.path.exists(tmp_path / "run0" / "model.keras")
