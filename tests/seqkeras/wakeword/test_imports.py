"""What importing seqkeras pulls in for the wake word, and no import circle between tasks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import seqkeras

PACKAGE = Path(seqkeras.__file__).parent


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_a_compiled_model_loads_without_importing_the_training_recipe(tmp_path):
    path = tmp_path / "compiled.keras"
    _run(
        "import keras, numpy as np\n"
        "from seqkeras.wakeword.losses import WeightedBinaryCrossentropy\n"
        "m = keras.Sequential([keras.Input((5, 3)), keras.layers.Dense(1, activation='sigmoid')])\n"
        "m.compile('adam', WeightedBinaryCrossentropy(positive_weight=2.5))\n"
        f"m.save({str(path)!r}); print('saved')"
    )
    loaded = _run(
        "import sys, keras, seqkeras\n"
        f"m = keras.saving.load_model({str(path)!r})\n"
        "print(type(m.loss).__name__, m.loss.positive_weight, 'seqkeras.wakeword.train' in sys.modules)"
    )
    assert loaded == "WeightedBinaryCrossentropy 2.5 False"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_demo_does_not_import_the_wakeword_task():
    """``tasks/wakeword.py`` offers ``wakeword demo`` (it imports the demo task); the demo
    uses the library, never the other task module."""
    assert "seqkeras.tasks.wakeword" not in _imported_modules(PACKAGE / "tasks" / "demo.py")
    assert "seqkeras.tasks.demo" in _imported_modules(PACKAGE / "tasks" / "wakeword.py")
    for module in ("export", "protocol", "train", "benchmark"):
        path = PACKAGE / "wakeword" / f"{module}.py"
        assert not {m for m in _imported_modules(path) if m.startswith("seqkeras.tasks")}, module
