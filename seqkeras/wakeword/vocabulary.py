"""Texts spoken in wake-word data: the keyword, hard negatives, ordinary words and phrases."""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

DEFAULT_KEYWORD = "activate"

# Words that sound close to a keyword; "activated" is also available as a real recording.
_CURATED_HARD_NEGATIVES: dict[str, tuple[str, ...]] = {
    "activate": (
        "activity",
        "active",
        "captivate",
        "activated",
        "activation",
        "actuate",
        "cultivate",
        "motivate",
        "activist",
        "acted",
        "evaluate",
        "accurate",
        "a cavity",
        "act of hate",
    ),
}

ORDINARY_WORDS = (
    "hello", "weather", "music", "tomorrow", "kitchen", "window", "yellow", "seven", "dinner",
    "computer", "telephone", "morning", "garden", "coffee", "station", "pizza", "number",
    "happy", "water", "question", "animal", "system", "picture", "button", "evening",
    "paper", "minute", "letter", "money", "table", "orange", "river", "mountain", "basket",
    "doctor", "family", "problem", "company", "office", "program", "signal",
    "battery", "camera", "message", "calendar", "lights", "volume", "temperature", "alarm",
    "remember", "decide", "celebrate", "operate", "navigate", "elevator", "vacation",
    "category", "relative", "creative", "negative", "detective", "attitude", "activities",
    "action", "actor", "factory", "practical", "cat", "vacate", "locate", "rotate", "create",
)  # fmt: skip

BUILTIN_PHRASES = (
    "turn on the lights",
    "what time is it",
    "play some music please",
    "set an alarm for seven",
    "how is the weather today",
    "call my mother",
    "the meeting starts at noon",
    "I would like a cup of coffee",
    "please close the window",
    "where are my keys",
    "the cat is sleeping on the sofa",
    "we are going to the beach tomorrow",
    "can you hear me now",
    "the train leaves at six",
    "let us read a book together",
    "this is a creative activity",
    "she is very active in sports",
    "the system is now operational",
)

# Carrier sentences for a keyword spoken inside running speech ("{keyword}" is replaced):
# before, after and between other words, as people say a wake word followed by a command.
CARRIER_SENTENCES = (
    "{keyword} the lights",
    "please {keyword} the camera",
    "hey computer {keyword} the alarm now",
    "could you {keyword} it for me",
    "{keyword} and then play some music",
    "I want to {keyword} my account today",
    "you need to {keyword} the system first",
    "okay {keyword}",
    "we should {keyword} the backup tonight",
    "{keyword} now",
    "can you {keyword} the heating",
    "remember to {keyword} it",
)


def keyword_sentences(keyword: str) -> tuple[tuple[str, int], ...]:
    """``(sentence, index of the keyword's last word)`` for every carrier sentence.

    The index counts whitespace-separated words, the unit in which
    ``TTSEngine.synthesize_word_ends`` reports word end times.
    """
    words = keyword.split()
    if not words:
        raise ValueError("keyword must be non-empty")
    sentences = []
    for index, template in enumerate(CARRIER_SENTENCES):
        before, _, _ = template.partition("{keyword}")
        sentences.append(
            (carrier_sentence(index, " ".join(words)), len(before.split()) + len(words) - 1)
        )
    return tuple(sentences)


def carrier_sentence(index: int, words: str) -> str:
    """Carrier sentence ``index`` (cyclic) with ``words`` in the keyword's place."""
    return CARRIER_SENTENCES[index % len(CARRIER_SENTENCES)].format(keyword=words)


ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
ASTERISK_PROMPTS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_INSTALL = "apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav"
_MAX_PHRASE_WORDS = 12


def contains_keyword(text: str, keyword: str) -> bool:
    """True when ``keyword`` occurs in ``text`` as whole word(s), case-insensitively."""
    pattern = r"\b" + r"\s+".join(re.escape(part) for part in keyword.lower().split()) + r"\b"
    return re.search(pattern, text.lower()) is not None


def hard_negatives_for(keyword: str) -> tuple[str, ...]:
    """Words that sound like ``keyword`` but are not it.

    A curated list for the default keyword; for any other keyword: its inflections
    (+s, +ed, +ing), its first half, and ordinary words sharing its first or last three
    letters.
    """
    key = keyword.strip().lower()
    if key in _CURATED_HARD_NEGATIVES:
        return _CURATED_HARD_NEGATIVES[key]
    stem = key[:-1] if key.endswith("e") else key
    candidates = [key + "s", stem + "ed", stem + "ing", key[: max(2, len(key) // 2)]]
    candidates += [w for w in ORDINARY_WORDS if w[:3] == key[:3] or w[-3:] == key[-3:]]
    unique: list[str] = []
    for word in candidates:
        if word not in unique and not contains_keyword(word, key):
            unique.append(word)
    return tuple(unique)


@functools.lru_cache(maxsize=1)
def asterisk_transcripts() -> dict[str, str]:
    """``{prompt name: text}`` of the Asterisk English prompts (empty when not installed)."""
    if not ASTERISK_TRANSCRIPTS.exists():
        return {}
    result = {}
    with gzip.open(ASTERISK_TRANSCRIPTS, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            text = " ".join(text.replace("[", " ").replace("]", " ").split())
            if name.strip() and text:
                result[name.strip()] = text
    return result


def phrases_for(keyword: str, use_asterisk: bool = True) -> tuple[str, ...]:
    """Ordinary sentences without ``keyword``: built-in ones plus short Asterisk prompt texts."""
    phrases = list(BUILTIN_PHRASES)
    if use_asterisk:
        for text in asterisk_transcripts().values():
            if len(text.split()) <= _MAX_PHRASE_WORDS:
                phrases.append(text)
    return tuple(sorted({p for p in phrases if not contains_keyword(p, keyword)}))


def real_speech_negatives(keyword: str) -> list[tuple[Path, str]]:
    """Real recordings (Asterisk prompts, one female speaker, 8 kHz) that do not say ``keyword``.

    Near misses such as ``activated.wav`` are included (they are negatives). Raises
    ``FileNotFoundError`` naming the install command when the prompts are missing.
    """
    if not ASTERISK_PROMPTS.is_dir() or not asterisk_transcripts():
        raise FileNotFoundError(f"real speech prompts not installed: {ASTERISK_INSTALL}")
    found = []
    for name, text in sorted(asterisk_transcripts().items()):
        path = ASTERISK_PROMPTS / f"{name}.wav"
        if path.exists() and not contains_keyword(text, keyword):
            found.append((path, text))
    return found


def near_miss_recordings(keyword: str) -> list[Path]:
    """Real recordings of words close to ``keyword`` that must not wake a detector of it.

    Asterisk prompts (one speaker) whose transcript contains one of the keyword's single-
    word near misses (:func:`hard_negatives_for`) and not the keyword itself, e.g.
    ``activated.wav`` and ``de-activated.wav`` for "activate". Empty when the prompts are
    not installed or none says a near miss.
    """
    if not ASTERISK_PROMPTS.is_dir():
        return []
    near = [w for w in hard_negatives_for(keyword) if len(w.split()) == 1]
    found = []
    for name, text in sorted(asterisk_transcripts().items()):
        path = ASTERISK_PROMPTS / f"{name}.wav"
        if contains_keyword(text, keyword) or not path.exists():
            continue
        if any(contains_keyword(text, word) for word in near):
            found.append(path)
    return found
