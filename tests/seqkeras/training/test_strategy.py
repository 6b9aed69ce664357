"""Strategies by name, the --strategy flag, TF_CONFIG checks."""

import argparse
import json
import re

import pytest

from seqkeras.training import add_strategy_argument, get_strategy, list_strategies
from seqkeras.training.strategy import parse_tf_config


def test_registry_lists_the_three_strategies():
    assert list_strategies() == ["default", "mirrored", "multiworker"]


def test_bad_name_raises_value_error_naming_it():
    with pytest.raises(ValueError, match="'mirorred'"):
        get_strategy("mirorred")


def test_default_strategy_has_one_replica():
    assert get_strategy("default").num_replicas_in_sync == 1


def test_argument_choices_come_from_registry():
    parser = add_strategy_argument(argparse.ArgumentParser())
    assert parser.parse_args([]).strategy == "default"
    assert parser.parse_args(["--strategy", "mirrored"]).strategy == "mirrored"
    with pytest.raises(SystemExit):
        parser.parse_args(["--strategy", "tpu"])


def test_multiworker_without_tf_config_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        get_strategy("multiworker")


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        (json.dumps({"task": {"type": "worker", "index": 0}}), '"cluster"'),
        (json.dumps({"cluster": {"worker": ["localhost"]}, "task": {}}), "'localhost'"),
        (json.dumps({"cluster": {"worker": ["a:1"]}}), '"task"'),
        (json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}), "'ps'"),
        (
            json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}),
            "index 3",
        ),
    ],
)
def test_invalid_tf_config_names_the_problem(raw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_tf_config({"TF_CONFIG": raw})


def test_valid_tf_config_parses():
    config = {
        "cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]},
        "task": {"type": "worker", "index": 1},
    }
    assert parse_tf_config({"TF_CONFIG": json.dumps(config)}) == config


def test_lazy_names_resolve():
    import seqkeras.training as training

    for name in training.__all__:
        assert getattr(training, name) is not None
    with pytest.raises(AttributeError):
        training.no_such_name  # noqa: B018
