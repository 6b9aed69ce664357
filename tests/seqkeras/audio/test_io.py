"""read_audio / write_audio / resample."""

from pathlib import Path

import numpy as np
import pytest
import soundfile

from seqkeras.audio import read_audio, read_audio_with_rate, resample, write_audio

REAL_AUDIO = Path("/usr/share/asterisk/sounds/en_US_f_Allison/activated.wav")


def _sine(freq, rate, seconds, amplitude=0.5):
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype("float32")


def _dominant_hz(audio, rate):
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return np.argmax(spectrum) * rate / audio.size


def test_stereo_44k_is_mixed_down_and_resampled(tmp_path):
    left, right = _sine(440, 44100, 1.0), _sine(1000, 44100, 1.0, amplitude=0.2)
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([left, right], axis=1), 44100, subtype="FLOAT")
    audio = read_audio(path)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size == 16000
    # Mixdown is the channel mean: the 440 Hz tone at half amplitude dominates.
    expected = 0.5 * _sine(440, 16000, 1.0) + 0.5 * _sine(1000, 16000, 1.0, amplitude=0.2)
    np.testing.assert_allclose(audio[200:-200], expected[200:-200], atol=2e-3)
    assert read_audio_with_rate(path)[1] == 44100
    assert read_audio(path, sample_rate=None).size == 44100


@pytest.mark.parametrize("fmt, ext", [("FLAC", "flac"), ("OGG", "ogg")])
def test_flac_and_ogg(tmp_path, fmt, ext):
    path = tmp_path / f"tone.{ext}"
    soundfile.write(path, _sine(700, 8000, 0.5), 8000, format=fmt)
    audio = read_audio(path)
    assert audio.size == 8000
    assert _dominant_hz(audio, 16000) == pytest.approx(700, abs=4)


def test_resample_length_and_frequency():
    tone = _sine(300, 22050, 2.0)
    out = resample(tone, 22050, 16000)
    assert out.size == 32000 and out.dtype == np.float32
    assert _dominant_hz(out, 16000) == pytest.approx(300, abs=1)
    assert resample(tone, 16000, 16000) is not None
    with pytest.raises(ValueError, match="orig_rate"):
        resample(tone, 0, 16000)


@pytest.mark.skipif(not REAL_AUDIO.exists(), reason="apt-get install asterisk-core-sounds-en-wav")
def test_real_8k_recording():
    audio = read_audio(REAL_AUDIO)
    assert audio.size == 2 * soundfile.info(str(REAL_AUDIO)).frames
    assert 0.01 < np.abs(audio).max() <= 1.0


def test_missing_file_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.wav"):
        read_audio(tmp_path / "nothere.wav")


def test_corrupt_file_names_it(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is not audio at all")
    with pytest.raises(ValueError, match="notes.wav"):
        read_audio(path)
    truncated = tmp_path / "cut.wav"
    soundfile.write(truncated, _sine(440, 16000, 1.0), 16000)
    truncated.write_bytes(truncated.read_bytes()[:30])
    with pytest.raises(ValueError, match="cut.wav"):
        read_audio(truncated)


def test_empty_file_names_it(tmp_path):
    path = tmp_path / "empty.wav"
    soundfile.write(path, np.zeros(0, "float32"), 16000)
    with pytest.raises(ValueError, match="empty.wav.*no samples"):
        read_audio(path)


def test_directory_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="directory"):
        read_audio(tmp_path)


def test_write_audio_round_trip(tmp_path):
    tone = _sine(500, 16000, 0.25)
    path = write_audio(tmp_path / "sub" / "out.wav", tone)
    np.testing.assert_allclose(read_audio(path), tone, atol=1 / 32767 + 1e-6)
    assert [p.name for p in path.parent.iterdir()] == ["out.wav"]
    with pytest.raises(ValueError, match="1-D"):
        write_audio(tmp_path / "x.wav", np.zeros((2, 5)))


def _htk_band_lower_edges_hz(num_bins=40, low=20.0, high=7600.0):
    """Lower edge (Hz) of each HTK mel triangle, straight from the formula."""
    mel = lambda hz: 2595.0 * np.log10(1.0 + hz / 700.0)  # noqa: E731
    edges = np.linspace(mel(low), mel(high), num_bins + 2)
    return 700.0 * (10.0 ** (edges[:-2] / 2595.0) - 1.0)


@pytest.mark.parametrize("rate", [8000, 11025])
def test_upsampling_warns_with_rate_and_empty_bands(tmp_path, rate):
    from seqkeras.audio.io import LowSampleRateWarning, empty_mel_bands

    path = tmp_path / "low.wav"
    soundfile.write(path, _sine(440, rate, 0.25), rate)
    nyquist = rate / 2
    expected = [j for j, low in enumerate(_htk_band_lower_edges_hz()) if low >= nyquist]
    assert expected and expected[-1] == 39
    assert empty_mel_bands(rate)[0] == expected
    pattern = rf"{rate} Hz.*mel bands {expected[0]}-39 \(0-based, of 40\) are empty"
    with pytest.warns(LowSampleRateWarning, match=pattern):
        audio = read_audio(path)
    assert audio.size == round(0.25 * 16000)  # still upsampled: the warning does not refuse


def test_no_warning_at_or_above_16k_or_without_resampling(tmp_path):
    import warnings

    for rate in (16000, 22050, 44100):
        path = tmp_path / f"{rate}.wav"
        soundfile.write(path, _sine(440, rate, 0.1), rate)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            read_audio(path)
    low = tmp_path / "low.wav"
    soundfile.write(low, _sine(440, 8000, 0.1), 8000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_audio(low, sample_rate=None)
        read_audio(low, sample_rate=8000)
        read_audio_with_rate(low)
