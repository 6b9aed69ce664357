import json
import math
import time

import numpy as np
import pytest

from seqkeras.cli.main import main

TINY = "the cat sat on the mat\nthe dog ate the bone\na bird sang in the tree\n" * 12


def train(corpus, out, *extra):
    return main(
        [
            "lm", "train", "--corpus", str(corpus), "--units", "16", "--depth", "1",
            "--batch-size", "2", "--seq-len", "4", "--verbose", "0", "--out", str(out), *extra,
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def word_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("lm")
    corpus = root / "tiny.txt"
    corpus.write_text(TINY)
    out = root / "run"
    started = time.time()
    assert train(corpus, out, "--epochs", "2", "--checkpoint-every", "3") == 0
    elapsed = time.time() - started
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 < metrics["wall_time_s"] <= elapsed  # mid-epoch checkpoints must not double count
    return corpus, out


def test_train_writes_metrics_model_and_checkpoint(word_run):
    _, out = word_run
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("train_perplexity", "valid_perplexity", "test_perplexity"):
        assert math.isfinite(metrics[key]) and metrics[key] > 1
    assert metrics["epochs_completed"] == 2 and len(metrics["history"]) == 2
    assert (out / "model.keras").exists() and (out / "checkpoint" / "state.json").exists()


def _unigram_test_perplexity(corpus_path):
    """Add-one unigram model from the training stream, scored on the test stream."""
    from seqkeras.lm.corpora import encode_stream, load_corpus, make_vocabulary

    corpus = load_corpus(str(corpus_path))
    vocabulary = make_vocabulary(corpus, "word", None)
    train_ids = encode_stream(vocabulary, corpus.train, "word")
    test_ids = encode_stream(vocabulary, corpus.test, "word")
    counts = np.bincount(train_ids, minlength=len(vocabulary)) + 1.0
    log_p = np.log(counts / counts.sum())
    return float(np.exp(-log_p[test_ids].mean()))


def test_more_epochs_extend_a_finished_run_and_it_learns(word_run, capsys):
    corpus, out = word_run
    assert train(corpus, out, "--epochs", "5") == 0
    assert "Resuming from" in capsys.readouterr().out
    metrics = json.loads((out / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == [1, 2, 3, 4, 5]
    # Learned: far better than the best model that ignores word order.
    assert metrics["test_perplexity"] < _unigram_test_perplexity(corpus)


def test_sample_and_score(word_run, capsys):
    _, out = word_run
    assert main(["lm", "sample", str(out), "-n", "3", "--max-length", "5", "--seed", "1"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and all(len(line.split()) <= 5 for line in lines)
    assert main(["lm", "score", str(out), "the cat sat", "mat the sat cat", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["sentence"] for r in rows] == ["the cat sat", "mat the sat cat"]
    assert rows[0]["tokens"][-1][0] == "<eos>"
    assert rows[0]["log_prob"] == pytest.approx(sum(lp for _, lp in rows[0]["tokens"]))


@pytest.mark.slow
def test_char_level_reports_bits_per_character(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text(TINY)
    assert train(corpus, tmp_path / "c", "--level", "char", "--epochs", "1", "--kind", "gru") == 0
    metrics = json.loads((tmp_path / "c" / "metrics.json").read_text())
    assert metrics["test_bits_per_character"] == pytest.approx(
        math.log2(metrics["test_perplexity"])
    )


def test_user_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n" * 10)
    assert train(bad, tmp_path / "x") == 2
    assert "bad.txt is not UTF-8" in capsys.readouterr().err
    assert train(tmp_path / "missing.txt", tmp_path / "x") == 2
    assert main(["lm", "sample", str(tmp_path / "nowhere")]) == 2
    assert "no trained model" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n\n\n")
    assert train(empty, tmp_path / "y") == 2
    assert "empty corpus" in capsys.readouterr().err
