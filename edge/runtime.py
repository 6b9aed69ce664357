"""The LiteRT interpreter: ``ai-edge-litert`` first, ``tflite_runtime`` as a fallback.

Neither imports TensorFlow. ``tflite_runtime`` 2.14 (its last release) does not import
under numpy 2 and cannot load models that use newer operator versions (for instance
TF 2.21 dynamic-range models); see docs/wake-runner.md for which files run where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

RUNTIMES = ("ai_edge_litert.interpreter", "tflite_runtime.interpreter")


class RuntimeMissingError(RuntimeError):
    """No LiteRT runtime could be imported."""


def interpreter_class() -> tuple[Any, str]:
    """(Interpreter class, module name) of the first runtime that imports."""
    import importlib

    problems = []
    for module_name in RUNTIMES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:  # also numpy-ABI failures of tflite_runtime under numpy 2
            problems.append(f"{module_name}: {err}")
            continue
        return module.Interpreter, module_name
    raise RuntimeMissingError(
        "no LiteRT runtime: pip install ai-edge-litert (or tflite-runtime with numpy<2); "
        + "; ".join(problems)
    )


def load_interpreter(path: str | Path, num_threads: int | None = 1) -> Any:
    """Load and allocate ``path`` with the first available runtime."""
    interpreter_type, _ = interpreter_class()
    try:
        interpreter = interpreter_type(model_path=str(path), num_threads=num_threads)
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as err:
        raise ValueError(f"{path}: the LiteRT runtime cannot load this model ({err})") from None
    return interpreter
