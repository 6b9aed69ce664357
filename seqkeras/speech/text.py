"""Transcript text: the character vocabulary and normalization to it.

Every transcript a recognizer sees (training text, test references, language-model text)
goes through :func:`normalize_transcript`: lower case, digits spelled out with
``num2words`` ("28.8" -> "twenty eight point eight"), hyphens and other punctuation turned
into spaces or dropped, whitespace collapsed. What is left uses only
:data:`CHARACTERS` (letters, apostrophe, space).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BLANK = 0
LETTERS = "abcdefghijklmnopqrstuvwxyz"
CHARACTERS = " " + LETTERS + "'"

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Characters that separate words when they stand between letters (wake-up -> wake up).
_SEPARATORS = re.compile(r"[-_/\\&+*^~|]")
_QUOTES = {"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"}


@dataclass(frozen=True)
class CharVocabulary:
    """Characters as CTC classes: class 0 is the blank, character ``i`` is class ``i + 1``.

    Args:
        characters: the characters, in class order (no duplicates).

    Example:
        >>> vocab = CharVocabulary()
        >>> vocab.encode("hi")
        [9, 10]
        >>> vocab.decode([9, 10])
        'hi'
    """

    characters: str = CHARACTERS

    def __post_init__(self) -> None:
        if not self.characters:
            raise ValueError("CharVocabulary: characters must not be empty")
        if len(set(self.characters)) != len(self.characters):
            duplicates = sorted({c for c in self.characters if self.characters.count(c) > 1})
            raise ValueError(f"CharVocabulary: duplicate characters {duplicates!r}")

    @property
    def size(self) -> int:
        """Number of characters (the blank not included)."""
        return len(self.characters)

    @property
    def num_classes(self) -> int:
        """Characters plus the blank."""
        return len(self.characters) + 1

    def encode(self, text: str) -> list[int]:
        """Class ids of ``text``; a character outside the vocabulary raises ``ValueError``."""
        index = self._index()
        try:
            return [index[c] for c in text]
        except KeyError:
            bad = sorted({c for c in text if c not in index})
            raise ValueError(
                f"transcript {text!r} has characters outside the vocabulary: {bad!r} "
                f"(allowed: {self.characters!r}; normalize it with normalize_transcript)"
            ) from None

    def decode(self, ids: Iterable[int]) -> str:
        """Text of class ids; the blank (0) and padding (negative ids) are skipped."""
        out = []
        for i in ids:
            i = int(i)
            if i == BLANK or i < 0:
                continue
            if i > self.size:
                raise ValueError(f"class id {i} is outside the vocabulary (1..{self.size})")
            out.append(self.characters[i - 1])
        return "".join(out)

    def _index(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {c: i + 1 for i, c in enumerate(self.characters)}
            object.__setattr__(self, "_index_cache", cached)
        return cached


def spell_numbers(text: str) -> str:
    """Digits as words: "call 911" -> "call nine hundred and eleven" (``num2words``)."""
    if not any(c.isdigit() for c in text):
        return text
    try:
        from num2words import num2words
    except ImportError:
        raise ImportError("spelling out digits needs num2words: pip install num2words") from None

    def spell(match: re.Match[str]) -> str:
        token = match.group(0)
        if "," in token and re.fullmatch(r"\d{1,3}(,\d{3})+", token):
            token = token.replace(",", "")  # 1,234 is a thousands separator
        elif "," in token:
            return " , ".join(spell_numbers(part) for part in token.split(","))
        if token.count(".") > 1:
            return " point ".join(num2words(int(p)) for p in token.split("."))
        value: float | int = float(token) if "." in token else int(token)
        return f" {num2words(value)} "

    return _NUMBER.sub(spell, text)


def normalize_transcript(
    text: str, characters: str = CHARACTERS, split_camel_case: bool = True
) -> str:
    """Text in the recognizer's alphabet: lower case, digits as words, no punctuation.

    Args:
        text: any English text.
        characters: the allowed characters (must contain the space).
        split_camel_case: "ThinkEngine" -> "think engine" (names written as one word).

    Returns:
        The normalized text; characters that are neither allowed nor separators (accents
        are folded first: "café" -> "cafe") are dropped.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for quote, plain in _QUOTES.items():
        text = text.replace(quote, plain)
    if split_camel_case:
        text = _CAMEL.sub(" ", text)
    text = spell_numbers(text)
    text = _SEPARATORS.sub(" ", text.lower())
    allowed = set(characters)
    text = "".join(c if c in allowed else (" " if c.isspace() else "") for c in text)
    # An apostrophe that is not inside a word was a quotation mark.
    words = [w.strip("'") for w in text.split()]
    return " ".join(w for w in words if w)


def character_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus CER (jiwer): character edits / reference characters."""
    import jiwer

    _check_pairs(references, hypotheses)
    return float(jiwer.cer(list(references), list(hypotheses)))


def word_error_rate(references: Sequence[str], hypotheses: Sequence[str]) -> float:
    """Corpus WER (jiwer): word edits / reference words."""
    import jiwer

    _check_pairs(references, hypotheses)
    return float(jiwer.wer(list(references), list(hypotheses)))


def _check_pairs(references: Sequence[str], hypotheses: Sequence[str]) -> None:
    if len(references) != len(hypotheses):
        raise ValueError(f"{len(references)} references but {len(hypotheses)} hypotheses")
    if not references:
        raise ValueError("no references to score")
    empty = [i for i, r in enumerate(references) if not r.strip()]
    if empty:
        raise ValueError(f"reference {empty[0]} is empty (CER/WER divide by reference length)")


# WUW Corpus II transcription markers (shared/data/real-speech/README.md).
_WUW_UNCLEAR = re.compile(r"\(\([^)]*\)\)")
_WUW_EVENT = re.compile(r"\[+[^\[\]]*\]+|\{[^{}]*\}|</?[a-z]+>")
_WUW_STRAY = re.compile(r"[\[\]{}()]")
_WUW_WORD_MARKS = "+*^_~"
_WUW_CUT_PAREN = re.compile(r"\(-\)")  # "ju(-)": a word cut off


@dataclass(frozen=True)
class CleanTranscript:
    """A hand transcription with its markers removed.

    Attributes:
        text: normalized text (see :func:`normalize_transcript`), markers and cut-off
            words removed.
        unclear: the transcriber marked words as unclear (``((…))``): the reference
            does not say what was spoken there.
        cut_off: words cut off by the speaker or the recording (``s-``, ``-perator``),
            removed from ``text``.
        markers: the event and noise markers removed (``{breath}``, ``[click]``, ...).
    """

    text: str
    unclear: bool
    cut_off: tuple[str, ...]
    markers: tuple[str, ...]


def clean_wuw_transcription(text: str) -> CleanTranscript:
    """Strips WUW Corpus II markers: ``{breath}``, ``[click]``, ``[static/]``, ``((…))``,
    ``<as>``; word marks ``+gonna``, ``*till``, ``^John``, ``_Voyager_``; cut-off words
    (``s-``, ``-perator``). Then normalizes (``ThinkEngine`` -> "think engine").

    Example:
        >>> clean_wuw_transcription("{breath} I'm +gonna say [click] _Voyager_ s-").text
        "i'm gonna say voyager"
    """
    unclear = bool(_WUW_UNCLEAR.search(text)) or "((" in text
    body = _WUW_CUT_PAREN.sub("-", _WUW_UNCLEAR.sub(" ", text))
    markers = tuple(m.group(0) for m in _WUW_EVENT.finditer(body))
    body = _WUW_EVENT.sub(" ", body)
    body = _WUW_STRAY.sub(" ", body)
    words: list[str] = []
    cut_off: list[str] = []
    for word in body.split():
        bare = word.strip(_WUW_WORD_MARKS + '.,?!;:"')
        if not bare:
            continue
        if bare.startswith("-") or bare.endswith("-"):
            cut_off.append(bare)
            continue
        words.append(bare)
    return CleanTranscript(normalize_transcript(" ".join(words)), unclear, tuple(cut_off), markers)
