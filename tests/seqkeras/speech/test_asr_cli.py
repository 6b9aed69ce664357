"""``seqkeras asr`` argument handling (the heavy paths are in test_recognizer.py)."""

import pytest

from seqkeras.cli.main import main


def test_unknown_bank_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["asr", "synth", "--bank", "train-espeak=10"])
    assert exit_info.value.code == 2
    assert "NAME=COUNT" in capsys.readouterr().err


@pytest.mark.parametrize("action", ["eval", "transcribe"])
def test_missing_model_is_named(action, tmp_path, capsys):
    argv = ["asr", action, "--model", str(tmp_path / "none.keras")]
    argv += ["--greedy-only"] if action == "eval" else [str(tmp_path / "a.wav")]
    assert main(argv) == 2
    assert "none.keras" in capsys.readouterr().err


def test_lm_needs_beam_search(tmp_path, capsys):
    argv = ["asr", "transcribe", str(tmp_path / "a.wav"), "--lm", "x.npz", "--model", "m.keras"]
    assert main(argv) == 2
    assert "--beam-width" in capsys.readouterr().err


def test_lr_schedule_joins_the_run_identity_only_when_not_constant():
    from seqkeras.speech.recipe import AsrConfig

    constant = AsrConfig(lr_schedule="constant")
    assert "lr_schedule" not in constant.to_dict()  # runs from before it still resume
    assert constant.learning_rate_for(10, 3) == 1e-3
    cosine = AsrConfig()  # the recipe's default
    assert cosine.to_dict()["lr_schedule"] == "cosine"
    schedule = cosine.learning_rate_for(steps_per_epoch=10, epochs=3)
    assert float(schedule(0)) == pytest.approx(1e-3)
    assert float(schedule(30)) == pytest.approx(0.05e-3)
