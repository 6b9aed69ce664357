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
    "hey there {keyword} the alarm now",
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


def carrier_templates(keyword: str) -> tuple[str, ...]:
    """The carrier sentences whose own words do not contain ``keyword`` (a carrier that
    says the keyword elsewhere, like "{keyword} the lights" for "lights", would put a
    second, unlabelled keyword in the clip)."""
    words = keyword.split()
    if not words:
        raise ValueError("keyword must be non-empty")
    return tuple(
        t for t in CARRIER_SENTENCES if not contains_keyword(t.replace("{keyword}", " "), keyword)
    )


def keyword_sentences(keyword: str) -> tuple[tuple[str, int], ...]:
    """``(sentence, index of the keyword's last word)`` for every usable carrier sentence
    (:func:`carrier_templates`).

    The index counts whitespace-separated words, the unit in which
    ``TTSEngine.synthesize_word_ends`` reports word end times.
    """
    words = keyword.split()
    sentences = []
    for template in carrier_templates(keyword):
        before, _, _ = template.partition("{keyword}")
        sentences.append((template.format(keyword=" ".join(words)), len(before.split()) + len(words) - 1))
    return tuple(sentences)


def carrier_sentence(index: int, words: str, keyword: str | None = None) -> str:
    """Carrier sentence ``index`` (cyclic over :func:`carrier_templates` of ``keyword``,
    all carriers when ``None``) with ``words`` in the keyword's place."""
    templates = carrier_templates(keyword) if keyword else CARRIER_SENTENCES
    return templates[index % len(templates)].format(keyword=words)


ASTERISK_TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")
ASTERISK_PROMPTS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
ASTERISK_INSTALL = "apt-get install asterisk-core-sounds-en asterisk-core-sounds-en-wav"
_MAX_PHRASE_WORDS = 12


def contains_keyword(text: str, keyword: str) -> bool:
    """True when ``keyword`` occurs in ``text`` as whole word(s), case-insensitively."""
    pattern = r"\b" + r"\s+".join(re.escape(part) for part in keyword.lower().split()) + r"\b"
    return re.search(pattern, text.lower()) is not None


@functools.lru_cache(maxsize=64)
def hard_negatives_for(keyword: str) -> tuple[str, ...]:
    """Words and phrases that sound like ``keyword`` but are not it.

    The curated list of the default keyword (if any), then the phonetic near misses of
    ``seqkeras.wakeword.phonetics.near_misses``: words and word pairs whose CMU-dictionary
    (or espeak-ng) phones are a small edit distance from the keyword's, and the partial
    phrases of a multi-word keyword. Never the keyword itself, nor a word that contains
    its sound ("computers").
    """
    from seqkeras.wakeword.phonetics import near_misses

    key = " ".join(keyword.strip().lower().split())
    if not key:
        raise ValueError("keyword must be non-empty")
    unique: list[str] = []
    for word in _CURATED_HARD_NEGATIVES.get(key, ()) + near_misses(key):
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
