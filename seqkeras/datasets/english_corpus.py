"""The combined offline English corpus for word embeddings (≈18M tokens, shared DATA.md).

Eleven sources that ship inside Debian packages — the GCIDE dictionary, FOLDOC, the
Jargon File, WordNet glosses, the World English Bible and the King James Bible, three
Bible commentaries (Matthew Henry, Spurgeon's Treasury of David, Scofield), fortunes and
the Python documentation — are cleaned of their markup, split into sentences and
tokenized (lower case; words of letters and digits with at least one letter and an
optional inner apostrophe, possessive "'s" dropped; numbers and punctuation dropped). Each source is built once into
``$SEQKERAS_CACHE/english_corpus/`` as one sentence per line, tokens separated by
spaces — the format gensim's ``LineSentence`` and the original word2vec tool read — so
any subset can be combined by name, together with the user's own text files.

Example::

    corpus = english_corpus(["wordnet", "kjv"])
    corpus.num_tokens, next(iter(corpus))[:5]
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path, write_text_atomic
from ._errors import MissingDatasetError
from .cache import cache_root

CORPUS_VERSION = "v3"  # bump when cleaning or tokenization changes: old caches are ignored
MAX_SENTENCE_TOKENS = 10_000  # gensim's and word2vec's limit per sentence (longer lines are cut)
_WORD = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n\s*\n")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens: runs of letters and digits with at least one letter
    ("mp3", "g0w1") and an optional inner apostrophe ("don't"); a possessive "'s" is
    dropped ("god's" -> "god"); numbers and punctuation are dropped ("1:1", "1,000")."""
    words = _WORD.findall(text.lower().translate(_APOSTROPHES))
    return [w[:-2] if w.endswith("'s") else w for w in words]


def split_sentences(text: str) -> Iterator[list[str]]:
    """Token lists of the sentences of ``text`` (split after . ! ? ; and at blank lines)."""
    for piece in _SENTENCE_END.split(text):
        tokens = tokenize(piece)
        for start in range(0, len(tokens), MAX_SENTENCE_TOKENS):
            yield tokens[start : start + MAX_SENTENCE_TOKENS]


# --------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class CorpusSource:
    """One offline text source: ``read()`` yields raw text blocks."""

    name: str
    description: str
    install: str
    read: Callable[[], Iterator[str]]


SOURCES: dict[str, CorpusSource] = {}


def register_source(source: CorpusSource) -> CorpusSource:
    """Adds a source to the registry (its name becomes valid in ``english_corpus``)."""
    SOURCES[source.name] = source
    return source


def list_corpus_sources() -> list[str]:
    """Names of the registered corpus sources, in build order."""
    return list(SOURCES)


def _need_file(path: str, install: str) -> None:
    if not os.path.exists(path):
        raise MissingDatasetError(f"{path} is missing; install it with: {install}")


_DICT_MARKUP = [
    (re.compile(r"\\[^\\\n]{0,80}\\"), " "),  # GCIDE pronunciations \Af*fect"\
    (re.compile(r"\[[^\]\n]{0,300}\]"), " "),  # [1913 Webster], [Obs.], etymologies
    (re.compile(r"--[A-Z][\w. ]{0,40}\.?"), " "),  # quotation authors: --Milton.
    (re.compile(r"https?://\S+|ftp://\S+|\S+@\S+"), " "),  # URLs, e-mail addresses
    (re.compile(r"<[^>\n]{0,60}>"), " "),  # FOLDOC subject tags <programming>
    (re.compile(r"[{}]"), ""),  # cross-reference braces: keep the word
]


def _read_dictd(path: str, install: str) -> Iterator[str]:
    """Paragraphs of a dictd ``.dict.dz`` file with its markup removed (the
    ``00-database-*`` header entries skipped)."""
    _need_file(path, install)
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    for block in re.split(r"\n\s*\n", text):
        if block.lstrip().startswith("00-database") or "00database" in block:
            continue
        for pattern, replacement in _DICT_MARKUP:
            block = pattern.sub(replacement, block)
        yield block


def _read_wordnet() -> Iterator[str]:
    install = "apt-get install wordnet-base"
    for part in ("noun", "verb", "adj", "adv"):
        path = f"/usr/share/wordnet/data.{part}"
        _need_file(path, install)
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(" ") or "|" not in line:
                    continue  # the licence header lines start with spaces
                # a gloss: definitions and quoted examples separated by ';'
                yield line.split("|", 1)[1].strip() + "\n\n"


_VERSE_HEADER = re.compile(r"^(?:[1-4] )?[A-Z][A-Za-z ]*? \d+:\d+: ?")


def _read_diatheke(
    module: str, install: str, options: str = "", unique_sentences: bool = False
) -> Iterator[str]:
    """Entries of a SWORD module, each distinct entry once. A commentary repeats its
    notes for every verse they cover, and overlapping entries share whole paragraphs,
    so with ``unique_sentences`` each distinct sentence is given once as well."""
    if shutil.which("diatheke") is None:
        raise MissingDatasetError(f"diatheke is not installed; install it with: {install}")
    command = ["diatheke", "-b", module] + (["-o", options] if options else [])
    command += ["-f", "plain", "-k", "Gen 1:1-Rev 22:21"]
    result = subprocess.run(command, capture_output=True, check=False)
    text = result.stdout.decode("utf-8", "replace")
    if not _VERSE_HEADER.search(text.split("\n", 1)[0] if text else ""):
        raise MissingDatasetError(
            f"the SWORD module {module} gave no text; install it with: {install}"
        )
    seen: set[int] = set()
    seen_sentences: set[int] = set()
    entry: list[str] = []

    def flush() -> Iterator[str]:
        body = " ".join(entry).strip()
        key = hash(body)
        if not body or key in seen:
            return
        seen.add(key)
        if not unique_sentences:
            yield body + "\n\n"
            return
        kept = []
        for sentence in _SENTENCE_END.split(body):
            sentence_key = hash(sentence.strip())
            if sentence.strip() and sentence_key not in seen_sentences:
                seen_sentences.add(sentence_key)
                kept.append(sentence.strip())
        if kept:
            yield "\n".join(kept) + "\n\n"

    for line in text.splitlines():
        if "Error reading" in line or line.strip() == f"({module})":
            continue
        match = _VERSE_HEADER.match(line)
        if match:
            yield from flush()
            entry = [line[match.end() :]]
        else:
            entry.append(line)
    yield from flush()


_WEB_FOOTNOTE = re.compile(r"\s*\[\d+:\d+[^\]]*\](\s*)")


def _read_web() -> Iterator[str]:
    install = "apt-get install diatheke sword-text-web"
    # footnotes on (-o f), then removed: without them diatheke glues the word before a
    # footnote to the next one ("Godcreated")
    for verse in _read_diatheke("engWEB2015eb", install, options="f"):
        yield _WEB_FOOTNOTE.sub(r"\1 ", verse)


def _read_kjv() -> Iterator[str]:
    install = "apt-get install bible-kjv"
    if shutil.which("bible") is None:
        raise MissingDatasetError(
            f"the 'bible' program is not installed; install it with: {install}"
        )
    out = subprocess.run(
        ["bible", "-f", "Gen1:1-Rev22:21"], capture_output=True, check=False
    ).stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        yield re.sub(r"^\S+\d+:\d+\s*", "", line) + "\n"


def _read_fortunes() -> Iterator[str]:
    install = "apt-get install fortunes"
    root = "/usr/share/games/fortunes"
    _need_file(root, install)
    for path in sorted(glob.glob(os.path.join(root, "*"))):
        if not os.path.isfile(path) or path.endswith((".dat", ".u8")) or os.path.islink(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            yield from (piece + "\n\n" for piece in re.split(r"^%\s*$", f.read(), flags=re.M))


_RST_NOISE = [
    (re.compile(r":[a-z:]+:`~?([^`<]*?)(?:\s*<[^>]*>)?`"), r"\1"),  # :func:`name` -> name
    (re.compile(r"``[^`]*``"), " "),  # inline code
    (re.compile(r"https?://\S+"), " "),
]


def _read_python_docs() -> Iterator[str]:
    install = "apt-get install python3.11-doc"
    root = "/usr/share/doc/python3.11/html/_sources"
    _need_file(root, install)
    for path in sorted(glob.glob(os.path.join(root, "**", "*.txt"), recursive=True)):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
        kept, in_code, code_indent = [], False, 0
        for line in lines:
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if in_code:
                if stripped and indent <= code_indent:
                    in_code = False
                else:
                    continue
            if stripped.startswith(".. ") or stripped.startswith(">>>"):
                in_code = stripped.startswith((".. code", ".. productionlist", ".. doctest"))
                code_indent = indent
                kept.append("")
                continue
            if stripped.endswith("::"):  # a literal (code) block follows
                in_code, code_indent = True, indent
                line = line.rstrip(":")
            if set(stripped) <= set("=-~^*#+"):
                kept.append("")  # section underlines
                continue
            kept.append(line)
        text = "\n".join(kept)
        for pattern, replacement in _RST_NOISE:
            text = pattern.sub(replacement, text)
        yield text + "\n\n"


_COMMENTARY_INSTALL = (
    "apt-get install diatheke sword-comm-mhcc sword-comm-tdavid sword-comm-scofield"
)
for _source in (
    CorpusSource(
        "gcide",
        "GCIDE dictionary (Webster 1913 + WordNet)",
        "apt-get install dict-gcide",
        lambda: _read_dictd("/usr/share/dictd/gcide.dict.dz", "apt-get install dict-gcide"),
    ),
    CorpusSource(
        "mhcc",
        "Matthew Henry's Concise Commentary",
        _COMMENTARY_INSTALL,
        lambda: _read_diatheke("MHCC", _COMMENTARY_INSTALL, unique_sentences=True),
    ),
    CorpusSource(
        "tdavid",
        "Spurgeon's Treasury of David",
        _COMMENTARY_INSTALL,
        lambda: _read_diatheke("TDavid", _COMMENTARY_INSTALL, unique_sentences=True),
    ),
    CorpusSource(
        "scofield",
        "Scofield Reference Notes (1917)",
        _COMMENTARY_INSTALL,
        lambda: _read_diatheke("Scofield", _COMMENTARY_INSTALL, unique_sentences=True),
    ),
    CorpusSource("wordnet", "WordNet 3 glosses", "apt-get install wordnet-base", _read_wordnet),
    CorpusSource(
        "web", "World English Bible", "apt-get install diatheke sword-text-web", _read_web
    ),
    CorpusSource("kjv", "King James Bible", "apt-get install bible-kjv", _read_kjv),
    CorpusSource("fortunes", "fortune cookies", "apt-get install fortunes", _read_fortunes),
    CorpusSource(
        "foldoc",
        "Free On-line Dictionary of Computing",
        "apt-get install dict-foldoc",
        lambda: _read_dictd("/usr/share/dictd/foldoc.dict.dz", "apt-get install dict-foldoc"),
    ),
    CorpusSource(
        "jargon",
        "The Jargon File",
        "apt-get install dict-jargon",
        lambda: _read_dictd("/usr/share/dictd/jargon.dict.dz", "apt-get install dict-jargon"),
    ),
    CorpusSource(
        "pydocs",
        "Python 3.11 documentation (reST sources)",
        "apt-get install python3.11-doc",
        _read_python_docs,
    ),
):
    register_source(_source)


# --------------------------------------------------------------------------- corpus
@dataclass(frozen=True)
class TextCorpus:
    """Tokenized sentences in one or more files (one sentence per line).

    Iterating yields token lists, re-reading the files each time (restartable, as
    gensim's ``Word2Vec(sentences=...)`` needs), so a corpus larger than memory works.

    Attributes:
        paths: the tokenized files, in order.
        names: the source name (or user file path) of each file.
        token_counts: tokens per file.
        sentence_counts: sentences per file.
    """

    paths: tuple[str, ...]
    names: tuple[str, ...]
    token_counts: tuple[int, ...]
    sentence_counts: tuple[int, ...]

    @property
    def num_tokens(self) -> int:
        return sum(self.token_counts)

    @property
    def num_sentences(self) -> int:
        return sum(self.sentence_counts)

    def __iter__(self) -> Iterator[list[str]]:
        for path in self.paths:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    tokens = line.split()
                    if tokens:
                        yield tokens

    def combined_path(self) -> str:
        """One file holding every sentence (for tools that read a single file, such as
        gensim's ``corpus_file=``); the only file itself when there is one."""
        if len(self.paths) == 1:
            return self.paths[0]
        key = hashlib.sha1("\n".join(self.paths).encode()).hexdigest()[:12]
        path = _corpus_dir() / f"combined-{key}.txt"
        if not path.exists():
            with atomic_path(path) as tmp, open(tmp, "wb") as out:
                for source in self.paths:
                    with open(source, "rb") as f:
                        shutil.copyfileobj(f, out)
        return str(path)

    def summary(self) -> dict[str, int]:
        """Tokens per source name."""
        return dict(zip(self.names, self.token_counts, strict=True))


def _corpus_dir() -> Path:
    path = cache_root() / "english_corpus" / CORPUS_VERSION
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_sentences(blocks: Iterable[str], path: str | os.PathLike[str]) -> tuple[int, int]:
    """Tokenizes text ``blocks`` into ``path`` (one sentence per line), atomically.

    Returns:
        ``(tokens, sentences)`` written.
    """
    tokens = sentences = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as out:
        for block in blocks:
            for sentence in split_sentences(block):
                if sentence:
                    out.write(" ".join(sentence) + "\n")
                    tokens += len(sentence)
                    sentences += 1
    return tokens, sentences


def _build(name: str, blocks: Callable[[], Iterable[str]], path: Path) -> tuple[int, int]:
    stats_path = path.with_suffix(".json")
    if path.exists() and stats_path.exists():
        stats = json.loads(stats_path.read_text())
        return int(stats["tokens"]), int(stats["sentences"])
    print(f"english_corpus: building {name} -> {path}", flush=True)
    tokens, sentences = write_sentences(blocks(), path)
    write_text_atomic(
        stats_path, json.dumps({"source": name, "tokens": tokens, "sentences": sentences})
    )
    return tokens, sentences


def _user_file_blocks(path: str) -> Callable[[], Iterator[str]]:
    from .text_files import read_text_file

    def read() -> Iterator[str]:
        yield read_text_file(path)

    return read


def english_corpus(
    sources: Sequence[str] | None = None, files: Sequence[str | os.PathLike[str]] = ()
) -> TextCorpus:
    """The combined English corpus, or any subset of it, plus the user's text files.

    Args:
        sources: source names (see ``list_corpus_sources()``); ``None`` means all of them,
            ``[]`` none (only ``files``).
        files: UTF-8 text files tokenized the same way (cached by path, size and time).

    Returns:
        A ``TextCorpus`` over the cached tokenized files.

    Raises:
        ValueError: an unknown source name, or an empty corpus.
        MissingDatasetError: a source's package is missing (the message names the
            install command).
    """
    names = list_corpus_sources() if sources is None else list(sources)
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise ValueError(f"unknown corpus source(s) {unknown}; choose from {list_corpus_sources()}")
    directory = _corpus_dir()
    paths, labels, token_counts, sentence_counts = [], [], [], []
    for name in dict.fromkeys(names):
        path = directory / f"{name}.txt"
        tokens, sentences = _build(name, SOURCES[name].read, path)
        paths.append(str(path))
        labels.append(name)
        token_counts.append(tokens)
        sentence_counts.append(sentences)
    for user_file in files:
        user_file = os.path.abspath(os.fspath(user_file))
        if not os.path.isfile(user_file):
            raise FileNotFoundError(f"text file not found: {user_file}")
        stat = os.stat(user_file)
        key = hashlib.sha1(f"{user_file}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
        path = directory / "user" / f"{key[:16]}.txt"
        path.parent.mkdir(exist_ok=True)
        tokens, sentences = _build(user_file, _user_file_blocks(user_file), path)
        paths.append(str(path))
        labels.append(user_file)
        token_counts.append(tokens)
        sentence_counts.append(sentences)
    if not paths or sum(token_counts) == 0:
        raise ValueError(
            f"empty corpus: sources {names} and files {[os.fspath(f) for f in files]} hold no words"
        )
    return TextCorpus(tuple(paths), tuple(labels), tuple(token_counts), tuple(sentence_counts))
