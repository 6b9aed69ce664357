"""Child process of ``PicoEngine``: SVOX Pico crashes when TensorFlow is loaded first.

Run as a script (not ``-m``, which would import the seqkeras package and TensorFlow):
reads ``[[text, language, rate, pitch, volume, path], ...]`` as JSON on stdin and writes
one 16 kHz 16-bit WAV per item.
"""

import json
import sys

import numpy as np
import soundfile
import ttspico

SAMPLE_RATE = 16000


def main() -> int:
    engines: dict[str, ttspico.TtsEngine] = {}
    for text, language, rate, pitch, volume, path in json.load(sys.stdin):
        if language not in engines:
            engines[language] = ttspico.TtsEngine(language)
        engine = engines[language]
        engine.rate, engine.pitch, engine.volume = rate, pitch, volume
        pcm = engine.speak(text) or b""
        soundfile.write(path, np.frombuffer(pcm, dtype=np.int16), SAMPLE_RATE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
