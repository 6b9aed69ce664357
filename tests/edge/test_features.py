"""Numpy features of the edge runner: oracle checks and streaming == whole signal."""

import json
import subprocess
import sys

import numpy as np
import pytest
from seqkeras_edge import features as F


def _dft_power(frames: np.ndarray, fft_size: int) -> np.ndarray:
    """Independent oracle: the DFT written as an explicit sum (no np.fft)."""
    n = np.arange(frames.shape[-1])
    k = np.arange(fft_size // 2 + 1)
    basis = np.exp(-2j * np.pi * np.outer(n, k) / fft_size)
    spectrum = frames @ basis
    return np.abs(spectrum) ** 2


def test_defaults_in_samples():
    config = F.FeatureConfig()
    assert (config.frame_length, config.hop_length, config.num_spectrogram_bins) == (400, 160, 257)
    # 1 s of audio: frames start at 0, 160, ..., 15440 (the last one ends at 15840 <= 16000).
    assert config.num_frames(16000) == 98
    assert config.num_frames(399) == 0
    assert config.num_frames(400) == 1
    assert config.num_frames(559) == 1
    assert config.num_frames(560) == 2


def test_periodic_hann_matches_numpy_symmetric_window_trimmed():
    # A periodic window of length N is the symmetric window of length N + 1 without its last point.
    np.testing.assert_allclose(F.hann_window(400), np.hanning(401)[:-1], atol=1e-12)


def test_power_spectrum_matches_explicit_dft_on_causal_frames():
    rng = np.random.default_rng(1)
    config = F.FeatureConfig()
    audio = rng.normal(size=3000)
    got = F.power_spectrogram(audio, config)
    starts = np.arange(config.num_frames(audio.size)) * 160
    frames = np.stack([audio[s : s + 400] * np.hanning(401)[:-1] for s in starts])
    expected = _dft_power(frames, 512)
    assert got.shape == (17, 257)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_mel_matrix_hand_values():
    matrix = F.mel_weight_matrix(
        num_mel_bins=3,
        num_spectrogram_bins=5,
        sample_rate=8000,
        lower_edge_hz=0.0,
        upper_edge_hz=4000.0,
    )
    assert matrix.shape == (5, 3)
    assert np.all(matrix[0] == 0.0)  # DC gets no weight
    # Band edges equally spaced in HTK mel between 0 and 4000 Hz.
    top = 1127.0 * np.log(1 + 4000 / 700)
    edges = np.linspace(0.0, top, 5)
    mel_1000 = 1127.0 * np.log(1 + 1000 / 700)  # spectrogram bin 1 is 1000 Hz
    rising = (mel_1000 - edges[0]) / (edges[1] - edges[0])
    falling = (edges[2] - mel_1000) / (edges[2] - edges[1])
    assert matrix[1, 0] == pytest.approx(min(rising, falling))
    assert np.all(matrix >= 0.0) and np.all(matrix <= 1.0)


def test_log_mel_is_log_of_mel_energies_with_floor():
    rng = np.random.default_rng(2)
    config = F.FeatureConfig(log_floor=1e-2)
    audio = np.concatenate([np.zeros(800), rng.normal(size=1600)])
    starts = np.arange(config.num_frames(audio.size)) * 160
    frames = np.stack([audio[s : s + 400] * np.hanning(401)[:-1] for s in starts])
    mel = _dft_power(frames, 512) @ F.mel_weight_matrix()
    expected = np.log(np.maximum(mel, 1e-2))
    got = F.log_mel_spectrogram(audio, config)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert np.all(got[0] == np.float32(np.log(1e-2)))  # an all-zero frame sits on the floor


@pytest.mark.parametrize(
    "chunk_sizes", [[1], [159, 1, 400, 7], [160], [401], [5000], [0, 3, 0, 1000]]
)
def test_streaming_equals_whole_signal(chunk_sizes):
    rng = np.random.default_rng(3)
    audio = rng.normal(scale=0.2, size=7777).astype(np.float32)
    whole = F.log_mel_spectrogram(audio)
    stream = F.StreamingFeatures()
    parts, position, i = [], 0, 0
    while position < audio.size:
        size = chunk_sizes[i % len(chunk_sizes)]
        parts.append(stream.push(audio[position : position + size]))
        position += size
        i += 1
    got = np.concatenate(parts)
    assert got.shape == whole.shape == (F.num_frames(7777, 400, 160), 40)
    np.testing.assert_array_equal(got, whole)
    assert stream.frames_emitted == whole.shape[0]


def test_streaming_random_chunks_and_reset():
    rng = np.random.default_rng(4)
    audio = rng.uniform(-1, 1, size=16000)
    whole = F.log_mel_spectrogram(audio)
    stream = F.StreamingFeatures()
    stream.push(rng.normal(size=999))
    stream.reset()
    cuts = np.sort(rng.choice(np.arange(1, audio.size), size=40, replace=False))
    got = np.concatenate([stream.push(part) for part in np.split(audio, cuts)])
    np.testing.assert_array_equal(got, whole)


def test_batch_input_equals_per_row():
    rng = np.random.default_rng(5)
    batch = rng.normal(size=(3, 2000))
    got = F.log_mel_spectrogram(batch)
    for row in range(3):
        np.testing.assert_array_equal(got[row], F.log_mel_spectrogram(batch[row]))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"frame_ms": 0}, "frame_ms"),
        ({"hop_ms": -1}, "hop_ms"),
        ({"fft_size": 256}, "fft_size"),
        ({"upper_edge_hz": 9000.0}, "upper_edge_hz"),
        ({"num_mel_bins": 0}, "num_mel_bins"),
        ({"log_floor": 0.0}, "log_floor"),
        ({"sample_rate": 0}, "sample_rate"),
    ],
)
def test_config_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        F.FeatureConfig(**kwargs)


def test_config_dict_round_trip_and_unknown_key():
    config = F.FeatureConfig(num_mel_bins=32, hop_ms=20.0)
    assert F.FeatureConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="bogus"):
        F.FeatureConfig.from_dict({"bogus": 1})


def test_streaming_rejects_2d_chunk():
    with pytest.raises(ValueError, match="1-D"):
        F.StreamingFeatures().push(np.zeros((2, 160)))


def test_features_module_imports_only_numpy():
    code = (
        "import sys, seqkeras_edge.features\n"
        "bad = [m for m in ('tensorflow', 'keras', 'scipy', 'jax', 'torch') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
