"""Pronunciations and phonetic near misses of any keyword (hard negatives by sound).

Phones are ARPAbet without stress (``K AH M P Y UW T ER``): the CMU pronouncing
dictionary that ships inside the ``pocketsphinx`` wheel (``cmudict-en-us.dict``, 135 k
words), and espeak-ng's phonemes (IPA, mapped to ARPAbet) for words it lacks.

:func:`near_misses` finds, for a keyword of one or more words:

- words whose phones are within a small edit distance of the keyword's ("commuter",
  "compute" for "computer"),
- word pairs whose joined phones are ("come pewter"),
- partial keywords: each word of a multi-word keyword alone and every shorter run of
  its words ("smart" for "smart mirror"),

never the keyword itself, nor anything whose phones contain the keyword's whole phone
string ("computers", "supercomputer": a causal detector cannot tell those from the
keyword until it is too late, so calling them negatives would contradict the labels).

Example::

    near_misses("computer")[:3]     # e.g. ('commuter', 'compute', 'computed')
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Sequence

DICT_NAME = "cmudict-en-us.dict"
INSTALL = "pip install pocketsphinx==5.1.1"
# Edit distance allowed: this share of the keyword's phones (at least one phone).
DISTANCE_SHARE = 0.3
MAX_WORDS = 30
MAX_PAIRS = 10
# Shortest phone string a pair's half may have (shorter ones are function words: "a").
MIN_HALF_PHONES = 2
_WORD = re.compile(r"^[a-z]+$")

# espeak-ng IPA -> ARPAbet (longest symbols first).
_IPA = sorted(
    {
        "aɪ": "AY", "aʊ": "AW", "ɔɪ": "OY", "eɪ": "EY", "oʊ": "OW", "əʊ": "OW", "dʒ": "JH",
        "tʃ": "CH", "ɜː": "ER", "ɜ": "ER", "ɚ": "ER", "ɝ": "ER", "ɑː": "AA", "iː": "IY",
        "uː": "UW", "ɔː": "AO", "ə": "AH", "ʌ": "AH", "ɐ": "AH", "æ": "AE", "ɛ": "EH",
        "e": "EH", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "ʊ": "UH", "u": "UW", "ɑ": "AA", "a": "AA",
        "ɒ": "AA", "ɔ": "AO", "o": "OW", "p": "P", "b": "B", "t": "T", "d": "D", "k": "K",
        "g": "G", "ɡ": "G", "f": "F", "v": "V", "θ": "TH", "ð": "DH", "s": "S", "z": "Z",
        "ʃ": "SH", "ʒ": "ZH", "h": "HH", "x": "HH", "m": "M", "n": "N", "ŋ": "NG", "l": "L",
        "ɫ": "L", "ɹ": "R", "r": "R", "j": "Y", "w": "W", "ɾ": "T",
    }.items(),
    key=lambda item: -len(item[0]),
)  # fmt: skip
_IGNORED_IPA = set("ˈˌː.ʔ- ̩‿")


def dictionary_path() -> str:
    """Path of PocketSphinx's CMU dictionary (``ImportError`` naming the install command)."""
    try:
        import pocketsphinx
    except ImportError as error:
        raise ImportError(f"phonetic near misses need the CMU dictionary: {INSTALL}") from error
    path = os.path.join(pocketsphinx.get_model_path(), "en-us", DICT_NAME)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} is missing: reinstall pocketsphinx ({INSTALL})")
    return path


@functools.lru_cache(maxsize=1)
def cmu_dictionary() -> dict[str, tuple[str, ...]]:
    """``{word: phones}`` (the first pronunciation of each word, stress-free ARPAbet)."""
    entries: dict[str, tuple[str, ...]] = {}
    with open(dictionary_path(), encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 2:
                continue
            word = parts[0].lower()
            if "(" in word or word in entries:
                continue
            entries[word] = tuple(p.rstrip("012") for p in parts[1:])
    return entries


def ipa_to_arpabet(ipa: str) -> tuple[str, ...]:
    """ARPAbet phones of an espeak-ng IPA string (stress and length marks dropped)."""
    phones = []
    position = 0
    while position < len(ipa):
        if ipa[position] in _IGNORED_IPA:
            position += 1
            continue
        for symbol, phone in _IPA:
            if ipa.startswith(symbol, position):
                phones.append(phone)
                position += len(symbol)
                break
        else:
            position += 1  # a symbol with no English phone (e.g. a diacritic)
    return tuple(phones)


@functools.lru_cache(maxsize=256)
def espeak_phones(word: str) -> tuple[str, ...]:
    """ARPAbet phones of ``word`` from espeak-ng (``FileNotFoundError`` when not installed)."""
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary is None:
        raise FileNotFoundError("espeak-ng is not installed: apt-get install espeak-ng")
    result = subprocess.run(
        [binary, "-q", "--ipa", "-v", "en-us", word], capture_output=True, text=True, timeout=60
    )
    return ipa_to_arpabet(result.stdout.strip())


def pronounce(text: str) -> tuple[str, ...]:
    """Phones of ``text`` (words from the CMU dictionary, else espeak-ng)."""
    words = re.findall(r"[a-z']+", text.lower())
    if not words:
        raise ValueError(f"{text!r} has no words to pronounce")
    dictionary = cmu_dictionary()
    phones: list[str] = []
    for word in words:
        phones += dictionary.get(word) or espeak_phones(word)
    return tuple(phones)


def edit_distance(a: Sequence[str], b: Sequence[str], limit: int | None = None) -> int:
    """Levenshtein distance between phone sequences (stops early above ``limit``)."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, phone in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (phone != other))
            )
        if limit is not None and min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _contains(phones: Sequence[str], part: Sequence[str]) -> bool:
    size = len(part)
    return any(tuple(phones[i : i + size]) == tuple(part) for i in range(len(phones) - size + 1))


def _order(word: str) -> str:
    # A stable pseudo-random tie-break, so lists are not alphabetical runs ("com...").
    return hashlib.sha256(word.encode()).hexdigest()


def partial_phrases(keyword: str) -> list[str]:
    """Every shorter run of a multi-word keyword's words ("smart", "mirror")."""
    words = keyword.lower().split()
    runs = {
        " ".join(words[i:j])
        for i in range(len(words))
        for j in range(i + 1, len(words) + 1)
        if j - i < len(words)
    }
    return sorted(runs, key=lambda run: (-len(run.split()), words.index(run.split()[0])))


# Fewer single words than this at the first distance: the distance grows (up to half the
# keyword's phones), so that an unusual keyword still gets near misses.
MIN_WORDS = 10


@functools.lru_cache(maxsize=64)
def near_misses(
    keyword: str, max_words: int = MAX_WORDS, max_pairs: int = MAX_PAIRS
) -> tuple[str, ...]:
    """Words, word pairs and partial phrases that sound close to ``keyword`` but are not it
    (see the module docstring); partial phrases first, then by edit distance."""
    target = pronounce(keyword)
    dictionary = cmu_dictionary()
    keyword_words = set(keyword.lower().split())
    candidates = [
        (word, phones)
        for word, phones in dictionary.items()
        if _WORD.match(word) and word not in keyword_words and not _contains(phones, target)
    ]
    limit = max(1, round(DISTANCE_SHARE * len(target)))
    while True:
        scored = []
        for word, phones in candidates:
            distance = edit_distance(phones, target, limit)
            if 0 < distance <= limit:
                scored.append((distance, _order(word), word))
        if len(scored) >= MIN_WORDS or limit >= max(1, len(target) // 2):
            break
        limit += 1
    singles = [word for _, _, word in sorted(scored)[:max_words]]
    pairs = _near_pairs(target, limit, candidates, max_pairs)
    partial = [p for p in partial_phrases(keyword) if not _contains(pronounce(p), target)]
    out: list[str] = []
    for text in partial + singles + pairs:
        if text not in out:
            out.append(text)
    return tuple(out)


def _near_pairs(
    target: tuple[str, ...],
    limit: int,
    candidates: Sequence[tuple[str, tuple[str, ...]]],
    max_pairs: int,
) -> list[str]:
    """Two words whose joined phones are within ``limit`` of ``target`` but not equal to it:
    one word one edit away from a head (or tail) of the keyword's phones, the other the
    exact rest ("come pewter" is the keyword itself; "calm pewter" is near)."""
    exact: dict[tuple[str, ...], list[str]] = {}
    by_length: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
    for word, phones in candidates:
        if len(word) > 1:
            exact.setdefault(phones, []).append(word)
            by_length.setdefault(len(phones), []).append((word, phones))

    def near(part: tuple[str, ...]) -> list[str]:
        words = [
            word
            for size in (len(part) - 1, len(part), len(part) + 1)
            for word, phones in by_length.get(size, [])
            if edit_distance(phones, part, 1) == 1
        ]
        return sorted(words, key=_order)[:2]

    found = []
    for cut in range(MIN_HALF_PHONES, len(target) - MIN_HALF_PHONES + 1):
        head, tail = target[:cut], target[cut:]
        options = [(a, b) for a in near(head) for b in sorted(exact.get(tail, []), key=_order)[:2]]
        options += [(a, b) for a in sorted(exact.get(head, []), key=_order)[:2] for b in near(tail)]
        for first, second in options:
            found.append((_order(first + second), f"{first} {second}"))
    return [text for _, text in sorted(found)][:max_pairs]
