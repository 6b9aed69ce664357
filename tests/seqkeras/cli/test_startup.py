"""``seqkeras --help`` answers without TensorFlow; a command still gets Keras classes."""

import json
import os
import subprocess
import sys

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def _fresh(code):
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_building_every_parser_imports_no_tensorflow_or_keras():
    loaded = _fresh(
        "import json, sys, _seqkeras_cli\n"
        "from seqkeras.cli.main import build_parser\n"
        "parser = build_parser()\n"
        "for action in parser._subparsers._group_actions:\n"
        "    for name, sub in action.choices.items():\n"
        "        sub.format_help()\n"
        "print(json.dumps(sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch')\n"
        "                        if m in sys.modules)))\n"
    )
    assert loaded == []


def test_help_through_the_console_script_module_imports_no_tensorflow():
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "_seqkeras_cli", "lm", "train", "--help"],
        capture_output=True, text=True, env=ENV, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0 and "--corpus" in result.stdout
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines()}
    assert "seqkeras" in imported and not imported & {"tensorflow", "keras", "jax"}


def test_a_command_run_from_the_launcher_has_the_seqkeras_keras_classes():
    registered = _fresh(
        "import json, sys, _seqkeras_cli\n"
        "from seqkeras.cli import main as cli\n"
        "cli.build_parser()\n"
        "assert 'keras' not in sys.modules\n"
        "from seqkeras import register_keras_objects\n"
        "register_keras_objects()\n"
        "import keras\n"
        "print(json.dumps(keras.saving.get_registered_object('seqkeras>Recurrent') is not None))\n"
    )
    assert registered is True
