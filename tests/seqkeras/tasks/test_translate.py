"""`seqkeras translate`: tiny train / eval (BLEU grid, error analysis) / compare / translate."""

import json
import os
import shutil

import pytest

from seqkeras.cli.main import main

pytestmark = pytest.mark.skipif(shutil.which("diatheke") is None, reason="diatheke missing")

# 38 verse pairs learned by heart in 30 epochs (~20 s): proves the model, the loss and the
# training path learn; generalization needs the full recipe (BENCHMARKS.md).
TINY = [
    "--max-words", "4", "--limit", "40", "--units", "32", "--embedding-dim", "16",
    "--vocab-size", "200", "--batch-size", "8", "--epochs", "30", "--learning-rate", "0.01",
    "--quiet",
]  # fmt: skip


def _majority_token_accuracy(run_dir):
    """Accuracy of always predicting the most common target token (end token included)."""
    import collections

    from seqkeras.models.token_vocabulary import TokenVocabulary
    from seqkeras.tasks.translate import select_pairs

    run = json.load(open(os.path.join(run_dir, "run.json")))
    train, _ = select_pairs(run)
    vocabulary = TokenVocabulary.build(
        [p.english for p in train], level="word", lowercase=True, max_size=run["vocab_size"]
    )
    tokens = [t for p in train for t in [*vocabulary.split(p.english), "</s>"]]
    return collections.Counter(tokens).most_common(1)[0][1] / len(tokens)


@pytest.mark.slow
def test_train_eval_compare_translate(tmp_path, capsys):
    run = str(tmp_path / "att")
    assert main(["translate", "train", "--run-dir", run, *TINY]) == 0
    history = json.load(open(os.path.join(run, "metrics.json")))["history"]
    assert history["token_accuracy"][-1] > _majority_token_accuracy(run) + 0.3
    assert (
        main(
            [
                "translate",
                "eval",
                "--run-dir",
                run,
                "--limit",
                "12",
                "--beam-widths",
                "2",
                "--alphas",
                "0.7",
            ]
        )
        == 0
    )
    result = json.load(open(os.path.join(run, "eval.json")))
    assert [g["decoder"] for g in result["grid"]] == ["greedy", "beam2_a0.7"]
    assert all(0.0 <= g["bleu"] <= 100.0 and "nrefs:1" in g["signature"] for g in result["grid"])
    ea = result["error_analysis"]
    assert ea["errors"] <= 12 and abs(ea["fraction_search"] + ea["fraction_model"] - 1) < 1e-9
    png = str(tmp_path / "len.png")
    capsys.readouterr()
    assert main(["translate", "compare", run, "--plot", png]) == 0
    assert "| " + run + " | yes |" in capsys.readouterr().out
    assert open(png, "rb").read(4) == b"\x89PNG"
    assert main(["translate", "translate", "Y lloró Jesús.", "--run-dir", run]) == 0
    assert capsys.readouterr().out.startswith("Y lloró Jesús.\t")
    assert main(["translate", "translate", "", "--run-dir", run]) == 2
    assert "empty input" in capsys.readouterr().err


def test_user_errors(tmp_path, capsys):
    assert main(["translate", "compare", str(tmp_path)]) == 2
    assert "translate eval" in capsys.readouterr().err
    assert (
        main(
            [
                "translate",
                "train",
                "--run-dir",
                str(tmp_path),
                "--split",
                "book",
                "--held-out-books",
                "Mrak",
                *TINY,
            ]
        )
        == 2
    )
    assert "unknown book" in capsys.readouterr().err
