"""Compatibility module: the TTS engines moved to :mod:`seqkeras.audio.tts` (one engine per
module, the registry in its ``__init__``) and the signal helpers to
:mod:`seqkeras.audio.dsp`. Every name that was importable from here still is, and is the
very same object (``synth._ENGINES`` is the registry itself).

Example::

    from seqkeras.audio.synth import Voice, synthesize, mix_at_snr, coloured_noise
    speech = synthesize("activate", Voice("espeak", "en-us+m3", speed=1.2, pitch=40))
    noisy = mix_at_snr(speech, coloured_noise("pink", speech.size, seed=0), snr_db=10.0)
"""

from seqkeras.audio.dsp import NOISE_COLOURS as NOISE_COLOURS
from seqkeras.audio.dsp import SILENCE_PAD_MS as SILENCE_PAD_MS
from seqkeras.audio.dsp import SILENCE_THRESHOLD_DB as SILENCE_THRESHOLD_DB
from seqkeras.audio.dsp import coloured_noise as coloured_noise
from seqkeras.audio.dsp import db_to_gain as db_to_gain
from seqkeras.audio.dsp import mix_at_snr as mix_at_snr
from seqkeras.audio.dsp import rms as rms
from seqkeras.audio.dsp import scale_to_snr as scale_to_snr
from seqkeras.audio.dsp import silence_bounds as silence_bounds
from seqkeras.audio.dsp import trim_silence as trim_silence
from seqkeras.audio.tts import _ENGINES as _ENGINES
from seqkeras.audio.tts import available_engines as available_engines
from seqkeras.audio.tts import get_engine as get_engine
from seqkeras.audio.tts import list_engines as list_engines
from seqkeras.audio.tts import register_engine as register_engine
from seqkeras.audio.tts import synthesize as synthesize
from seqkeras.audio.tts import synthesize_many as synthesize_many
from seqkeras.audio.tts.base import PARALLEL_PROCESSES as PARALLEL_PROCESSES
from seqkeras.audio.tts.base import TTS_TIMEOUT_S as TTS_TIMEOUT_S
from seqkeras.audio.tts.base import BatchTTSEngine as BatchTTSEngine
from seqkeras.audio.tts.base import EngineNotAvailableError as EngineNotAvailableError
from seqkeras.audio.tts.base import TTSEngine as TTSEngine
from seqkeras.audio.tts.base import Voice as Voice
from seqkeras.audio.tts.base import _check_text as _check_text
from seqkeras.audio.tts.base import _check_voice as _check_voice
from seqkeras.audio.tts.base import _read_output as _read_output
from seqkeras.audio.tts.base import _run as _run
from seqkeras.audio.tts.espeak import ESPEAK_ACCENTS as ESPEAK_ACCENTS
from seqkeras.audio.tts.espeak import ESPEAK_DEFAULT_WPM as ESPEAK_DEFAULT_WPM
from seqkeras.audio.tts.espeak import ESPEAK_VARIANTS as ESPEAK_VARIANTS
from seqkeras.audio.tts.espeak import EspeakEngine as EspeakEngine
from seqkeras.audio.tts.festival import _WORD_ENDS_TAG as _WORD_ENDS_TAG
from seqkeras.audio.tts.festival import FESTIVAL_ENGLISH_FOLDERS as FESTIVAL_ENGLISH_FOLDERS
from seqkeras.audio.tts.festival import FestivalEngine as FestivalEngine
from seqkeras.audio.tts.festival import _festival_voices as _festival_voices
from seqkeras.audio.tts.festival_l2 import ACCENTED_FESTIVAL_VOICES as ACCENTED_FESTIVAL_VOICES
from seqkeras.audio.tts.festival_l2 import AccentedFestivalEngine as AccentedFestivalEngine
from seqkeras.audio.tts.flite import FLITE_PAUSE as FLITE_PAUSE
from seqkeras.audio.tts.flite import FLITE_VOICES as FLITE_VOICES
from seqkeras.audio.tts.flite import FliteEngine as FliteEngine
from seqkeras.audio.tts.flite import _phone_ends as _phone_ends
from seqkeras.audio.tts.pico import PICO_VOICES as PICO_VOICES
from seqkeras.audio.tts.pico import PICO_VOLUME as PICO_VOLUME
from seqkeras.audio.tts.pico import PicoEngine as PicoEngine
from seqkeras.audio.tts.piper import PiperEngine as PiperEngine
from seqkeras.audio.tts.piper import _piper_model as _piper_model
from seqkeras.audio.tts.voices import sample_voices as sample_voices
from seqkeras.audio.tts.voices import voices_grid as voices_grid

__all__ = [
    "NOISE_COLOURS",
    "EngineNotAvailableError",
    "EspeakEngine",
    "FestivalEngine",
    "FliteEngine",
    "PiperEngine",
    "TTSEngine",
    "Voice",
    "available_engines",
    "coloured_noise",
    "db_to_gain",
    "get_engine",
    "list_engines",
    "mix_at_snr",
    "register_engine",
    "rms",
    "sample_voices",
    "scale_to_snr",
    "synthesize",
    "synthesize_many",
    "trim_silence",
    "voices_grid",
]
