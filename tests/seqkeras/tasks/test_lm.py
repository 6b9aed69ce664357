import json
import math
import re
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
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [r["sentence"] for r in rows] == ["the cat sat", "mat the sat cat"]
    assert rows[0]["tokens"][-1][0] == "<eos>"
    assert rows[0]["log_prob"] == pytest.approx(sum(lp for _, lp in rows[0]["tokens"]))
    assert [r["oov"] for r in rows] == [[], []] and captured.err == ""


def test_score_reports_the_words_it_scored_as_unk(word_run, capsys):
    _, out = word_run
    sentences = ["the apple and pear salad", "the cat sat", "The Pear, the pear!"]
    assert main(["lm", "score", str(out), *sentences, "--json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    known = set(TINY.split())  # the corpus' words: everything else is out of vocabulary
    for row in rows:
        # A user corpus is read as lowercased words with punctuation marks as tokens.
        words = re.findall(r"\w+|[^\w\s]", row["sentence"].lower())
        assert row["oov"] == [w for w in words if w not in known]
        assert [t for t, _ in row["tokens"]].count("<unk>") == len(row["oov"])
    assert rows[0]["oov"] == ["apple", "and", "pear", "salad"]
    assert captured.err.splitlines() == [
        'seqkeras lm score: "the apple and pear salad": not in the vocabulary, scored as '
        "<unk>: apple, and, pear, salad",
        'seqkeras lm score: "The Pear, the pear!": not in the vocabulary, scored as <unk>: '
        'pear, ",", !',
    ]
    assert main(["lm", "score", str(out), "the dog ate the pear"]) == 0  # plain output too
    assert "scored as <unk>: pear" in capsys.readouterr().err


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


def test_presets_fill_what_the_command_line_leaves_out():
    from seqkeras.lm.recipe import PRESETS, LMTrainConfig, config_from
    from seqkeras.tasks.lm import PRESET_NAMES

    assert tuple(PRESETS) == PRESET_NAMES
    # Zaremba et al. 2014 "small" is also the recipe's default.
    assert config_from("ptb-small") == LMTrainConfig()
    medium = config_from("ptb-medium", epochs=2, seed=None)
    assert (medium.units, medium.seq_len, medium.dropout, medium.init_scale) == (650, 35, 0.5, 0.05)
    assert (medium.lr_decay, medium.decay_after, medium.epochs) == (0.8, 6, 2)
    with pytest.raises(ValueError, match="unknown preset 'ptb-large'"):
        config_from("ptb-large")


def test_preset_on_the_command_line_with_an_override(tmp_path, monkeypatch):
    import seqkeras.lm.recipe as recipe

    seen = {}

    def fake_train(config, out, resume=True):
        seen["config"] = config
        return {"history": [], "config": {}}

    monkeypatch.setattr(recipe, "train_language_model", fake_train)
    argv = ["lm", "train", "--preset", "ptb-medium", "--epochs", "3", "--init-scale", "0",
            "--out", str(tmp_path)]  # fmt: skip
    assert main(argv) == 0
    config = seen["config"]
    assert (config.units, config.dropout, config.epochs, config.init_scale) == (650, 0.5, 3, None)
