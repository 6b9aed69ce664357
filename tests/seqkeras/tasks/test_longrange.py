"""``seqkeras longrange``: the synthetic agreement data and the recipe on a tiny config."""

import json

import numpy as np
import pytest

from seqkeras.cli.main import main
from seqkeras.layers import Recurrent
from seqkeras.tasks.longrange import (
    NOUNS,
    TEST_SAMPLES,
    VOCABULARY,
    LongRangeConfig,
    build_model,
    decode,
    make_agreement_data,
)

PLURALS = {plural for _, plural in NOUNS}
SINGULARS = {singular for singular, _ in NOUNS}


def test_label_is_the_number_of_the_subject():
    x, y = make_agreement_data(200, gap=7, seed=1)
    assert x.shape == (200, 9) and y.shape == (200,)
    for tokens, label in zip(x, y, strict=True):
        words = [VOCABULARY[t] for t in tokens]
        assert words[0] == "the"
        assert words[1] in (PLURALS if label == 1 else SINGULARS)
        assert not set(words[2:]) & (PLURALS | SINGULARS)  # no nouns in the gap
    assert 0.35 < y.mean() < 0.65


def test_attractors_put_other_nouns_in_the_gap_only():
    x, y = make_agreement_data(300, gap=10, seed=2, attractors=0.3)
    gap_words = [VOCABULARY[t] for t in x[:, 2:].ravel()]
    share = np.mean([w in PLURALS | SINGULARS for w in gap_words])
    assert 0.25 < share < 0.35
    subjects = [VOCABULARY[t] for t in x[:, 1]]
    assert [int(w in PLURALS) for w in subjects] == y.tolist()


def test_variable_gaps_are_left_padded():
    x, y = make_agreement_data(400, gap=9, seed=4, min_gap=3)
    assert x.shape == (400, 11)
    gaps = []
    for tokens, label in zip(x, y, strict=True):
        words = [VOCABULARY[t] for t in tokens]
        start = words.index("the")
        assert set(words[:start]) <= {"<pad>"} and "<pad>" not in words[start:]
        assert (words[start + 1] in PLURALS) == bool(label)
        gaps.append(len(words) - start - 2)
    assert min(gaps) == 3 and max(gaps) == 9


def test_decode_and_seed():
    x, y = make_agreement_data(3, gap=2, seed=5)
    again, _ = make_agreement_data(3, gap=2, seed=5)
    np.testing.assert_array_equal(x, again)
    text = decode(x[0], y[0])
    assert text.startswith("the ") and text.endswith((" was full", " were full"))
    assert len(text.split()) == 2 + 2 + 2


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"n": 0, "gap": 3}, "n must be >= 1"),
        ({"n": 5, "gap": 0}, "gap must be >= 1"),
        ({"n": 5, "gap": 3, "min_gap": 4}, "min_gap must be in 1..gap=3, got 4"),
    ],
)
def test_bad_data_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        make_agreement_data(seed=0, **bad)


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_model_uses_seqkeras_recurrent(kind):
    model = build_model(kind, LongRangeConfig(units=3), timesteps=6)
    recurrent = [layer for layer in model.layers if isinstance(layer, Recurrent)]
    assert len(recurrent) == 1 and recurrent[0].kind == kind
    assert model.output_shape == (None, 2)


@pytest.mark.slow
def test_recipe_on_a_tiny_config(tmp_path, capsys):
    out = tmp_path / "run"
    argv = [
        "longrange",
        "--gaps",
        "2,4",
        "--kinds",
        "rnn,lstm",
        "--units",
        "8",
        "--epochs",
        "6",
        "--samples",
        "256",
        "--batch-size",
        "32",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "held-out accuracy" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    cells = {(r["kind"], r["gap"]) for r in metrics["results"]}
    assert cells == {("rnn", 2), ("rnn", 4), ("lstm", 2), ("lstm", 4)}
    for result in metrics["results"]:
        assert 1 <= result["epochs_run"] <= 6
    # Learned: at a short gap the LSTM beats always answering the majority verb.
    _, y_held_out = make_agreement_data(TEST_SAMPLES, 2, LongRangeConfig().seed * 1000 + 2 + 1)
    majority = max(y_held_out.mean(), 1 - y_held_out.mean())
    lstm = next(r for r in metrics["results"] if r["kind"] == "lstm" and r["gap"] == 2)
    assert lstm["test_accuracy"] > majority + 0.2
    assert (out / "accuracy_vs_gap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((out / "checkpoints").rglob("*.weights.h5"))  # deleted when done
    table = printed[printed.index("held-out accuracy choosing") :].splitlines()
    first = {r["kind"]: r for r in metrics["results"] if r["gap"] == 2}
    expected = ["2"]
    for kind in ("rnn", "lstm"):
        expected += [f"{first[kind]['test_accuracy']:.3f}", f"[{first[kind]['epochs_run']:2d}]"]
    assert table[2].replace("[ ", "[").split() == [e.replace("[ ", "[") for e in expected]

    # run again: finished cells are read back, nothing is retrained
    assert main(argv) == 0
    assert printed.count("(from") == 0 and capsys.readouterr().out.count("(from") == 4


@pytest.mark.parametrize(
    "flags, message",
    [(["--units", "0"], "--units 0"), (["--attractors", "1.5"], "--attractors 1.5")],
)
def test_bad_flags_are_one_line_errors(tmp_path, capsys, flags, message):
    assert main(["longrange", "--out", str(tmp_path), *flags]) == 2
    assert message in capsys.readouterr().err


def test_unknown_kind_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["longrange", "--kinds", "rnn,transformer"])
    assert "transformer" in capsys.readouterr().err
