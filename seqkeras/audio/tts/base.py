"""What every TTS engine shares: the ``Voice`` type, the ``TTSEngine`` base classes, the
missing-engine error and the helpers that run an engine's program and read its output."""

from __future__ import annotations

import abc
import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.io import read_audio

TTS_TIMEOUT_S = 120
# Subprocess TTS engines (espeak-ng, flite) run this many processes at once.
PARALLEL_PROCESSES = 2


class EngineNotAvailableError(RuntimeError):
    """A TTS engine's program or package is not installed (the message says how to install it)."""


@dataclasses.dataclass(frozen=True)
class Voice:
    """One way of speaking: engine, engine voice, speed and pitch.

    Args:
        engine: registry name (``"espeak"``, ``"flite"``, ``"festival"``, ``"piper"``).
        name: the engine's voice id (``"en-us+m3"``, ``"slt"``, ``"kal_diphone"``, ``"joe"``).
        speed: speaking rate relative to the engine default (1.0 = default, 1.2 = faster).
        pitch: engine units or ``None`` for the default: espeak 0-99; flite and festival
            mean F0 in Hz; piper has no pitch control (must be ``None``).
    """

    engine: str
    name: str
    speed: float = 1.0
    pitch: float | None = None

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"Voice speed must be > 0, got {self.speed}")

    @property
    def key(self) -> str:
        """A short unique string for this voice (used in manifests and cache keys)."""
        pitch = "default" if self.pitch is None else f"{self.pitch:g}"
        return f"{self.engine}:{self.name}:s{self.speed:g}:p{pitch}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Voice:
        return cls(**values)


class TTSEngine(abc.ABC):
    """A text-to-speech engine. Subclasses set ``name``/``install`` and implement ``_synthesize_file``."""

    name: str = ""
    install: str = ""
    # Whether synthesize_items may run several items at once (separate processes).
    parallel: bool = True

    @abc.abstractmethod
    def is_available(self) -> bool:
        """True when the engine can run here."""

    @abc.abstractmethod
    def voices(self) -> list[str]:
        """Voice names this engine offers here."""

    @abc.abstractmethod
    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        """Write ``text`` spoken with ``voice`` to the WAV file ``path``."""

    def require(self) -> None:
        """Raise ``EngineNotAvailableError`` naming the install command when missing."""
        if not self.is_available():
            raise EngineNotAvailableError(
                f"TTS engine {self.name!r} is not installed: {self.install}"
            )

    # Whether synthesize_word_ends works (the engine reports when each word ends).
    word_timings: bool = False

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """Each ``(text, voice)`` spoken, with the time (seconds from the start of the
        returned audio) at which each whitespace-separated word of ``text`` ends, or
        ``None`` for an item whose words the engine split differently (a number read as
        two words, say), so no end can be matched to a word.

        Running speech is not a row of isolated words: inside a sentence a word is shorter,
        unstressed and runs into its neighbours. Word end times let a keyword spoken inside
        a sentence be labelled where it ends. Engines that cannot report them raise
        ``NotImplementedError`` naming those that can.
        """
        from seqkeras.audio.tts.registry import _ENGINES

        capable = sorted(name for name, engine in _ENGINES.items() if engine.word_timings)
        raise NotImplementedError(
            f"TTS engine {self.name!r} does not report word timings; engines that do: {capable}"
        )

    def _checked_items(self, items: Sequence[tuple[str, Voice]]) -> None:
        self.require()
        for text, voice in items:
            _check_text(text)
            _check_voice(self, voice)

    def synthesize(self, text: str, voice: Voice, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
        """``text`` spoken by ``voice`` as float32 mono samples at ``sample_rate``."""
        return self.synthesize_items([(text, voice)], sample_rate)[0]

    def synthesize_many(
        self, texts: Sequence[str], voice: Voice, sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        """Several texts with one voice."""
        return self.synthesize_items([(text, voice) for text in texts], sample_rate)

    def synthesize_items(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        """Many ``(text, voice)`` pairs of this engine, in order.

        Subprocess engines run ``PARALLEL_PROCESSES`` at once; engines with a slow start
        override this to synthesize the whole batch in one process.
        """
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:

            def one(index: int) -> np.ndarray:
                text, voice = items[index]
                path = os.path.join(folder, f"{index}.wav")
                self._synthesize_file(text, voice, path)
                return _read_output(path, sample_rate, self.name, text)

            if self.parallel and len(items) > 1:
                with ThreadPoolExecutor(max_workers=PARALLEL_PROCESSES) as pool:
                    return list(pool.map(one, range(len(items))))
            return [one(index) for index in range(len(items))]


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text to synthesize must be a non-empty string, got {text!r}")


def _check_voice(engine: TTSEngine, voice: Voice) -> None:
    if voice.engine != engine.name:
        raise ValueError(
            f"voice {voice.key} belongs to engine {voice.engine!r}, not {engine.name!r}"
        )


def _read_output(path: str, sample_rate: int, engine: str, text: str) -> np.ndarray:
    if not os.path.exists(path) or os.path.getsize(path) <= 44:
        raise RuntimeError(f"TTS engine {engine!r} produced no audio for {text!r}")
    audio = read_audio(path, sample_rate)
    # Resampling a voice that peaks at full scale can overshoot it; keep [-1, 1].
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    return audio / np.float32(peak) if peak > 1.0 else audio


def _run(command: list[str], engine: str, stdin: str | None = None) -> str:
    """Run an engine's program; its standard output (decoded leniently) is returned."""
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            errors="replace",
            check=True,
            timeout=TTS_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as error:
        raise RuntimeError(
            f"TTS engine {engine!r} failed (exit {error.returncode}): {' '.join(command[:4])} ...: "
            f"{(error.stderr or '').strip()[:300]}"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"TTS engine {engine!r} timed out after {TTS_TIMEOUT_S} s") from error
    return done.stdout


class BatchTTSEngine(TTSEngine):
    """An engine whose ``_batch(items, paths)`` writes a whole batch of WAV files in one
    process (engines with a slow start, or one that must run apart from this process)."""

    @abc.abstractmethod
    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        """Write ``items[i]`` spoken to the WAV file ``paths[i]``, for every ``i``."""

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        self._batch([(text, voice)], [path])

    def synthesize_items(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:
            paths = [os.path.join(folder, f"{index}.wav") for index in range(len(items))]
            self._batch(list(items), paths)
            return [
                _read_output(p, sample_rate, self.name, t)
                for p, (t, _) in zip(paths, items, strict=True)
            ]


__all__ = [
    "PARALLEL_PROCESSES",
    "TTS_TIMEOUT_S",
    "BatchTTSEngine",
    "EngineNotAvailableError",
    "TTSEngine",
    "Voice",
]
