"""Writing generated pieces: MIDI through music21, WAV through timidity when installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from ..atomic import atomic_path
from .encoding import decode_tokens

TIMIDITY_CONFIG = "/etc/timidity/freepats.cfg"
TIMIDITY_INSTALL = "apt-get install timidity freepats"


def write_midi(tokens: Sequence[str], path: str | os.PathLike[str], tempo_bpm: float = 90.0) -> str:
    """Writes ``tokens`` as a one-track MIDI file (atomically); returns the path."""
    path = os.fspath(path)
    score = decode_tokens(tokens, tempo_bpm=tempo_bpm)
    with atomic_path(path) as tmp:
        score.write("midi", fp=tmp)
    return path


def render_wav(midi_path: str | os.PathLike[str], wav_path: str | os.PathLike[str]) -> str:
    """Renders MIDI to WAV with timidity and the freepats sound set."""
    timidity = shutil.which("timidity")
    if timidity is None or not os.path.exists(TIMIDITY_CONFIG):
        raise FileNotFoundError(
            f"timidity with freepats is not installed; install it with: {TIMIDITY_INSTALL}"
        )
    wav_path = os.fspath(wav_path)
    result = subprocess.run(
        [timidity, "-c", TIMIDITY_CONFIG, "-Ow", "-o", wav_path, os.fspath(midi_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0 or not os.path.exists(wav_path):
        raise ValueError(f"timidity failed on {midi_path}: {result.stderr.strip()[-300:]}")
    return wav_path
