"""A speech-embedding detector on the device: the numpy mel twin, the Keras device model,
its streaming export and the edge runner (references: the ONNX files and onnxruntime)."""

from __future__ import annotations

import numpy as np
import pytest
from seqkeras_edge.decision import hop_seconds
from seqkeras_edge.embedding_features import (
    EmbeddingFeatureConfig,
    StreamingMelWindows,
    feature_config_from_dict,
    mel_frames,
    mel_windows,
)
from seqkeras_edge.features import FeatureConfig

from seqkeras.wakeword import speech_embedding as se


def test_the_numpy_front_end_rebuilds_the_onnx_weights() -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import numpy_helper

    graph = onnx.load(str(se.ensure_files() / se.MEL_FILE)).graph
    weights = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    config = EmbeddingFeatureConfig()
    np.testing.assert_allclose(config.mel_matrix(), weights["1.melW"], atol=1e-7)
    n = np.arange(config.fft_size)
    k = np.arange(config.fft_size // 2 + 1)[:, None]
    phase = 2 * np.pi * k * n / config.fft_size
    window = config.analysis_window()
    np.testing.assert_allclose(
        window * np.cos(phase), weights["0.stft.conv_real.weight"][:, 0], atol=1e-6
    )
    np.testing.assert_allclose(
        -window * np.sin(phase), weights["0.stft.conv_imag.weight"][:, 0], atol=1e-6
    )


def test_numpy_mel_equals_onnxruntime(front: se.SpeechEmbedding, noisy) -> None:
    audio = noisy(30000, seed=2)
    np.testing.assert_allclose(mel_frames(audio / 32767.0), front.mel(audio)[0], atol=1e-4)


def test_streamed_windows_equal_one_pass(noisy) -> None:
    config = EmbeddingFeatureConfig()
    audio = noisy(40000, seed=3) / 32767.0
    whole = mel_windows(mel_frames(audio, config), config)
    assert (
        whole.shape == (config.num_steps(audio.size), 76 * 32) == (se.num_steps(audio.size), 2432)
    )
    for size in (1, 333, 1280, 5000):
        stream = StreamingMelWindows(config)
        parts = [stream.push(audio[i : i + size]) for i in range(0, audio.size, size)]
        np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-6)
    stream = StreamingMelWindows(config)  # the first window needs exactly 12,512 samples
    assert len(stream.push(audio[: config.first_window_end - 1])) == 0
    assert len(stream.push(audio[config.first_window_end - 1 : config.first_window_end])) == 1


def test_feature_configs_from_metadata_dicts() -> None:
    config = EmbeddingFeatureConfig()
    assert feature_config_from_dict(config.to_dict()) == config
    assert feature_config_from_dict(FeatureConfig().to_dict()) == FeatureConfig()
    assert hop_seconds(config.to_dict()) == pytest.approx(0.08)
    with pytest.raises(ValueError, match="unknown feature type 'mfcc'"):
        feature_config_from_dict({"type": "mfcc"})
    with pytest.raises(
        ValueError, match=r"unknown speech-embedding-mel feature config keys \['hop_ms'\]"
    ):
        feature_config_from_dict({**config.to_dict(), "hop_ms": 10})
    with pytest.raises(ValueError, match="window_length 600 is longer than fft_size 512"):
        EmbeddingFeatureConfig(window_length=600)


@pytest.mark.backend_agnostic
def test_keras_mel_layer_equals_the_numpy_twin_and_reloads(tmp_path, noisy) -> None:
    import keras

    from seqkeras.audio.embedding_mel import SpeechEmbeddingMel

    audio = np.stack([noisy(20000, seed=s) for s in (4, 5)]) / 32767.0
    audio[1, 3000:6000] = 0.0  # digital silence: the fixed floor only, as on the device
    model = keras.Sequential([keras.Input((None,)), SpeechEmbeddingMel()])
    got = np.asarray(model(audio.astype(np.float32)))
    expected = mel_windows(mel_frames(audio))
    assert got.shape == expected.shape == (2, se.num_steps(20000), 2432)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    model.save(tmp_path / "mel.keras")
    again = keras.saving.load_model(tmp_path / "mel.keras")
    np.testing.assert_allclose(np.asarray(again(audio.astype(np.float32))), got, atol=0)


def _tiny_head():
    import keras

    from seqkeras.wakeword.models import embedding_head_model

    keras.utils.set_random_seed(0)
    return embedding_head_model(units=8)


@pytest.mark.backend_agnostic
def test_device_model_equals_onnx_front_end_plus_head(front: se.SpeechEmbedding, noisy) -> None:
    from seqkeras.wakeword.speech_embedding_keras import device_model

    head = _tiny_head()
    audio = np.stack([noisy(24000, seed=s) for s in (6, 7)])
    expected = np.asarray(head(front.clips(audio)))
    got = np.asarray(device_model(head)(audio.astype(np.float32) / 32767.0))
    np.testing.assert_allclose(got, expected, atol=2e-4)


def test_exported_device_model_runs_in_the_edge_runner(tmp_path, noisy) -> None:
    from seqkeras_edge.runner import WakeRunner
    from seqkeras_export.exporters import ExportRequest, export_tflite

    from seqkeras.wakeword.speech_embedding_keras import device_model

    model = device_model(_tiny_head())
    model.save(tmp_path / "device.keras")
    audio = np.stack([noisy(30000, seed=s) for s in (8, 9)]).astype(np.float32) / 32767.0
    output = tmp_path / "device.tflite"
    report = export_tflite(
        ExportRequest(
            model_path=str(tmp_path / "device.keras"),
            output=str(output),
            streaming=True,
            representative={"audio": audio},
            features=EmbeddingFeatureConfig().to_dict(),
            decision={
                "threshold": 0.0,
                "step_seconds": 0.08,
                "first_step_seconds": 0.782,
                "refractory_seconds": 0.2,
            },
            model=model,
        )
    )
    assert report["metadata"]["features"]["type"] == "speech-embedding-mel"
    assert report["metadata"]["state_shapes"] == [[15, 96]]  # the head's 16-step convolution
    runner = WakeRunner(output)
    assert runner.hop_length == 1280
    expected = np.asarray(model(audio[:1]))[0, :, 0]
    result = runner.run_samples(audio[0])
    assert result.scores.shape == (se.num_steps(30000), 1)
    np.testing.assert_allclose(result.scores[:, 0], expected, atol=1e-4)
    chunked = runner.run_chunks(audio[0, i : i + 700] for i in range(0, 30000, 700))
    np.testing.assert_allclose(chunked.scores, result.scores, atol=1e-6)
    # threshold 0: every step whose refractory period has passed fires, at the time its
    # window has been heard (12,512 samples for step 0, then 80 ms per step)
    times = [d.time for d in result.detections]
    assert [d.step for d in result.detections] == list(range(0, len(expected), 3))
    np.testing.assert_allclose(
        times, [12512 / 16000 + 0.08 * s for s in range(0, len(expected), 3)]
    )

    # 8 kHz telephone audio fills every band up to 3800 Hz: no warning; 6 kHz audio warns
    import warnings

    import soundfile
    from seqkeras_edge.features import LowSampleRateWarning

    for rate, warns in ((8000, False), (6000, True)):
        path = tmp_path / f"{rate}.wav"
        soundfile.write(path, audio[0, : rate * 2], rate)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            runner.run_file(path)
        assert any(issubclass(w.category, LowSampleRateWarning) for w in caught) == warns, rate
