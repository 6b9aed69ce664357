"""The TTS engine registry: names -> engine instances (filled by ``seqkeras.audio.tts``).

A module of its own, below the engines: ``TTSEngine`` (``base``) can name the engines
that report word timings without importing the package, which imports every engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seqkeras.audio.tts.base import TTSEngine

_ENGINES: dict[str, TTSEngine] = {}


def register_engine(engine: TTSEngine) -> TTSEngine:
    """Add ``engine`` to the registry under ``engine.name`` (replacing one of that name)."""
    if not engine.name:
        raise ValueError("a TTS engine needs a non-empty name")
    _ENGINES[engine.name] = engine
    return engine


def list_engines() -> list[str]:
    """Every registered engine name, installed or not."""
    return sorted(_ENGINES)


def available_engines() -> list[str]:
    """Registered engines that can run on this machine."""
    return [name for name in list_engines() if _ENGINES[name].is_available()]


def get_engine(name: str) -> TTSEngine:
    """The registered engine ``name`` (``ValueError`` listing the choices when unknown)."""
    if name not in _ENGINES:
        raise ValueError(f"unknown TTS engine {name!r}; choose from {list_engines()}")
    return _ENGINES[name]
