"""A cached bank of synthesized utterances (keyword and negatives) to mix clips from.

Synthesizing is the slow part (espeak-ng ~20 utterances/s here, festival ~1 s start-up),
so every split's utterances are synthesized once, trimmed of silence, peak-normalized
and cached as one int16 array plus a JSON index under
``<cache>/wakeword/bank-<key>/``; clips are then mixed from the bank in milliseconds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqkeras.audio.synth import Voice, get_engine, silence_bounds, trim_silence
from seqkeras.wakeword.cache import INT16_SCALE, cache_root, write_audio_folder
from seqkeras.wakeword.data_config import WakewordDataConfig, voices_for_split

KINDS = ("keyword", "sentence", "hard", "word", "phrase", "real")
# Synthesized negatives; "real" (recorded human speech) is only mixed in on request.
NEGATIVE_KINDS = ("hard", "word", "phrase")
PEAK_LEVEL = 0.9
_FORMAT_VERSION = 1
# Utterances shorter than this after trimming are synthesis failures and are dropped.
_MIN_SPEECH_SECONDS = 0.08


@dataclasses.dataclass(frozen=True)
class Utterance:
    """One entry of the bank: what was said, by which voice, where its samples are.

    ``keyword_end``: for a ``"sentence"``, the sample (from the utterance's first) where
    the keyword inside it ends; ``None`` for the other kinds.
    """

    text: str
    kind: str
    voice: str
    start: int
    length: int
    keyword_end: int | None = None


def plan_utterances(config: WakewordDataConfig, split: str) -> list[tuple[str, str, Voice]]:
    """``(kind, text, voice)`` to synthesize for ``split``.

    Of each engine's voices (``config.voice_counts``), the first keyword voices say the keyword once
    (and, for engines reporting word timings, ``sentences_per_voice`` carrier sentences
    with the keyword inside, in turn, each paired with the same carrier around a near
    miss, a ``"hard"`` negative: so that a sentence by these voices is not itself the
    cue) and the first negative voices say ``negatives_per_voice`` negatives each
    (hard / word / phrase by the configured shares).
    """
    from seqkeras.audio.synth import get_engine
    from seqkeras.wakeword.vocabulary import carrier_sentence

    voices = voices_for_split(config, split)
    hard, words, phrases = config.hard_negative_texts(), config.word_texts(), config.phrase_texts()
    seed = int(
        hashlib.sha256(json.dumps([config.bank_fields(), split]).encode()).hexdigest()[:8], 16
    )
    rng = np.random.default_rng(seed)
    plan: list[tuple[str, str, Voice]] = []
    cursors = {"hard": 0, "word": 0, "phrase": 0}
    pools = {"hard": list(hard), "word": list(words), "phrase": list(phrases)}
    for pool in pools.values():
        rng.shuffle(pool)
    rank: dict[str, int] = {}
    near_misses = [t for t in hard if len(t.split()) == 1] or list(hard) or list(words)
    sentence_cursor = 0
    for voice in voices:
        position = rank.get(voice.engine, 0)
        rank[voice.engine] = position + 1
        negative_voices, keyword_voices = config.voice_counts(voice.engine, split)
        if position < keyword_voices:
            plan.append(("keyword", config.keyword, voice))
            if config.sentences_per_voice and get_engine(voice.engine).word_timings:
                for _ in range(config.sentences_per_voice):
                    plan.append(
                        ("sentence", carrier_sentence(sentence_cursor, config.keyword, config.keyword), voice)
                    )
                    near_miss = near_misses[sentence_cursor % len(near_misses)]
                    plan.append(
                        ("hard", carrier_sentence(sentence_cursor, near_miss, config.keyword), voice)
                    )
                    sentence_cursor += 1
        if position >= negative_voices:
            continue
        for _ in range(config.negatives_per_voice):
            draw = rng.random()
            if draw < config.hard_negative_fraction and pools["hard"]:
                kind = "hard"
            elif draw < config.hard_negative_fraction + config.phrase_fraction and pools["phrase"]:
                kind = "phrase"
            elif pools["word"]:
                kind = "word"
            elif pools["hard"]:
                kind = "hard"
            else:
                continue
            # Cycle through each pool so every negative text is spoken by several voices.
            text = pools[kind][cursors[kind] % len(pools[kind])]
            cursors[kind] += 1
            plan.append((kind, text, voice))
    return plan


def _plan_key(plan: Sequence[tuple[str, str, Voice]], sample_rate: int) -> str:
    source = [_FORMAT_VERSION, sample_rate, [(k, t, v.key) for k, t, v in plan]]
    return hashlib.sha256(json.dumps(source).encode()).hexdigest()[:16]


def bank_key(config: WakewordDataConfig, split: str) -> str:
    """The cache key of ``split``'s bank: a hash of everything it synthesizes (no TTS run).

    Clip caches include it, so clips are mixed again whenever what the bank holds
    changes, whether by configuration or by a new version of the plan.
    """
    return _plan_key(plan_utterances(config, split), config.sample_rate)


class UtteranceBank:
    """Synthesized, trimmed utterances of one split, as int16 samples plus an index."""

    def __init__(
        self, audio: np.ndarray, utterances: list[Utterance], info: dict[str, Any]
    ) -> None:
        self.audio = audio
        self.utterances = utterances
        self.info = info
        self._by_kind = {
            kind: [i for i, u in enumerate(utterances) if u.kind == kind] for kind in KINDS
        }

    @classmethod
    def load(
        cls,
        config: WakewordDataConfig,
        split: str,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
    ) -> UtteranceBank:
        """The cached bank of ``split`` (synthesized on first use)."""
        plan = plan_utterances(config, split)
        key = _plan_key(plan, config.sample_rate)
        folder = Path(cache_dir or cache_root()) / "wakeword" / f"bank-{split}-{key}"
        if not (folder / "index.json").exists():
            bank = cls.synthesize(
                plan,
                config.sample_rate,
                progress=progress,
                info={"split": split, "key": key},
                keyword=config.keyword,
            )
            bank.save(folder)
        return cls.open(folder)

    @classmethod
    def synthesize(
        cls,
        plan: Sequence[tuple[str, str, Voice]],
        sample_rate: int = 16000,
        progress: bool = True,
        info: dict[str, Any] | None = None,
        keyword: str | None = None,
    ) -> UtteranceBank:
        """Run the TTS engines over ``plan`` (grouped by engine and by whether word timings
        are needed, batched). ``"sentence"`` entries need ``keyword`` (whose end in each
        sentence is kept); a sentence whose words the engine split differently is dropped.
        """
        from seqkeras.wakeword.vocabulary import keyword_sentences

        last_word = dict(keyword_sentences(keyword)) if keyword else {}
        groups: dict[tuple[str, bool], list[int]] = {}
        for index, (kind, text, voice) in enumerate(plan):
            if kind == "sentence" and text not in last_word:
                raise ValueError(
                    f"sentence {text!r} is not a carrier sentence of keyword {keyword!r}"
                )
            groups.setdefault((voice.engine, kind == "sentence"), []).append(index)
        results: list[np.ndarray | None] = [None] * len(plan)
        word_ends: list[list[float] | None] = [None] * len(plan)
        bar = _progress(len(plan), "synthesizing utterances", progress)
        for (engine_name, timed), indices in groups.items():
            engine = get_engine(engine_name)
            size = _ENGINE_BATCH.get(engine_name, _BATCH)
            for batch_start in range(0, len(indices), size):
                batch = indices[batch_start : batch_start + size]
                items = [(plan[i][1], plan[i][2]) for i in batch]
                if timed:
                    for i, (audio, ends) in zip(
                        batch, engine.synthesize_word_ends(items, sample_rate), strict=True
                    ):
                        results[i], word_ends[i] = audio, ends
                else:
                    for i, audio in zip(
                        batch, engine.synthesize_items(items, sample_rate), strict=True
                    ):
                        results[i] = audio
                bar.update(len(batch))
        bar.close()
        pieces, utterances, position, dropped = [], [], 0, 0
        for index, ((kind, text, voice), synthesized) in enumerate(zip(plan, results, strict=True)):
            audio = synthesized if synthesized is not None else np.zeros(0, np.float32)
            start, end = silence_bounds(audio, sample_rate)
            speech = np.asarray(audio[start:end], dtype=np.float32)
            keyword_end = None
            if kind == "sentence":
                ends = word_ends[index]
                if ends is None:
                    dropped += 1
                    continue
                keyword_end = int(round(ends[last_word[text]] * sample_rate)) - start
                keyword_end = min(max(keyword_end, 1), speech.size)
            if speech.size < _MIN_SPEECH_SECONDS * sample_rate:
                dropped += 1
                continue
            speech = speech * (PEAK_LEVEL / float(np.max(np.abs(speech))))
            pieces.append(np.round(speech * INT16_SCALE).astype(np.int16))
            utterances.append(Utterance(text, kind, voice.key, position, speech.size, keyword_end))
            position += speech.size
        if not pieces:
            raise ValueError("no utterance could be synthesized")
        details = dict(info or {})
        details.update({"sample_rate": sample_rate, "dropped": dropped, "version": _FORMAT_VERSION})
        return cls(np.concatenate(pieces), utterances, details)

    @classmethod
    def load_real_speech(
        cls,
        keyword: str,
        sample_rate: int = 16000,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
    ) -> UtteranceBank:
        """Real recordings that do not say ``keyword`` and that the real-speech benchmark
        never uses (``real_speech.real_negatives(keyword, "train")``: a third of the WUW-II
        speakers and of the Asterisk prompts), kind ``"real"``, cut into pieces of about
        ``REAL_PIECE_SECONDS``, cached. ``FileNotFoundError`` naming the install command when
        there are none."""
        import warnings

        from seqkeras.audio.io import read_audio
        from seqkeras.wakeword.real_speech import real_negatives
        from seqkeras.wakeword.vocabulary import ASTERISK_INSTALL

        recordings = real_negatives(keyword, "train")
        if not recordings:
            raise FileNotFoundError(
                "no real negative speech for training: install the Asterisk prompts "
                f"({ASTERISK_INSTALL}) or point SEQKERAS_REAL_SPEECH at the real-speech folder"
            )
        key_source = [
            _FORMAT_VERSION, sample_rate, REAL_PIECE_SECONDS, [str(r.path) for r in recordings]
        ]
        key = hashlib.sha256(json.dumps(key_source).encode()).hexdigest()[:16]
        folder = Path(cache_dir or cache_root()) / "wakeword" / f"bank-real-{key}"
        if not (folder / "index.json").exists():
            pieces, utterances, position = [], [], 0
            bar = _progress(len(recordings), "reading real speech", progress)
            for recording in recordings:
                with warnings.catch_warnings():  # 8 kHz calls: band-limited on purpose
                    warnings.simplefilter("ignore")
                    audio = read_audio(recording.path, sample_rate)
                bar.update(1)
                for number, piece in enumerate(cut_at_pauses(audio, sample_rate)):
                    speech = trim_silence(piece, sample_rate)
                    if speech.size < _MIN_SPEECH_SECONDS * sample_rate or not np.any(speech):
                        continue
                    speech = speech * (PEAK_LEVEL / float(np.max(np.abs(speech))))
                    pieces.append(np.round(speech * INT16_SCALE).astype(np.int16))
                    voice = f"recording:{recording.speaker or recording.path.name}"
                    text = f"{recording.path.name}#{number}"
                    utterances.append(Utterance(text, "real", voice, position, speech.size))
                    position += speech.size
            bar.close()
            sources: dict[str, int] = {}
            for recording in recordings:
                sources[recording.source] = sources.get(recording.source, 0) + 1
            info = {
                "split": "real",
                "key": key,
                "sample_rate": sample_rate,
                "version": _FORMAT_VERSION,
                "recordings_by_source": sources,
            }
            cls(np.concatenate(pieces), utterances, info).save(folder)
        return cls.open(folder)

    def merged(self, other: UtteranceBank) -> UtteranceBank:
        """A bank holding this bank's utterances followed by ``other``'s (in memory)."""
        shift = int(self.audio.shape[0])
        moved = [dataclasses.replace(u, start=u.start + shift) for u in other.utterances]
        audio = np.concatenate([np.asarray(self.audio), np.asarray(other.audio)])
        return UtteranceBank(
            audio, self.utterances + moved, {**self.info, "merged": other.info.get("key")}
        )

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``audio.npy`` + ``index.json`` atomically (temp folder, then rename)."""
        index = {
            "info": self.info,
            "utterances": [dataclasses.asdict(u) for u in self.utterances],
        }
        return write_audio_folder(folder, self.audio, index)

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> UtteranceBank:
        folder = Path(folder)
        index = json.loads((folder / "index.json").read_text())
        utterances = [Utterance(**u) for u in index["utterances"]]
        return cls(np.load(folder / "audio.npy", mmap_mode="r"), utterances, index["info"])

    def count(self, kind: str | None = None) -> int:
        """Utterances of ``kind`` (all when ``None``)."""
        return len(self.utterances) if kind is None else len(self._by_kind.get(kind, []))

    def voices(self) -> list[str]:
        """Distinct voice keys in the bank."""
        return sorted({u.voice for u in self.utterances})

    def choose(self, kinds: Sequence[str], rng: np.random.Generator) -> int:
        """Index of a random utterance whose kind is in ``kinds``."""
        candidates = [i for kind in kinds for i in self._by_kind.get(kind, [])]
        if not candidates:
            raise ValueError(f"the utterance bank has no utterance of kind {list(kinds)}")
        return candidates[int(rng.integers(len(candidates)))]

    def samples(self, index: int) -> np.ndarray:
        """float32 samples of utterance ``index`` (peak ``PEAK_LEVEL``)."""
        entry = self.utterances[index]
        return (
            self.audio[entry.start : entry.start + entry.length].astype(np.float32) / INT16_SCALE
        )


_BATCH = 64
# Kokoro starts a worker process per core for each batch (~2 s each): larger batches.
_ENGINE_BATCH = {"kokoro": 512}
# Real recordings are cut into pieces of about this length (at the quietest 20 ms within
# half a second of the cut), so that they fit into clips beside other utterances.
REAL_PIECE_SECONDS = 3.0
_CUT_SEARCH_SECONDS = 0.5
_CUT_FRAME_SECONDS = 0.02


class _NoProgress:
    def update(self, _: int) -> None:
        return None

    def close(self) -> None:
        return None


def _progress(total: int, description: str, enabled: bool) -> Any:
    if not enabled:
        return _NoProgress()
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is an install requirement
        return _NoProgress()
    return tqdm(total=total, desc=description, unit="utt")


def cut_at_pauses(
    audio: np.ndarray, sample_rate: int, piece_seconds: float = REAL_PIECE_SECONDS
) -> list[np.ndarray]:
    """``audio`` cut into pieces of about ``piece_seconds``, each cut moved to the quietest
    20 ms within half a second of it (between words, where there is a pause)."""
    length = int(piece_seconds * sample_rate)
    search = int(_CUT_SEARCH_SECONDS * sample_rate)
    frame = int(_CUT_FRAME_SECONDS * sample_rate)
    cuts, position = [0], 0
    while audio.size - position > length + search:
        low = position + length - search
        window = np.asarray(audio[low : low + 2 * search], dtype=np.float64)
        energy = np.convolve(window**2, np.ones(frame), mode="valid")
        position = low + int(np.argmin(energy)) + frame // 2
        cuts.append(position)
    cuts.append(audio.size)
    return [audio[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
