"""numpy WAV reader and resampler against soundfile / scipy (independent references)."""

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly
from seqkeras_edge.wav import (
    RESAMPLE_HALF_TAPS,
    RESAMPLE_KAISER_BETA,
    AudioError,
    load_audio,
    read_wav,
    resample,
)


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


def test_downsampling_attenuates_the_stopband_as_the_kaiser_design_says():
    """Kaiser's design formulas for the resampler's window (beta, taps): stopband
    attenuation A = beta / 0.1102 + 8.7 dB, transition width
    (A - 7.95) / (2.285 (taps - 1)) rad per input sample, centred on the target Nyquist.
    A tone beyond the stopband edge would alias at full strength without the filter; it
    must come out at least A dB down (minus 6 dB for the formulas' approximation)."""
    source, target = 44100, 16000
    attenuation_db = RESAMPLE_KAISER_BETA / 0.1102 + 8.7
    taps = 2 * RESAMPLE_HALF_TAPS
    transition_hz = (attenuation_db - 7.95) / (2.285 * (taps - 1)) / (2 * np.pi) * source
    stop_hz = target / 2 + transition_hz / 2
    assert stop_hz < source / 2 - 1000, "no stopband below the source Nyquist to test"
    t = np.arange(source) / source
    for frequency in (stop_hz + 500, source / 2 - 500):
        tone = np.sin(2 * np.pi * frequency * t)
        out = resample(tone, source, target)[100:-100]
        level_db = 20 * np.log10(np.sqrt(np.mean(out**2)) / np.sqrt(0.5))
        assert level_db < -(attenuation_db - 6), (frequency, level_db)


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
