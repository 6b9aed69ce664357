"""Real human recordings: the wake-word benchmark's test data, and real negative speech.

The recordings live outside the repository (``shared/data/real-speech/``, see its
README; ``SEQKERAS_REAL_SPEECH`` points at another copy) plus the Asterisk prompts of
``asterisk-core-sounds-en-wav``:

- ``wake-word-benchmark/<keyword>/``: Picovoice's crowd-sourced "computer" and "jarvis"
  clips, **test data only** (never trained on, also not as negatives);
- ``wuw-corpus-ii/``: telephone calls of ~90 named speakers (8 kHz), with transcriptions
  and keyword time stamps in ``data.json``;
- the Asterisk prompts (one speaker, 8 kHz) with their transcripts.

Real speech that does not say the keyword may be mixed into training as negatives, but
never the speech the benchmark measures false accepts on: :func:`negative_split` puts
each WUW-II speaker (by the name spoken in utterance 000) and each Asterisk prompt in
``"train"`` (a third) or ``"test"`` (the rest), by a stable hash. A keyword's own
recordings, and any file whose transcript contains the keyword, are never negatives.

Example::

    train = real_negatives("computer", "train")     # WUW-II / Asterisk, training third
    test = real_negatives("computer", "test")       # + the "jarvis" clips
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

REAL_SPEECH_ENV = "SEQKERAS_REAL_SPEECH"
_RELATIVE = Path("shared") / "data" / "real-speech"
WAKE_WORD_BENCHMARK = "wake-word-benchmark"
WUW_CORPUS = "wuw-corpus-ii"
AUDIO_SUFFIXES = (".flac", ".wav", ".ogg", ".oga")
NEGATIVE_SPLITS = ("train", "test")
# One speaker (WUW-II) or prompt (Asterisk) in this many goes to training negatives.
TRAIN_SHARE_DENOMINATOR = 3
# WUW-II utterance numbers: 000 the caller's name, 001-005 a keyword alone, 006-010 the
# keyword inside a spontaneous sentence (README of the corpus).
WUW_NAME_UTTERANCE = "000"
_MARKERS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|\(\([^)]*\)\)|<[^>]*>")


@dataclasses.dataclass(frozen=True)
class Recording:
    """One real recording.

    Attributes:
        path: the audio file.
        source: ``"wuw"``, ``"asterisk"``, ``"keyword-folder"`` or ``"folder"``.
        speaker: a speaker key (``None`` when unknown).
        text: what is said (``None`` when unknown).
        keyword_span: for WUW-II, the ``(start, end)`` seconds of the corpus keyword.
        utterance: the WUW-II utterance number (``"001"``...), else ``None``.
    """

    path: Path
    source: str
    speaker: str | None = None
    text: str | None = None
    keyword_span: tuple[float, float] | None = None
    utterance: str | None = None


def find_real_speech_root() -> Path | None:
    """The real-speech folder: ``$SEQKERAS_REAL_SPEECH``, else ``shared/data/real-speech``
    in the working directory or one of its parents, else beside the installed package or
    one of its parents; ``None`` when there is none."""
    configured = os.environ.get(REAL_SPEECH_ENV)
    if configured:
        return Path(configured)
    here = Path(__file__).resolve()
    for start in (Path.cwd().resolve(), here):
        for parent in (start, *start.parents):
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


def audio_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Every audio file under ``directory`` (sorted); clear errors when there is none."""
    folder = Path(directory)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a directory of recordings")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise ValueError(
            f"{folder} holds no audio ({', '.join(AUDIO_SUFFIXES)} files); give a folder of "
            "recordings"
        )
    return files


def contains_words(text: str, phrase: str) -> bool:
    """True when ``phrase`` occurs in ``text`` as whole word(s), case-insensitively."""
    from seqkeras.wakeword.vocabulary import contains_keyword

    return contains_keyword(_MARKERS.sub(" ", text), phrase)


def _normalized_name(transcript: str) -> str:
    text = _MARKERS.sub(" ", transcript.lower())
    return " ".join(re.sub(r"[^a-z ]", " ", text).split())


@functools.lru_cache(maxsize=4)
def wuw_recordings(corpus_dir: str) -> tuple[Recording, ...]:
    """Every WUW-II file with its transcript, keyword span and speaker key (the name the
    caller says in utterance 000; an unnamed session is its own speaker)."""
    folder = Path(corpus_dir)
    index = folder / "data.json"
    if not index.is_file():
        raise FileNotFoundError(f"{index} does not exist: {folder} is not a WUW-II corpus folder")
    entries = json.loads(index.read_text())["entries"]
    names = {
        e["sessionNumber"]: _normalized_name(e["transcription"])
        for e in entries
        if e["utteranceNumber"] == WUW_NAME_UTTERANCE
    }
    recordings = []
    for entry in entries:
        session = entry["sessionNumber"]
        # no time stamps (a corpus of one's own): no keyword span
        start, end = float(entry.get("startTime", 0)), float(entry.get("endTime", 0))
        recordings.append(
            Recording(
                folder / entry["filePath"],
                "wuw",
                f"wuw:{names.get(session) or 'session-' + session}",
                entry["transcription"],
                (start, end) if end > start else None,
                entry["utteranceNumber"],
            )
        )
    return tuple(recordings)


def asterisk_recordings() -> list[Recording]:
    """The Asterisk prompts with their transcripts (one speaker); empty when not installed."""
    from seqkeras.wakeword.vocabulary import ASTERISK_PROMPTS, asterisk_transcripts

    found = []
    for name, text in sorted(asterisk_transcripts().items()):
        path = ASTERISK_PROMPTS / f"{name}.wav"
        if path.is_file():
            found.append(Recording(path, "asterisk", "asterisk:allison", text))
    return found


def _share(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % TRAIN_SHARE_DENOMINATOR


def negative_split(recording: Recording) -> str:
    """``"train"`` or ``"test"``: which side of the real negatives a recording is on.

    WUW-II goes by speaker, the Asterisk prompts by prompt (one speaker says them all),
    a third of each to training; everything else (the wake-word benchmark's keyword
    folders, folders given by the user) is test data.
    """
    if recording.source == "wuw" and recording.speaker:
        return "train" if _share(recording.speaker) == 0 else "test"
    if recording.source == "asterisk":
        return "train" if _share(recording.path.name) == 0 else "test"
    return "test"


def keyword_folder_recordings(directory: str | os.PathLike[str], text: str) -> list[Recording]:
    """The clips of a folder that each say ``text`` (Picovoice's layout)."""
    return [Recording(p, "keyword-folder", None, text) for p in audio_files(directory)]


def default_sources(root: Path | None = None) -> list[Recording]:
    """All real recordings known here: WUW-II, the Asterisk prompts, and every keyword
    folder of the wake-word benchmark (each clip's text is its folder's name)."""
    root = root if root is not None else find_real_speech_root()
    recordings: list[Recording] = list(asterisk_recordings())
    if root is not None and (root / WUW_CORPUS / "data.json").is_file():
        recordings += wuw_recordings(str(root / WUW_CORPUS))
    if root is not None and (root / WAKE_WORD_BENCHMARK).is_dir():
        for folder in sorted((root / WAKE_WORD_BENCHMARK).iterdir()):
            if folder.is_dir():
                recordings += keyword_folder_recordings(folder, folder.name)
    return recordings


def says(recording: Recording, keyword: str) -> bool:
    """True when the recording's text contains the keyword (unknown text: False)."""
    return recording.text is not None and contains_words(recording.text, keyword)


def real_negatives(
    keyword: str, split: str, recordings: Iterable[Recording] | None = None
) -> list[Recording]:
    """Real recordings of ``split`` that do not say ``keyword``.

    ``"train"``: WUW-II training speakers and Asterisk training prompts (never a keyword
    folder of the benchmark). ``"test"``: everything else, including the other keyword
    folders.
    """
    if split not in NEGATIVE_SPLITS:
        raise ValueError(f"split must be one of {NEGATIVE_SPLITS}, got {split!r}")
    pool = default_sources() if recordings is None else list(recordings)
    return [r for r in pool if negative_split(r) == split and not says(r, keyword)]
