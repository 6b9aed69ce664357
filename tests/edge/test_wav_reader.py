"""numpy WAV reader and resampler against soundfile / scipy (independent references)."""

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly
from seqkeras_edge.wav import AudioError, load_audio, read_wav, resample


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "PCM_U8", "FLOAT", "DOUBLE"])
def test_read_wav_matches_soundfile(tmp_path, subtype):
    rng = np.random.default_rng(1)
    audio = rng.uniform(-0.9, 0.9, size=(1000, 2))
    path = tmp_path / "x.wav"
    soundfile.write(path, audio, 8000, subtype=subtype)
    expected, rate = soundfile.read(path, dtype="float32", always_2d=True)
    got, got_rate = read_wav(path)
    assert got_rate == rate == 8000
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_resample_matches_scipy_on_band_limited_signal():
    t = np.arange(44100) / 44100
    signal = np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 3000 * t)
    ours = resample(signal, 44100, 16000)
    reference = resample_poly(signal, 160, 441)
    middle = slice(100, len(ours) - 100)  # edge handling differs
    assert len(ours) == len(reference)
    assert np.max(np.abs(ours[middle] - reference[middle])) < 5e-3


def test_load_audio_mixes_stereo_and_resamples(tmp_path):
    t = np.arange(22050) / 22050
    left = 0.5 * np.sin(2 * np.pi * 300 * t)
    path = tmp_path / "s.wav"
    soundfile.write(path, np.stack([left, -left + 0.2], axis=1), 22050, subtype="FLOAT")
    samples, rate = load_audio(path, 16000)
    assert rate == 22050
    assert samples.shape == (16000,)
    assert np.allclose(samples[200:-200], 0.1, atol=2e-3)  # (left + (-left + 0.2)) / 2


def test_truncated_file(tmp_path):
    path = tmp_path / "t.wav"
    soundfile.write(path, np.zeros(1000), 16000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:-501])
    with pytest.raises(AudioError, match="truncated"):
        read_wav(path)


def test_empty_and_non_audio_files(tmp_path):
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0), 16000, subtype="PCM_16")
    with pytest.raises(AudioError, match="no audio samples"):
        read_wav(empty)
    text = tmp_path / "notes.wav"
    text.write_text("hello, not audio")
    with pytest.raises(AudioError, match="not a WAV"):
        read_wav(text)
    zero = tmp_path / "zero.wav"
    zero.write_bytes(b"")
    with pytest.raises(AudioError, match="not a WAV"):
        read_wav(zero)
    with pytest.raises(FileNotFoundError, match="missing.wav"):
        read_wav(tmp_path / "missing.wav")
