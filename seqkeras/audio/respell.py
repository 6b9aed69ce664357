"""English text respelled for voices of other languages: accented English speakers.

Training a wake word on TTS fails on voices it never heard; the English TTS voices
installed here are few (espeak-ng variants, three festival voices). Festival also has
Czech and Finnish voices: adult men and women and a child. Both languages spell (almost)
one letter per sound and stress the first syllable, so English can be *respelled* for
them: espeak-ng turns the English text into IPA phonemes (``english_phonemes``), and a
table per language writes each phoneme with the letters a speaker of that language
would read as the nearest own sound (``respell``). "activate" ``ˈæktᵻvˌeɪt`` becomes
Czech "ektyvejt" and Finnish "äktiveit" — English with a Czech or Finnish accent, which
is what many real users of an English wake word sound like.

Sounds a language lacks take its nearest one (Czech and Finnish have no /θ/, /ð/, /w/:
"t", "d", "v"), as accented speakers do. Stress marks are dropped: both languages put
stress on the first syllable, which is where English puts it in "activate".

Example::

    phonemes = english_phonemes(["activate"])[0]      # 'ˈæktᵻvˌeɪt'
    respell(phonemes, "cs")                           # 'ektyvejt'
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

ESPEAK_PROGRAM = "espeak-ng"
ESPEAK_INSTALL = "apt-get install espeak-ng"
_TIMEOUT_S = 60

# Marks that carry no sound of their own here: stress, syllabic/length diacritics that are
# folded into the base symbol by the tables, tie bars, linking marks.
_IGNORED = set("ˈˌ̩̯͡‿-")

_COMMON_CONSONANTS = {
    "p": "p", "b": "b", "t": "t", "d": "d", "k": "k", "ɡ": "g", "g": "g", "f": "f",
    "v": "v", "s": "s", "h": "h", "m": "m", "n": "n", "l": "l", "ɫ": "l", "j": "j",
    "θ": "t", "ð": "d", "w": "v", "ɹ": "r", "r": "r", "ɾ": "t", "ʔ": "", "x": "h",
}  # fmt: skip

# IPA (as espeak-ng writes en-us) -> Czech letters (ISO-8859-2 has them all).
CZECH: dict[str, str] = {
    **_COMMON_CONSONANTS,
    "z": "z", "ʃ": "š", "ʒ": "ž", "tʃ": "č", "dʒ": "dž", "ŋ": "ng", "x": "ch",
    "æ": "e", "ɑː": "á", "ɑ": "a", "ʌ": "a", "ə": "e", "ɐ": "a", "ɚ": "er", "ɜː": "ér",
    "ɜ": "er", "ɪ": "y", "ᵻ": "y", "i": "i", "iː": "í", "ʊ": "u", "uː": "ú", "u": "u",
    "ɛ": "e", "e": "e", "ɔː": "ó", "ɔ": "o", "o": "o", "oː": "ó", "a": "a", "aː": "á",
    "oʊ": "ou", "əʊ": "ou", "eɪ": "ej", "aɪ": "aj", "ɔɪ": "oj", "aʊ": "au", "ɪə": "yje",
    "ɛə": "é", "eə": "é", "ʊə": "ua", "iə": "ije",
}  # fmt: skip

# IPA -> Finnish letters (Latin-1: no š/ž, so /ʃ/ is "s" as in older Finnish loans).
FINNISH: dict[str, str] = {
    **_COMMON_CONSONANTS,
    "z": "s", "ʃ": "s", "ʒ": "s", "tʃ": "ts", "dʒ": "ts", "ŋ": "ng",
    "æ": "ä", "ɑː": "aa", "ɑ": "a", "ʌ": "a", "ə": "e", "ɐ": "a", "ɚ": "er", "ɜː": "öö",
    "ɜ": "ö", "ɪ": "i", "ᵻ": "i", "i": "i", "iː": "ii", "ʊ": "u", "uː": "uu", "u": "u",
    "ɛ": "e", "e": "e", "ɔː": "oo", "ɔ": "o", "o": "o", "oː": "oo", "a": "a", "aː": "aa",
    "oʊ": "ou", "əʊ": "ou", "eɪ": "ei", "aɪ": "ai", "ɔɪ": "oi", "aʊ": "au", "ɪə": "ie",
    "ɛə": "eä", "eə": "eä", "ʊə": "ue", "iə": "ie",
}  # fmt: skip

TABLES: dict[str, dict[str, str]] = {"cs": CZECH, "fi": FINNISH}
# The byte encoding festival's voices of each language read.
ENCODINGS: dict[str, str] = {"cs": "iso-8859-2", "fi": "latin-1"}
_LONGEST = max(len(symbol) for table in TABLES.values() for symbol in table)


def _czech_fixups(word: str) -> str:
    # Czech "di ti ni" are palatal (/ɟi ci ɲi/); "dy ty ny" keep the plain consonant.
    for consonant in "dtn":
        word = word.replace(consonant + "i", consonant + "y").replace(consonant + "í", consonant + "ý")
    return word


def respell(phonemes: str, language: str) -> str:
    """IPA ``phonemes`` (espeak-ng en-us style, words separated by spaces) in the spelling
    of ``language`` (``"cs"`` or ``"fi"``).

    Symbols are matched longest first (``eɪ`` before ``e``), length marks included
    (``iː``). A symbol the table does not know raises ``ValueError`` naming it, so a new
    espeak-ng version cannot silently drop sounds.
    """
    if language not in TABLES:
        raise ValueError(f"language must be one of {sorted(TABLES)}, got {language!r}")
    table = TABLES[language]
    words = []
    for raw in phonemes.split():
        letters, index = [], 0
        symbols = "".join(ch for ch in raw if ch not in _IGNORED)
        while index < len(symbols):
            for width in range(min(_LONGEST, len(symbols) - index), 0, -1):
                piece = symbols[index : index + width]
                if piece in table:
                    letters.append(table[piece])
                    index += width
                    break
            else:
                raise ValueError(
                    f"no {language} spelling for IPA symbol {symbols[index]!r} "
                    f"(U+{ord(symbols[index]):04X}) in {phonemes!r}"
                )
        word = "".join(letters)
        if word:
            words.append(_czech_fixups(word) if language == "cs" else word)
    return " ".join(words)


def english_phonemes(texts: Sequence[str], accent: str = "en-us") -> list[str]:
    """IPA phonemes of each English text by ``espeak-ng --ipa`` (one line per text).

    Raises:
        FileNotFoundError: espeak-ng is not installed (the message names the package).
        RuntimeError: espeak-ng failed on a text (the message names it).
    """
    if shutil.which(ESPEAK_PROGRAM) is None:
        raise FileNotFoundError(f"{ESPEAK_PROGRAM} is needed to respell English: {ESPEAK_INSTALL}")

    def one(text: str) -> str:
        try:
            done = subprocess.run(
                [ESPEAK_PROGRAM, "-q", "--ipa", "-v", accent, "--", text],
                capture_output=True,
                text=True,
                check=True,
                timeout=_TIMEOUT_S,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise RuntimeError(f"{ESPEAK_PROGRAM} could not phonemize {text!r}: {error}") from error
        return " ".join(done.stdout.split())

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, texts))
