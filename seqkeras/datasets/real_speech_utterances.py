"""Shared pieces of the real-speech test sets: an utterance record and the drop report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SpeechUtterance:
    """One recording with its normalized reference transcript.

    Attributes:
        path: the audio file.
        text: the normalized transcript (``seqkeras.speech.normalize_transcript``).
        raw_text: the transcript as distributed.
        speaker: a speaker (or session) id.
        meta: other fields of the source (gender, phone type, utterance number, ...).
    """

    path: str
    text: str
    raw_text: str
    speaker: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DroppedUtterance:
    """A recording left out of a test set, and why."""

    path: str
    raw_text: str
    reason: str


@dataclass(frozen=True)
class SpeechTestSet:
    """Utterances kept and dropped; ``summary()`` says how many of each and why."""

    name: str
    utterances: list[SpeechUtterance]
    dropped: list[DroppedUtterance]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kept": len(self.utterances),
            "dropped": len(self.dropped),
            "dropped_by_reason": dict(Counter(d.reason for d in self.dropped).most_common()),
            "speakers": len({u.speaker for u in self.utterances}),
        }

    def __len__(self) -> int:
        return len(self.utterances)
