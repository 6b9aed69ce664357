"""Every ``>>>`` example in a library docstring runs and prints what it shows (doctest).

The examples are what users copy first; this keeps them true as the code changes (issue 12:
docs match code). Examples that need data, a device or a long run say
``# doctest: +SKIP`` or are plain ``::`` code blocks instead.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# source folder -> the package it installs as (setup.cfg, package_dir)
PACKAGES = {"seqkeras": "seqkeras", "export": "seqkeras_export", "edge": "seqkeras_edge"}
# run as scripts in a child process, not imported
NOT_MODULES = {"seqkeras.audio.tts._kokoro_child"}


def _modules_with_examples() -> list[str]:
    names = []
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ">>>" not in path.read_text(encoding="utf-8"):
                continue
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join([package, *parts])
            if name not in NOT_MODULES:
                names.append(name)
    return names


MODULES = _modules_with_examples()


def test_the_library_has_examples():
    assert len(MODULES) >= 20, MODULES  # guards the discovery itself


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in finder.find(module, name):
        runner.run(test, out=report.append)
    failed = runner.summarize(verbose=False).failed
    if failed:
        pytest.fail(f"{failed} docstring example(s) of {name} failed:\n" + "".join(report))
