"""No import cycles inside seqkeras: a static check of the module import graph.

Every ``import``/``from ... import`` in every module counts, including the ones inside
functions (a lazy import still ties two modules together and turns into a circular-import
error the day someone moves it to the top); imports under ``if TYPE_CHECKING:`` do not
run and are skipped. ``from package import name`` is an edge to ``package.name`` when
that is a module, else to the package's ``__init__``. A cycle is a strongly connected
component of this graph.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "seqkeras"

# Cycles still in the tree, each with the reason it is allowed for now. Shrink only: a new
# cycle fails the test, and so does an entry here that no longer is a cycle.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """``{"seqkeras.text.vocabulary": path, "seqkeras.text": path/__init__.py, ...}``."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The seqkeras modules that module ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base not in modules:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    found.discard(name)
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = module_files(root)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[frozenset[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(frozenset(component))
    return components


def _describe(component: frozenset[str], graph: dict[str, set[str]]) -> str:
    edges = [f"{a} -> {b}" for a in sorted(component) for b in sorted(graph[a] & component)]
    return "{" + ", ".join(sorted(component)) + "}: " + "; ".join(edges)


def test_the_checker_finds_a_cycle_through_lazy_imports_and_skips_type_checking(tmp_path):
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .a import f\n")
    (package / "sub" / "a.py").write_text("def f():\n    from seqkeras.sub import b\n")
    (package / "sub" / "b.py").write_text("from . import c\n")
    (package / "sub" / "c.py").write_text("from ..sub.a import f\n")
    (package / "sub" / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import g\n"
    )
    (package / "sub" / "e.py").write_text("from .d import x\n")
    graph = import_graph(tmp_path)
    assert graph["seqkeras.sub.b"] == {"seqkeras.sub.c"}
    assert graph["seqkeras.sub.d"] == set()
    assert cycles(graph) == [frozenset({"seqkeras.sub.a", "seqkeras.sub.b", "seqkeras.sub.c"})]


def test_no_import_cycles_inside_seqkeras():
    graph = import_graph()
    assert "seqkeras.text" in graph and graph["seqkeras.lm.language_model"]  # read the tree
    found = set(cycles(graph))
    new = [_describe(c, graph) for c in found - set(KNOWN_CYCLES)]
    assert not new, "import cycles (move the shared code down a layer):\n" + "\n".join(new)
    gone = [sorted(c) for c in set(KNOWN_CYCLES) - found]
    assert not gone, f"no longer cycles, remove them from KNOWN_CYCLES: {gone}"


@pytest.mark.parametrize(
    "module, forbidden",
    [
        ("seqkeras.datasets", "seqkeras.music"),
        ("seqkeras.datasets", "seqkeras.lm"),
        ("seqkeras.text", "seqkeras.models"),
        ("seqkeras.text", "seqkeras.lm"),
    ],
)
def test_lower_layers_do_not_import_higher_ones(module, forbidden):
    graph = import_graph()
    offenders = {
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name == module or name.startswith(module + ".")
        for target in targets
        if target == forbidden or target.startswith(forbidden + ".")
    }
    assert not offenders, f"{module} must not import {forbidden}: {sorted(offenders)}"
