"""Atomic JSON output: a metrics file is either the old one or the complete new one."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any


def write_json_atomic(path: str | os.PathLike[str], obj: Any, indent: int = 2) -> str:
    """Writes ``obj`` as JSON to ``path`` atomically.

    The text goes to a temporary file in the same directory, is flushed to disk and
    then renamed over ``path`` with ``os.replace``, so a reader (or a run killed
    halfway) never sees a half-written file. Missing parent directories are created.
    numpy scalars and arrays are written as plain numbers and lists.

    Args:
        path: destination file.
        obj: anything ``json.dumps`` accepts, plus numpy values.
        indent: JSON indentation.

    Returns:
        ``path`` as a string.

    Raises:
        TypeError: ``obj`` holds a value JSON cannot represent (nothing is written).
    """
    path = os.fspath(path)
    text = json.dumps(obj, indent=indent, default=_to_json, allow_nan=True) + "\n"
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def _to_json(value: Any) -> Any:
    """``json.dumps`` fallback for numpy values (no numpy import unless needed)."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable: {value!r}")
