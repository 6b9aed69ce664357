"""Atomic outputs: a file (or folder) is either the old one or the complete new one.

Every seqkeras writer goes through these helpers: the content is written to a temporary
name in the destination's own directory (same file system), flushed, and renamed over
the destination with ``os.replace`` — so a reader, or a run killed halfway, never sees a
half-written metrics file, model, WAV or plot. Missing parent directories are created.
No heavy imports here: the CLI imports this module while it builds its parser.

(``seqkeras_edge`` has its own copy of the few lines it needs: the device runner must
not import seqkeras.)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

__all__ = [
    "atomic_dir",
    "atomic_path",
    "save_figure_atomic",
    "save_model_atomic",
    "save_npy_atomic",
    "write_bytes_atomic",
    "write_json_atomic",
    "write_text_atomic",
]


def _suffix(path: str) -> str:
    """The destination's full extension (``.weights.h5``, ``.keras``, ``.json``)."""
    name = os.path.basename(path)
    dot = name.find(".", 1)
    return name[dot:] if dot > 0 else ""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary file name to write to; renamed over ``path`` if the block succeeds.

    The temporary name keeps ``path``'s extension (Keras and numpy check it). On an
    exception the temporary file is removed and ``path`` is left untouched.

    Example:
        >>> with atomic_path("runs/x/model.keras") as tmp:  # doctest: +SKIP
        ...     model.save(tmp)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp" + _suffix(path), dir=directory
    )
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[str]:
    """A staging folder to fill; swapped in for the folder ``path`` if the block succeeds.

    A folder cannot be renamed over a non-empty one, so an existing ``path`` is first
    renamed aside and removed only after the new folder is in place (a crash in between
    leaves the old folder under ``.<name>.old-*`` next to it, never a half-written one).
    """
    path = os.fspath(path).rstrip(os.sep)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)
    try:
        yield staging
        old = None
        if os.path.exists(path):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=parent)
            os.rmdir(old)
            os.replace(path, old)
        os.replace(staging, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fsync(path: str) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> str:
    """Writes ``data`` to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
    return os.fspath(path)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> str:
    """Writes UTF-8 ``text`` to ``path`` atomically; returns ``path``."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | os.PathLike[str], obj: Any, indent: int = 2) -> str:
    """Writes ``obj`` as JSON to ``path`` atomically.

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
    text = json.dumps(obj, indent=indent, default=_to_json, allow_nan=True) + "\n"
    return write_text_atomic(path, text)


def save_model_atomic(model: Any, path: str | os.PathLike[str]) -> str:
    """``model.save(path)`` (a ``.keras`` file) atomically; returns ``path``."""
    if not os.fspath(path).endswith(".keras"):
        raise ValueError(f"a Keras model file must end in .keras; got {os.fspath(path)!r}")
    with atomic_path(path) as tmp:
        model.save(tmp)
    return os.fspath(path)


def save_npy_atomic(path: str | os.PathLike[str], array: Any) -> str:
    """``numpy.save`` atomically; returns ``path``."""
    import numpy as np

    with atomic_path(path) as tmp:
        np.save(tmp, array)
    return os.fspath(path)


def save_figure_atomic(figure: Any, path: str | os.PathLike[str], **savefig: Any) -> str:
    """``figure.savefig(path)`` (PNG unless ``format`` is given) atomically; returns ``path``."""
    savefig.setdefault("format", os.path.splitext(os.fspath(path))[1].lstrip(".") or "png")
    with atomic_path(path) as tmp:
        figure.savefig(tmp, **savefig)
    return os.fspath(path)


def _to_json(value: Any) -> Any:
    """``json.dumps`` fallback for numpy values (no numpy import unless needed)."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable: {value!r}")
