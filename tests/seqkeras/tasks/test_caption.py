"""`seqkeras caption`: tiny train / eval / sample on drawn shapes."""

import json
import os

import pytest

pytest.importorskip("tensorflow")

from seqkeras.cli.main import main  # noqa: E402


@pytest.mark.slow
def test_train_eval_sample(tmp_path, capsys):
    run = str(tmp_path / "cap")
    assert (
        main(
            [
                "caption",
                "train",
                "--run-dir",
                run,
                "--train-size",
                "64",
                "--epochs",
                "1",
                "--units",
                "8",
                "--batch-size",
                "32",
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["caption", "eval", "--run-dir", run, "--count", "20"]) == 0
    result = json.load(open(os.path.join(run, "eval-greedy.json")))
    assert result["count"] == 20 and 0 <= result["exact_match"] <= 1 and result["attention"]
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
