"""seqkeras-wake end to end: a streaming float32 export of a model with a LogMelSpectrogram
front reproduces the Keras whole-clip output frame by frame (<= 1e-5) from a WAV file,
its detections equal the offline decision logic on the Keras scores, and bad inputs give
clear errors with the documented exit codes."""

import io
import json
import warnings

import flatbuffers
import keras
import numpy as np
import pytest
import soundfile
from ai_edge_litert import schema_py_generated as schema
from seqkeras_edge.cli import main as wake_main
from seqkeras_edge.decision import DecisionConfig, detect
from seqkeras_edge.metadata import read_metadata
from seqkeras_edge.runner import WakeRunner
from seqkeras_export.cli import main as export_main

from seqkeras.audio import LogMelSpectrogram

pytestmark = pytest.mark.slow
RATE = 16000
MEL_BINS = 16


def _clip(seconds=2.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    tone = np.sin(2 * np.pi * 600 * t) * (np.sin(2 * np.pi * 1.3 * t) > 0.3)
    return (0.3 * tone + 0.05 * rng.normal(size=t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    directory = tmp_path_factory.mktemp("wake")
    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((None,), name="audio"),
            LogMelSpectrogram(num_mel_bins=MEL_BINS),
            keras.layers.BatchNormalization(),
            keras.layers.Conv1D(8, 3, padding="causal", activation="relu"),
            keras.layers.GRU(8, return_sequences=True),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    rng = np.random.default_rng(1)
    weights = []
    for weight in model.weights:  # BN spreads the log-mel values; keep variances positive
        value = rng.normal(scale=0.5, size=weight.shape)
        if "moving_variance" in weight.path:
            value = np.full(weight.shape, 4.0)
        if "moving_mean" in weight.path:
            value = np.full(weight.shape, -4.0)
        weights.append(value.astype("float32"))
    model.set_weights(weights)
    samples = _clip()
    wav = directory / "clip.wav"
    soundfile.write(wav, samples, RATE, subtype="FLOAT")
    scores = model.predict(samples[None], verbose=0)[0]
    threshold = float(np.quantile(scores[:, 0], 0.7))  # some frames above, some below
    decision = {"threshold": threshold, "smoothing_steps": 3, "refractory_seconds": 0.2}
    (directory / "decision.json").write_text(json.dumps(decision))
    model_path = directory / "wake.keras"
    model.save(model_path)
    out = directory / "wake.tflite"
    code = export_main([str(model_path), "--streaming", "--decision", str(directory / "decision.json"),
                        "--output", str(out)])
    assert code == 0
    return {"dir": directory, "tflite": out, "wav": wav, "samples": samples, "scores": scores,
            "model": model}


def test_metadata_carries_the_layer_feature_config(exported):
    metadata = read_metadata(exported["tflite"])
    layer = exported["model"].layers[0]
    assert metadata["features"] == layer.feature_config().to_dict()
    assert metadata["decision"]["step_seconds"] == pytest.approx(0.01)


def test_runner_reproduces_keras_per_frame_and_offline_decisions(exported):
    runner = WakeRunner(exported["tflite"])
    result = runner.run_file(exported["wav"])
    keras_scores = exported["scores"]
    assert result.scores.shape == keras_scores.shape
    np.testing.assert_allclose(result.scores, keras_scores, atol=1e-5)
    offline = detect(keras_scores[:, 0], runner.decision_config)
    assert [d.step for d in result.detections] == [d.step for d in offline]
    assert len(offline) >= 1


def test_cli_json_lines_and_summary(exported):
    out = io.StringIO()
    assert wake_main([str(exported["tflite"]), "--wav", str(exported["wav"]), "--json"], out=out) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    detections, summary = lines[:-1], lines[-1]["summary"]
    config = DecisionConfig.from_dict(read_metadata(exported["tflite"])["decision"])
    expected = detect(exported["scores"][:, 0], config)
    assert [d["time"] for d in detections] == [round(d.time, 6) for d in expected]
    assert summary["detections"] == len(expected)
    assert set(summary["hop_latency_us"]) == {"p50", "p90", "p99", "max"}
    assert summary["frames"] == len(exported["scores"])


def test_threshold_override(exported):
    out = io.StringIO()
    assert wake_main([str(exported["tflite"]), "--wav", str(exported["wav"]), "--json", "--threshold", "1.5"], out=out) == 0
    assert json.loads(out.getvalue().splitlines()[-1])["summary"]["detections"] == 0


def test_other_sample_rate_and_stereo(exported, tmp_path):
    samples = exported["samples"]
    # Band-limited (FFT) upsampling: linear interpolation would itself damp the upper
    # mel bands and move the scores more than the runner's resampler does.
    size = int(samples.size * 44100 / RATE)
    resampled = np.fft.irfft(np.fft.rfft(samples), n=size) * size / samples.size
    path = tmp_path / "stereo44k.wav"
    soundfile.write(path, np.stack([resampled, resampled], axis=1), 44100, subtype="PCM_16")
    runner = WakeRunner(exported["tflite"])
    result = runner.run_file(path)
    assert result.source_rate == 44100
    assert abs(len(result.scores) - len(exported["scores"])) <= 1
    # Baseline from the same model: the same clip with another draw of its background
    # noise, at 16 kHz. The round trip through 44.1 kHz (windowed sinc back down in the
    # runner) and the stereo mix must change the scores less than that; reading the file
    # at the wrong rate or mixing the channels wrongly changes them far more.
    other = tmp_path / "other_noise.wav"
    soundfile.write(other, _clip(seed=5), RATE, subtype="FLOAT")
    scores = exported["scores"]
    n = min(len(result.scores), len(scores))
    resampling_change = np.max(np.abs(result.scores[:n] - scores[:n]))
    noise_change = np.max(np.abs(runner.run_file(other).scores - scores))
    assert resampling_change < noise_change


def test_audio_below_the_model_rate_warns_with_its_empty_bands(exported, tmp_path):
    from seqkeras_edge.features import LowSampleRateWarning

    path = tmp_path / "phone.wav"
    soundfile.write(path, exported["samples"][::2], RATE // 2, subtype="PCM_16")
    runner = WakeRunner(exported["tflite"])
    top = MEL_BINS - 1  # the highest bands of the model's own front end are empty
    with pytest.warns(LowSampleRateWarning, match=rf"8000 Hz .* mel bands \d+-{top} \(0-based, of {MEL_BINS}\)"):
        runner.run_file(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none at the model's own rate
        runner.run_file(exported["wav"])


def _model_without_metadata(path):
    model = schema.ModelT()
    model.version = 3
    model.buffers = [schema.BufferT()]
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    path.write_bytes(bytes(builder.Output()))
    return path


def test_bad_inputs_give_clear_errors(exported, tmp_path, capsys):
    model = str(exported["tflite"])
    cases = [
        ([str(tmp_path / "absent.tflite"), "--wav", str(exported["wav"])], 3, "does not exist"),
        ([str(_model_without_metadata(tmp_path / "bare.tflite")), "--wav", str(exported["wav"])], 3,
         "without seqkeras metadata"),
        ([model, "--wav", str(tmp_path / "absent.wav")], 2, "absent.wav"),
    ]
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0), RATE, subtype="PCM_16")
    cases.append(([model, "--wav", str(empty)], 2, "no audio samples"))
    text = tmp_path / "text.wav"
    text.write_text("definitely not audio")
    cases.append(([model, "--wav", str(text)], 2, "not a WAV"))
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(exported["wav"].read_bytes()[:5001])
    cases.append(([model, "--wav", str(truncated)], 2, "truncated"))
    cases.append(([str(text), "--wav", str(exported["wav"])], 3, "not a TFLite model"))
    for argv, code, message in cases:
        assert wake_main(argv, out=io.StringIO()) == code, argv
        assert message in capsys.readouterr().err, argv


def test_audio_shorter_than_one_frame(exported, tmp_path):
    path = tmp_path / "blip.wav"
    soundfile.write(path, np.zeros(100, np.float32), RATE, subtype="FLOAT")
    result = WakeRunner(exported["tflite"]).run_file(path)
    assert result.scores.shape == (0, 1) and result.detections == []


class _FakeInputStream:
    """Stands in for sounddevice.InputStream: feeds a recording to the callback in blocks
    of the requested size (as the audio thread would), then goes silent."""

    recording: np.ndarray = np.zeros(0, np.float32)
    opened: dict = {}

    def __init__(self, samplerate, channels, blocksize, callback):
        type(self).opened = {"samplerate": samplerate, "channels": channels, "blocksize": blocksize}
        self.callback, self.blocksize = callback, blocksize

    def __enter__(self):
        data = self.recording
        for start in range(0, len(data), self.blocksize):
            block = data[start : start + self.blocksize]
            block = np.pad(block, (0, self.blocksize - len(block)))  # devices deliver full blocks
            self.callback(block[:, None], self.blocksize, None, None)
        return self

    def __exit__(self, *exc):
        return False


def test_mic_mode_with_a_simulated_microphone(exported, monkeypatch):
    import types

    fake = types.ModuleType("sounddevice")
    _FakeInputStream.recording = exported["samples"]
    fake.InputStream = _FakeInputStream
    monkeypatch.setitem(__import__("sys").modules, "sounddevice", fake)
    seconds = len(exported["samples"]) / RATE
    out = io.StringIO()
    code = wake_main([str(exported["tflite"]), "--mic", "--seconds", str(seconds), "--json"], out=out)
    assert code == 0
    assert _FakeInputStream.opened == {"samplerate": RATE, "channels": 1, "blocksize": 160}
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    detections, summary = lines[:-1], lines[-1]["summary"]
    wav_out = io.StringIO()
    assert wake_main([str(exported["tflite"]), "--wav", str(exported["wav"]), "--json"], out=wav_out) == 0
    from_wav = [json.loads(line) for line in wav_out.getvalue().splitlines()[:-1]]
    assert detections == from_wav and len(detections) >= 1  # same decisions as the file path
    assert summary["model"] == "microphone" and summary["detections"] == len(detections)
    assert summary["audio_seconds"] == pytest.approx(seconds)


def test_mic_mode_without_sounddevice_or_device(exported, monkeypatch, capsys):
    import sys
    import types

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails
    assert wake_main([str(exported["tflite"]), "--mic", "--seconds", "1"]) == 4
    assert "pip install sounddevice" in capsys.readouterr().err

    def no_device(**kwargs):
        raise RuntimeError("Error querying device -1")

    fake = types.ModuleType("sounddevice")
    fake.InputStream = no_device
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    assert wake_main([str(exported["tflite"]), "--mic", "--seconds", "1"]) == 4
    assert "cannot open the microphone" in capsys.readouterr().err


def test_runner_speed_benchmark_reports_per_hop_and_per_10ms(exported):
    """benchmarks/wakeword_runner.py: every hop of every round is timed, the per-10 ms time
    is the per-hop median scaled by the hop, and the reference workload is beside it."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "wakeword_runner.py"
    done = subprocess.run(
        [sys.executable, str(script), "--model", str(exported["tflite"]), "--wav", str(exported["wav"]),
         "--rounds", "2"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    (model,) = report["models"]
    runner = WakeRunner(exported["tflite"])
    frames = len(runner.run_file(exported["wav"]).scores)
    assert model["hops_timed"] == 2 * frames and model["hop_ms"] == 1000 * runner.hop_length / RATE
    assert model["us_per_10ms"] == pytest.approx(model["hop_us_p50"] * 10 / model["hop_ms"], rel=1e-2)
    assert report["reference"]["us_p50"] > 0 and len(model["round_medians_us"]) == 2
    assert model["met"] == (model["us_per_10ms"] <= 100.0)
    bad = subprocess.run([sys.executable, str(script), "--model", "absent.tflite"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 2 and "absent.tflite: no such file" in bad.stderr
