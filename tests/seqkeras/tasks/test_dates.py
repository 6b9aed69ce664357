"""`seqkeras dates`: train (resumable) / eval / translate, heat map, bad input."""

import json
import os
from collections import Counter

import pytest

from seqkeras.cli.main import main
from seqkeras.tasks.dates import held_out_pairs

# Small, but enough to learn the task (~85 % exact match after 4 epochs).
TINY = ["--train-size", "3000", "--eval-size", "200", "--units", "32", "--batch-size", "64",
        "--quiet"]  # fmt: skip


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("dates") / "run")
    assert main(["dates", "train", "--run-dir", path, "--epochs", "3", *TINY]) == 0
    return path


@pytest.mark.slow
def test_train_resumes_with_more_epochs_and_learns(run_dir, capsys):
    metrics = json.load(open(os.path.join(run_dir, "metrics.json")))
    assert metrics["eval_size"] == 200
    assert metrics["history"]["epoch"] == [0, 1, 2]
    capsys.readouterr()
    assert main(["dates", "train", "--run-dir", run_dir, "--epochs", "4", *TINY]) == 0
    assert "Resuming" in capsys.readouterr().out
    metrics = json.load(open(os.path.join(run_dir, "metrics.json")))
    assert metrics["history"]["epoch"] == [0, 1, 2, 3]
    # Learned: far above always answering the most common held-out date.
    targets = [iso for _, iso in held_out_pairs(metrics["run"], 200)]
    majority = Counter(targets).most_common(1)[0][1] / len(targets)
    assert metrics["exact_match"] > majority + 0.5
    # a different configuration in the same directory is refused
    other = [a if a != "32" else "33" for a in TINY]
    assert main(["dates", "train", "--run-dir", run_dir, "--epochs", "4", *other]) == 2


@pytest.mark.slow
def test_translate_plot_and_eval(run_dir, tmp_path, capsys):
    png = str(tmp_path / "att.png")
    assert (
        main(
            ["dates", "translate", "3 May 1999", "12.10.1950", "--run-dir", run_dir, "--plot", png]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("3 May 1999\t") and out[1].startswith("12.10.1950\t")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert (
        main(
            [
                "dates",
                "eval",
                "--run-dir",
                run_dir,
                "--count",
                "12",
                "--method",
                "beam",
                "--beam-width",
                "2",
            ]
        )
        == 0
    )
    result = json.load(open(os.path.join(run_dir, "eval-beam.json")))
    assert result["count"] == 12
    assert len(result["errors"]) == round((1 - result["exact_match"]) * 12)


@pytest.mark.slow
@pytest.mark.parametrize(
    "date,message",
    [
        ("", "empty input"),
        ("3 May 1999 \u2603", "unknown char"),
        ("3 May 1999" + " and then some" * 4, "more than the maximum 40"),
    ],
)
def test_bad_input_is_one_clear_line(run_dir, capsys, date, message):
    assert main(["dates", "translate", date, "--run-dir", run_dir]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("seqkeras dates: error:") and message in err and "\n" not in err


@pytest.mark.slow
def test_documented_fallbacks_for_unknown_and_too_long(run_dir, capsys):
    assert (
        main(["dates", "translate", "3 May 1999 \u2603", "--unknown", "unk", "--run-dir", run_dir])
        == 0
    )
    assert (
        main(
            [
                "dates",
                "translate",
                "3 May 1999" + " and then some" * 4,
                "--truncate",
                "--run-dir",
                run_dir,
            ]
        )
        == 0
    )


def test_missing_run_is_a_clear_error(tmp_path, capsys):
    assert main(["dates", "eval", "--run-dir", str(tmp_path / "nothing")]) == 2
    assert "train first" in capsys.readouterr().err


@pytest.mark.slow
def test_multiworker_strategy_trains_with_the_custom_step(tmp_path):
    # MultiWorkerMirroredStrategy must be set up before TF runs anything: own process.
    import subprocess
    import sys

    run = str(tmp_path / "mw")
    tf_config = (
        '{"cluster": {"worker": ["127.0.0.1:23457"]}, "task": {"type": "worker", "index": 0}}'
    )
    env = dict(os.environ, TF_CONFIG=tf_config, TF_CPP_MIN_LOG_LEVEL="3")
    code = (
        "import sys; from seqkeras.cli.main import main; "
        f"sys.exit(main(['dates', 'train', '--run-dir', {run!r}, '--epochs', '1', "
        "'--strategy', 'multiworker', '--train-size', '100', '--eval-size', '5', "
        "'--units', '8', '--batch-size', '50', '--quiet']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=400
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    metrics = json.load(open(os.path.join(run, "metrics.json")))
    assert metrics["history"]["epoch"] == [0] and "grad_norm" in metrics["history"]
