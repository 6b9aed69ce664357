"""Training-side float32 features (TensorFlow, tf.data) against the numpy twin (float64)."""

from __future__ import annotations

import glob

import numpy as np
import pytest
from scipy.signal import resample_poly
from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

from seqkeras.wakeword.features import (
    EMPHASIS,
    PRECISE_BAND_RATIO,
    _features,
    emphasis_gain,
    log_mel_batches,
    log_mel_dataset,
    log_mel_tf,
)

BOUND = 1e-4  # issue 17: float32 features within 1e-4 of the numpy twin
RATE = 16000


def _noise(colour: str, samples: int, seed: int) -> np.ndarray:
    """White, pink or brown noise shaped in the frequency domain (1, 1/f, 1/f^2 power)."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    freqs = np.maximum(np.fft.rfftfreq(samples), 1.0 / samples)
    spectrum *= {"white": 1.0, "pink": freqs**-0.5, "brown": freqs**-1.0}[colour]
    audio = np.fft.irfft(spectrum, samples)
    return (0.1 * audio / audio.std()).astype(np.float32)


def _music(seconds: float = 3.0) -> np.ndarray:
    """Bass notes with harmonics and a decaying envelope: most energy far below 1 kHz."""
    t = np.arange(int(seconds * RATE)) / RATE
    audio = np.zeros_like(t)
    for index, note in enumerate((55.0, 82.4, 65.4, 98.0, 110.0, 73.4)):
        start = index * 0.5
        envelope = np.where(t >= start, np.exp(-3.0 * (t - start)), 0.0)
        for harmonic in range(1, 6):
            audio += envelope * np.sin(2 * np.pi * note * harmonic * t) / harmonic**2
    return (0.5 * audio / np.abs(audio).max()).astype(np.float32)


def _telephone_speech_like(seconds: float = 2.0) -> np.ndarray:
    """A voiced, formant-shaped signal at 8 kHz resampled to 16 kHz: the upper mel bands are
    70-100 dB below the frame (the float32 FFT's rounding error lives there)."""
    rng = np.random.default_rng(3)
    t = np.arange(int(seconds * 8000)) / 8000
    pitch = 120 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / 8000
    source = sum(np.sin(k * phase) / k for k in range(1, 25))
    audio = source * (1 + 0.5 * np.sin(2 * np.pi * 3 * t)) + 0.01 * rng.standard_normal(t.size)
    return resample_poly(0.3 * audio / np.abs(audio).max(), 2, 1).astype(np.float32)


def _real_recordings() -> list[np.ndarray]:
    """A few real recordings when installed here (skipped otherwise)."""
    from seqkeras.audio import read_audio
    from seqkeras.wakeword.real_speech import find_real_speech_root

    paths = sorted(glob.glob("/usr/share/asterisk/sounds/en_US_f_Allison/*.wav"))[:3]
    root = find_real_speech_root()
    if root is not None:
        paths += sorted(glob.glob(str(root / "wake-word-benchmark" / "computer" / "*.flac")))[:4]
        paths += sorted(glob.glob(str(root / "wuw-corpus-ii" / "calls" / "00000" / "*.flac")))[:3]
    import warnings

    with warnings.catch_warnings():  # 8 kHz recordings: their upper bands are empty
        warnings.simplefilter("ignore")
        return [read_audio(p) for p in paths]


def _max_difference(audio: np.ndarray) -> float:
    expected = log_mel_spectrogram(audio)
    got = np.asarray(log_mel_tf(audio))
    assert got.shape == expected.shape and got.dtype == np.float32
    return float(np.abs(got - expected).max())


@pytest.mark.parametrize("colour", ["white", "pink", "brown"])
def test_noise_matches_the_numpy_twin(colour):
    assert _max_difference(_noise(colour, 3 * RATE, seed=len(colour))) <= BOUND


def test_music_and_band_limited_speech_match_the_numpy_twin():
    assert _max_difference(_music()) <= BOUND
    assert _max_difference(_telephone_speech_like()) <= BOUND


def test_plain_float32_would_not_meet_the_bound_here():
    """The case the float64 recomputation exists for: without it, float32 misses the bound
    on band-limited speech (so the test above can fail)."""
    import tensorflow as tf
    from seqkeras_edge.features import hann_window, mel_weight_matrix

    audio = _telephone_speech_like()
    frames = tf.signal.frame(audio, 400, 160) * hann_window(400).astype(np.float32)
    spectrum = tf.signal.rfft(frames, fft_length=[512])
    power = tf.math.real(spectrum) ** 2 + tf.math.imag(spectrum) ** 2
    plain = np.log(np.maximum(power.numpy() @ mel_weight_matrix().astype(np.float32), 1e-6))
    assert np.abs(plain - log_mel_spectrogram(audio)).max() > BOUND


def test_real_recordings_match_the_numpy_twin():
    recordings = _real_recordings()
    if not recordings:
        pytest.skip(
            "no real recordings installed (asterisk-core-sounds-en-wav, shared/data/real-speech)"
        )
    assert max(_max_difference(audio) for audio in recordings) <= BOUND


def test_batches_of_int16_clips_equal_the_float_path():
    clips = np.round(np.stack([_noise("pink", RATE, seed=s) for s in range(5)]) * 32767).astype(
        np.int16
    )
    clips[2, 4000:9000] = np.round(_music()[:5000] * 32767).astype(np.int16)
    config = FeatureConfig(num_mel_bins=32)

    class Counter:
        total = 0

        def update(self, n):
            self.total += n

    counter = Counter()
    got = log_mel_batches(clips, config, batch_size=2, progress=counter)
    assert counter.total == 5
    floats = np.asarray(clips, np.float32) / 32767.0
    expected = log_mel_spectrogram(floats, config)
    assert got.shape == expected.shape == (5, 98, 32)
    assert np.abs(got - expected).max() <= BOUND
    batches = [b.shape[0] for b in log_mel_dataset(clips, config, batch_size=2)]
    assert batches == [2, 2, 1]


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="clips, samples"):
        log_mel_dataset(np.zeros(100, np.float32))
    with pytest.raises(ValueError, match="shorter than one frame"):
        log_mel_batches(np.zeros((2, 100), np.float32))
    with pytest.raises(ValueError, match="batch_size"):
        log_mel_dataset(np.zeros((2, 1000), np.float32), batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        log_mel_batches(np.zeros((2, 1000), np.float32), batch_size=0)
    with pytest.raises(ValueError, match="clips, samples"):
        log_mel_batches(np.zeros(1000, np.float32))


def test_a_long_signal_in_chunks_equals_the_numpy_twin():
    from seqkeras.wakeword.features import log_mel_stream

    audio = np.concatenate([_noise("pink", RATE, seed=9), _music(1.0), _noise("white", 7777, 1)])
    got = log_mel_stream(audio, chunk_frames=37)
    expected = log_mel_spectrogram(audio)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= BOUND
    with pytest.raises(ValueError, match="chunk_frames"):
        log_mel_stream(audio, chunk_frames=0)


def _twin_frames(audio: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """Windowed frames in float64, zero-padded to the FFT length (the twin's arithmetic)."""
    from seqkeras_edge.features import hann_window

    count = config.num_frames(audio.size)
    index = np.arange(count)[:, None] * config.hop_length + np.arange(config.frame_length)
    frames = np.zeros((count, config.fft_size))
    frames[:, : config.frame_length] = audio.astype(np.float64)[index] * hann_window(
        config.frame_length
    )
    return frames


@pytest.mark.parametrize("fft_size", [512, 400])
def test_the_pre_emphasis_gain_is_the_filter_response(fft_size):
    """|FFT(d)|^2 / |FFT(v)|^2 for the circular pre-emphasis d_n = v_n - a v_{n-1}."""
    config = FeatureConfig(fft_size=fft_size)
    frames = _twin_frames(_noise("white", 4000, seed=1), config)
    emphasized = frames - EMPHASIS * np.roll(frames, 1, axis=1)
    ratio = np.abs(np.fft.rfft(emphasized)) ** 2 / np.abs(np.fft.rfft(frames)) ** 2
    assert np.allclose(ratio, emphasis_gain(config)[None, :], rtol=1e-9)


def test_float32_frames_are_flagged_exactly_where_a_band_is_quiet():
    """The float32 pass flags the frames whose quietest band, seen through the pre-emphasis,
    is under PRECISE_BAND_RATIO of the transformed frame's power (computed here in float64
    from the twin's spectrum); the frames it keeps are within the bound, and some it flags
    are not (so the float64 recomputation is needed, and the flags find those frames)."""
    from seqkeras_edge.features import mel_weight_matrix

    config = FeatureConfig()
    audio = np.concatenate([_telephone_speech_like(), _noise("brown", RATE, seed=4), _music(1.0)])
    frames = _twin_frames(audio, config)
    power = np.abs(np.fft.rfft(frames)) ** 2
    mel = mel_weight_matrix()
    bands = np.maximum(power @ mel, config.log_floor)
    response = np.abs(1 - EMPHASIS * np.exp(-2j * np.pi * np.arange(257) / 512)) ** 2
    lowest = np.array([response[mel[:, m] > 0].min() for m in range(mel.shape[1])])
    emphasized = frames - EMPHASIS * np.roll(frames, 1, axis=1)
    total = (np.abs(np.fft.rfft(emphasized)) ** 2).sum(axis=1)
    ratio = (bands * lowest).min(axis=1) / total
    quiet = ratio < PRECISE_BAND_RATIO

    out, flagged = _features(config).dense(audio[None])
    out, flagged = out.numpy(), flagged.numpy()
    near = np.abs(ratio / PRECISE_BAND_RATIO - 1) < 1e-2  # float32 may round either way
    assert 10 <= quiet.sum() <= len(quiet) - 10
    assert np.array_equal(flagged[~near], quiet[~near])
    error = np.abs(out - log_mel_spectrogram(audio)).max(axis=1)
    assert error[~flagged].max() <= BOUND
    assert error[flagged].max() > BOUND


@pytest.mark.parametrize(
    "config",
    [FeatureConfig(frame_ms=32.0), FeatureConfig(fft_size=1024, num_mel_bins=64, hop_ms=12.5)],
    ids=["fft-equals-frame", "fft-1024"],
)
def test_other_framings_match_the_numpy_twin(config):
    """fft_size == frame length (the pre-emphasis wraps around) and a longer FFT."""
    for audio in (_noise("pink", RATE, seed=2), _music(1.0), _telephone_speech_like(1.0)):
        expected = log_mel_spectrogram(audio, config)
        got = np.asarray(log_mel_tf(audio, config))
        assert got.shape == expected.shape
        assert np.abs(got - expected).max() <= BOUND


def test_audio_shorter_than_a_frame_has_no_frames():
    got = np.asarray(log_mel_tf(np.zeros(100, np.float32)))
    assert got.shape == log_mel_spectrogram(np.zeros(100, np.float32)).shape == (0, 40)
