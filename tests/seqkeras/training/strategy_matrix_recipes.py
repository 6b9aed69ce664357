"""Runs every recipe's tiny configuration under one ``--strategy`` (a subprocess script).

Usage: ``python strategy_matrix_recipes.py STRATEGY OUT_DIR [RECIPE ...]``

Logical devices (mirrored) and ``TF_CONFIG`` (multiworker) must be set before TensorFlow
starts, so ``test_strategy_matrix.py`` runs this file in fresh interpreters. It prints
one JSON line: per recipe, the CLI exit code and the per-epoch training losses it
recorded. With ``--also-default`` the LM runs once more on one device in the same process
(the reference for "same losses as one device").
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys


def _lm_corpus(root: str) -> str:
    path = os.path.join(root, "tiny.txt")
    with open(path, "w", encoding="utf-8") as f:
        f.write("the cat sat on the mat\nthe dog ate the bone\na bird sang in the tree\n" * 12)
    return path


def recipes(root: str, strategy: str) -> dict[str, tuple[list[str], str]]:
    """recipe -> (argv, metrics file holding its training history)."""

    def out(name: str) -> str:
        return os.path.join(root, f"{name}-{strategy}")

    flag = ["--strategy", strategy]
    return {
        "longrange": (
            ["longrange", "--gaps", "2", "--kinds", "gru", "--units", "4", "--epochs", "1",
             "--samples", "64", "--batch-size", "16", "--out", out("longrange"), *flag],
            os.path.join(out("longrange"), "metrics.json"),
        ),
        "lm": (
            ["lm", "train", "--corpus", _lm_corpus(root), "--units", "8", "--depth", "1",
             "--batch-size", "2", "--seq-len", "4", "--epochs", "2", "--verbose", "0",
             "--out", out("lm"), *flag],
            os.path.join(out("lm"), "metrics.json"),
        ),
        "music": (
            ["music", "train", "--limit", "12", "--epochs", "1", "--units", "8", "--depth", "1",
             "--embedding-dim", "4", "--samples", "1", "--batch-size", "4", "--verbose", "0",
             "--out", out("music"), *flag],
            os.path.join(out("music"), "metrics.json"),
        ),
        "dates": (
            ["dates", "train", "--run-dir", out("dates"), "--train-size", "64", "--eval-size",
             "4", "--units", "8", "--batch-size", "16", "--epochs", "1", "--quiet", *flag],
            os.path.join(out("dates"), "metrics.json"),
        ),
        "translate": (
            ["translate", "train", "--run-dir", out("translate"), "--max-words", "4", "--limit",
             "40", "--units", "8", "--embedding-dim", "8", "--vocab-size", "100",
             "--batch-size", "8", "--epochs", "1", "--quiet", *flag],
            os.path.join(out("translate"), "metrics.json"),
        ),
        "caption": (
            ["caption", "train", "--run-dir", out("caption"), "--train-size", "32", "--epochs",
             "1", "--units", "8", "--batch-size", "16", "--quiet", *flag],
            os.path.join(out("caption"), "metrics.json"),
        ),
        # The recipes' own offline data: gensim's 200 Pang & Lee sentences, GloVe 6B 50d
        # (frozen) and the WNUT-16 tweets.
        "sentiment": (
            ["sentiment", "train", "--run-dir", out("sentiment"), "--model", "rnn", "--depth",
             "1", "--units", "4", "--pretrained-vocab", "0", "--batch-size", "16", "--epochs",
             "1", "--quiet", *flag],
            os.path.join(out("sentiment"), "metrics.json"),
        ),
        "ner": (
            ["ner", "train", "--run-dir", out("ner"), "--embeddings", "random", "--units", "4",
             "--batch-size", "64", "--epochs", "1", "--quiet", *flag],
            os.path.join(out("ner"), "metrics.json"),
        ),
        "embeddings": (
            ["embeddings", "train", "--algo", "sgns", "--corpus", _lm_corpus(root), "--min-count",
             "1", "--dim", "8", "--window", "2", "--batch-size", "64", "--sample", "0",
             "--epochs", "1", "--verbose", "0", "--out", out("embeddings"), *flag],
            os.path.join(out("embeddings"), "metrics.json"),
        ),
        # A few synthesized utterances (espeak/festival, cached in SEQKERAS_CACHE), greedy
        # decoding of two held-out ones; no real speech.
        "asr": (
            ["asr", "train", "--out", out("asr"), "--bank", "train-espeak-festival=8",
             "--epochs", "1", "--units", "8", "--depth", "1", "--conv-filters", "8",
             "--frame-budget", "2000", "--lr-schedule", "cosine", "--greedy-only", "--real", "", "--test-bank",
             "heldout-flite-piper-espeak=2", *flag],
            os.path.join(out("asr"), "metrics.json"),
        ),
    }  # fmt: skip


def _losses(metrics_file: str) -> list[float] | None:
    if not os.path.exists(metrics_file):
        return None
    with open(metrics_file, encoding="utf-8") as f:
        metrics = json.load(f)
    history = metrics.get("history")
    if isinstance(history, dict):  # also the embeddings and asr
        return [float(v) for v in history.get("loss", [])]
    if isinstance(metrics.get("train_loss"), list):  # sentiment, ner
        return [float(v) for v in metrics["train_loss"]]
    if isinstance(history, list):  # the LM's per-epoch rows
        return [float(row["train_perplexity"]) for row in history]
    results = metrics.get("results")  # longrange: one entry per cell
    if results:
        return [float(v) for r in results for v in r.get("train_loss", [])]
    return []


def _run(argv: list[str]) -> tuple[int, str]:
    from seqkeras.cli.main import main

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stderr.getvalue()[-2000:]


def main() -> int:
    strategy, root, *names = sys.argv[1:]
    also_default = "--also-default" in names
    names = [n for n in names if n != "--also-default"]
    if strategy == "mirrored":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
    os.makedirs(root, exist_ok=True)
    table = recipes(root, strategy)
    report: dict[str, dict[str, object]] = {}
    for name in names or list(table):
        argv, metrics = table[name]
        code, err = _run(argv)
        report[name] = {"rc": code, "loss": _losses(metrics), "stderr": err if code else ""}
    if also_default:
        argv, metrics = recipes(root, "default")["lm"]
        code, err = _run(argv)
        report["lm-default"] = {"rc": code, "loss": _losses(metrics), "stderr": err}
    from seqkeras.training import get_strategy

    report["replicas"] = {"rc": 0, "loss": [get_strategy(strategy).num_replicas_in_sync]}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
