"""Festival's Czech and Finnish voices reading English respelled for them (accented English)."""

from __future__ import annotations

import shutil

from seqkeras.audio.tts.base import Voice
from seqkeras.audio.tts.festival import FestivalEngine, _festival_voices

# Non-English festival voices that speak respelled English (seqkeras.audio.respell):
# voice -> language. Czech: adult man (machac, ph), adult woman (dita), boy (krb); Finnish:
# man (mv), woman (lj).
ACCENTED_FESTIVAL_VOICES: dict[str, str] = {
    "czech_dita": "cs",
    "czech_krb": "cs",
    "czech_machac": "cs",
    "czech_ph": "cs",
    "hy_fi_mv_diphone": "fi",
    "suo_fi_lj_diphone": "fi",
}


class AccentedFestivalEngine(FestivalEngine):
    """Festival's Czech and Finnish voices reading English respelled for them: English
    with a Czech or Finnish accent, six more speakers (see ``seqkeras.audio.respell``).
    Needs espeak-ng too (it finds the English phonemes)."""

    name = "festival-l2"
    install = (
        "apt-get install festival espeak-ng festvox-czech-dita festvox-czech-krb "
        "festvox-czech-machac festvox-czech-ph festvox-suopuhe-lj festvox-suopuhe-mv"
    )

    def is_available(self) -> bool:
        return super().is_available() and shutil.which("espeak-ng") is not None

    def voices(self) -> list[str]:
        installed = _festival_voices(english=False)
        return [name for name in sorted(ACCENTED_FESTIVAL_VOICES) if name in installed]

    def _spoken_texts(self, items: list[tuple[str, Voice]]) -> list[str]:
        from seqkeras.audio.respell import english_phonemes, respell

        texts = sorted({text for text, _ in items})
        phonemes = dict(zip(texts, english_phonemes(texts), strict=True))
        return [respell(phonemes[text], ACCENTED_FESTIVAL_VOICES[v.name]) for text, v in items]

    def _encoding(self, voice: Voice) -> str:
        from seqkeras.audio.respell import ENCODINGS

        return ENCODINGS[ACCENTED_FESTIVAL_VOICES[voice.name]]
