"""docs/export.md and docs/wake-runner.md match the code: every flag and choice list of the
command synopses, every documented command line, and the names, positional arguments and
keywords of the Python API block exist."""

import ast
import importlib
import inspect
import re
import shlex
from pathlib import Path

import pytest
from seqkeras_edge.cli import build_parser as wake_parser
from seqkeras_export.cli import build_parser as export_parser
from seqkeras_export.convert import WEIGHT_GRANULARITIES
from seqkeras_export.exporters import list_exporters
from seqkeras_export.quantization import list_modes

DOCS = Path(__file__).resolve().parents[2] / "docs"
PARSERS = {"seqkeras-export": export_parser, "seqkeras-wake": wake_parser}
CHOICES = {
    "--to": list_exporters(),
    "--quantize": list_modes(),
    "--weights": list(WEIGHT_GRANULARITIES),
}


def _blocks(name, language=""):
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / name).read_text(), flags=re.S)


def _commands(name):
    """Command lines of the plain blocks (continuation lines joined, comments dropped)."""
    commands = []
    for block in _blocks(name):
        text = re.sub(r"\\\n\s*", " ", block)
        text = re.sub(r"\n\s+(?=[\[-])", " ", text)  # synopsis continuation lines
        for line in text.splitlines():
            line = line.split("#")[0].strip()
            if line.split(" ")[0] in PARSERS:
                commands.append(line)
    return commands


def _options(parser):
    return {s: a for a in parser._actions for s in a.option_strings}


@pytest.mark.parametrize("name", ["export.md", "wake-runner.md"])
def test_every_documented_flag_and_choice_list_exists(name):
    commands = _commands(name)
    assert commands
    for command in commands:
        program, *words = command.split()
        options = _options(PARSERS[program]())
        for flag, alternatives in re.findall(r"(--[\w-]+)(?:\s+([\w-]+(?:\|[\w-]+)+))?", " ".join(words)):
            assert flag in options, f"{name}: {program} has no {flag}"
            if alternatives:
                assert alternatives.split("|") == CHOICES[flag], f"{name}: {flag} {alternatives}"


@pytest.mark.parametrize("name", ["export.md", "wake-runner.md"])
def test_concrete_command_lines_parse(name):
    for command in _commands(name):
        if "|" in command or "MODEL" in command:
            continue  # a synopsis, checked above
        program, *words = shlex.split(command.replace("[", "").replace("]", ""))
        PARSERS[program]().parse_args(words)


def test_quantization_table_lists_the_registry():
    text = (DOCS / "export.md").read_text()
    table = text.split("## Quantization modes")[1].split("\n\n")[1]
    assert re.findall(r"^\| `([\w-]+)` \|", table, flags=re.M) == list_modes()


def test_python_api_block_names_and_arguments_exist():
    (block,) = _blocks("export.md", "python")
    tree = ast.parse(block)
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                imported[alias.name] = getattr(module, alias.name)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert {c.func.id for c in calls} >= {"build_step_graph", "ConversionJob", "ExportRequest"}
    for call in calls:
        target = imported[call.func.id]
        inspect.signature(target).bind(*call.args, **{k.arg: k.value for k in call.keywords})
    # graph.run_sequence(...) and get_exporter(...).run(...)
    step_graph = inspect.signature(imported["build_step_graph"]).return_annotation
    module = importlib.import_module("seqkeras_export.streaming")
    assert callable(getattr(module, step_graph).run_sequence)
    assert callable(imported["get_exporter"]("tflite").run)
