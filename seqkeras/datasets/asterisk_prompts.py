"""The Asterisk core prompts: 568 real recordings of one woman (8 kHz) with transcripts.

Installed by ``apt-get install asterisk-core-sounds-en-wav asterisk-core-sounds-en``
(audio in ``/usr/share/asterisk/sounds/en``, texts in ``core-sounds-en.txt.gz`` as
``name: text`` lines). Prompts whose text is a bracketed description (``[ascending
tones]``) or that have no audio file are dropped, with the reason.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

from ._errors import missing_package
from .real_speech_utterances import DroppedUtterance, SpeechTestSet, SpeechUtterance

ASTERISK_SOUNDS = Path("/usr/share/asterisk/sounds/en")
ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
ASTERISK_INSTALL = "apt-get install asterisk-core-sounds-en-wav asterisk-core-sounds-en"
_LINE = re.compile(r"^([\w/.+-]+):\s*(.*)$")
_DESCRIPTION = re.compile(r"^\s*\[[^\]]*\]\s*$")


def read_asterisk_transcripts(
    path: str | os.PathLike[str] = ASTERISK_TRANSCRIPTS,
) -> dict[str, str]:
    """``{prompt name: text}`` from ``core-sounds-en.txt(.gz)``."""
    path = Path(path)
    if not path.exists():
        raise missing_package(f"Asterisk prompt transcripts ({path})", ASTERISK_INSTALL)
    opener = gzip.open if path.suffix == ".gz" else open
    texts: dict[str, str] = {}
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(";") or not line.strip():
                continue
            match = _LINE.match(line.strip())
            if match:
                texts[match.group(1)] = match.group(2).strip()
    return texts


def asterisk_prompts(
    sounds: str | os.PathLike[str] = ASTERISK_SOUNDS,
    transcripts: str | os.PathLike[str] = ASTERISK_TRANSCRIPTS,
) -> SpeechTestSet:
    """The prompts as a test set (one speaker, ``speaker="asterisk"``).

    Raises:
        MissingDatasetError: the packages are not installed (names the command).
    """
    from seqkeras.speech.text import normalize_transcript

    sounds = Path(sounds)
    if not sounds.is_dir():
        raise missing_package(f"Asterisk prompt recordings ({sounds})", ASTERISK_INSTALL)
    kept: list[SpeechUtterance] = []
    dropped: list[DroppedUtterance] = []
    for name, raw in sorted(read_asterisk_transcripts(transcripts).items()):
        path = sounds / f"{name}.wav"
        if not path.exists():
            dropped.append(DroppedUtterance(str(path), raw, "no audio file"))
            continue
        if _DESCRIPTION.match(raw):
            dropped.append(DroppedUtterance(str(path), raw, "describes a sound, no speech"))
            continue
        text = normalize_transcript(raw)
        if not text:
            dropped.append(DroppedUtterance(str(path), raw, "no words after normalization"))
            continue
        kept.append(SpeechUtterance(str(path), text, raw, "asterisk", {"name": name}))
    return SpeechTestSet("asterisk", kept, dropped)
