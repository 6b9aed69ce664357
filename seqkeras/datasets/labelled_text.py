"""Labelled texts (one label per text) from the user's CSV, TSV or fastText-style files.

* ``.csv`` / ``.tsv``: a header row naming the columns; the text and label columns are
  chosen by name (default ``text`` and ``label``). Quoted fields may hold the
  delimiter and newlines (Python's ``csv`` rules).
* ``.txt``: one example per line, ``__label__NAME the text`` (fastText's format, also
  gensim's copy of Pang & Lee); blank lines are skipped.

Every problem is reported as ``path:line: what is wrong``.
"""

from __future__ import annotations

import csv
import dataclasses
import os
from collections.abc import Iterable, Sequence

FASTTEXT_PREFIX = "__label__"
DELIMITERS = {"csv": ",", "tsv": "\t"}
FORMATS = (*DELIMITERS, "fasttext")
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".txt": "fasttext"}


@dataclasses.dataclass(frozen=True)
class LabelledTexts:
    """Texts and their labels (strings), in file order."""

    texts: list[str]
    labels: list[str]
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} labels")

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def label_names(self) -> list[str]:
        """The distinct labels, sorted."""
        return sorted(set(self.labels))

    def subset(self, indices: Iterable[int]) -> LabelledTexts:
        indices = list(indices)
        return LabelledTexts(
            [self.texts[i] for i in indices], [self.labels[i] for i in indices], self.source
        )


def _check_label(path: str, line: int, label: str, labels: Sequence[str] | None) -> str:
    label = label.strip()
    if not label:
        raise ValueError(f"{path}:{line}: empty label")
    if labels is not None and label not in labels:
        raise ValueError(
            f"{path}:{line}: unknown label {label!r}; expected one of {', '.join(labels)}"
        )
    return label


def _check_text(path: str, line: int, text: str) -> str:
    if not text.strip():
        raise ValueError(f"{path}:{line}: empty text")
    return text.strip()


def _read(path: str, encoding: str) -> str:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"data file not found: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ValueError(
            f"{path}:{line}: not {encoding} text (byte 0x{raw[err.start]:02x}); give the "
            "file's encoding"
        ) from None


def _read_fasttext(path: str, content: str, labels: Sequence[str] | None) -> LabelledTexts:
    texts, names = [], []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, text = line.strip().partition(" ")
        if not head.startswith(FASTTEXT_PREFIX):
            raise ValueError(
                f"{path}:{number}: expected '{FASTTEXT_PREFIX}LABEL text', got {line[:40]!r}"
            )
        names.append(_check_label(path, number, head[len(FASTTEXT_PREFIX) :], labels))
        texts.append(_check_text(path, number, text))
    return LabelledTexts(texts, names, path)


def _read_table(
    path: str,
    content: str,
    delimiter: str,
    text_column: str,
    label_column: str,
    labels: Sequence[str] | None,
) -> LabelledTexts:
    reader = csv.reader(content.splitlines(keepends=True), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError(f"{path}: empty file (expected a header row)") from None
    header = [h.strip() for h in header]
    missing = [c for c in (text_column, label_column) if c not in header]
    if missing:
        raise ValueError(
            f"{path}:1: header {header} has no column {', '.join(map(repr, missing))} "
            "(choose the columns by name)"
        )
    text_at, label_at = header.index(text_column), header.index(label_column)
    texts, names = [], []
    try:
        for row in reader:
            line = reader.line_num
            if not any(field.strip() for field in row):
                continue
            if len(row) != len(header):
                raise ValueError(
                    f"{path}:{line}: expected {len(header)} fields like the header, got {len(row)}"
                )
            names.append(_check_label(path, line, row[label_at], labels))
            texts.append(_check_text(path, line, row[text_at]))
    except csv.Error as err:
        raise ValueError(f"{path}:{reader.line_num}: {err}") from None
    return LabelledTexts(texts, names, path)


def read_labelled_texts(
    path: str | os.PathLike[str],
    text_column: str = "text",
    label_column: str = "label",
    labels: Sequence[str] | None = None,
    encoding: str = "utf-8",
    format: str | None = None,
) -> LabelledTexts:
    """Reads a ``.csv``, ``.tsv`` or fastText ``.txt`` file of labelled texts.

    Args:
        path: the file.
        text_column, label_column: header names of the columns (CSV/TSV).
        labels: the allowed labels; any other label is an error (default: any).
        encoding: the file's text encoding.
        format: ``"csv"``, ``"tsv"`` or ``"fasttext"`` (default: from the suffix).

    Raises:
        FileNotFoundError: no such file.
        ValueError: ``path:line: ...`` for an unknown or empty label, an empty text, a row
            with the wrong number of fields, a missing column, a file with no example.
    """
    path = os.fspath(path)
    if format is None:
        format = SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower())
        if format is None:
            raise ValueError(f"{path}: expected a {', '.join(SUFFIX_FORMATS)} file")
    elif format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    content = _read(path, encoding)
    if format == "fasttext":
        data = _read_fasttext(path, content, labels)
    else:
        data = _read_table(path, content, DELIMITERS[format], text_column, label_column, labels)
    if not len(data):
        raise ValueError(f"{path}: no examples")
    return data
