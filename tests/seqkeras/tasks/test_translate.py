"""`seqkeras translate`: tiny train / eval (BLEU grid, error analysis) / compare / translate."""

import json
import os
import shutil

import pytest

pytest.importorskip("tensorflow")
pytestmark = pytest.mark.skipif(shutil.which("diatheke") is None, reason="diatheke missing")

from seqkeras.cli.main import main  # noqa: E402

TINY = [
    "--max-words",
    "4",
    "--limit",
    "80",
    "--units",
    "8",
    "--embedding-dim",
    "8",
    "--vocab-size",
    "200",
    "--batch-size",
    "40",
    "--epochs",
    "1",
    "--quiet",
]


@pytest.mark.slow
def test_train_eval_compare_translate(tmp_path, capsys):
    run = str(tmp_path / "att")
    assert main(["translate", "train", "--run-dir", run, *TINY]) == 0
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
