"""Real human recordings for the wake-word benchmark and as real negative speech.

The recordings live outside the repository (``shared/data/real-speech/``, see its
README): Picovoice's crowd-sourced "computer" and "jarvis" clips and the WUW Corpus II
telephone calls. ``SEQKERAS_REAL_SPEECH`` points at another copy.
"""

from __future__ import annotations

import os
from pathlib import Path

REAL_SPEECH_ENV = "SEQKERAS_REAL_SPEECH"
_RELATIVE = Path("shared") / "data" / "real-speech"


def find_real_speech_root() -> Path | None:
    """The real-speech folder: ``$SEQKERAS_REAL_SPEECH``, else ``shared/data/real-speech``
    beside the repository or one of its parent folders; ``None`` when there is none."""
    configured = os.environ.get(REAL_SPEECH_ENV)
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / _RELATIVE
        if candidate.is_dir():
            return candidate
    return None


def real_speech_root() -> Path:
    """:func:`find_real_speech_root`, or ``FileNotFoundError`` saying how to point at it."""
    root = find_real_speech_root()
    if root is None or not root.is_dir():
        raise FileNotFoundError(
            f"real-speech recordings not found (looked for {_RELATIVE} beside the repository"
            f"{'' if root is None else f' and at {root}'}); set {REAL_SPEECH_ENV}=DIR"
        )
    return root
