"""seqkeras.atomic: a destination is either the old one or the complete new one."""

import contextlib
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest

from seqkeras.atomic import (
    atomic_dir,
    atomic_path,
    save_figure_atomic,
    save_npy_atomic,
    write_bytes_atomic,
    write_text_atomic,
)


@contextlib.contextmanager
def _umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_atomic_path_replaces_and_keeps_the_full_extension(tmp_path):
    target = tmp_path / "sub" / "model.weights.h5"
    with atomic_path(target) as tmp:
        assert os.path.dirname(tmp) == str(target.parent)  # same file system as target
        assert tmp.endswith(".weights.h5") and tmp != str(target)
        assert not target.exists()
        with open(tmp, "wb") as f:
            f.write(b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["model.weights.h5"]


def test_atomic_path_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "metrics.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="halfway"), atomic_path(target) as tmp:
        with open(tmp, "w") as f:
            f.write("half")
        raise RuntimeError("halfway")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["metrics.json"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_atomic_path_gives_the_permissions_of_a_plain_open(tmp_path, mask):
    with _umask(mask):
        with open(tmp_path / "plain.txt", "w") as f:
            f.write("x")
        write_text_atomic(tmp_path / "atomic.txt", "x")
    expected = stat.S_IMODE(os.stat(tmp_path / "plain.txt").st_mode)
    assert expected == 0o666 & ~mask
    assert stat.S_IMODE(os.stat(tmp_path / "atomic.txt").st_mode) == expected


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_atomic_dir_gives_the_permissions_of_a_plain_mkdir(tmp_path, mask):
    with _umask(mask):
        os.mkdir(tmp_path / "plain")
        with atomic_dir(tmp_path / "atomic") as staging:
            (Path(staging) / "x").write_text("x")
    expected = stat.S_IMODE(os.stat(tmp_path / "plain").st_mode)
    assert expected == 0o777 & ~mask
    assert stat.S_IMODE(os.stat(tmp_path / "atomic").st_mode) == expected


def test_write_bytes_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "data.bin"
    write_bytes_atomic(target, b"one")
    with pytest.raises(TypeError):
        write_bytes_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"one"
    assert os.listdir(tmp_path) == ["data.bin"]


@pytest.mark.parametrize("name", ["array.npy", "array.bin", "array"])
def test_save_npy_atomic_writes_the_name_given(tmp_path, name):
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    save_npy_atomic(tmp_path / name, array)
    assert os.listdir(tmp_path) == [name]  # numpy did not add ".npy" to a temporary name
    with open(tmp_path / name, "rb") as f:
        np.testing.assert_array_equal(np.load(f), array)


def test_save_figure_atomic_writes_the_format_asked_for(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(1, 1))
    axes.plot([0, 1], [1, 0])
    save_figure_atomic(figure, tmp_path / "curve.image", format="png", dpi=20)
    plt.close(figure)
    assert (tmp_path / "curve.image").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["curve.image"]


def _folder(path, **files):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)


def _read_folder(path):
    return {p.name: p.read_text() for p in sorted(path.iterdir())}


def test_atomic_dir_replaces_an_existing_folder(tmp_path):
    target = tmp_path / "model"
    _folder(target, a="old", stale="old")
    with atomic_dir(target) as staging:
        assert os.path.isdir(staging) and os.listdir(staging) == []
        _folder(Path(staging), a="new")
    assert _read_folder(target) == {"a": "new"}
    assert os.listdir(tmp_path) == ["model"]


def test_atomic_dir_failure_leaves_the_old_folder(tmp_path):
    target = tmp_path / "model"
    _folder(target, a="old")
    with pytest.raises(RuntimeError), atomic_dir(target) as staging:
        _folder(Path(staging), a="half")
        raise RuntimeError("halfway")
    assert _read_folder(target) == {"a": "old"}
    assert os.listdir(tmp_path) == ["model"]


def test_atomic_dir_create_false_lets_the_writer_make_the_folder(tmp_path):
    source = tmp_path / "source"
    _folder(source, a="new")
    target = tmp_path / "out" / "model"
    _folder(target, a="old")
    with atomic_dir(target, create=False) as staging:
        assert not os.path.exists(staging)
        assert os.path.basename(staging) == "model"
        shutil.copytree(source, staging)  # refuses an existing folder
    assert _read_folder(target) == {"a": "new"}
    assert os.listdir(target.parent) == ["model"]


def test_atomic_dir_create_false_needs_the_folder(tmp_path):
    target = tmp_path / "model"
    _folder(target, a="old")
    with pytest.raises(FileNotFoundError, match="did not create"), atomic_dir(target, create=False):
        pass
    assert _read_folder(target) == {"a": "old"}
    assert os.listdir(tmp_path) == ["model"]


def test_atomic_dir_replace_false_keeps_a_finished_folder(tmp_path):
    target = tmp_path / "cache"
    with atomic_dir(target, replace=False) as staging:
        _folder(Path(staging), a="first")
        # another process finishes the same work while this one writes
        with atomic_dir(target, replace=False) as other:
            _folder(Path(other), a="second")
    assert _read_folder(target) == {"a": "second"}
    assert os.listdir(tmp_path) == ["cache"]


def test_atomic_dir_replace_false_fills_an_empty_folder_and_refuses_a_file(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with atomic_dir(empty, replace=False) as staging:
        _folder(Path(staging), a="new")
    assert _read_folder(empty) == {"a": "new"}
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    with pytest.raises(NotADirectoryError), atomic_dir(blocker, replace=False) as staging:
        _folder(Path(staging), a="new")
    assert blocker.read_text() == "a file"
    assert sorted(os.listdir(tmp_path)) == ["blocker", "empty"]
