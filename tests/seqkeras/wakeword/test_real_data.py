"""Real negative speech in training, Kokoro speakers in the splits, rooms."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from seqkeras.wakeword import WakewordDataConfig, voices_for_split
from seqkeras.wakeword.bank import cut_at_pauses
from seqkeras.wakeword.clips import reverberate, room_impulse_response
from seqkeras.wakeword.real_speech import (
    Recording,
    negative_split,
    real_negatives,
    wuw_recordings,
)

RATE = 16000


def test_cuts_fall_into_the_pauses_and_lose_nothing():
    """Bursts of 2.2-2.8 s with 0.4 s pauses: from any cut in a pause, the next pause
    overlaps the search window (3 +- 0.5 s) by at least 0.1 s, so every cut is in one."""
    rng = np.random.default_rng(0)
    bursts, pauses = [], []
    position = 0
    audio = []
    for _ in range(6):
        burst = rng.uniform(2.2, 2.8)
        audio.append(rng.standard_normal(int(burst * RATE)) * 0.3)
        position += int(burst * RATE)
        bursts.append(position)
        pause = int(0.4 * RATE)
        audio.append(np.zeros(pause))
        pauses.append((position, position + pause))
        position += pause
    signal = np.concatenate(audio)
    pieces = cut_at_pauses(signal, RATE, piece_seconds=3.0)
    np.testing.assert_array_equal(np.concatenate(pieces), signal)
    cut = 0
    for piece in pieces[:-1]:
        cut += piece.size
        assert any(a <= cut <= b for a, b in pauses), cut  # never inside a burst
    assert all(piece.size <= 3.5 * RATE for piece in pieces)


def _rt60(response: np.ndarray) -> float:
    """Schroeder backward integration, -5..-25 dB slope extrapolated to -60 dB."""
    energy = np.cumsum(response[::-1] ** 2)[::-1]
    decay = 10 * np.log10(energy / energy[0])
    start, stop = np.argmax(decay <= -5), np.argmax(decay <= -25)
    return 60.0 * (stop - start) / 20.0 / RATE


@pytest.mark.parametrize("rt60", [0.2, 0.5])
def test_rooms_decay_at_the_requested_reverberation_time(rt60):
    times = [_rt60(room_impulse_response(rt60, RATE, np.random.default_rng(s))) for s in range(8)]
    assert np.median(times) == pytest.approx(rt60, rel=0.2)
    response = room_impulse_response(rt60, RATE, np.random.default_rng(1))
    assert np.sum(response**2) == pytest.approx(1.0)
    tone = np.sin(np.arange(RATE) * 0.1)
    assert reverberate(tone, response).size == tone.size + response.size // 2
    with pytest.raises(ValueError, match="rt60"):
        room_impulse_response(0.0, RATE, np.random.default_rng(0))


def test_a_reverberant_keyword_is_labelled_where_its_direct_sound_ends():
    from seqkeras.wakeword import LabelConfig, synthesize_clip
    from seqkeras.wakeword.bank import Utterance, UtteranceBank
    from seqkeras.wakeword.data_config import UNAUGMENTED

    length = 8000
    tone = np.round(np.sin(np.arange(length) * 0.2) * 0.9 * 32767).astype(np.int16)
    bank = UtteranceBank(tone, [Utterance("kw", "keyword", "fake:a", 0, length)], {"key": "t"})
    config = WakewordDataConfig(
        clip_seconds=3.0,
        real_background_probability=0.0,
        snr_db_range=(60.0, 60.0),
        labels=LabelConfig(ones_steps=10),
        **{**UNAUGMENTED, "reverb_probability": 1.0, "reverb_seconds_range": (0.6, 0.6)},
    )
    clip = synthesize_clip(np.random.default_rng(0), bank, config, num_keywords=1, num_negatives=0)
    (segment,) = clip.segments
    assert segment.end - segment.start == length
    # The room's tail rings on after the labelled end.
    after = clip.audio[segment.end : segment.end + 1600]
    assert np.sqrt(np.mean(after**2)) > 0.01 * np.sqrt(np.mean(clip.audio[segment.start : segment.end] ** 2))


def test_real_negatives_split_by_speaker_and_never_say_the_keyword(tmp_path):
    corpus = tmp_path / "wuw"
    entries = []
    for session, name in enumerate(("Ann Lee", "Bo Chan", "[click] Ann Lee", "Cy Dee", "Ed Fox")):
        for utterance, text in (("000", name), ("001", "Operator"), ("006", "call the computer operator")):
            path = f"calls/{session:05d}/WUWII{session:05d}_{utterance}.flac"
            entries.append(
                {"sessionNumber": f"{session:05d}", "utteranceNumber": utterance, "filePath": path,
                 "transcription": text, "startTime": 0.5, "endTime": 1.0}
            )  # fmt: skip
    corpus.mkdir()
    (corpus / "data.json").write_text(json.dumps({"entries": entries}))
    recordings = wuw_recordings(str(corpus))
    by_session: dict[str, set[str]] = {}
    for recording in recordings:
        by_session.setdefault(recording.path.parent.name, set()).add(negative_split(recording))
    assert all(len(sides) == 1 for sides in by_session.values())
    # Sessions 0 and 2 are one speaker (the marker is not part of the name): same side.
    assert by_session["00000"] == by_session["00002"]
    folder = Recording(Path("x/jarvis/1.flac"), "keyword-folder", text="jarvis")
    for split in ("train", "test"):
        found = real_negatives("computer", split, list(recordings) + [folder])
        assert all("computer" not in (r.text or "").lower() for r in found)
        assert (folder in found) == (split == "test")  # benchmark clips are test data only
    operator = real_negatives("operator", "train", recordings) + real_negatives(
        "operator", "test", recordings
    )
    assert {r.utterance for r in operator} == {"000"}


def test_kokoro_speakers_of_each_split():
    from seqkeras.audio.tts import available_engines
    from seqkeras.audio.tts.kokoro import KOKORO_TEST_VOICES, KokoroVoice

    if "kokoro" not in available_engines():
        pytest.skip("Kokoro not installed (make setup)")
    config = WakewordDataConfig(
        train_engines=("kokoro",), test_engines=("kokoro",), engine_voices=(("kokoro", 10, 30),)
    )
    splits = {s: voices_for_split(config, s) for s in ("train", "val", "test")}
    assert len(splits["train"]) == 30 and len(set(splits["train"])) == 30
    for split, voices in splits.items():
        for voice in voices:
            bases = set(KokoroVoice.parse(voice.name).base_voices)
            assert (bases <= set(KOKORO_TEST_VOICES)) == (split == "test"), (split, voice)
            assert split == "test" or not bases & set(KOKORO_TEST_VOICES)
    assert all(KokoroVoice.parse(v.name).is_blend for v in splits["val"])
    blends = sum(KokoroVoice.parse(v.name).is_blend for v in splits["train"])
    assert 0.6 * 30 - 3 * (30 * 0.24) ** 0.5 <= blends <= 0.6 * 30 + 3 * (30 * 0.24) ** 0.5
    assert voices_for_split(config, "train") == splits["train"]  # deterministic
    # More speakers keep the first ones (their cached utterances are reused).
    more = dataclasses.replace(config, engine_voices=(("kokoro", 10, 45),))
    assert voices_for_split(more, "train")[:30] == splits["train"]
