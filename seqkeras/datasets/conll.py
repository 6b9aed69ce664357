"""Token-per-line tagged text (CoNLL style) with BIO tags.

One token per line, its columns separated by a tab (or, on lines without a tab, by
spaces); a blank or whitespace-only line ends a sentence; ``-DOCSTART-`` lines are
skipped. Every line of a file must have the same number of columns. Tags follow the BIO
scheme: ``O``, ``B-type`` (first token of an entity), ``I-type`` (inside one).

Every problem is reported as ``path:line: what is wrong``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence

OUTSIDE = "O"
DOCSTART = "-DOCSTART-"
_BIO = re.compile(r"^(O|[BI]-\S+)$")


@dataclasses.dataclass(frozen=True)
class TaggedSentence:
    """A sentence's tokens and their tags (same length)."""

    tokens: list[str]
    tags: list[str]

    def __post_init__(self) -> None:
        if len(self.tokens) != len(self.tags):
            raise ValueError(f"{len(self.tokens)} tokens but {len(self.tags)} tags")


def entity_types(sentences: Iterable[TaggedSentence]) -> list[str]:
    """The entity types of BIO tags (``B-person`` → ``person``), sorted."""
    return sorted({t[2:] for s in sentences for t in s.tags if t != OUTSIDE})


def tag_names(sentences: Iterable[TaggedSentence]) -> list[str]:
    """Every BIO tag of the sentences' types: ``O`` first, then ``B-x``, ``I-x`` per type."""
    types = entity_types(sentences)
    return [OUTSIDE, *(f"{p}-{t}" for t in types for p in "BI")]


def _columns(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t") if "\t" in line else line.split()


def parse_conll(
    content: str,
    path: str = "<string>",
    token_column: int = 0,
    tag_column: int = -1,
    tags: Sequence[str] | None = None,
) -> list[TaggedSentence]:
    """Sentences of CoNLL text (see :func:`read_conll`; ``path`` names it in errors)."""
    sentences: list[TaggedSentence] = []
    tokens: list[str] = []
    found: list[str] = []
    width = None
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            if tokens:
                sentences.append(TaggedSentence(tokens, found))
                tokens, found = [], []
            continue
        columns = _columns(line)
        if columns[0] == DOCSTART:
            continue
        if width is None:
            width = len(columns)
            if width < 2:
                raise ValueError(f"{path}:{number}: expected a token and a tag, got {line!r}")
            for name, index in (("token_column", token_column), ("tag_column", tag_column)):
                if not -width <= index < width:
                    raise ValueError(f"{path}:{number}: {name} {index} is out of range for {width} columns")
        elif len(columns) != width:
            raise ValueError(
                f"{path}:{number}: expected {width} columns like line 1 of the data, got "
                f"{len(columns)}: {line!r}"
            )
        token, tag = columns[token_column].strip(), columns[tag_column].strip()
        if not token:
            raise ValueError(f"{path}:{number}: empty token")
        if not _BIO.match(tag):
            raise ValueError(
                f"{path}:{number}: tag {tag!r} is not a BIO tag (O, B-type or I-type)"
            )
        if tags is not None and tag not in tags:
            raise ValueError(f"{path}:{number}: unknown tag {tag!r}; expected one of {', '.join(tags)}")
        tokens.append(token)
        found.append(tag)
    if tokens:
        sentences.append(TaggedSentence(tokens, found))
    if not sentences:
        raise ValueError(f"{path}: no tagged sentence")
    return sentences


def read_conll(
    path: str | os.PathLike[str],
    token_column: int = 0,
    tag_column: int = -1,
    tags: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> list[TaggedSentence]:
    """Reads a CoNLL-style file of BIO-tagged tokens.

    Args:
        path: the file.
        token_column, tag_column: which columns hold the token and the tag.
        tags: the allowed tags; any other is an error (default: any BIO tag).
        encoding: the file's text encoding.

    Raises:
        FileNotFoundError: no such file.
        ValueError: ``path:line: ...`` for a line with a different number of columns
            (ragged), a tag that is not BIO or not allowed, an empty token, a file with
            no sentence, or bytes that are not ``encoding``.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"CoNLL file not found: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        content = raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ValueError(f"{path}:{line}: not {encoding} text (byte 0x{raw[err.start]:02x})") from None
    return parse_conll(content, path, token_column, tag_column, tags)
