"""numpy WAV reader and resampler against soundfile / scipy (independent references)."""

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly
from seqkeras_edge.wav import (
    AudioError,
    load_audio,
    read_wav,
    resample,
)

from seqkeras.audio import resample as training_resample


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


@pytest.mark.parametrize(
    "source, target, length",
    [(44100, 16000, 44100), (48000, 16000, 48001), (22050, 16000, 22050), (11025, 16000, 5000),
     (8000, 16000, 8003), (16000, 8000, 1601), (44100, 16000, 7)],
)
def test_resample_equals_scipy_resample_poly(source, target, length):
    """The runner's resampler is a twin of scipy's polyphase filter (the one training
    audio went through): same length, same samples over the whole band, edges included."""
    signal = np.random.default_rng(length).standard_normal(length)
    divisor = np.gcd(source, target)
    reference = resample_poly(signal, target // divisor, source // divisor)
    ours = resample(signal, source, target)
    assert ours.dtype == np.float32 and ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, atol=1e-6)


def test_resample_equals_the_training_side_resampler():
    t = np.arange(44100) / 44100
    signal = 0.5 * np.sin(2 * np.pi * 440 * t) + 0.3 * np.sin(2 * np.pi * 7000 * t)
    np.testing.assert_allclose(resample(signal, 44100, 16000), training_resample(signal, 44100, 16000), atol=1e-6)


def test_resample_keeps_the_upper_band():
    """A 7 kHz tone (inside the 16 kHz model's top mel bands) keeps its level within
    0.5 dB when a 44.1 kHz file is brought to 16 kHz; a tone above the new Nyquist is
    removed (it would alias into the band)."""
    t = np.arange(44100) / 44100
    for frequency, check in ((7000, lambda db: abs(db) < 0.5), (12000, lambda db: db < -40)):
        out = resample(np.sin(2 * np.pi * frequency * t), 44100, 16000)[200:-200]
        level_db = 20 * np.log10(np.sqrt(np.mean(out.astype(np.float64) ** 2)) / np.sqrt(0.5))
        assert check(level_db), (frequency, level_db)


def test_resample_rejects_bad_rates():
    with pytest.raises(ValueError, match="sample rates must be > 0"):
        resample(np.zeros(10), 0, 16000)


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
