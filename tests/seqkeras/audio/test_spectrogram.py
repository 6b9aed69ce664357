"""Spectrogram / LogMelSpectrogram layers: tf.signal oracle, numpy-twin parity, serialization."""

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from seqkeras_edge.features import FeatureConfig, StreamingFeatures, log_mel_spectrogram

from seqkeras.audio import LogMelSpectrogram, Spectrogram, mel_weight_matrix, read_audio

REAL_AUDIO = Path("/usr/share/asterisk/sounds/en_US_f_Allison/activated.wav")
PARITY_TOLERANCE = 1e-4


def _noise(batch=2, samples=16000, seed=0):
    return (np.random.default_rng(seed).normal(size=(batch, samples)) * 0.3).astype("float32")


def test_mel_matrix_equals_tf_signal():
    tf = pytest.importorskip("tensorflow")  # the JAX device check runs without TensorFlow
    for bins, size, rate, low, high in [
        (40, 257, 16000, 20.0, 7600.0),
        (64, 201, 8000, 0.0, 4000.0),
    ]:
        expected = tf.signal.linear_to_mel_weight_matrix(
            bins, size, rate, low, high, dtype=tf.float64
        )
        np.testing.assert_allclose(
            mel_weight_matrix(bins, size, rate, low, high), expected.numpy(), atol=1e-10
        )


def test_spectrogram_equals_tf_signal_stft():
    tf = pytest.importorskip("tensorflow")  # the JAX device check runs without TensorFlow
    audio = _noise()
    expected = tf.signal.stft(
        audio.astype("float64"),
        frame_length=400,
        frame_step=160,
        fft_length=512,
        window_fn=lambda n, dtype: tf.signal.hann_window(n, periodic=True, dtype=dtype),
        pad_end=False,
    )
    power = np.abs(expected.numpy()) ** 2
    got = np.asarray(Spectrogram()(audio))
    assert got.shape == (2, 98, 257)
    np.testing.assert_allclose(got, power, rtol=1e-5, atol=1e-4)
    magnitude = np.asarray(Spectrogram(power=1.0, log_floor=1e-3)(audio))
    np.testing.assert_allclose(magnitude, np.log(np.maximum(np.sqrt(power), 1e-3)), atol=1e-5)


def test_log_mel_equals_tf_signal_pipeline():
    tf = pytest.importorskip("tensorflow")  # the JAX device check runs without TensorFlow
    audio = _noise(seed=1)
    stft = tf.signal.stft(
        audio.astype("float64"),
        400,
        160,
        512,
        window_fn=lambda n, dtype: tf.signal.hann_window(n, periodic=True, dtype=dtype),
    )
    mel = tf.matmul(
        tf.abs(stft) ** 2,
        tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 7600.0, dtype=tf.float64),
    )
    expected = np.log(np.maximum(mel.numpy(), 1e-6))
    np.testing.assert_allclose(
        np.asarray(LogMelSpectrogram()(audio)), expected, atol=PARITY_TOLERANCE
    )


@pytest.mark.parametrize(
    "config",
    [
        FeatureConfig(),
        FeatureConfig(
            frame_ms=30.0, hop_ms=10.0, num_mel_bins=64, lower_edge_hz=60.0, upper_edge_hz=8000.0
        ),
    ],
)
def test_parity_with_numpy_twin_on_noise(config):
    audio = _noise(seed=2)
    layer = LogMelSpectrogram.from_feature_config(config)
    got = np.asarray(layer(audio))
    twin = log_mel_spectrogram(audio, config)
    assert got.shape == twin.shape
    assert np.max(np.abs(got - twin)) <= PARITY_TOLERANCE


@pytest.mark.skipif(not REAL_AUDIO.exists(), reason="apt-get install asterisk-core-sounds-en-wav")
def test_parity_with_numpy_twin_on_real_audio_whole_and_streamed():
    audio = read_audio(REAL_AUDIO)
    layer = LogMelSpectrogram()
    got = np.asarray(layer(audio[None]))[0]
    twin = log_mel_spectrogram(audio, layer.feature_config())
    assert np.max(np.abs(got - twin)) <= PARITY_TOLERANCE
    stream = StreamingFeatures(layer.feature_config())
    streamed = np.concatenate([stream.push(audio[i : i + 160]) for i in range(0, audio.size, 160)])
    assert np.max(np.abs(got - streamed)) <= PARITY_TOLERANCE
    assert got.shape[0] == layer.num_frames(audio.size)


@pytest.mark.backend_agnostic
def test_float32_precision_parity_on_noise():
    audio = _noise(seed=3)
    got = np.asarray(LogMelSpectrogram(precision="float32")(audio))
    assert got.dtype == np.float32
    assert np.max(np.abs(got - log_mel_spectrogram(audio))) <= PARITY_TOLERANCE


@pytest.mark.backend_agnostic
def test_symbolic_shapes_and_channel_axis():
    inputs = keras.Input(shape=(None,))
    assert LogMelSpectrogram()(inputs).shape == (None, None, 40)
    assert Spectrogram().compute_output_shape((4, 16000)) == (4, 98, 257)
    assert LogMelSpectrogram(num_mel_bins=32).compute_output_shape((None, 16000, 1)) == (
        None,
        98,
        32,
    )
    with_channel = np.asarray(LogMelSpectrogram()(_noise(seed=4)[..., None]))
    np.testing.assert_allclose(
        with_channel, np.asarray(LogMelSpectrogram()(_noise(seed=4))), atol=1e-6
    )


def test_config_round_trip_and_keras_file(tmp_path):
    layer = LogMelSpectrogram(frame_ms=30.0, num_mel_bins=32, log_floor=1e-4, upper_edge_hz=7000.0)
    clone = LogMelSpectrogram.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert Spectrogram.from_config(Spectrogram(power=1.0).get_config()).power == 1.0
    inputs = keras.Input(shape=(8000,))
    model = keras.Model(inputs, keras.layers.Dense(3)(layer(inputs)))
    path = tmp_path / "features.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    audio = _noise(samples=8000, seed=5)
    np.testing.assert_allclose(
        reloaded.predict(audio, verbose=0), model.predict(audio, verbose=0), atol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"frame_ms": 0.0}, "frame_ms"),
        ({"fft_size": 128}, "fft_size"),
        ({"num_mel_bins": 0}, "num_mel_bins"),
        ({"log_floor": -1.0}, "log_floor"),
        ({"upper_edge_hz": 12000.0}, "upper_edge_hz"),
        ({"precision": "float16"}, "precision"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LogMelSpectrogram(**kwargs)


def test_bad_inputs():
    with pytest.raises(ValueError, match="frame_length=400"):
        LogMelSpectrogram()(np.zeros((1, 100), "float32"))
    with pytest.raises(ValueError, match=r"\(batch, samples\)"):
        Spectrogram()(np.zeros((1, 400, 2), "float32"))
    with pytest.raises(ValueError, match="power"):
        Spectrogram(power=3.0)


MUSIC = sorted(Path("/usr/share/games/colobot/music").glob("*.ogg"))


@pytest.mark.skipif(not MUSIC, reason="apt-get install colobot-common-sounds")
def test_parity_on_loud_real_music():
    audio = read_audio(MUSIC[0])[16000 * 20 : 16000 * 23]
    audio = audio / np.max(np.abs(audio))  # full scale: the hardest case for rounding
    got = np.asarray(LogMelSpectrogram()(audio[None]))[0]
    assert np.max(np.abs(got - log_mel_spectrogram(audio))) <= PARITY_TOLERANCE


def test_variable_length_model_in_graph_mode():
    inputs = keras.Input(shape=(None,))
    model = keras.Model(inputs, LogMelSpectrogram()(inputs))
    for length in (8000, 12345):
        audio = _noise(samples=length, seed=length)
        got = model.predict(audio, verbose=0)
        assert got.shape == (2, 1 + (length - 400) // 160, 40)
        assert np.max(np.abs(got - log_mel_spectrogram(audio))) <= PARITY_TOLERANCE


def test_importing_the_package_registers_the_layers():
    code = (
        "import keras, seqkeras.audio\n"
        "names = ['seqkeras>Spectrogram', 'seqkeras>LogMelSpectrogram']\n"
        "print(all(keras.saving.get_registered_object(n) is not None for n in names))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip().endswith("True"), result.stderr[-500:]
