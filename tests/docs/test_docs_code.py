"""The code in README.md and docs/*.md matches the code: drift fails CI.

- Every ```python block parses; every name it imports from seqkeras, seqkeras_export or
  seqkeras_edge exists; every call of such a name (or of an attribute of an imported
  seqkeras module) binds to the callable's real signature (argument names and counts).
  Blocks of pure example output (no import, no call of a seqkeras name) are only parsed.
- Every ```bash line that runs ``seqkeras``, ``seqkeras-export`` or ``seqkeras-wake``
  parses with that command's real argparse parser (subcommands, flags, choices).

Blocks fenced as ```text (or with no language) are not code and are not checked.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import inspect
import io
import pathlib
import re
import shlex

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PACKAGES = ("seqkeras", "seqkeras_export", "seqkeras_edge")
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)


def _blocks(language: str) -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            if match.group(1) == language:
                line = text.count("\n", 0, match.start()) + 2
                found.append((f"{path.relative_to(ROOT)}:{line}", line, match.group(2)))
    return found


# -- python -------------------------------------------------------------------------------
class _Checker(ast.NodeVisitor):
    """Resolves names bound by seqkeras imports and checks calls against signatures."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.names: dict[str, object] = {}
        self.problems: list[str] = []

    def _resolve_module(self, name: str) -> object | None:
        try:
            return importlib.import_module(name)
        except ImportError as err:
            self.problems.append(f"import {name}: {err}")
            return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] not in PACKAGES:
                continue
            module = self._resolve_module(alias.name)
            if module is not None:
                bound = alias.asname or alias.name.split(".")[0]
                self.names[bound] = module if alias.asname else importlib.import_module(bound)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if not node.module or node.module.split(".")[0] not in PACKAGES or node.level:
            return
        module = self._resolve_module(node.module)
        if module is None:
            return
        for alias in node.names:
            try:
                value = getattr(module, alias.name)
            except AttributeError:
                try:
                    value = importlib.import_module(f"{node.module}.{alias.name}")
                except ImportError:
                    self.problems.append(f"{node.module} has no name {alias.name!r}")
                    continue
            self.names[alias.asname or alias.name] = value

    def _lookup(self, node: ast.expr) -> object | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._lookup(node.value)
            if owner is None or not inspect.ismodule(owner):
                return None  # attributes of objects: their type is not known statically
            if not hasattr(owner, node.attr):
                try:
                    return importlib.import_module(f"{owner.__name__}.{node.attr}")
                except ImportError:
                    self.problems.append(f"{owner.__name__} has no attribute {node.attr!r}")
                    return None
            return getattr(owner, node.attr)
        return None

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        target = self._lookup(node.func)
        if target is None or not callable(target) or inspect.ismodule(target):
            return
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            return
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            return
        args = [object()] * len(node.args)
        kwargs = {k.arg: object() for k in node.keywords if k.arg}
        try:
            signature.bind(*args, **kwargs)
        except TypeError as err:
            name = ast.unparse(node.func)
            self.problems.append(f"{name}{signature}: {err} (called as {ast.unparse(node)[:120]})")


def _python_source(block: str) -> str:
    """Doctest-style blocks (``>>>``/``...``) become plain code; output lines are dropped."""
    lines = block.splitlines()
    if not any(line.lstrip().startswith(">>>") for line in lines):
        return block
    code = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(">>> ") or stripped == ">>>":
            code.append(stripped[4:])
        elif stripped.startswith("... ") or stripped == "...":
            code.append(stripped[4:])
    return "\n".join(code)


PYTHON_BLOCKS = _blocks("python")


@pytest.mark.parametrize("where, line, block", PYTHON_BLOCKS, ids=[b[0] for b in PYTHON_BLOCKS])
def test_python_blocks_use_real_names_and_signatures(where, line, block):
    source = _python_source(block)
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        pytest.fail(f"{where}: the block does not parse: {err}")
    checker = _Checker(where)
    checker.visit(tree)
    assert not checker.problems, f"{where}:\n  " + "\n  ".join(checker.problems)


# -- bash ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _parsers() -> dict[str, object]:
    from seqkeras_edge.cli import build_parser as wake_parser
    from seqkeras_export.cli import build_parser as export_parser

    from seqkeras.cli.main import build_parser as seqkeras_parser

    return {
        "seqkeras": seqkeras_parser(),
        "seqkeras-export": export_parser(),
        "seqkeras-wake": wake_parser(),
    }


def _commands(block: str) -> list[list[str]]:
    """The argv of every seqkeras command in a shell block (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = []
    for raw in joined.splitlines():
        line = raw.split(" #", 1)[0].strip()
        line = re.sub(r"^(\$ |[A-Z_]+=\S+ )+", "", line)  # prompts and VAR=value prefixes
        if not line or "..." in line or "<" in line:
            continue
        for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line):
            try:
                argv = shlex.split(part)
            except ValueError:
                continue
            if argv and argv[0] in ("seqkeras", "seqkeras-export", "seqkeras-wake"):
                commands.append(argv)
    return commands


BASH_COMMANDS = [
    (where, argv) for where, _, block in _blocks("bash") for argv in _commands(block)
]


@pytest.mark.parametrize(
    "where, argv", BASH_COMMANDS, ids=[f"{w}:{' '.join(a)[:60]}" for w, a in BASH_COMMANDS]
)
def test_shell_commands_parse_with_the_real_cli(where, argv):
    parser = _parsers()[argv[0]]
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser.parse_args(argv[1:])  # type: ignore[attr-defined]
        except SystemExit as exit_:
            if exit_.code not in (0, None):  # --help exits 0
                pytest.fail(f"{where}: `{shlex.join(argv)}` does not parse: {stderr.getvalue()}")


def test_the_checks_found_code_to_check():
    assert len(PYTHON_BLOCKS) > 10 and len(BASH_COMMANDS) > 20
