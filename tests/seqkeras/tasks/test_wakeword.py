"""``seqkeras wakeword ...`` and ``seqkeras demo`` in process, on tiny configurations."""

from __future__ import annotations

import json

import pytest

from seqkeras.cli.main import main

TINY_TRAIN = [
    "--train-clips", "6", "--val-clips", "2", "--epochs", "1", "--batch-size", "3",
    "--clip-seconds", "3", "--voices-per-engine", "2", "--negatives-per-voice", "1",
    "--units", "4", "--filters", "4", "--background-probability", "0", "--kokoro-voices", "2",
    "--kokoro-keyword-voices", "2", "--real-speech-fraction", "0", "--quiet",
]  # fmt: skip


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.slow
def test_train_writes_run_and_a_rerun_resumes_nothing(tmp_path, cache, capsys):
    out = tmp_path / "run"
    assert main(["wakeword", "train", "--out", str(out), *TINY_TRAIN]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert first["model"] == str(out / "model.keras")
    info = json.loads((out / "train.json").read_text())
    assert info["config"]["train_clips"] == 6 and info["config"]["units"] == 4
    assert info["data"]["train_positive_fraction"] > 0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 1
    # The same command again finds the finished checkpoint: same history, no new epoch.
    assert main(["wakeword", "train", "--out", str(out), *TINY_TRAIN]) == 0
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["final"] == first["final"]
    # Other settings in the same directory: refused with a message naming the difference.
    assert (
        main(["wakeword", "train", "--out", str(out), *TINY_TRAIN[:-1], "--units", "5", "--quiet"])
        == 2
    )
    assert "units" in capsys.readouterr().err


def test_eval_and_export_without_a_run_are_usage_errors(tmp_path, capsys):
    assert main(["wakeword", "eval", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "train.json" in err and "seqkeras wakeword train" in err
    assert main(["wakeword", "export"]) == 2
    assert "run directory" in capsys.readouterr().err


def test_export_refuses_the_course_model(tmp_path, capsys):
    from seqkeras.wakeword.train import TrainConfig

    (tmp_path / "train.json").write_text(
        json.dumps({"config": TrainConfig(model="course").to_dict()})
    )
    assert main(["wakeword", "export", str(tmp_path)]) == 2
    assert "course" in capsys.readouterr().err


def test_bad_flag_values_are_reported(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["wakeword", "train", "--out", "x", "--loss", "hinge"])
    # An unknown quantization mode is refused by argparse, before any run is read.
    with pytest.raises(SystemExit):
        main(["wakeword", "export", str(tmp_path), "--quantize", "bogus"])
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
    assert main(["wakeword", "eval", str(tmp_path), "--near-miss-recordings", "nope.wav"]) == 2
    assert "nope.wav" in capsys.readouterr().err


def test_train_flags_reach_the_config():
    import argparse

    from seqkeras.tasks.wakeword import configure, train_config_from_args

    parser = argparse.ArgumentParser()
    configure(parser)
    args = parser.parse_args(
        [
            "train", "--out", "x", "--frequency-warp", "0.05", "--lr-schedule", "cosine",
            "--train-engines", "espeak, festival", "--sentences-per-voice", "2",
            "--sentence-fraction", "0.25", "--real-speech-fraction", "0.5", "--reverb-probability",
            "0.1", "--kokoro-keyword-voices", "20", "--blend-fraction", "0.9",
        ]
    )  # fmt: skip
    config = train_config_from_args(args)
    assert (config.real_speech_fraction, config.reverb_probability) == (0.5, 0.1)
    assert (config.kokoro_keyword_voices, config.blend_fraction) == (20, 0.9)
    training = config.training_data_config()
    assert (training.real_speech_fraction, training.reverb_probability) == (0.5, 0.1)
    assert training.voice_counts("kokoro") == (60, 20)
    # The protocol's test split stays synthesized and unaugmented by these.
    assert (config.data_config().real_speech_fraction, config.data_config().reverb_probability) == (0, 0)
    assert (config.sentences_per_voice, config.sentence_fraction) == (2, 0.25)
    assert config.frequency_warp == 0.05 and config.lr_schedule == "cosine"
    assert config.train_engines == ("espeak", "festival")
    defaults = train_config_from_args(parser.parse_args(["train", "--out", "x"]))
    assert (defaults.lr_schedule, defaults.frequency_warp) == ("constant", 0.0)


def test_export_file_names():
    from seqkeras.tasks import wakeword as task
    from seqkeras.wakeword import export
    from seqkeras.wakeword.export import EXPORT_FILE, export_file

    assert EXPORT_FILE == "model.int16x8-per-tensor.tflite"
    # The CLI's defaults (kept TensorFlow-free) are the library's.
    assert (task.EXPORT_QUANTIZE, task.EXPORT_WEIGHTS) == (export.EXPORT_QUANTIZE, export.EXPORT_WEIGHTS)
    assert (task.EMBEDDING_EXPORT_QUANTIZE, task.EMBEDDING_EXPORT_WEIGHTS) == (
        export.EMBEDDING_EXPORT_QUANTIZE,
        export.EMBEDDING_EXPORT_WEIGHTS,
    )
    assert task.DEFAULT_SMOOTHING_STEPS == export.DEFAULT_SMOOTHING_STEPS
    assert task.DEFAULT_REFRACTORY_SECONDS == export.DEFAULT_REFRACTORY_SECONDS
    assert export_file("int8", "per-channel") == "model.int8.tflite"
    assert export_file("float32", "per-tensor") == "model.float32.tflite"  # no int8 weights


def test_match_stream_lines():
    from seqkeras.tasks.demo import match_stream

    detections = [
        {"time": 1.2, "score": 0.9},
        {"time": 3.0, "score": 0.8},
        {"time": 5.45, "score": 0.7},
    ]
    lines = match_stream(detections, [1.0, 5.1, 8.0], window_seconds=0.5)
    assert "detected at    1.20" in lines[0]
    assert "detected at    5.45" in lines[1]
    assert "MISSED" in lines[2]
    assert "false accept at    3.00" in lines[3] and len(lines) == 4
    # A detection 0.15 s before a keyword's end hits it only with the early tolerance.
    early = [{"time": 7.85, "score": 0.9}]
    assert "MISSED" in match_stream(early, [8.0], 0.5)[0]
    assert "detected at    7.85" in match_stream(early, [8.0], 0.5, early_seconds=0.2)[0]


@pytest.mark.slow
def test_demo_end_to_end_on_a_tiny_budget(tmp_path, cache, capsys):
    out = tmp_path / "demo"
    argv = [
        "demo", "--out", str(out), "--train-clips", "8", "--epochs", "1", "--test-clips", "3",
        "--negative-hours", "0.005", "--voices-per-engine", "2", "--negatives-per-voice", "1",
        "--stream-clips", "1", "--background-probability", "0", "--kokoro-voices", "2",
        "--kokoro-keyword-voices", "2", "--real-speech-fraction", "0", "--quiet",
    ]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "FRR" in printed and "seqkeras-wake" in printed and "keyword ended" in printed
    assert "benchmarks/wakeword_real.py --keyword computer" in printed  # nothing cached here
    report = json.loads((out / "eval.json").read_text())
    assert set(report) >= {"keras", "quantized", "real_near_misses", "runner_hop_latency_us"}
    assert report["quantized_mode"] == "int16x8 per-tensor"
    from seqkeras.audio.synth import available_engines

    if "flite" in available_engines():  # keywords inside sentences, flite's test voices
        in_sentences = report["keras_in_sentences"]
        assert in_sentences["clips"] == 3 and in_sentences["engines"] == ["flite"]
        assert len(in_sentences["det"]) == len(report["keras"]["det"])
        assert all(v.startswith("flite:") for v in in_sentences["frr_by_voice_at_keras_target_threshold"])
    assert (out / "det.png").read_bytes()[:4] == b"\x89PNG"
    exported = out / "model.int16x8-per-tensor.tflite"
    from seqkeras_edge.metadata import read_metadata

    metadata = read_metadata(exported)
    assert (metadata["quantize"], metadata["weights"]) == ("int16x8", "per-tensor")
    assert metadata["decision"]["smoothing_steps"] == 5
    assert metadata["features"]["num_mel_bins"] == 40
    if report["quantized"]["at_target"] is not None:
        assert metadata["decision"]["threshold"] == report["quantized"]["at_target"]["threshold"]


def test_demo_directory_follows_the_config(cache):
    from seqkeras.tasks.demo import default_demo_dir
    from seqkeras.wakeword.train import TrainConfig

    base = default_demo_dir(TrainConfig(epochs=10))
    assert base.parent == cache / "demo" and base.name.startswith("activate-")
    assert default_demo_dir(TrainConfig(epochs=10)) == base  # the same command resumes
    # More epochs continue the same run; other settings get their own run instead of
    # another run's checkpoint.
    assert default_demo_dir(TrainConfig(epochs=20)) == base
    assert default_demo_dir(TrainConfig(epochs=10, units=32)) != base
    assert default_demo_dir(TrainConfig(keyword="hey computer")).name.startswith("hey-computer-")


def test_real_speech_note_names_the_run_it_shows(cache):
    from seqkeras.tasks.demo import real_speech_note
    from seqkeras.wakeword.benchmark import recipe_run_dir

    run_dir = recipe_run_dir("computer")
    run_dir.mkdir(parents=True)
    report = {
        "keyword": "computer", "positives": {"recordings": 411}, "negatives": {"hours": 2.76},
        "snr_db": 10.0, "budgets": [0.5],
        "models": {"seqkeras": {"at_budgets": {"0.5": {"frr": 0.781}}}},
    }  # fmt: skip
    (run_dir / "benchmark-real.json").write_text(json.dumps(report))
    note = real_speech_note()
    assert "training settings unknown" in note and "78.1%" in note
    trained = {"config": {"train_clips": 4000, "epochs": 48}, "averaged_epochs": 24}
    (run_dir / "train.json").write_text(json.dumps(trained))
    note = real_speech_note()
    assert f"the model in {run_dir} (4000 clips, 48 epochs, weights averaged over the last 24)" in note
