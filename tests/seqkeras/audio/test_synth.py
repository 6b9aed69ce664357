"""TTS engines, coloured noise, SNR mixing, silence trimming."""

import numpy as np
import pytest

from seqkeras.audio import synth
from seqkeras.audio.synth import (
    EngineNotAvailableError,
    Voice,
    available_engines,
    coloured_noise,
    get_engine,
    mix_at_snr,
    synthesize,
    synthesize_many,
    trim_silence,
)

FAST_VOICES = {
    "espeak": Voice("espeak", "en-us+f3", 1.1, 60),
    "flite": Voice("flite", "kal16", 1.0, 110),
    "festival": Voice("festival", "kal_diphone", 1.0, 120),
    "festival-l2": Voice("festival-l2", "czech_machac", 1.0),
    "pico": Voice("pico", "en-US", 1.0, 100),
}


def _require(engine):
    if engine not in available_engines():
        pytest.skip(f"{engine} not installed: {get_engine(engine).install}")


@pytest.mark.parametrize("engine", sorted(FAST_VOICES))
def test_engine_speaks_16k_float32_mono(engine):
    _require(engine)
    audio = synthesize("activate", FAST_VOICES[engine])
    assert audio.dtype == np.float32 and audio.ndim == 1
    speech = trim_silence(audio)
    assert 0.3 * 16000 < speech.size < 1.5 * 16000  # "activate" lasts roughly half a second
    assert 0.05 < np.abs(audio).max() <= 1.0


def test_espeak_speed_changes_duration_and_batch_keeps_order():
    _require("espeak")
    slow = trim_silence(synthesize("activate the lights", Voice("espeak", "en-gb+m3", 0.7)))
    fast = trim_silence(synthesize("activate the lights", Voice("espeak", "en-gb+m3", 1.6)))
    assert fast.size < 0.75 * slow.size
    short, long = synthesize_many(
        ["yes", "a much longer sentence than one word"], Voice("espeak", "en-us")
    )
    assert short.size < long.size


def test_festival_batches_several_texts():
    _require("festival")
    first, second = synthesize_many(["active", "captivate"], FAST_VOICES["festival"])
    assert first.size > 1000 and second.size > 1000


def test_accented_festival_voices_are_not_english_festival_voices():
    _require("festival-l2")
    accented = set(get_engine("festival-l2").voices())
    assert accented <= set(synth.ACCENTED_FESTIVAL_VOICES)
    # The plain festival engine offers only voices that read English text themselves.
    assert not accented & set(get_engine("festival").voices())
    # Czech letters outside ASCII ("š" for /ʃ/) reach festival in its ISO-8859-2 encoding:
    # "activation" is a syllable longer than "activate" for every accented voice.
    for name in sorted(accented):
        voice = Voice("festival-l2", name, 1.0)
        short, long = (trim_silence(a) for a in synthesize_many(["activate", "activation"], voice))
        assert 0.3 * 16000 < short.size < long.size, name


def _f0_hz(audio: np.ndarray, sample_rate: int = 16000) -> float:
    """Pitch of the loudest 100 ms by autocorrelation (lags of 2.5-20 ms: 50-400 Hz)."""
    width = sample_rate // 10
    energy = np.convolve(audio**2, np.ones(width), mode="valid")
    start = int(np.argmax(energy))
    frame = audio[start : start + width] - audio[start : start + width].mean()
    corr = np.correlate(frame, frame, mode="full")[width - 1 :]
    low, high = sample_rate // 400, sample_rate // 50
    return sample_rate / (low + int(np.argmax(corr[low:high])))


def test_pico_pitch_and_speed():
    _require("pico")
    low = synthesize("activate", Voice("pico", "en-GB", 1.0, 60))
    high = synthesize("activate", Voice("pico", "en-GB", 1.0, 120))
    # Pitch is a percentage of the voice's own: 60 % makes the woman's voice a deep one.
    assert _f0_hz(low) < 130.0 and _f0_hz(low) < 0.75 * _f0_hz(high)
    slow, fast = (
        trim_silence(synthesize("activate the lights", Voice("pico", "en-US", speed)))
        for speed in (0.7, 1.4)
    )
    assert fast.size < 0.75 * slow.size
    with pytest.raises(ValueError, match="pitch"):
        synthesize("activate", Voice("pico", "en-US", 1.0, 300))


@pytest.mark.slow
def test_piper_when_installed():
    _require("piper")
    audio = synthesize("activate", Voice("piper", "joe", 1.0))
    assert audio.dtype == np.float32 and trim_silence(audio).size > 0.3 * 16000
    with pytest.raises(ValueError, match="pitch"):
        synthesize("activate", Voice("piper", "joe", 1.0, pitch=50))


def test_missing_engine_names_the_package():
    class MissingEspeak(synth.EspeakEngine):
        name = "missing-espeak"
        program = "no-such-espeak-binary"

    engine = MissingEspeak()
    synth.register_engine(engine)
    try:
        assert "missing-espeak" in synth.list_engines()
        assert "missing-espeak" not in available_engines()
        with pytest.raises(EngineNotAvailableError, match="apt-get install espeak-ng"):
            synthesize("activate", Voice("missing-espeak", "en-us"))
    finally:
        synth._ENGINES.pop("missing-espeak")


def test_unknown_engine_and_bad_arguments():
    with pytest.raises(ValueError, match="unknown TTS engine 'nope'"):
        synthesize("hi", Voice("nope", "x"))
    with pytest.raises(ValueError, match="speed"):
        Voice("espeak", "en-us", speed=0.0)
    if "espeak" in available_engines():
        with pytest.raises(ValueError, match="non-empty"):
            synthesize("  ", Voice("espeak", "en-us"))
        with pytest.raises(ValueError, match="0..99"):
            synthesize("hi", Voice("espeak", "en-us", pitch=150))


@pytest.mark.parametrize("colour, slope", [("white", 0.0), ("pink", -1.0), ("brown", -2.0)])
def test_coloured_noise_spectral_slope(colour, slope):
    noise = coloured_noise(colour, 2**16, seed=7)
    assert noise.dtype == np.float32
    assert np.sqrt(np.mean(noise.astype(np.float64) ** 2)) == pytest.approx(1.0, rel=1e-4)
    # Welch-style average of periodograms, then a log-log line fit over 100 Hz .. 6 kHz.
    frames = noise.reshape(64, 1024).astype(np.float64)
    power = np.mean(np.abs(np.fft.rfft(frames * np.hanning(1024), axis=1)) ** 2, axis=0)
    freqs = np.fft.rfftfreq(1024, 1 / 16000)
    band = (freqs > 100) & (freqs < 6000)
    fitted = np.polyfit(np.log10(freqs[band]), np.log10(power[band]), 1)[0]
    assert fitted == pytest.approx(slope, abs=0.15)


def test_coloured_noise_is_deterministic_and_validates():
    np.testing.assert_array_equal(
        coloured_noise("pink", 500, seed=3), coloured_noise("pink", 500, seed=3)
    )
    assert not np.array_equal(
        coloured_noise("pink", 500, seed=3), coloured_noise("pink", 500, seed=4)
    )
    with pytest.raises(ValueError, match="colour"):
        coloured_noise("purple", 10)


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 12.5])
def test_mix_at_snr_hits_requested_ratio(snr_db):
    rng = np.random.default_rng(0)
    signal = np.sin(np.linspace(0, 200, 8000)) * 0.3
    noise = rng.normal(size=8000) * 5.0
    mixed = mix_at_snr(signal, noise, snr_db)
    added = mixed.astype(np.float64) - signal
    measured = 10 * np.log10(np.sum(signal**2) / np.sum(added**2))
    assert measured == pytest.approx(snr_db, abs=1e-3)
    with pytest.raises(ValueError, match="same shape"):
        mix_at_snr(signal, noise[:10], 0.0)


def test_trim_silence_keeps_the_loud_part_with_padding():
    tone = 0.5 * np.sin(np.arange(3200) * 0.2)
    audio = np.concatenate([np.zeros(4000), tone, np.full(4000, 1e-4)])
    trimmed = trim_silence(audio, threshold_db=-40.0, pad_ms=20.0)
    # 4000 and 7200 are multiples of the 80-sample block, so the cut is exact up to the 320-sample pad.
    assert trimmed.size == 3200 + 2 * 320
    np.testing.assert_allclose(trimmed[320:-320], tone.astype(np.float32))
    assert trim_silence(np.zeros(100)).size == 0
