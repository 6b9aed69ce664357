"""The speech-embedding detector: its time grid, model, training run and refusals."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from seqkeras.wakeword import speech_embedding as se
from seqkeras.wakeword.labels import make_labels
from seqkeras.wakeword.models import build_model, embedding_head_model, label_config
from seqkeras.wakeword.train import TrainConfig, train


def test_label_grid_is_the_front_ends_time_grid():
    grid = label_config("embedding", ones_steps=50)
    for step in (0, 1, 7, 100):
        assert grid.step_end_sample(step) == se.step_end_sample(step)
    for samples in (12512, 16000, 160000):
        assert grid.num_steps(samples) == se.num_steps(samples)
    assert grid.ones_steps == 7  # 50 frames of 10 ms = 0.5 s -> 7 steps of 80 ms
    # a keyword ending at 1.0 s: the first step that has heard it all ends at >= 16000
    labels = make_labels([16000], 160000, grid)
    first = int(np.flatnonzero(labels)[0])
    assert se.step_end_sample(first) >= 16000 > se.step_end_sample(first - 1)
    assert labels.sum() == 7


def test_head_is_causal_and_sized_by_units():
    model = embedding_head_model(units=8, context_steps=4)
    assert model.output_shape == (None, None, 1)
    x = np.random.default_rng(0).standard_normal((1, 30, 96)).astype(np.float32)
    changed = x.copy()
    changed[:, 20:] += 5.0
    a, b = model.predict(x, verbose=0), model.predict(changed, verbose=0)
    np.testing.assert_allclose(a[:, :20], b[:, :20], atol=1e-6)
    assert not np.allclose(a[:, 20:], b[:, 20:])
    with pytest.raises(ValueError, match="units"):
        build_model("embedding", units=0)


def test_embedding_run_shares_the_streaming_clips_and_labels_its_own_grid():
    embedding = TrainConfig(keyword="jarvis", model="embedding")
    streaming = TrainConfig(keyword="jarvis")
    # same audio cache (the data config decides the dataset folder)
    assert embedding.training_data_config() == streaming.training_data_config()
    assert embedding.label_grid() == label_config("embedding", ones_steps=50)
    assert embedding.uses_speech_embedding and not streaming.uses_speech_embedding


def test_training_saves_the_head_and_the_synthetic_protocol_refuses_it(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 20, 96)).astype(np.float32)
    y = (rng.random((8, 20, 1)) > 0.8).astype(np.float32)
    config = TrainConfig(model="embedding", epochs=1, batch_size=4, units=8, time_masks=2)
    result = train(config, tmp_path, progress=False, data=(x, y, None, None))
    model = keras.saving.load_model(result.model_path, compile=False)
    assert model.inputs[0].shape[1:] == (None, 96)
    info = json.loads((tmp_path / "train.json").read_text())
    assert info["labels"]["frames_per_step"] == 8 and info["labels"]["kernel_frames"] == 76

    from seqkeras.wakeword.export import run_export_file
    from seqkeras.wakeword.protocol import evaluate_run

    assert run_export_file(tmp_path).name == "model.dynamic.tflite"  # int8 weights, float mel
    with pytest.raises(ValueError, match=r"speech-embedding model.*seqkeras wakeword benchmark /"):
        evaluate_run(tmp_path)


def test_masks_and_warps_leave_embeddings_alone():
    from seqkeras.wakeword.augment import augment_clip

    x = np.random.default_rng(3).standard_normal((40, 96)).astype(np.float32)
    config = TrainConfig(model="embedding", time_masks=3, freq_masks=3, frequency_warp=0.1)
    out = augment_clip(x, np.random.default_rng(0), config, None)
    np.testing.assert_array_equal(out, x)


def test_stream_scores_are_placed_after_what_they_heard():
    scores = np.arange(1, 6, dtype=np.float32)
    placed = se.on_sample_grid(scores)
    assert placed[: se.LEAD_STEPS].sum() == 0 and placed[se.LEAD_STEPS] == 1
    for step in range(5):  # reported at index k: sample 1280 k is at or after its end
        assert (step + se.LEAD_STEPS) * se.STEP_SAMPLES >= se.step_end_sample(step)


def test_dataset_embeddings_are_the_front_ends_and_cached(tmp_path):
    from seqkeras.wakeword.data import MANIFEST, WakewordDataset
    from seqkeras.wakeword.data_config import WakewordDataConfig

    rng = np.random.default_rng(4)
    audio = np.round(rng.standard_normal((3, 20000)) * 2000).astype(np.int16)
    np.save(tmp_path / "audio.npy", audio)
    manifest = {
        "config": WakewordDataConfig().to_dict(),
        "segments": [[], [], []],
        "split": "train",
    }
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    dataset = WakewordDataset(tmp_path)
    got = dataset.embeddings(batch_size=2)
    expected = se.SpeechEmbedding().clips(audio)
    assert got.shape == expected.shape == (3, se.num_steps(20000), 96)
    np.testing.assert_allclose(got, expected, atol=0.05, rtol=0.01)  # stored as float16
    cached = list(tmp_path.glob("speech-embedding-*.npy"))
    assert len(cached) == 1
    np.testing.assert_array_equal(dataset.embeddings(), got)


def test_the_embedding_model_has_its_own_defaults_under_given_values():
    from seqkeras.wakeword.train_config import MODEL_DEFAULTS

    config = TrainConfig.for_model("embedding", keyword="jarvis", units=64)
    assert (config.units, config.dropout, config.lr_schedule, config.batch_size) == (
        64,
        0.0,
        "cosine",
        64,
    )
    assert config.learning_rate == MODEL_DEFAULTS["embedding"]["learning_rate"] == 1e-3
    assert TrainConfig.for_model(keyword="jarvis") == TrainConfig(keyword="jarvis")

    import argparse

    from seqkeras.tasks.wakeword import _train_config_arguments, train_config_from_args

    parser = argparse.ArgumentParser()
    _train_config_arguments(parser)
    parsed = train_config_from_args(parser.parse_args(["--model", "embedding", "--dropout", "0.1"]))
    assert (parsed.model, parsed.units, parsed.dropout) == ("embedding", 128, 0.1)
    assert "negative_datasets" not in parsed.identity()  # runs from before the field resume
    args = parser.parse_args(["--negative-dataset", "a", "--negative-dataset", "b"])
    assert train_config_from_args(args).identity()["negative_datasets"] == ("a", "b")


def _dataset(folder, keyword, texts, samples=1600, seed=0):
    from seqkeras.wakeword.data import MANIFEST
    from seqkeras.wakeword.data_config import WakewordDataConfig

    folder.mkdir()
    rng = np.random.default_rng(seed)
    np.save(
        folder / "audio.npy",
        np.round(rng.standard_normal((len(texts), samples)) * 1000).astype(np.int16),
    )
    segments = [
        [{"start": 0, "end": 100, "kind": "hard", "text": text, "voice": "v"}] for text in texts
    ]
    config = WakewordDataConfig(keyword=keyword).to_dict()
    (folder / MANIFEST).write_text(
        json.dumps({"config": config, "segments": segments, "split": "train"})
    )
    return folder


def test_other_keywords_datasets_train_as_negatives_without_the_keyword(tmp_path):
    from seqkeras.wakeword.train import add_negative_datasets

    texts = ["hey computer", "jarvis please", "computers", "jarvisian", "service"]
    other = _dataset(tmp_path / "other", "computer", texts)
    x = np.ones((2, 1600), np.float32)
    y = np.ones((2, 3, 1), np.float32)
    config = TrainConfig(keyword="Jarvis", negative_datasets=[str(other)])
    assert config.negative_datasets == (str(other),)
    x2, y2, report = add_negative_datasets(x, y, config, lambda dataset: dataset.audio())
    # "jarvis please" and "jarvisian" mention the keyword: dropped; three clips remain
    assert report == [{"folder": str(other), "clips": 5, "used": 3}]
    from seqkeras.wakeword.data import WakewordDataset

    np.testing.assert_array_equal(x2[2:], WakewordDataset(other).audio()[[0, 2, 4]])
    assert y2.shape == (5, 3, 1) and y2[:2].all() and not y2[2:].any()

    with pytest.raises(ValueError, match="built for the keyword 'computer' itself"):
        add_negative_datasets(
            x,
            y,
            TrainConfig(keyword="computer", negative_datasets=[str(other)]),
            lambda d: d.audio(),
        )
    with pytest.raises(ValueError, match=r"inputs of shape \(1600,\), this run's \(800,\)"):
        add_negative_datasets(x[:, :800], y, config, lambda d: d.audio())
    with pytest.raises(FileNotFoundError, match="no wake-word dataset manifest"):
        add_negative_datasets(
            x, y, TrainConfig(negative_datasets=[str(tmp_path)]), lambda d: d.audio()
        )
    with pytest.raises(ValueError, match="sequence of dataset folders"):
        TrainConfig(negative_datasets=str(other))
