"""Spanish → English verse pairs: Reina-Valera 1909 ↔ World English Bible (SWORD).

Both texts come from the SWORD modules read with ``diatheke`` (Debian packages
``diatheke sword-text-sparv sword-text-web``). Verses are paired by
(book, chapter, verse); books only one side has (the WEB's deuterocanon) are left out.
The parsed pairs are cached as TSV under ``$SEQKERAS_CACHE`` (default
``~/.cache/seqkeras``).

Quirks of the raw ``diatheke -f plain`` output handled here:

* a verse header ``Book C:V:`` is indented when a section title precedes it; the
  title is the line just before the indented header and is not verse text;
* poetry continues a verse on following lines (joined with spaces); an indented
  line that is no header ends the text (the WEB appends its glossary that way);
* the WEB drops the space before a word that carries a footnote ("Godcreated"), so it
  is read with footnotes on (``-o f``) and the ``[C:V note]`` brackets are removed;
* the RV 1909 carries Strong's numbers (``<G5547>``), which are removed.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import shutil
import subprocess

from ..atomic import atomic_path
from ._errors import MissingDatasetError
from .cache import cache_root

SPANISH_MODULE = "spaRV1909eb"
ENGLISH_MODULE = "engWEB2015eb"
WHOLE_BIBLE = "Gen 1:1-Rev 22:21"
INSTALL_HINT = "apt-get install diatheke sword-text-sparv sword-text-web"
CACHE_NAME = "bible_parallel_v2.tsv"

_HEADER = re.compile(r"^(\s*)((?:I{1,3} )?[A-Z][A-Za-z ]*?) (\d+):(\d+):(?: (.*))?$")
_FOOTNOTE = re.compile(r"\s*\[\d+:\d+[^\]]*\](\s*)")
_STRONGS = re.compile(r"\s*<[GH]\d+>")
_SPACES = re.compile(r"\s+")


@dataclasses.dataclass(frozen=True)
class VersePair:
    """One verse in both languages."""

    book: str
    chapter: int
    verse: int
    spanish: str
    english: str

    @property
    def key(self) -> str:
        return f"{self.book} {self.chapter}:{self.verse}"


def cache_dir() -> str:
    return str(cache_root())


def read_module(module: str, options: str = "", keys: str = WHOLE_BIBLE) -> str:
    """Raw ``diatheke -f plain`` text of ``keys`` (e.g. ``"Gen 1:1-3"``) in ``module``."""
    if shutil.which("diatheke") is None:
        raise MissingDatasetError(f"diatheke is not installed; install it with: {INSTALL_HINT}")
    cmd = ["diatheke", "-b", module]
    if options:
        cmd += ["-o", options]
    cmd += ["-f", "plain", "-k", keys]
    out = subprocess.run(cmd, capture_output=True, check=False).stdout.decode("utf-8", "replace")
    if not any(_HEADER.match(line) for line in out.splitlines()):
        raise MissingDatasetError(
            f"the SWORD module {module} gave no text; install it with: {INSTALL_HINT}"
        )
    return out


def _clean(text: str) -> str:
    text = _FOOTNOTE.sub(r"\1", text)
    text = _STRONGS.sub("", text)
    return _SPACES.sub(" ", text).strip()


def parse_diatheke(text: str) -> dict[tuple[str, int, int], str]:
    """``{(book, chapter, verse): text}`` from ``diatheke -f plain`` output."""
    verses: dict[tuple[str, int, int], list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match is None:
            if line[:1].isspace() and line.strip():
                current = None  # indented trailing matter (the WEB's glossary)
            elif current is not None and line.strip() and not line.startswith("("):
                current.append(line)
            continue
        indent, book, chapter, verse, body = match.groups()
        if indent and current:
            # the line before an indented header is a section title, not verse text
            while current and not current[-1].strip():
                current.pop()
            if len(current) > 1:
                current.pop()
        current = [body or ""]
        verses[(book.strip(), int(chapter), int(verse))] = current
    return {key: _clean(" ".join(lines)) for key, lines in verses.items()}


def _read_cache(path: str) -> list[VersePair]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [VersePair(b, int(c), int(v), s, e) for b, c, v, s, e in rows]


def _write_cache(path: str, pairs: list[VersePair]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\")
        for p in pairs:
            writer.writerow([p.book, p.chapter, p.verse, p.spanish, p.english])


def load_verse_pairs(use_cache: bool = True) -> list[VersePair]:
    """Every verse present in both Bibles, in canonical order (about 31k pairs).

    Raises:
        MissingDatasetError: (a ``FileNotFoundError``) diatheke or a SWORD module is
            missing; the message names the install command.
    """
    path = os.path.join(cache_dir(), CACHE_NAME)
    if use_cache and os.path.exists(path):
        return _read_cache(path)
    spanish = parse_diatheke(read_module(SPANISH_MODULE))
    english = parse_diatheke(read_module(ENGLISH_MODULE, "f"))
    pairs = [
        VersePair(book, chapter, verse, es, english[(book, chapter, verse)])
        for (book, chapter, verse), es in spanish.items()
        if es
        and english.get((book, chapter, verse))
        and "\t" not in es + english[(book, chapter, verse)]
    ]
    if use_cache:
        _write_cache(path, pairs)
    return pairs


def split_by_book(
    pairs: list[VersePair], held_out_books: tuple[str, ...]
) -> tuple[list[VersePair], list[VersePair]]:
    """``(train, held_out)``: whole books held out, so no chapter leaks across."""
    books = {p.book for p in pairs}
    unknown = [b for b in held_out_books if b not in books]
    if unknown:
        raise ValueError(f"unknown book(s) {unknown}; books are named like {sorted(books)[:3]}")
    held = set(held_out_books)
    return [p for p in pairs if p.book not in held], [p for p in pairs if p.book in held]


def split_by_chapter(
    pairs: list[VersePair], every: int = 10, offset: int = 0
) -> tuple[list[VersePair], list[VersePair]]:
    """``(train, held_out)``: every ``every``-th chapter of every book is held out."""
    if every < 2:
        raise ValueError(f"every must be >= 2, got {every}")
    held = [p for p in pairs if p.chapter % every == offset % every]
    train = [p for p in pairs if p.chapter % every != offset % every]
    return train, held
