"""Synthesized speech banks (fake engine), augmentation, and the real-speech test sets
read from small hand-made folders."""

import json

import numpy as np
import pytest
import soundfile

from seqkeras.datasets.asterisk_prompts import asterisk_prompts
from seqkeras.datasets.wuw_calls import REAL_SPEECH_ENV, real_speech_root, wuw_calls
from seqkeras.speech.features import (
    AugmentConfig,
    FeatureSet,
    augment,
    bank_features,
    telephone_band,
)
from seqkeras.speech.synthesis import BankPlan, read_manifest, split_voice_names, synthesize_bank

SENTENCES = ["one two", "three four five", "six", "seven eight"]


def _fake_engine(calls):
    def synthesize(engine, items):
        calls.append(len(items))
        # a tone whose pitch depends on the text, padded with silence
        out = []
        for text, _voice in items:
            t = np.arange(int(0.2 * 16000 * len(text.split()))) / 16000
            tone = 0.5 * np.sin(2 * np.pi * (200 + 10 * len(text)) * t)
            out.append(np.concatenate([np.zeros(8000), tone, np.zeros(8000)]).astype("float32"))
        return out

    return synthesize


def test_bank_grows_resumes_and_keeps_its_plan(tmp_path):
    calls = []
    plan = BankPlan("train", engines=("espeak",), seed=3)
    rows = synthesize_bank(
        tmp_path, SENTENCES, 5, plan, progress=False, synthesize=_fake_engine(calls)
    )
    assert len(rows) == 5 and sum(calls) == 5
    first = {r["id"]: (r["text"], r["voice"], r["speed"]) for r in rows}
    rows = synthesize_bank(
        tmp_path, SENTENCES, 8, plan, progress=False, synthesize=_fake_engine(calls)
    )
    assert len(rows) == 8 and sum(calls) == 8  # only the three new ones were made
    again = {r["id"]: (r["text"], r["voice"], r["speed"]) for r in read_manifest(tmp_path)}
    assert all(again[k] == v for k, v in first.items())
    row = rows[0]
    audio, rate = soundfile.read(tmp_path / row["path"])
    assert rate == 16000 and row["seconds"] == pytest.approx(audio.size / 16000)
    assert audio.size < 16000 + int(0.2 * 16000 * 3) + 2 * 2400  # silence trimmed to PAD_MS
    with pytest.raises(ValueError, match="another plan"):
        synthesize_bank(
            tmp_path, SENTENCES, 8, BankPlan("train", engines=("espeak",), seed=4), progress=False
        )
    # a kill while writing leaves a torn last line: it is ignored
    with open(tmp_path / "manifest.jsonl", "a") as f:
        f.write('{"id": "tr')
    assert len(read_manifest(tmp_path)) == 8


def test_held_out_voices_never_train():
    for engine in ("espeak", "flite", "festival", "piper"):
        train = set(split_voice_names("train", engine))
        heldout = set(split_voice_names("heldout", engine))
        assert not train & heldout
    assert split_voice_names("train", "flite") == []
    assert {"awb", "rms"} >= set(split_voice_names("heldout", "flite"))


def test_telephone_band_removes_everything_above_4_khz():
    noise = np.random.default_rng(0).normal(size=16000).astype("float32") * 0.1
    out = telephone_band(noise)
    spectrum = np.abs(np.fft.rfft(out)) ** 2
    frequencies = np.fft.rfftfreq(out.size, 1 / 16000)
    high = spectrum[frequencies > 4500].sum()  # above the resampling filter's transition band
    low = spectrum[(frequencies > 300) & (frequencies < 3500)].sum()
    assert high < 1e-3 * low
    original = np.abs(np.fft.rfft(noise)) ** 2
    assert original[frequencies > 4200].sum() > 0.3 * original.sum()  # the input had it


def test_augment_is_deterministic_and_records_what_it_did():
    speech = np.sin(np.linspace(0, 400, 16000)).astype("float32")
    config = AugmentConfig(noise_probability=1.0, background_probability=0.0, telephone_probability=1.0,
                           snr_db_range=(10, 10), level_db_range=(-6, -6))  # fmt: skip
    a, record = augment(speech, config, np.random.default_rng(1))
    b, _ = augment(speech, config, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert (
        record["snr_db"] == 10
        and record["telephone"]
        and record["noise"] in ("white", "pink", "brown")
    )
    assert np.max(np.abs(a)) == pytest.approx(10 ** (-6 / 20), rel=1e-5)
    with pytest.raises(ValueError, match="noise_probability"):
        AugmentConfig(noise_probability=2.0)


def test_bank_features_are_cached(tmp_path):
    from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

    rows = synthesize_bank(tmp_path, SENTENCES, 3, BankPlan("train", engines=("espeak",)), progress=False,
                           synthesize=_fake_engine([]))  # fmt: skip
    features = bank_features(tmp_path, rows, FeatureConfig(), None, progress=False)
    assert isinstance(features, FeatureSet) and len(features) == 3
    audio, _ = soundfile.read(
        tmp_path / sorted(rows, key=lambda r: r["id"])[0]["path"], dtype="float32"
    )
    np.testing.assert_allclose(
        features.features[0], log_mel_spectrogram(audio, FeatureConfig()), atol=2e-2
    )
    assert len(list((tmp_path / "features").glob("*.npz"))) == 1
    again = bank_features(tmp_path, rows, FeatureConfig(), None, progress=False)
    np.testing.assert_array_equal(again.features[2], features.features[2])


def _write_wuw(folder, entries):
    calls = folder / "wuw-corpus-ii"
    for entry in entries:
        path = calls / entry["filePath"]
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry.pop("_audio", True):
            soundfile.write(path, np.zeros(8000, "int16"), 8000, format="FLAC")  # 1 s
    (calls / "data.json").write_text(json.dumps({"entries": entries}))


def _entry(session, number, text, audio=True):
    return {"filePath": f"calls/{session}/WUWII{session}_{number}.flac", "sessionNumber": session,
            "utteranceNumber": number, "transcription": text, "gender": "female", "_audio": audio}  # fmt: skip


def test_wuw_calls_cleans_and_reports_drops(tmp_path, monkeypatch):
    _write_wuw(tmp_path, [
        _entry("00001", "000", "{breath} Jane Doe"),
        _entry("00001", "006", "I'm +gonna say [click] ThinkEngine s-"),
        _entry("00001", "007", "((mumble)) Voyager"),
        _entry("00001", "008", "[noise] {breath}"),
        _entry("00002", "001", "Operator", audio=False),
        _entry("00002", "002", "_Onword_"),
    ])  # fmt: skip
    monkeypatch.setenv(REAL_SPEECH_ENV, str(tmp_path))
    data = wuw_calls()
    assert [u.text for u in data.utterances] == ["jane doe", "i'm gonna say think engine", "onword"]
    assert data.utterances[1].meta["cut_off"] == ["s-"]
    assert data.summary()["dropped_by_reason"] == {
        "unclear words ((…))": 1, "no words after removing markers": 1, "no audio file": 1,
    }  # fmt: skip
    assert [u.text for u in wuw_calls(kinds=["sentence"]).utterances] == [
        "i'm gonna say think engine"
    ]
    assert len(wuw_calls(keep_unclear=True)) == 4
    with pytest.raises(ValueError, match="utterance kind"):
        wuw_calls(kinds=["song"])
    monkeypatch.setenv(REAL_SPEECH_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=REAL_SPEECH_ENV):
        real_speech_root()
    assert len(wuw_calls(tmp_path / "wuw-corpus-ii")) == 3  # an explicit folder wins


NAMES = ["ann lee", "bo diaz", "cy young", "di ross", "ed wu", "flo ray", "gus tan", "hal ng",
         "ida moe", "jo park"]  # fmt: skip


def _side(name):
    """Independent oracle of the documented rule: a third of the speakers (sha256 of the
    speaker key, first 8 hex digits, mod 3 == 0) are training speakers."""
    import hashlib

    digest = int(hashlib.sha256(f"wuw:{name}".encode()).hexdigest()[:8], 16)
    return "train" if digest % 3 == 0 else "heldout"


def test_wuw_calls_split_by_speaker_not_by_session(tmp_path, monkeypatch):
    import hashlib
    import types

    from seqkeras.speech.recipe import AsrConfig, development_split, training_features, wuw_labels
    from seqkeras.tasks.asr import _config_of, _lm_dev_source, _real_sets

    # ten speakers; "ann lee" calls twice (sessions 00000 and 00010): one side for both
    sessions = [(f"{i:05d}", name) for i, name in enumerate(NAMES)] + [("00010", "ann lee")]
    entries = []
    for session, name in sessions:
        entries += [_entry(session, "000", f"{{breath}} {name.title()}"), _entry(session, "001", "Operator")]
    _write_wuw(tmp_path, entries)
    root = tmp_path / "wuw-corpus-ii"
    sides = {name: _side(name) for name in NAMES}
    assert set(sides.values()) == {"train", "heldout"}  # both sides occur with these names
    every = wuw_calls(root)
    train, heldout = wuw_calls(root, part="train"), wuw_calls(root, part="heldout")
    assert (train.name, heldout.name) == ("wuw-train", "wuw-heldout")
    assert sorted(u.path for u in train.utterances + heldout.utterances) == sorted(
        u.path for u in every.utterances
    )
    for data, side in ((train, "train"), (heldout, "heldout")):
        assert {u.speaker.removeprefix("wuw:") for u in data.utterances} == {
            n for n in NAMES if sides[n] == side
        }
        assert all(u.meta["part"] == side for u in data.utterances)
    ann = sorted(u.meta["session"] for u in every.utterances if u.speaker == "wuw:ann lee")
    assert ann == ["00000", "00000", "00010", "00010"]
    paths = [u.path for u in every.utterances]
    assert wuw_labels(paths, str(root)) == [sides[u.speaker.removeprefix("wuw:")] for u in every.utterances]
    assert wuw_labels(paths, str(root), "kind") == ["name", "keyword"] * len(sessions)
    with pytest.raises(ValueError, match="not a WUW-II utterance"):
        wuw_labels([str(tmp_path / "other.flac")], str(root))

    # the LM weights' development part of a real set: whole speakers (a quarter by hash)
    def quarter(key):
        return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 4 == 0

    def dev_of(real, lm_dev=None, greedy_only=False, alpha=None):
        args = types.SimpleNamespace(lm_dev=lm_dev, greedy_only=greedy_only, alpha=alpha)
        return _lm_dev_source(args, ["heldout-kokoro"], real)

    assert dev_of(["asterisk", "wuw-heldout"]) == "wuw-heldout"  # tuned: on real callers
    assert dev_of(["asterisk", "wuw"], greedy_only=True) == "heldout-kokoro"  # all WUW scored
    assert dev_of(["asterisk", "wuw"], alpha=0.3) == "heldout-kokoro"
    assert dev_of(["asterisk"]) == "heldout-kokoro"
    assert dev_of(["asterisk"], lm_dev="asterisk") == "asterisk"
    with pytest.raises(ValueError, match="--lm-dev 'wuw' is not one of the evaluated sets"):
        dev_of(["asterisk"], lm_dev="wuw")
    dev, rest = development_split("wuw", paths, str(root))
    speakers = [u.speaker for u in every.utterances]
    assert sorted(dev + rest) == list(range(len(paths)))
    assert {speakers[i] for i in dev} == {f"wuw:{n}" for n in NAMES if quarter(f"wuw:{n}")} != set()
    assert not {speakers[i] for i in dev} & {speakers[i] for i in rest}
    names = [f"/x/a{i}.wav" for i in range(8)]  # Asterisk: one speaker, a quarter of the prompts
    assert development_split("asterisk", names)[0] == [i for i, n in enumerate(names) if quarter(n[3:])]
    assert development_split("heldout-kokoro", [str(i) for i in range(250)]) == (
        list(range(200)), list(range(200, 250)))  # fmt: skip
    assert development_split("heldout-kokoro", ["a", "b"]) == ([], [0, 1])
    with pytest.raises(ValueError, match="WUW-II part"):
        wuw_calls(root, part="test")

    # training on the training third: exactly its utterances, augmented, cached
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    config = AsrConfig(real_train=("wuw",))
    data = training_features(config, {}, progress=False, real_speech=str(root))
    assert sorted(data.ids) == sorted(u.path for u in train.utterances)
    assert data.texts == [u.text for u in train.utterances]
    with pytest.raises(ValueError, match="real set"):
        AsrConfig(real_train=("asterisk",))
    assert "real_train" not in AsrConfig().to_dict()  # old runs' stored configs still resume

    # which real sets a model is scored on: never the speakers it trained on
    args = types.SimpleNamespace(real=None)
    assert _real_sets(args, AsrConfig()) == ["asterisk", "wuw"]
    assert _real_sets(args, config) == ["asterisk", "wuw-heldout"]
    with pytest.raises(ValueError, match="wuw-heldout"):
        _real_sets(types.SimpleNamespace(real="asterisk,wuw"), config)
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "checkpoints" / "state.json").write_text(json.dumps({"config": config.to_dict()}))
    model = types.SimpleNamespace(feature_config={"upper_edge_hz": 3800.0}, conv_stride=2)
    loaded = _config_of(model, str(run / "model.keras"))
    assert (loaded.real_train, loaded.upper_edge_hz, loaded.conv_stride) == (("wuw",), 3800.0, 2)
    assert _config_of(model, str(tmp_path / "model.keras")).real_train == ()  # no run state
    (run / "checkpoints" / "state.json").write_text("{")
    with pytest.raises(ValueError, match="state.json"):
        _config_of(model, str(run / "model.keras"))


def test_asterisk_prompts_from_a_folder(tmp_path):
    sounds = tmp_path / "en"
    sounds.mkdir()
    for name in ("hello", "tones"):
        soundfile.write(sounds / f"{name}.wav", np.zeros(800, "int16"), 8000)
    transcripts = tmp_path / "core-sounds-en.txt"
    transcripts.write_text(
        "; comment\nhello: Press 1 now.\ntones: [ascending tones]\nmissing: Goodbye.\n"
    )
    data = asterisk_prompts(sounds, transcripts)
    assert [(u.text, u.meta["name"]) for u in data.utterances] == [("press one now", "hello")]
    assert sorted(d.reason for d in data.dropped) == [
        "describes a sound, no speech",
        "no audio file",
    ]
    with pytest.raises(FileNotFoundError, match="apt-get install"):
        asterisk_prompts(tmp_path / "absent", transcripts)
