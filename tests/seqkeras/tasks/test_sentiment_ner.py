"""``seqkeras sentiment`` and ``seqkeras ner`` in process on tiny files: train, eval,
predict, cross-validation, and one-line errors (exit 2) that name file and line."""

import json

import numpy as np
import pytest

from seqkeras.cli.main import main

pytestmark = pytest.mark.slow  # trains several tiny models end to end (~30 s)

POSITIVE = ["great", "good", "fun", "lovely"]
NEGATIVE = ["bad", "dull", "awful", "boring"]


@pytest.fixture
def files(tmp_path):
    rows = ["text,label"]
    for i in range(12):
        rows.append(f"a {POSITIVE[i % 4]} film,pos")
        rows.append(f"a {NEGATIVE[i % 4]} film,neg")
    sentiment = tmp_path / "s.csv"
    sentiment.write_text("\n".join(rows) + "\n")
    rng = np.random.default_rng(0)
    words = [*POSITIVE, *NEGATIVE, "a", "film"]
    glove = tmp_path / "g.txt"
    glove.write_text("".join(f"{w} " + " ".join(f"{x:.3f}" for x in rng.normal(size=4)) + "\n" for w in words))
    lines = []
    for i in range(10):
        lines += ["Obama\tB-person", "visits\tO", "Paris\tB-geo-loc", ""] if i % 2 else ["I\tO", "love\tO", "New\tB-geo-loc", "York\tI-geo-loc", ""]
    conll = tmp_path / "n.conll"
    conll.write_text("\n".join(lines))
    return {"sentiment": str(sentiment), "glove": str(glove), "conll": str(conll), "dir": tmp_path}


def test_sentiment_train_eval_predict(files, capsys):
    run = str(files["dir"] / "run")
    common = ["--data", files["sentiment"], "--folds", "4", "--epochs", "2", "--quiet"]
    assert main(["sentiment", "train", *common, "--model", "rnn", "--depth", "1", "--units", "4",
                 "--embeddings-file", files["glove"], "--run-dir", run]) == 0
    metrics = json.loads((files["dir"] / "run" / "metrics.json").read_text())
    held = metrics["held_out"]
    assert held["examples"] == 6 and np.sum(held["confusion_matrix"]) == 6
    assert metrics["negation_probe"]["all"]["sentences"] == 36
    assert len(metrics["train_loss"]) == 2  # one cross-entropy per epoch
    assert all(0 < loss < float("inf") for loss in metrics["train_loss"])
    assert (files["dir"] / "run" / "confusion.png").stat().st_size > 0
    run_config = json.loads((files["dir"] / "run" / "run.json").read_text())
    assert "epochs" not in run_config and run_config["embeddings"].startswith("file:")
    assert main(["sentiment", "eval", "--run-dir", run]) == 0
    assert json.loads((files["dir"] / "run" / "eval.json").read_text())["held_out"] == held
    only_positive = files["dir"] / "pos.csv"
    only_positive.write_text("text,label\na good film,pos\nfun,pos\n")
    assert main(["sentiment", "eval", "--run-dir", run, "--data", str(only_positive)]) == 0
    assert json.loads((files["dir"] / "run" / "eval.json").read_text())["held_out"]["examples"] == 2
    capsys.readouterr()
    assert main(["sentiment", "predict", "--run-dir", run, "--json", "a great film", "dull"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["text"] for x in lines] == ["a great film", "dull"]
    assert all(x["label"] in ("neg", "pos") and 0.5 <= x["score"] <= 1 for x in lines)


def test_sentiment_cross_validation_resumes(files, capsys):
    out = files["dir"] / "cv"
    argv = ["sentiment", "cv", "--data", files["sentiment"], "--folds", "3", "--epochs", "1",
            "--models", "average,vader", "--embeddings", "random", "--out", str(out), "--quiet",
            "--augment-negation", "10"]
    assert main(argv) == 0
    result = json.loads((out / "cv.json").read_text())
    assert result["settings"]["models"]["average"]["augment_negation"] == 10
    assert all(r["examples"] == 8 for r in result["results"])  # test folds stay real data
    assert {(r["model"], r["fold"]) for r in result["results"]} == {(m, f) for m in ("average", "vader") for f in range(3)}
    vader = [r["accuracy"] for r in result["results"] if r["model"] == "vader"]
    assert result["summary"]["vader"]["accuracy_mean"] == pytest.approx(np.mean(vader))
    assert result["summary"]["vader"]["accuracy_std"] == pytest.approx(np.std(vader, ddof=1))
    capsys.readouterr()
    assert main(argv) == 0  # every fold is read back, none retrained
    assert "fold 0:" not in capsys.readouterr().out
    assert (out / "cv_accuracy.png").exists() and (out / "confusion_average.png").exists()


def test_ner_train_eval_predict(files, capsys):
    run = str(files["dir"] / "ner")
    assert main(["ner", "train", "--data", files["conll"], "--embeddings", "random", "--char-features",
                 "--units", "4", "--epochs", "1", "--run-dir", run, "--quiet"]) == 0
    metrics = json.loads((files["dir"] / "ner" / "metrics.json").read_text())
    assert metrics["sentences"] == 2 and metrics["scores"]["micro"]["support"] == 3
    assert metrics["seqeval_micro_f1"] == pytest.approx(metrics["scores"]["micro"]["f1"])
    assert main(["ner", "eval", "--run-dir", run, "--data", files["conll"]]) == 0
    assert json.loads((files["dir"] / "ner" / "eval.json").read_text())["sentences"] == 10
    capsys.readouterr()
    assert main(["ner", "predict", "--run-dir", run, "--json", "Obama loves New York"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tokens"] == ["Obama", "loves", "New", "York"] and len(out["tags"]) == 4


@pytest.mark.parametrize(
    "argv,content,message",
    [
        (["sentiment", "train"], "text,label\ngood,pos\n,neg\n", r"bad\.csv:3: empty text"),
        (["ner", "train"], "a\tO\nb\tO\tx\n", r"bad\.csv:2: expected 2 columns"),
        (["sentiment", "train", "--folds", "1"], "text,label\na,pos\nb,neg\n", "--folds must be >= 2"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(tmp_path, capsys, argv, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    assert main([*argv, "--data", str(bad), "--embeddings", "random", "--run-dir", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    import re

    assert re.search(message, err), err


def test_predict_without_a_trained_run(tmp_path, capsys):
    assert main(["sentiment", "predict", "--run-dir", str(tmp_path), "good"]) == 2
    assert "train first" in capsys.readouterr().err
