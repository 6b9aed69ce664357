"""espeak-ng: formant synthesis, 8 English accents x ~50 variants, ~100 utterances/s."""

from __future__ import annotations

import shutil

from seqkeras.audio.tts.base import TTSEngine, Voice, _run

# espeak-ng's default speaking rate (words per minute) that Voice.speed multiplies.
ESPEAK_DEFAULT_WPM = 175


class EspeakEngine(TTSEngine):
    """espeak-ng (formant synthesis; fast). Voice names are ``accent`` or ``accent+variant``."""

    name = "espeak"
    install = "apt-get install espeak-ng"
    program = "espeak-ng"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None

    def voices(self) -> list[str]:
        return [f"{accent}+{variant}" for accent in ESPEAK_ACCENTS for variant in ESPEAK_VARIANTS]

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        command = [
            self.program,
            "-v",
            voice.name,
            "-s",
            str(round(ESPEAK_DEFAULT_WPM * voice.speed)),
        ]
        if voice.pitch is not None:
            if not 0 <= voice.pitch <= 99:
                raise ValueError(f"espeak pitch must be in 0..99, got {voice.pitch}")
            command += ["-p", str(round(voice.pitch))]
        _run([*command, "-w", path, "--", text], self.name)


ESPEAK_ACCENTS = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "croak", "whisper", "Andy", "Annie", "Denis", "Gene",
    "Jacky", "Lee", "Mario", "Michael", "Mike", "Storm", "Tweaky", "adam", "anika",
    "aunty", "belinda", "benjamin", "boris", "caleb", "david", "edward", "grandma",
    "grandpa", "iven", "john", "linda", "max", "norbert", "paul", "pedro", "quincy",
    "robert", "shelby", "steph", "travis", "victor", "zac",
)  # fmt: skip
