"""SVOX Pico (``ttspico``), run in a child process."""

from __future__ import annotations

import os

from seqkeras.audio.tts.base import BatchTTSEngine, Voice, _run


class PicoEngine(BatchTTSEngine):
    """SVOX Pico (python package ``ttspico``, which builds the C library and bundles its
    voices): the en-US and en-GB voices, two women. Speed is Pico's ``rate`` (percent),
    pitch its ``pitch`` property (percent of the voice's own, 50–200: low values give a
    deep voice). Pico crashes in a process that loaded TensorFlow first, so a batch runs
    in a child process (``_pico_child.py``), a few ms per word."""

    name = "pico"
    install = "pip install ttspico (builds a C library: needs a C compiler)"

    def is_available(self) -> bool:
        import importlib.util

        return importlib.util.find_spec("ttspico") is not None

    def voices(self) -> list[str]:
        return list(PICO_VOICES) if self.is_available() else []

    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        import json
        import sys

        requests = []
        for (text, voice), path in zip(items, paths, strict=True):
            if voice.name not in PICO_VOICES:
                raise ValueError(
                    f"pico voice {voice.name!r} not installed; found {list(PICO_VOICES)}"
                )
            rate = round(100 * voice.speed)
            pitch = 100 if voice.pitch is None else round(voice.pitch)
            if not 20 <= rate <= 500:
                raise ValueError(f"pico speed must be in 0.2..5, got {voice.speed}")
            if not 50 <= pitch <= 200:
                raise ValueError(f"pico pitch must be in 50..200 (percent), got {voice.pitch}")
            requests.append([text, voice.name, rate, pitch, PICO_VOLUME, path])
        child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_pico_child.py")
        _run([sys.executable, child], self.name, stdin=json.dumps(requests))


PICO_VOICES = ("en-GB", "en-US")
# Pico's default volume (100) clips its own output at low pitch; 30 % leaves headroom.
PICO_VOLUME = 30
