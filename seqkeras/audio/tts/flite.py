"""flite (CMU Flite): five voices, word end times from its phone durations."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.tts.base import PARALLEL_PROCESSES, TTSEngine, Voice, _read_output, _run

FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")

FLITE_PAUSE = "pau"


def _phone_ends(printed: str) -> list[float]:
    """End times of the phones in flite's ``-psdur`` output (``phone:end`` tokens), pauses
    left out."""
    ends = []
    for token in printed.split():
        phone, _, end = token.rpartition(":")
        if phone and phone != FLITE_PAUSE:
            ends.append(float(end))
    return ends


class FliteEngine(TTSEngine):
    """flite (CMU Flite; fast). Speed via ``duration_stretch``, pitch via ``int_f0_target_mean``."""

    name = "flite"
    install = "apt-get install flite"
    program = "flite"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None

    def voices(self) -> list[str]:
        return list(FLITE_VOICES)

    word_timings = True

    def _command(self, voice: Voice) -> list[str]:
        command = [
            self.program,
            "-voice",
            voice.name,
            "--setf",
            f"duration_stretch={1.0 / voice.speed:.4f}",
        ]
        if voice.pitch is not None:
            command += ["--setf", f"int_f0_target_mean={voice.pitch:g}"]
        return command

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        _run([*self._command(voice), "-t", text, "-o", path], self.name)

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """flite prints every phone's end time (``-psdur``); a word ends with its last
        phone, found by counting each word's phones (flite run on the word alone)."""
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:

            def one(index: int) -> tuple[np.ndarray, list[float] | None]:
                text, voice = items[index]
                path = os.path.join(folder, f"{index}.wav")
                printed = _run([*self._command(voice), "-psdur", "-t", text, "-o", path], self.name)
                ends = _phone_ends(printed)
                counts = [self._phone_count(voice.name, word) for word in text.split()]
                words = (
                    [ends[total - 1] for total in np.cumsum(counts)]
                    if sum(counts) == len(ends) and min(counts) > 0
                    else None
                )
                return _read_output(path, sample_rate, self.name, text), words

            with ThreadPoolExecutor(max_workers=PARALLEL_PROCESSES) as pool:
                return list(pool.map(one, range(len(items))))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one engine object per process
    def _phone_count(self, voice_name: str, word: str) -> int:
        printed = _run([self.program, "-voice", voice_name, "-ps", "-t", word, "-o", "none"], self.name)
        return sum(1 for phone in printed.split() if phone != FLITE_PAUSE)
