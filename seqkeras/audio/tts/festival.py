"""Festival: English voices found under /usr/share/festival/voices, a batch per process."""

from __future__ import annotations

import functools
import glob
import os
import shutil
import tempfile
from collections.abc import Sequence

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.tts.base import BatchTTSEngine, Voice, _read_output, _run

# Folders of /usr/share/festival/voices/ whose voices speak English (the others read
# English text with their own language's letter-to-sound rules: AccentedFestivalEngine).
FESTIVAL_ENGLISH_FOLDERS = ("english", "us", "uk", "british")


class FestivalEngine(BatchTTSEngine):
    """Festival. One process synthesizes a whole batch (its start-up is ~1 s)."""

    name = "festival"
    install = "apt-get install festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
    program = "festival"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None and bool(self.voices())

    def voices(self) -> list[str]:
        return _festival_voices()

    def _spoken_texts(self, items: list[tuple[str, Voice]]) -> list[str]:
        """What the voices read for each item (the text itself: English voices)."""
        return [text for text, _ in items]

    def _encoding(self, voice: Voice) -> str:
        """The byte encoding ``voice`` reads its text in."""
        return "utf-8"

    word_timings = True

    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        self._festival(items, paths, word_ends=False)

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """Festival prints the end of each word's last segment after synthesizing it."""
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:
            paths = [os.path.join(folder, f"{index}.wav") for index in range(len(items))]
            printed = self._festival(list(items), paths, word_ends=True)
            ends: dict[int, list[float]] = {}
            for line in printed.splitlines():
                fields = line.split()
                if len(fields) >= 2 and fields[0] == _WORD_ENDS_TAG:
                    ends[int(fields[1])] = [float(value) for value in fields[2:]]
            results = []
            for index, (path, (text, _)) in enumerate(zip(paths, items, strict=True)):
                words = ends.get(index)
                matched = words if words is not None and len(words) == len(text.split()) else None
                results.append((_read_output(path, sample_rate, self.name, text), matched))
            return results

    def _festival(self, items: list[tuple[str, Voice]], paths: list[str], word_ends: bool) -> str:
        script: list[bytes] = []
        for index, ((_, voice), spoken, path) in enumerate(
            zip(items, self._spoken_texts(items), paths, strict=True)
        ):
            if voice.name not in self.voices():
                raise ValueError(
                    f"{self.name} voice {voice.name!r} not installed; found {self.voices()}"
                )
            lines = [
                f"(voice_{voice.name})",
                f"(Parameter.set 'Duration_Stretch {1.0 / voice.speed:.4f})",
            ]
            if voice.pitch is not None:
                lines.append(
                    f"(set! int_lr_params (list (list 'target_f0_mean {voice.pitch:g}) "
                    "(list 'target_f0_std 10) (list 'model_f0_mean 170) (list 'model_f0_std 34)))"
                )
            quoted = spoken.replace("\\", " ").replace('"', " ")
            lines.append(f'(set! seqkeras_utt (utt.synth (Utterance Text "{quoted}")))')
            lines.append(f'(utt.save.wave seqkeras_utt "{path}" \'riff)')
            if word_ends:
                # The end of a word = the end of the last segment of its last syllable.
                lines.append(
                    f'(format t "{_WORD_ENDS_TAG} {index}")'
                    "(mapcar (lambda (w) (format t \" %f\" (item.feat w "
                    '"R:SylStructure.daughtern.daughtern.end"))) '
                    "(utt.relation.items seqkeras_utt 'Word))"
                    '(format t "\\n")'
                )
            script.append("\n".join(lines).encode(self._encoding(voice), errors="replace"))
        with tempfile.NamedTemporaryFile("wb", suffix=".scm", delete=False) as handle:
            handle.write(b"\n".join(script) + b"\n")
        try:
            return _run([self.program, "--batch", handle.name], self.name)
        finally:
            os.unlink(handle.name)


_WORD_ENDS_TAG = "SEQKERAS-WORD-ENDS"


@functools.lru_cache(maxsize=2)
def _festival_voices(english: bool = True) -> list[str]:
    """Installed festival voices: those in English folders, or (``english=False``) all."""
    found = set()
    for folder in glob.glob("/usr/share/festival/voices/*/*"):
        language = os.path.basename(os.path.dirname(folder))
        if os.path.isdir(folder) and (not english or language in FESTIVAL_ENGLISH_FOLDERS):
            found.add(os.path.basename(folder))
    return sorted(found)
