import pytest

import seqkeras
from seqkeras.cli import main as cli_main
from seqkeras.cli import registry


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"seqkeras {seqkeras.__version__}"


def test_help_lists_registered_commands(capsys):
    with pytest.raises(SystemExit):
        cli_main.main(["--help"])
    out = capsys.readouterr().out
    for name in registry.list_commands():
        assert name in out


def test_no_command_prints_help(capsys):
    assert cli_main.main([]) == 0
    assert "usage: seqkeras" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main.main(["no-such-command"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_registering_a_different_command_twice_fails():
    registry.register_command("__test_dup__", "x")(lambda parser: None)
    try:
        with pytest.raises(ValueError, match="__test_dup__"):
            registry.register_command("__test_dup__", "y")(lambda parser: None)
    finally:
        registry._COMMANDS.pop("__test_dup__")
