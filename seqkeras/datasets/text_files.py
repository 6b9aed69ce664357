"""Plain UTF-8 text files given by the user, and a deterministic train/valid/test split."""

from __future__ import annotations

import os
from collections.abc import Sequence

TEXT_SUFFIXES = (".txt", ".text", ".md")


def read_text_file(path: str | os.PathLike[str]) -> str:
    """Reads one UTF-8 file; other encodings raise a ``ValueError`` naming the file."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"text file not found: {path}")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"{path} is not UTF-8 text (invalid byte 0x{raw[err.start]:02x} at offset {err.start}); "
            "convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None


def load_text_files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> str:
    """Concatenates UTF-8 text files (a directory contributes its ``*.txt``/``*.md``).

    Raises:
        FileNotFoundError: a path does not exist.
        ValueError: a file is not UTF-8 (the message names it), or the corpus is empty.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(
                os.path.join(root, name)
                for root, _, names in os.walk(p)
                for name in names
                if name.endswith(TEXT_SUFFIXES)
            )
            if not found:
                raise ValueError(
                    f"empty corpus: directory {p} holds no {'/'.join(TEXT_SUFFIXES)} file"
                )
            files.extend(found)
        elif os.path.exists(p):
            files.append(p)
        else:
            raise FileNotFoundError(f"corpus path not found: {p}")
    text = "\n".join(read_text_file(f) for f in files)
    if not text.strip():
        raise ValueError(f"empty corpus: {', '.join(files)} contain no text")
    return text


def split_text(
    text: str, valid_fraction: float = 0.05, test_fraction: float = 0.05
) -> dict[str, str]:
    """Splits at line boundaries: first lines train, then valid, then test."""
    if (
        not 0 < valid_fraction < 1
        or not 0 < test_fraction < 1
        or valid_fraction + test_fraction >= 1
    ):
        raise ValueError(
            f"valid_fraction and test_fraction must be in (0, 1) with sum < 1; got {valid_fraction}, {test_fraction}"
        )
    lines = text.splitlines(keepends=True)
    if len(lines) < 3:
        raise ValueError(
            f"corpus has {len(lines)} line(s); need at least 3 to split into train/valid/test"
        )
    n = len(lines)
    n_test = max(1, round(n * test_fraction))
    n_valid = max(1, round(n * valid_fraction))
    n_train = n - n_valid - n_test
    return {
        "train": "".join(lines[:n_train]),
        "valid": "".join(lines[n_train : n_train + n_valid]),
        "test": "".join(lines[n_train + n_valid :]),
    }
