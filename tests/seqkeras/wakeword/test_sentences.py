"""Keywords spoken inside carrier sentences: word timings, bank, clips, labels, evaluation."""

import dataclasses

import numpy as np
import pytest

from seqkeras.audio.synth import Voice, available_engines, get_engine, silence_bounds
from seqkeras.wakeword import LabelConfig, UtteranceBank, WakewordDataConfig, synthesize_clip
from seqkeras.wakeword.bank import Utterance, plan_utterances
from seqkeras.wakeword.data_config import UNAUGMENTED
from seqkeras.wakeword.evaluate import SENTENCE_TEST_PER_VOICE, sentence_test_config
from seqkeras.wakeword.train import TrainConfig
from seqkeras.wakeword.vocabulary import CARRIER_SENTENCES, keyword_sentences


def _sentence_bank(keyword_ends, length=16000, seed=0):
    """Chirp 'sentences' of ``length`` samples whose keyword ends at ``keyword_ends[i]``."""
    rng = np.random.default_rng(seed)
    pieces, utterances = [], []
    for number, end in enumerate(keyword_ends):
        audio = np.sin(np.cumsum(rng.uniform(0.05, 0.5, size=length))) * 0.9
        pieces.append(np.round(audio * 32767).astype(np.int16))
        utterances.append(
            Utterance(f"sentence{number}", "sentence", f"fake:v{number}", number * length, length, end)
        )
    # One isolated keyword and one negative too.
    for kind in ("keyword", "word"):
        audio = np.sin(np.cumsum(rng.uniform(0.05, 0.5, size=4000))) * 0.9
        start = sum(p.size for p in pieces)
        pieces.append(np.round(audio * 32767).astype(np.int16))
        utterances.append(Utterance(kind, kind, "fake:iso", start, 4000))
    return UtteranceBank(np.concatenate(pieces), utterances, {"key": "fake"})


def test_keyword_sentences_index_the_keyword_last_word():
    for keyword in ("activate", "hey computer", "ok seqkeras go"):
        sentences = keyword_sentences(keyword)
        assert len(sentences) == len(CARRIER_SENTENCES)
        for text, index in sentences:
            words = text.split()
            size = len(keyword.split())
            assert words[index - size + 1 : index + 1] == keyword.split()
    with pytest.raises(ValueError, match="non-empty"):
        keyword_sentences("  ")


@pytest.mark.parametrize("stretch_factor", [1.0, 0.8])
def test_sentence_keyword_segment_ends_at_the_stretched_keyword_end(stretch_factor):
    bank = _sentence_bank([6000, 11000])
    config = WakewordDataConfig(
        clip_seconds=4.0,
        **{**UNAUGMENTED, "stretch_range": (stretch_factor, stretch_factor)},
        sentence_fraction=1.0,
        real_background_probability=0.0,
        snr_db_range=(60.0, 60.0),
        labels=LabelConfig(ones_steps=20),
    )
    seen = set()
    for seed in range(12):
        clip = synthesize_clip(np.random.default_rng(seed), bank, config, num_keywords=2, num_negatives=0)
        keywords = [s for s in clip.segments if s.kind == "keyword"]
        assert len(keywords) == 2 and all(s.text.startswith("sentence") for s in keywords)
        for segment in keywords:
            entry = next(u for u in bank.utterances if u.text == segment.text)
            seen.add(entry.text)
            stretched = round(16000 / stretch_factor)
            expected_end = round(entry.keyword_end * stretched / 16000)
            assert segment.end - segment.start == expected_end
            # Independent check: the sentence's waveform starts at segment.start and the
            # audio after the keyword end is still the sentence (speech after the keyword).
            source = bank.samples(bank.utterances.index(entry)).astype(np.float64)
            if stretch_factor == 1.0:
                piece = clip.audio[segment.start : segment.start + source.size].astype(np.float64)
                correlation = np.dot(piece, source) / np.linalg.norm(piece) / np.linalg.norm(source)
                assert correlation > 0.999
            level = np.abs(clip.audio[segment.start : segment.end]).max()
            assert np.abs(clip.audio[segment.end : segment.end + 2000]).max() > 0.5 * level
        expected = np.zeros(clip.labels.size)
        for segment in keywords:
            first = int(np.ceil(max(0, segment.end - 400) / 160))
            expected[first : first + 20] = 1
        np.testing.assert_array_equal(clip.labels, expected)
    assert seen == {"sentence0", "sentence1"}


def test_sentences_off_leaves_clips_unchanged():
    """sentence_fraction = 0 draws no random number: the protocol's clips stay the same."""
    with_sentences = _sentence_bank([6000])
    plain = UtteranceBank(
        with_sentences.audio,
        [u for u in with_sentences.utterances if u.kind != "sentence"],
        {"key": "fake"},
    )
    config = WakewordDataConfig(clip_seconds=3.0, real_background_probability=0.0)
    for seed in range(5):
        a = synthesize_clip(np.random.default_rng(seed), with_sentences, config)
        b = synthesize_clip(np.random.default_rng(seed), plain, config)
        np.testing.assert_array_equal(a.audio, b.audio)
        assert a.segments == b.segments


def test_plan_gives_sentences_only_to_word_timing_engines():
    config = WakewordDataConfig(
        train_engines=("espeak", "festival"),
        voices_per_engine=2,
        keyword_voices_per_engine=3,
        negatives_per_voice=1,
        sentences_per_voice=2,
    )
    missing = {"espeak", "festival"} - set(available_engines())
    if missing:
        pytest.skip(f"TTS engines not installed: {sorted(missing)} (make setup)")
    plan = plan_utterances(config, "train")
    sentences = [(text, voice) for kind, text, voice in plan if kind == "sentence"]
    assert sentences and all(v.engine == "festival" for _, v in sentences)
    festival_keyword_voices = {v for k, _, v in plan if k == "keyword" and v.engine == "festival"}
    assert len(sentences) == 2 * len(festival_keyword_voices)
    assert len({t for t, _ in sentences}) == len(sentences)  # carriers taken in turn
    # Each sentence is paired with the same carrier around a near miss, by the same voice.
    paired = [(k, t, v) for k, t, v in plan if k == "hard" and len(t.split()) > 1]
    assert len(paired) == len(sentences)
    for (text, voice), (_, near, near_voice) in zip(sentences, paired, strict=True):
        assert near_voice == voice and "activate" not in near.split()
        assert text.split().index("activate") == next(
            i for i, (a, b) in enumerate(zip(text.split(), near.split(), strict=True)) if a != b
        )
    off = plan_utterances(dataclasses.replace(config, sentences_per_voice=0), "train")
    assert [p for p in plan if p[0] != "sentence" and p not in paired] == off


def test_config_validation():
    with pytest.raises(ValueError, match="sentence_fraction"):
        WakewordDataConfig(sentence_fraction=1.5)
    with pytest.raises(ValueError, match="sentences_per_voice"):
        WakewordDataConfig(sentences_per_voice=-1)
    off = TrainConfig(sentences_per_voice=0)
    assert off.sentence_fraction == 0.0 and off.training_data_config().sentence_fraction == 0.0
    assert (TrainConfig().sentences_per_voice, TrainConfig().sentence_fraction) == (1, 0.3)
    with pytest.raises(ValueError, match="sentence_fraction"):
        TrainConfig(sentence_fraction=-0.1)
    config = TrainConfig(sentences_per_voice=2, sentence_fraction=0.3).training_data_config()
    assert (config.sentences_per_voice, config.sentence_fraction) == (2, 0.3)
    # The protocol's test data has none.
    assert TrainConfig(sentences_per_voice=2, sentence_fraction=0.3).data_config().sentence_fraction == 0


def test_sentence_test_config_uses_word_timing_test_engines():
    config = WakewordDataConfig(test_engines=("flite", "piper"))
    sentence = sentence_test_config(config)
    if "flite" not in available_engines():
        assert sentence is None
        return
    assert sentence.test_engines == ("flite",)
    assert sentence.sentence_fraction == 1.0
    assert sentence.sentences_per_voice == SENTENCE_TEST_PER_VOICE
    assert sentence_test_config(dataclasses.replace(config, test_engines=("piper",))) is None


def test_engines_without_word_timings_say_which_have_them():
    with pytest.raises(NotImplementedError, match=r"espeak.*festival.*flite"):
        get_engine("espeak").synthesize_word_ends([("hello there", Voice("espeak", "en-us"))])


@pytest.mark.parametrize(
    ("engine", "voice"),
    [("flite", "awb"), ("flite", "rms"), ("festival", "kal_diphone"), ("festival-l2", "czech_dita")],
)
def test_word_ends_are_ordered_and_the_last_one_ends_the_speech(engine, voice):
    if engine not in available_engines() or voice not in get_engine(engine).voices():
        pytest.skip(f"{engine} voice {voice} not installed")
    texts = ["please activate the camera", "activate", "could you activate it for me"]
    results = get_engine(engine).synthesize_word_ends(
        [(t, Voice(engine, voice, 1.1 if i else 1.0)) for i, t in enumerate(texts)]
    )
    for text, (audio, ends) in zip(texts, results, strict=True):
        assert ends is not None and len(ends) == len(text.split())
        assert all(b > a for a, b in zip(ends, ends[1:], strict=False))
        # Independent of the engine's report: where the waveform's energy stops.
        _, stop = silence_bounds(audio, 16000, pad_ms=0.0)
        assert abs(ends[-1] - stop / 16000) < 0.12, (text, ends[-1], stop / 16000)
        assert ends[-1] <= audio.size / 16000 + 1e-3


def test_clip_cache_follows_what_the_bank_holds(monkeypatch, tmp_path):
    """A change of the utterance plan (new code, same config) must not reuse old clips."""
    from seqkeras.audio.synth import Voice
    from seqkeras.wakeword import bank as bank_module
    from seqkeras.wakeword.data import dataset_folder

    config = WakewordDataConfig()
    plans = {
        "a": [("keyword", "activate", Voice("espeak", "en-us"))],
        "b": [("keyword", "activate", Voice("espeak", "en-us")), ("hard", "active", Voice("espeak", "en-us"))],
    }
    folders = {}
    for name, plan in plans.items():
        monkeypatch.setattr(bank_module, "plan_utterances", lambda c, s, plan=plan: plan)
        folders[name] = dataset_folder(10, "train", config, 0, tmp_path)
        assert dataset_folder(10, "train", config, 0, tmp_path) == folders[name]
    assert folders["a"] != folders["b"]
