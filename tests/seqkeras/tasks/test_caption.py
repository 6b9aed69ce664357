"""`seqkeras caption`: tiny train / eval / sample on drawn shapes."""

import json
import os

import pytest

from seqkeras.cli.main import main

# Small enough for CI, big enough that attention visibly helps (measured: attention
# ~16 % exact / BLEU ~52 vs ~0 % / BLEU ~17 without, 100 images).
TINY = ["--train-size", "800", "--epochs", "4", "--units", "32", "--batch-size", "32", "--quiet"]


def _train_and_eval(run, *flags):
    assert main(["caption", "train", "--run-dir", run, *TINY, *flags]) == 0
    assert main(["caption", "eval", "--run-dir", run, "--count", "100"]) == 0
    return json.load(open(os.path.join(run, "eval-greedy.json")))


@pytest.mark.slow
def test_train_eval_sample_and_attention_beats_no_attention(tmp_path, capsys):
    run = str(tmp_path / "cap")
    result = _train_and_eval(run)
    assert result["count"] == 100 and result["attention"]
    baseline = _train_and_eval(str(tmp_path / "none"), "--no-attention")
    assert not baseline["attention"]
    # The course's point (3.7-3.8): the same decoder without attention sees only the
    # mean-pooled image and learns the captions far worse.
    assert result["bleu"] > baseline["bleu"] + 15
    assert result["exact_match"] > baseline["exact_match"]
    png = str(tmp_path / "s.png")
    capsys.readouterr()
    assert (
        main(
            [
                "caption",
                "sample",
                "--run-dir",
                run,
                "--count",
                "3",
                "--plot",
                png,
                "--method",
                "greedy",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.count("[true: a ") == 3
    assert open(png, "rb").read(4) == b"\x89PNG"


def test_bad_arguments(tmp_path, capsys):
    assert main(["caption", "train", "--run-dir", str(tmp_path), "--train-size", "0"]) == 2
    assert "--train-size must be >= 1" in capsys.readouterr().err
    assert main(["caption", "eval", "--run-dir", str(tmp_path / "none")]) == 2
    assert "train first" in capsys.readouterr().err
