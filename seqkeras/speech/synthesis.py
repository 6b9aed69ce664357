"""Training and test speech synthesized offline, cached with a manifest.

A *bank* is a folder of utterances that grows: ``manifest.jsonl`` holds one JSON line per
finished utterance (``id``, ``path``, ``text``, ``engine``, ``voice``, ``speed``,
``pitch``, ``seconds``) and ``audio/<id>.flac`` its clean 16 kHz speech (silence trimmed
to ``PAD_MS``). The plan is deterministic: utterance ``i`` of a bank with a given seed
always has the same text and voice, so asking for more utterances later synthesizes
only the new ones, and a killed run goes on where it stopped (lines are appended only
after their audio file is complete).

Augmentation (noise, level, telephone band) is *not* baked in: it is applied when
features are made (:mod:`seqkeras.speech.features`), so the same bank serves every data
experiment.

Voice splits (speakers never heard in training are the test):

- ``train``: espeak-ng accents with the variants not in
  :data:`~seqkeras.wakeword.data_config.HELDOUT_ESPEAK_VARIANTS`, festival's voices,
  SVOX Pico, and the Kokoro voices of its training split (once that engine exists).
- ``heldout``: flite ``awb`` and ``rms`` (flite's kal and slt are festival's speakers),
  piper ``joe``, espeak-ng with the held-out variants, Kokoro's held-out voices
  (``seqkeras.audio.tts.KOKORO_TEST_VOICES``) and blends of only those.

Kokoro utterances are spoken by a base voice or, for half of them, by a random blend of
2-3 base voices of the split (a new speaker).
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_text_atomic

SPLITS = ("train", "heldout")
MANIFEST = "manifest.jsonl"
PAD_MS = 150
# Items handed to an engine at once (festival and pico start one process per batch).
CHUNK = 24
SPEED_RANGE = (0.85, 1.2)
# Pitch ranges in engine units (seqkeras.audio.tts.Voice): espeak 0-99, others Hz.
PITCH_RANGES: dict[str, tuple[float, float] | None] = {
    "espeak": (25.0, 75.0),
    "festival": (85.0, 140.0),
    "pico": (60.0, 130.0),
    "flite": None,
    "piper": None,
    "kokoro": None,
}
FIXED_PITCH_VOICES = frozenset({"cmu_us_slt_arctic_hts"})
HELDOUT_FLITE = ("awb", "rms")
# Kokoro: half the utterances by a random blend of 2-3 base voices of the split (a new
# speaker each time), half by a base voice.
KOKORO_BLEND_FRACTION = 0.5
KOKORO_SPEED_RANGE = (0.85, 1.2)
# The Kokoro engine runs its own worker processes: give it large batches, one at a time.
KOKORO_CHUNK = 120
TRAIN_ENGINES = ("espeak", "festival", "kokoro")
HELDOUT_ENGINES = ("flite", "piper", "espeak", "kokoro")


def _heldout_espeak_variants() -> tuple[str, ...]:
    from seqkeras.wakeword.data_config import HELDOUT_ESPEAK_VARIANTS

    return tuple(HELDOUT_ESPEAK_VARIANTS)


def _kokoro_voices(split: str) -> list[str]:
    """Kokoro base voices of a split (the engine's own held-out split) when installed."""
    from seqkeras.audio.tts import get_engine, kokoro_voices

    if not get_engine("kokoro").is_available():
        return []
    return kokoro_voices("train" if split == "train" else "test")


def split_voice_names(split: str, engine: str) -> list[str]:
    """Voice names of ``engine`` in ``split`` (empty when the engine is not installed)."""
    from seqkeras.audio.tts import available_engines, get_engine

    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if engine == "kokoro":
        return _kokoro_voices(split)
    if engine not in available_engines():
        return []
    names = get_engine(engine).voices()
    if engine == "espeak":
        held = _heldout_espeak_variants()
        return [n for n in names if (n.split("+")[-1] in held) == (split == "heldout")]
    if engine == "flite":
        return [n for n in names if n in HELDOUT_FLITE] if split == "heldout" else []
    if engine == "piper":
        return names if split == "heldout" else []
    return names if split == "train" else []


@dataclass(frozen=True)
class BankPlan:
    """What a bank holds: texts drawn from ``sentences`` spoken by voices of ``engines``.

    Args:
        split: ``"train"`` or ``"heldout"`` (which voices; see the module doc).
        engines: engines to use (those not installed are skipped and recorded).
        seed: plan seed.
        engine_weights: relative share of utterances per engine (default equal).
    """

    split: str = "train"
    engines: tuple[str, ...] = TRAIN_ENGINES
    seed: int = 0
    engine_weights: tuple[float, ...] | None = None

    def voices(self) -> dict[str, list[str]]:
        found = {e: split_voice_names(self.split, e) for e in self.engines}
        found = {e: v for e, v in found.items() if v}
        if not found:
            raise ValueError(f"no voices for split {self.split!r} among engines {self.engines}")
        return found

    def items(self, sentences: Sequence[str], start: int, stop: int) -> list[dict[str, Any]]:
        """Plan entries ``start..stop-1``: id, text, engine, voice name, speed, pitch."""
        voices = self.voices()
        engines = sorted(voices)
        weights = np.ones(len(engines))
        if self.engine_weights is not None:
            table = dict(zip(self.engines, self.engine_weights, strict=True))
            weights = np.array([table[e] for e in engines], float)
        weights = weights / weights.sum()
        entries = []
        for i in range(start, stop):
            rng = np.random.default_rng([self.seed, i])
            engine = engines[int(rng.choice(len(engines), p=weights))]
            name = voices[engine][int(rng.integers(len(voices[engine])))]
            speed = round(float(rng.uniform(*SPEED_RANGE)), 2)
            pitch_range = PITCH_RANGES.get(engine)
            pitch = None
            if pitch_range is not None and name not in FIXED_PITCH_VOICES:
                pitch = round(float(rng.uniform(*pitch_range)))
            if engine == "piper":
                speed = round(float(rng.uniform(0.9, 1.15)), 2)
            if engine == "kokoro":
                speed = round(float(rng.uniform(*KOKORO_SPEED_RANGE)), 2)
                if rng.random() < KOKORO_BLEND_FRACTION:
                    from seqkeras.audio.tts.kokoro import random_blend

                    name = random_blend(voices[engine], rng).name
            text = sentences[int(rng.integers(len(sentences)))]
            entries.append(
                {"id": f"{self.split}-{self.seed}-{i:07d}", "text": text, "engine": engine,
                 "voice": name, "speed": speed, "pitch": pitch}
            )  # fmt: skip
        return entries


def read_manifest(folder: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The finished utterances of a bank (a torn last line from a kill is ignored)."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                if f.readline():  # only the very last line may be torn
                    raise ValueError(f"{path}:{number}: not a JSON line") from None
    return rows


def synthesize_bank(
    folder: str | os.PathLike[str],
    sentences: Sequence[str],
    count: int,
    plan: BankPlan,
    workers: int = 2,
    progress: bool = True,
    synthesize: Callable[[str, list[tuple[str, Any]]], list[np.ndarray]] | None = None,
    time_limit_s: float | None = None,
) -> list[dict[str, Any]]:
    """Grows the bank in ``folder`` to ``count`` utterances (resumable) and returns its rows.

    Args:
        folder: the bank folder (created).
        sentences: the texts to draw from (normalized).
        count: utterances wanted in total.
        plan: voices and seed; stored in ``plan.json`` and checked on the next call.
        workers: engine batches synthesized at once (threads; each engine runs in
            child processes).
        progress: show a tqdm bar.
        synthesize: ``(engine, [(text, Voice)]) -> [audio]`` (tests); default the
            ``seqkeras.audio`` engine registry.
        time_limit_s: stop early (cleanly) after this many seconds; call again to go on.
    """
    from seqkeras.audio.dsp import trim_silence
    from seqkeras.audio.io import write_audio
    from seqkeras.audio.tts import Voice, get_engine

    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    folder = Path(folder)
    (folder / "audio").mkdir(parents=True, exist_ok=True)
    plan_file = folder / "plan.json"
    plan_record = {"split": plan.split, "engines": list(plan.engines), "seed": plan.seed,
                   "engine_weights": plan.engine_weights, "sentences": len(sentences),
                   "first_sentence": sentences[0] if sentences else ""}  # fmt: skip
    if plan_file.exists():
        saved = json.loads(plan_file.read_text())
        if saved != json.loads(json.dumps(plan_record)):
            raise ValueError(
                f"{folder} holds a bank of another plan ({saved}); choose another folder"
            )
    else:
        write_text_atomic(plan_file, json.dumps(plan_record, indent=1))
    rows = read_manifest(folder)
    done = {r["id"] for r in rows}
    todo = [e for e in plan.items(sentences, 0, count) if e["id"] not in done]
    if not todo:
        return rows[:count] if len(rows) >= count else rows

    def engine_synthesize(engine: str, items: list[tuple[str, Any]]) -> list[np.ndarray]:
        return get_engine(engine).synthesize_items(items)

    run = synthesize or engine_synthesize
    chunks: list[list[dict[str, Any]]] = []
    by_engine: dict[str, list[dict[str, Any]]] = {}
    for entry in todo:
        by_engine.setdefault(entry["engine"], []).append(entry)
    for engine, entries in by_engine.items():
        size = KOKORO_CHUNK if engine == "kokoro" else CHUNK
        chunks.extend(entries[i : i + size] for i in range(0, len(entries), size))
    chunks.sort(key=lambda c: c[0]["id"])
    # Kokoro parallelizes itself (one worker process per core): its batches run alone.
    serial = [c for c in chunks if c[0]["engine"] == "kokoro"]
    chunks = [c for c in chunks if c[0]["engine"] != "kokoro"]
    started = time.time()
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"synthesizing {folder.name}", unit="utt")

    def work(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if time_limit_s is not None and time.time() - started > time_limit_s:
            return []
        items = [(e["text"], Voice(e["engine"], e["voice"], e["speed"], e["pitch"])) for e in chunk]
        audios = run(chunk[0]["engine"], items)
        finished = []
        for entry, audio in zip(chunk, audios, strict=True):
            audio = trim_silence(np.asarray(audio, np.float32), pad_ms=PAD_MS)
            if audio.size == 0:
                continue
            path = folder / "audio" / f"{entry['id']}.flac"
            write_audio(str(path), audio)
            finished.append(
                {
                    **entry,
                    "path": f"audio/{entry['id']}.flac",
                    "seconds": round(audio.size / 16000, 3),
                }
            )
        return finished

    with (
        open(folder / MANIFEST, "a", encoding="utf-8") as manifest,
        ThreadPoolExecutor(max(1, workers)) as pool,
    ):
        for finished in itertools.chain(pool.map(work, chunks), map(work, serial)):
            for row in finished:
                manifest.write(json.dumps(row) + "\n")
            manifest.flush()
            rows.extend(finished)
            if bar is not None:
                bar.update(len(finished))
    if bar is not None:
        bar.close()
    return rows

