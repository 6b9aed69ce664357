"""Configuration of wake-word data synthesis, and which voices each split uses."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from seqkeras.audio.synth import (
    ESPEAK_ACCENTS,
    Voice,
    available_engines,
    get_engine,
)
from seqkeras.wakeword._checks import check_fractions, check_non_negative
from seqkeras.wakeword.cache import config_hash
from seqkeras.wakeword.labels import LabelConfig
from seqkeras.wakeword.vocabulary import (
    DEFAULT_KEYWORD,
    ORDINARY_WORDS,
    contains_keyword,
    hard_negatives_for,
    phrases_for,
)

SPLITS = ("train", "val", "test")
# Random draws allowed per wanted voice before giving up on finding distinct ones.
_DRAWS_PER_VOICE = 10
# Engines that a split may skip when they are not installed (recorded in the manifest).
OPTIONAL_ENGINES = ("piper", "festival-l2", "pico", "kokoro")
# The engine whose voices are sampled speakers (base voices and blends) with their own
# held-out split (``seqkeras.audio.tts.kokoro``), rather than names x speed x pitch.
KOKORO = "kokoro"
# espeak-ng variants never used for training: the "val" split speaks with them.
HELDOUT_ESPEAK_VARIANTS = ("f5", "m7", "klatt3", "grandpa", "steph", "Lee", "zac")
# Pitch ranges in each engine's units (see seqkeras.audio.synth.Voice); None = natural.
# Voices whose pitch knob has no effect (HTS voices generate their own f0).
FIXED_PITCH_VOICES = frozenset({"cmu_us_slt_arctic_hts"})
# One recorded speaker behind voices of two engines ("engine:voice" -> its twins). A test
# voice whose speaker is heard in training is not "held out", so the test split drops it.
SAME_SPEAKER: dict[str, tuple[str, ...]] = {
    "flite:kal": ("festival:kal_diphone",),
    "flite:kal16": ("festival:kal_diphone",),
    "flite:slt": ("festival:cmu_us_slt_arctic_hts",),
}
# ``WakewordDataConfig(**UNAUGMENTED, ...)``: every per-utterance augmentation switched off
# (each inserted utterance is mixed exactly as synthesized).
UNAUGMENTED: dict[str, Any] = {
    "stretch_range": (1.0, 1.0),
    "lowpass_probability": 0.0,
    "tilt_probability": 0.0,
}
PITCH_RANGES: dict[str, tuple[float, float] | None] = {
    "espeak": (25.0, 75.0),
    "flite": None,
    "festival": (85.0, 140.0),
    "festival-l2": None,
    "piper": None,
    "pico": (55.0, 130.0),
    "kokoro": None,
}
# Voices (negatives, keyword) per engine where the defaults do not fit: Kokoro's sampled
# speakers are the main source of speaker variety, so it gets more keyword voices.
DEFAULT_ENGINE_VOICES: tuple[tuple[str, int, int], ...] = ((KOKORO, 60, 200),)
# The val and test splits sample this share of Kokoro's counts: they measure, they do not
# need the training split's speaker variety (the test has only 4 held-out base voices).
KOKORO_HELDOUT_SHARE = 0.25


def _pairs(value: Any) -> tuple[float, float]:
    low, high = (float(v) for v in value)
    if low > high:
        raise ValueError(f"range {value} has its low end above its high end")
    return (low, high)


@dataclasses.dataclass(frozen=True)
class WakewordDataConfig:
    """Every knob of the synthesized wake-word data (saved in each manifest).

    Args:
        keyword: the wake word or phrase (any text).
        clip_seconds: clip length.
        sample_rate: audio rate (features assume 16 kHz).
        max_keywords: each clip holds 0..max_keywords keyword utterances (uniform).
        max_negatives: and 0..max_negatives negative words/phrases.
        hard_negatives: near-miss words; ``None`` = ``hard_negatives_for(keyword)``.
        negative_words: ordinary words; ``None`` = the built-in list without the keyword.
        use_phrases: also speak whole sentences (built-in + Asterisk prompt texts).
        hard_negative_fraction: share of negatives drawn from ``hard_negatives``.
        phrase_fraction: share of negatives that are sentences (the rest are words).
        train_engines: TTS engines for the ``train`` and ``val`` splits (``festival-l2``:
            Czech and Finnish voices reading respelled English, six accented speakers;
            skipped when its voices are not installed).
        test_engines: TTS engines for the ``test`` split (not used in training).
        heldout_voices: voice names of train engines kept out of ``train`` (used by ``val``);
            ``None`` = every espeak accent with a ``HELDOUT_ESPEAK_VARIANTS`` variant.
        test_voices: voice names the ``test`` split may use; ``None`` = every voice of the
            test engines whose speaker is not also a voice of an installed training engine
            (``SAME_SPEAKER``: flite kal/kal16/slt are festival's kal and slt speakers).
        voices_per_engine: sampled voices (name x speed x pitch) per engine and split that
            speak negatives (and the keyword).
        keyword_voices_per_engine: voices per engine and split that speak the keyword; when
            larger than ``voices_per_engine`` the extra voices say only the keyword (positives
            need more voice variety than negatives).
        engine_voices: ``(engine, voices, keyword_voices)`` overriding ``voices_per_engine``
            and ``keyword_voices_per_engine`` for that engine (default: Kokoro 60 / 200; its
            val and test splits take ``KOKORO_HELDOUT_SHARE`` of them).
        blend_fraction: share of Kokoro's voices that are blends of 2-3 base voices (new
            speakers; the rest are base voices).
        variants_per_voice_name: at most this many (speed, pitch) variants of one voice
            name, so single-voice engines (festival kal, piper joe) are not asked for 120
            near-identical voices (piper needs ~0.5 s per utterance).
        negatives_per_voice: negative texts each voice speaks.
        sentences_per_voice: carrier sentences with the keyword inside
            (``vocabulary.CARRIER_SENTENCES``: "please activate the camera") that each
            keyword voice of an engine reporting word timings (festival, festival-l2,
            flite) speaks; the keyword's end inside the sentence labels it. 0 = none.
        sentence_fraction: share of the keyword insertions spoken inside such a sentence
            (when the bank has any); inside running speech a keyword is shorter, unstressed
            and runs into the next word, and a model that only heard it alone misses it.
        speed_range: relative speaking-rate range.
        speech_dbfs_range: RMS level of speech in dB full scale.
        snr_db_range: speech RMS over background RMS, per clip.
        utterance_gain_db: extra random gain per utterance (+-).
        real_background_probability: chance a clip uses real background audio (else noise only).
        noise_probability: chance of adding coloured noise on top of real background.
        noise_snr_db_range: speech RMS over coloured-noise RMS.
        min_gap_seconds: minimum silence between inserted utterances.
        stretch_range: each inserted utterance is resampled by a random factor in this range
            (speed and pitch change together, like a tape); ``(1, 1)`` switches it off.
        lowpass_probability: chance that an inserted utterance is band-limited (telephone
            audio, cheap microphones, 8 kHz TTS voices).
        lowpass_hz_range: its cutoff frequency range.
        tilt_probability: chance that an inserted utterance gets a random spectral tilt
            (voices differ in spectral balance as much as in pitch: flite's rms voice has
            92 % of its energy below 500 Hz, festival's kal 63 %).
        tilt_db_per_octave: the tilt is uniform in +-this many dB per octave.
        reverb_probability: chance that an inserted utterance is heard in a room (a
            synthetic impulse response, ``clips.room_impulse_response``).
        reverb_seconds_range: its reverberation time (RT60) range.
        real_speech_fraction: share of the training and validation clips' negatives taken
            from real recordings of people (``real_speech.real_negatives(keyword,
            "train")``: WUW-II speakers and Asterisk prompts the real-speech benchmark
            never uses); the test split stays synthesized.
        background_sources: names from ``BACKGROUND_SOURCES`` (``None`` = all installed).
        labels: the model's output grid and run length (``LabelConfig``).
    """

    keyword: str = DEFAULT_KEYWORD
    clip_seconds: float = 10.0
    sample_rate: int = 16000
    max_keywords: int = 4
    max_negatives: int = 3
    hard_negatives: tuple[str, ...] | None = None
    negative_words: tuple[str, ...] | None = None
    use_phrases: bool = True
    hard_negative_fraction: float = 0.5
    phrase_fraction: float = 0.25
    train_engines: tuple[str, ...] = ("espeak", "festival", "festival-l2", KOKORO)
    test_engines: tuple[str, ...] = ("flite", "piper", KOKORO)
    heldout_voices: tuple[str, ...] | None = None
    test_voices: tuple[str, ...] | None = None
    voices_per_engine: int = 40
    keyword_voices_per_engine: int = 120
    engine_voices: tuple[tuple[str, int, int], ...] = DEFAULT_ENGINE_VOICES
    blend_fraction: float = 0.6
    variants_per_voice_name: int = 30
    negatives_per_voice: int = 12
    sentences_per_voice: int = 0
    sentence_fraction: float = 0.0
    speed_range: tuple[float, float] = (0.8, 1.3)
    speech_dbfs_range: tuple[float, float] = (-32.0, -14.0)
    snr_db_range: tuple[float, float] = (0.0, 25.0)
    utterance_gain_db: float = 3.0
    real_background_probability: float = 0.9
    noise_probability: float = 0.5
    noise_snr_db_range: tuple[float, float] = (10.0, 40.0)
    min_gap_seconds: float = 0.1
    stretch_range: tuple[float, float] = (0.85, 1.15)
    lowpass_probability: float = 0.15
    lowpass_hz_range: tuple[float, float] = (3000.0, 5500.0)
    tilt_probability: float = 0.5
    tilt_db_per_octave: float = 4.0
    reverb_probability: float = 0.0
    reverb_seconds_range: tuple[float, float] = (0.15, 0.8)
    real_speech_fraction: float = 0.0
    background_sources: tuple[str, ...] | None = None
    labels: LabelConfig = dataclasses.field(default_factory=LabelConfig)

    def __post_init__(self) -> None:
        if not self.keyword.strip():
            raise ValueError("keyword must be non-empty")
        if not self.clip_seconds > 0:
            raise ValueError(f"clip_seconds must be > 0, got {self.clip_seconds}")
        if self.sample_rate != self.labels.features.sample_rate:
            raise ValueError(
                f"sample_rate={self.sample_rate} differs from the label/feature sample rate "
                f"{self.labels.features.sample_rate}"
            )
        check_non_negative(
            self,
            (
                "max_keywords",
                "max_negatives",
                "voices_per_engine",
                "keyword_voices_per_engine",
                "variants_per_voice_name",
                "negatives_per_voice",
                "sentences_per_voice",
            ),
        )
        check_fractions(
            self,
            (
                "hard_negative_fraction",
                "phrase_fraction",
                "sentence_fraction",
                "real_background_probability",
                "noise_probability",
                "lowpass_probability",
                "tilt_probability",
                "reverb_probability",
                "blend_fraction",
                "real_speech_fraction",
            ),
        )
        for name in (
            "speed_range",
            "speech_dbfs_range",
            "snr_db_range",
            "noise_snr_db_range",
            "stretch_range",
            "lowpass_hz_range",
            "reverb_seconds_range",
        ):
            object.__setattr__(self, name, _pairs(getattr(self, name)))
        if self.reverb_seconds_range[0] <= 0:
            raise ValueError(f"reverb_seconds_range must be positive, got {self.reverb_seconds_range}")
        overrides = []
        for entry in self.engine_voices:
            engine, voices, keyword_voices = entry
            get_engine(engine)  # ValueError naming the choices when unknown
            if voices < 0 or keyword_voices < 0:
                raise ValueError(f"engine_voices {entry}: counts must be >= 0")
            overrides.append((str(engine), int(voices), int(keyword_voices)))
        object.__setattr__(self, "engine_voices", tuple(overrides))
        if self.speed_range[0] <= 0:
            raise ValueError(f"speed_range must be positive, got {self.speed_range}")
        if self.tilt_db_per_octave < 0:
            raise ValueError(f"tilt_db_per_octave must be >= 0, got {self.tilt_db_per_octave}")
        if self.stretch_range[0] <= 0:
            raise ValueError(f"stretch_range must be positive, got {self.stretch_range}")
        for name in ("train_engines", "test_engines"):
            engines = tuple(getattr(self, name))
            object.__setattr__(self, name, engines)
            for engine in engines:
                get_engine(engine)  # ValueError naming the choices when unknown
        for name in (
            "hard_negatives",
            "negative_words",
            "heldout_voices",
            "test_voices",
            "background_sources",
        ):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def voice_counts(self, engine: str, split: str = "train") -> tuple[int, int]:
        """``(voices speaking negatives, voices speaking the keyword)`` of ``engine`` in
        ``split`` (Kokoro's val and test splits: ``KOKORO_HELDOUT_SHARE`` of them)."""
        for name, voices, keyword_voices in self.engine_voices:
            if name == engine:
                if engine == KOKORO and split != "train":
                    return _share(voices), _share(keyword_voices)
                return voices, keyword_voices
        return self.voices_per_engine, self.keyword_voices_per_engine

    @property
    def clip_samples(self) -> int:
        return int(round(self.clip_seconds * self.sample_rate))

    def hard_negative_texts(self) -> tuple[str, ...]:
        texts = (
            self.hard_negatives
            if self.hard_negatives is not None
            else hard_negatives_for(self.keyword)
        )
        return tuple(t for t in texts if not contains_keyword(t, self.keyword))

    def word_texts(self) -> tuple[str, ...]:
        texts = self.negative_words if self.negative_words is not None else ORDINARY_WORDS
        return tuple(t for t in texts if not contains_keyword(t, self.keyword))

    def phrase_texts(self) -> tuple[str, ...]:
        return phrases_for(self.keyword) if self.use_phrases else ()

    def heldout_voice_names(self) -> tuple[str, ...]:
        if self.heldout_voices is not None:
            return self.heldout_voices
        return tuple(
            f"{accent}+{variant}"
            for accent in ESPEAK_ACCENTS
            for variant in HELDOUT_ESPEAK_VARIANTS
        )

    def test_voice_names(self) -> tuple[str, ...]:
        """Voices (``engine:name``) the test split speaks with, given what is installed."""
        installed = set(available_engines())
        names = []
        for engine in self.test_engines:
            if engine not in installed:
                continue
            if engine == KOKORO:
                from seqkeras.audio.tts.kokoro import kokoro_voices

                names += [f"{engine}:{name}" for name in kokoro_voices("test")]
                continue
            for name in get_engine(engine).voices():
                if self.test_voices is not None:
                    if name in self.test_voices:
                        names.append(f"{engine}:{name}")
                    continue
                twins = SAME_SPEAKER.get(f"{engine}:{name}", ())
                if not any(_voice_in_training(self, twin) for twin in twins):
                    names.append(f"{engine}:{name}")
        return tuple(names)

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["labels"] = self.labels.to_dict()
        return values

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> WakewordDataConfig:
        values = dict(values)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown wake-word data config keys {unknown}")
        labels = LabelConfig.from_dict(values.pop("labels", LabelConfig().to_dict()))
        for key, value in list(values.items()):
            if isinstance(value, list):
                values[key] = tuple(value)
        return cls(labels=labels, **values)

    def bank_fields(self) -> dict[str, Any]:
        """The fields that decide which utterances are synthesized (the bank's cache key)."""
        return {
            "keyword": self.keyword,
            "sample_rate": self.sample_rate,
            "hard": self.hard_negative_texts(),
            "words": self.word_texts(),
            "phrases": self.phrase_texts(),
            "hard_negative_fraction": self.hard_negative_fraction,
            "phrase_fraction": self.phrase_fraction,
            "train_engines": self.train_engines,
            "test_engines": self.test_engines,
            "heldout": self.heldout_voice_names(),
            "test_voices": self.test_voice_names(),
            "voices_per_engine": self.voices_per_engine,
            "keyword_voices_per_engine": self.keyword_voices_per_engine,
            "engine_voices": self.engine_voices,
            "blend_fraction": self.blend_fraction,
            "variants_per_voice_name": self.variants_per_voice_name,
            "negatives_per_voice": self.negatives_per_voice,
            "speed_range": self.speed_range,
        }

    def digest(self, *extra: Any) -> str:
        """Short stable hash of this config plus ``extra`` (cache keys)."""
        return config_hash([self.to_dict(), *extra])


def _share(count: int) -> int:
    return max(1, int(np.ceil(count * KOKORO_HELDOUT_SHARE))) if count else 0


def _voice_in_training(config: WakewordDataConfig, voice: str) -> bool:
    engine, name = voice.split(":", 1)
    if engine not in config.train_engines or engine not in available_engines():
        return False
    return name in get_engine(engine).voices() and name not in config.heldout_voice_names()


def engines_for_split(config: WakewordDataConfig, split: str) -> list[str]:
    """The engines a split speaks with; missing optional engines are dropped, others raise."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    wanted = config.test_engines if split == "test" else config.train_engines
    installed = set(available_engines())
    chosen = []
    for engine in wanted:
        if engine in installed:
            chosen.append(engine)
        elif engine not in OPTIONAL_ENGINES:
            get_engine(engine).require()  # EngineNotAvailableError naming the package
    if not chosen:
        raise ValueError(f"no installed TTS engine for split {split!r} (wanted {list(wanted)})")
    return chosen


def voices_for_split(config: WakewordDataConfig, split: str) -> list[Voice]:
    """Deterministic voices of ``split``, ``max(voices_per_engine, keyword_voices_per_engine)``
    per engine (see ``plan_utterances`` for who says what).

    ``train``: train engines without the held-out voice names; ``val``: only the held-out
    names of the train engines (unseen voices of seen engines); ``test``: the test
    engines (engines never used in training), without voices whose speaker training hears
    (``test_voice_names``).
    """
    heldout = set(config.heldout_voice_names())
    test_voices = set(config.test_voice_names())
    voices: list[Voice] = []
    for engine in engines_for_split(config, split):
        wanted = max(config.voice_counts(engine, split))
        if engine == KOKORO:
            voices.extend(_kokoro_voices(config, split, wanted))
            continue
        seed = int(config_hash([config.bank_fields(), "voices", split, engine])[:8], 16)
        rng = np.random.default_rng(seed)
        names = get_engine(engine).voices()
        if split == "train":
            names = [n for n in names if n not in heldout]
        elif split == "val":
            names = [n for n in names if n in heldout]
        else:
            names = [n for n in names if f"{engine}:{n}" in test_voices]
        if not names:
            continue
        order = rng.permutation(len(names))
        pitch_range = PITCH_RANGES.get(engine)
        target = min(wanted, len(names) * config.variants_per_voice_name)
        chosen: dict[Voice, None] = {}  # ordered set: identical voices would repeat utterances
        for attempt in range(target * _DRAWS_PER_VOICE):
            if len(chosen) == target:
                break
            name = names[int(order[attempt % len(names)])]
            speed = round(float(rng.uniform(*config.speed_range)), 2)
            pitch = None if pitch_range is None else float(round(rng.uniform(*pitch_range)))
            if name in FIXED_PITCH_VOICES:
                pitch = None
            chosen.setdefault(Voice(engine, name, speed, pitch), None)
        voices.extend(chosen)
    if not voices:
        raise ValueError(
            f"split {split!r} has no voices (held-out names: {sorted(heldout)[:5]}...)"
        )
    return voices


def _kokoro_voices(config: WakewordDataConfig, split: str, count: int) -> list[Voice]:
    """Kokoro speakers of a split: ``train`` its training base voices and blends of them;
    ``val`` only blends of those (new speakers of seen voices); ``test`` the held-out base
    voices and blends of them only (``seqkeras.audio.tts.kokoro``).

    Speaker ``i`` depends only on ``(split, blend_fraction, speed range, i)`` — not on the
    word lists, nor on ``count`` — so a larger count adds speakers and a new word list
    reuses every cached Kokoro utterance of the speakers it keeps.
    """
    from seqkeras.audio.tts.kokoro import (
        KOKORO_SPEED_RANGE,
        KokoroVoice,
        kokoro_voices,
        random_blend,
    )

    low = max(config.speed_range[0], KOKORO_SPEED_RANGE[0])
    high = max(low, min(config.speed_range[1], KOKORO_SPEED_RANGE[1]))
    names = kokoro_voices("test" if split == "test" else "train")
    blends = 1.0 if split == "val" else config.blend_fraction
    seed = int(config_hash(["kokoro speakers", split, blends, low, high])[:8], 16)
    order = np.random.default_rng(seed).permutation(len(names))
    chosen: dict[Voice, None] = {}
    bases = 0
    for index in range(count * _DRAWS_PER_VOICE):
        if len(chosen) == count:
            break
        rng = np.random.default_rng([seed, index])
        if rng.random() < blends:
            speaker = random_blend(names, rng)
        else:
            speaker = KokoroVoice(((names[int(order[bases % len(names)])], 1.0),))
            bases += 1
        # Distinct speakers only: a repeated (voice, speed) would repeat utterances.
        chosen.setdefault(speaker.voice(round(float(rng.uniform(low, high)), 2)), None)
    return list(chosen)
