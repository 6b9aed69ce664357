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
import errno
import json
import os
import secrets
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


# Attempts at a fresh temporary name before giving up (each collision is 1 in 2**32).
_TEMP_NAME_ATTEMPTS = 100
# A new file's permissions before the umask, as ``open(path, "w")`` creates it.
_NEW_FILE_MODE = 0o666
_NEW_DIR_MODE = 0o777


def _suffix(path: str) -> str:
    """The destination's full extension (``.weights.h5``, ``.keras``, ``.json``)."""
    name = os.path.basename(path)
    dot = name.find(".", 1)
    return name[dot:] if dot > 0 else ""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary file name to write to; renamed over ``path`` if the block succeeds.

    The temporary name keeps ``path``'s extension (Keras and numpy check it). The file
    gets the permissions a plain ``open(path, "w")`` would give it (0666 less the umask),
    not ``mkstemp``'s private 0600: caches and outputs are read by other users. On an
    exception the temporary file is removed and ``path`` is left untouched.

    Example:
        >>> with atomic_path("runs/x/model.keras") as tmp:  # doctest: +SKIP
        ...     model.save(tmp)
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = _new_file(directory, f".{os.path.basename(path)}.", ".tmp" + _suffix(path))
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_dir(
    path: str | os.PathLike[str], *, create: bool = True, replace: bool = True
) -> Iterator[str]:
    """A staging folder to fill; swapped in for the folder ``path`` if the block succeeds.

    A folder cannot be renamed over a non-empty one, so an existing ``path`` is first
    renamed aside and removed only after the new folder is in place (a crash in between
    leaves the old folder under ``.<name>.old-*`` next to it, never a half-written one).
    On an exception the staging folder is removed and ``path`` is left untouched.

    Args:
        path: the destination folder.
        create: ``True``: the staging folder exists (empty) when the block starts.
            ``False``: it does not, for writers that insist on creating the folder
            themselves; the block must create it.
        replace: ``True``: an existing ``path`` is replaced. ``False``: a ``path``
            that exists when the block ends (another process finished the same work
            first) is kept and the staging folder discarded.

    Example:
        >>> with atomic_dir("runs/x/savedmodel") as staging:  # doctest: +SKIP
        ...     tf.saved_model.save(module, staging)
    """
    path = os.fspath(path).rstrip(os.sep)
    name = os.path.basename(path)
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    holder = tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent)
    # create=False: the block gets a name inside a private holder folder, still on the
    # destination's file system, that nobody else can take meanwhile.
    staging = holder if create else os.path.join(holder, name)
    try:
        yield staging
        if not os.path.isdir(staging):
            raise FileNotFoundError(f"the block did not create the folder {staging} for {path}")
        if create:
            # mkdtemp's folder is private (0700); the result gets os.mkdir's mode instead
            os.chmod(staging, _NEW_DIR_MODE & ~_umask())
        if replace:
            _swap_in(staging, path, parent, name)
        else:
            _rename_unless_present(staging, path)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


def _swap_in(staging: str, path: str, parent: str, name: str) -> None:
    old = None
    if os.path.exists(path):
        old = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
        os.rmdir(old)
        os.replace(path, old)
    os.replace(staging, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _rename_unless_present(staging: str, path: str) -> None:
    try:
        os.rename(staging, path)  # an empty folder at path is replaced, a full one is not
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not os.path.isdir(path):
            raise


def _new_file(directory: str, prefix: str, suffix: str) -> str:
    """Creates a new empty file with a random name; ``tempfile.mkstemp`` without its 0600."""
    for _ in range(_TEMP_NAME_ATTEMPTS):
        name = os.path.join(directory, f"{prefix}{secrets.token_hex(4)}{suffix}")
        try:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE)
        except FileExistsError:
            continue
        os.close(fd)
        return name
    raise FileExistsError(f"no free temporary name {prefix}*{suffix} in {directory}")


def _umask() -> int:
    """The process's umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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


def write_json_atomic(path: str | os.PathLike[str], obj: Any, indent: int | None = 2) -> str:
    """Writes ``obj`` as JSON to ``path`` atomically.

    numpy scalars and arrays are written as plain numbers and lists.

    Args:
        path: destination file.
        obj: anything ``json.dumps`` accepts, plus numpy values.
        indent: JSON indentation (``None``: one line).

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
    """``numpy.save`` atomically; returns ``path`` (written as named: no ``.npy`` is added)."""
    import numpy as np

    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, array)
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
