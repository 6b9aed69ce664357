"""The combined English corpus: tokenization, markup cleaning, caching, user files."""

import gzip

import pytest

from seqkeras.datasets import english_corpus, list_corpus_sources
from seqkeras.datasets import english_corpus as module_function
from seqkeras.datasets.english_corpus import _read_dictd, split_sentences, tokenize


def test_tokenize():
    assert tokenize("The King's men didn’t run; 1,000 horses!") == [
        "the",
        "king",
        "men",
        "didn't",
        "run",
        "horses",
    ]
    assert tokenize("Gen 1:1 an mp3 of g0w1") == ["gen", "an", "mp3", "of", "g0w1"]


def test_split_sentences():
    text = "First one. Second one! A third;\nstill third?\n\nNew paragraph without stop\n\nlast"
    assert [s for s in split_sentences(text)] == [
        ["first", "one"], ["second", "one"], ["a", "third"], ["still", "third"],
        ["new", "paragraph", "without", "stop"], ["last"],
    ]  # fmt: skip


def test_dictd_markup_is_removed(tmp_path):
    path = tmp_path / "toy.dict.dz"
    with gzip.open(path, "wt") as f:
        f.write("00-database-short\n   Toy dictionary\n\n")
        f.write(
            'Affect \\Af*fect"\\, v. t. [L. affectus.]\n   To act upon; see {Effect}. --Milton.\n   [1913 Webster]\n\n'
        )
        f.write("cat\n   <animal> A small pet (http://example.org/cat).\n")
    text = " ".join(_read_dictd(str(path), "apt-get install toy"))
    words = tokenize(text)
    assert (
        "affect" in words and "effect" in words and "milton" not in words and "webster" not in words
    )
    assert (
        "database" not in words and "http" not in words and "animal" not in words and "pet" in words
    )
    with pytest.raises(FileNotFoundError, match="apt-get install toy"):
        list(_read_dictd(str(tmp_path / "missing.dz"), "apt-get install toy"))


def test_user_files_are_tokenized_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    text = tmp_path / "story.txt"
    text.write_text("The cat sat. The dog ran!\n\nThe end")
    corpus = english_corpus([], files=[text])
    assert corpus.num_tokens == 8 and corpus.num_sentences == 3
    assert list(corpus) == [["the", "cat", "sat"], ["the", "dog", "ran"], ["the", "end"]]
    assert corpus.combined_path() == corpus.paths[0]
    again = english_corpus([], files=[text, text])
    assert again.num_tokens == 16 and open(again.combined_path()).read().count("\n") == 6


def test_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    assert module_function is english_corpus
    assert set(list_corpus_sources()) >= {"gcide", "mhcc", "wordnet", "kjv", "pydocs"}
    with pytest.raises(ValueError, match="unknown corpus source"):
        english_corpus(["klingon"])
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        english_corpus([], files=[tmp_path / "missing.txt"])
    empty = tmp_path / "empty.txt"
    empty.write_text("123 456 !!!")
    with pytest.raises(ValueError, match="empty corpus"):
        english_corpus([], files=[empty])
    with pytest.raises(ValueError, match="empty corpus"):
        english_corpus([])


def test_real_sources_build(tmp_path, monkeypatch):
    """Two small real sources: the King James Bible and the Scofield notes (a
    commentary whose notes diatheke repeats for every verse they cover)."""
    import shutil

    if shutil.which("bible") is None or shutil.which("diatheke") is None:
        pytest.skip("bible-kjv / diatheke are not installed (make setup installs them)")
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    kjv = english_corpus(["kjv"])
    assert next(iter(kjv)) == "in the beginning god created the heaven and the earth".split()
    assert 700_000 < kjv.num_tokens < 900_000
    notes = english_corpus(["scofield"])
    lines = open(notes.paths[0], encoding="utf-8").read().splitlines()
    long_lines = [line for line in lines if len(line.split()) > 8]
    # repeated notes are kept once (a few lines only become equal once digits are dropped)
    assert len(set(long_lines)) > 0.98 * len(long_lines)
    assert english_corpus(["scofield", "kjv"]).num_tokens == notes.num_tokens + kjv.num_tokens
