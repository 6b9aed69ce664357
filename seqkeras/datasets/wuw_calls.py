"""WUW Corpus II telephone calls (real speech, ≈180 speakers, 8 kHz) as a CTC test set.

The recordings are not part of seqkeras: they are read from the real-speech folder
(``shared/data/real-speech/wuw-corpus-ii``, CC BY-SA 4.0, V. Kepuska), found as
``$SEQKERAS_REAL_SPEECH`` or ``shared/data/real-speech`` beside the repository (or
one of its parent folders), or given explicitly. Transcripts are cleaned with
:func:`seqkeras.speech.clean_wuw_transcription` (markers such as ``{breath}``,
``[click]``, ``+gonna`` and cut-off words removed); utterances are dropped, with the
reason, when the transcriber marked words as unclear (``((…))``: the reference does not
say what was said), when nothing is left after cleaning, or when the file is missing.

``part`` splits the corpus by speaker (the name each caller says in utterance 000, so a
caller with several sessions stays on one side), with the wake-word work's split
(:func:`seqkeras.wakeword.real_speech.negative_split`): ``"train"`` is a third of the
speakers, whose calls a recognizer (or a wake-word detector, as negatives) may train on;
``"heldout"`` the other two thirds, never trained on by either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from .real_speech_utterances import DroppedUtterance, SpeechTestSet, SpeechUtterance

REAL_SPEECH_ENV = "SEQKERAS_REAL_SPEECH"
_RELATIVE = Path("shared") / "data" / "real-speech"
WUW_FOLDER = "wuw-corpus-ii"
# utteranceNumber 000 is the caller's name, 001-005 a keyword alone, 006-010 a sentence
WUW_PARTS = ("all", "train", "heldout")
UTTERANCE_KINDS = {"name": ("000",), "keyword": ("001", "002", "003", "004", "005"),
                   "sentence": ("006", "007", "008", "009", "010")}  # fmt: skip


def real_speech_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The real-speech folder: ``root`` if given, else ``$SEQKERAS_REAL_SPEECH``, else
    ``shared/data/real-speech`` beside the repository (``../shared/data/real-speech``
    from the repository root) or beside one of its parent folders.

    Raises:
        FileNotFoundError: none found (the message says how to point at it).
    """
    if root is not None:
        path = Path(root)
        if not path.is_dir():
            raise FileNotFoundError(f"real-speech folder {path} does not exist")
        return path
    configured = os.environ.get(REAL_SPEECH_ENV)
    if configured:
        path = Path(configured)
        if not path.is_dir():
            raise FileNotFoundError(f"{REAL_SPEECH_ENV}={configured} is not a folder")
        return path
    for parent in Path(__file__).resolve().parents:
        candidate = parent / _RELATIVE
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"real-speech recordings not found ({_RELATIVE} beside the repository or its parent "
        f"folders); set {REAL_SPEECH_ENV}=DIR or pass the folder (--real-speech DIR)"
    )


def wuw_calls(
    root: str | os.PathLike[str] | None = None,
    kinds: Iterable[str] = ("name", "keyword", "sentence"),
    keep_unclear: bool = False,
    part: str = "all",
) -> SpeechTestSet:
    """WUW-II utterances with cleaned transcripts.

    Args:
        root: the real-speech folder (see :func:`real_speech_root`) or the
            ``wuw-corpus-ii`` folder itself.
        kinds: which utterances: ``"name"`` (the caller says their name),
            ``"keyword"`` (a wake word alone), ``"sentence"`` (a keyword in a sentence).
        keep_unclear: keep utterances with unclear words (their guessed words, if any,
            are removed from the reference).
        part: ``"all"`` speakers, the ``"train"`` third or the ``"heldout"`` rest (the set
            is named ``wuw``, ``wuw-train`` or ``wuw-heldout``); every utterance's
            ``meta["part"]`` says its side, ``meta["kind"]`` its kind, ``speaker`` its
            speaker key.
    """
    from seqkeras.speech.text import clean_wuw_transcription
    from seqkeras.wakeword.real_speech import negative_split, wuw_recordings

    if part not in WUW_PARTS:
        raise ValueError(f"unknown WUW-II part {part!r}; choose from {list(WUW_PARTS)}")

    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in UTTERANCE_KINDS]
    if unknown or not kinds:
        raise ValueError(
            f"unknown utterance kind(s) {unknown}; choose from {sorted(UTTERANCE_KINDS)}"
        )
    base = real_speech_root(root)
    folder = base if (base / "data.json").exists() else base / WUW_FOLDER
    index = folder / "data.json"
    if not index.exists():
        raise FileNotFoundError(f"WUW Corpus II index not found: {index}")
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))["entries"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"{index} is not the WUW Corpus II index ({err})") from None
    try:  # speaker keys; a malformed entry is reported by the loop below
        speakers = {str(r.path): r for r in wuw_recordings(str(folder))}
    except (KeyError, TypeError, ValueError):
        speakers = {}
    wanted = {number for kind in kinds for number in UTTERANCE_KINDS[kind]}
    kept: list[SpeechUtterance] = []
    dropped: list[DroppedUtterance] = []
    for number, entry in enumerate(entries):
        try:
            path = folder / entry["filePath"]
            raw = entry["transcription"] or ""
            utterance = entry["utteranceNumber"]
            session = entry["sessionNumber"]
        except (KeyError, TypeError):
            raise ValueError(
                f"{index}: entry {number} lacks filePath/transcription/utteranceNumber/sessionNumber"
            ) from None
        if utterance not in wanted:
            continue
        recording = speakers.get(str(path))
        if recording is None:
            raise ValueError(f"{index}: entry {number} ({path}) has no speaker (malformed index)")
        side = "train" if negative_split(recording) == "train" else "heldout"
        if part not in ("all", side):
            continue
        clean = clean_wuw_transcription(raw)
        reason = None
        if not path.exists():
            reason = "no audio file"
        elif clean.unclear and not keep_unclear:
            reason = "unclear words ((…))"
        elif not clean.text:
            reason = "no words after removing markers"
        if reason is not None:
            dropped.append(DroppedUtterance(str(path), raw, reason))
            continue
        meta = {k: entry.get(k) for k in ("gender", "dialect", "phonetype", "utteranceNumber")}
        kind = next(k for k, numbers in UTTERANCE_KINDS.items() if utterance in numbers)
        meta.update(cut_off=list(clean.cut_off), session=session, part=side, kind=kind)
        kept.append(SpeechUtterance(str(path), clean.text, raw, recording.speaker or session, meta))
    return SpeechTestSet("wuw" if part == "all" else f"wuw-{part}", kept, dropped)
