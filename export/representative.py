"""Representative data: the ``DATA.npz`` file or a named recipe, checked against the model.

``DATA.npz`` holds one array per model input, named after the input, batch first; a
single-input model also accepts one unnamed array (``np.savez(path, x)`` stores it as
``arr_0``). ``--representative-from`` names a recipe from :func:`list_recipes` or a
``package.module:function`` path; a recipe is ``recipe(model) -> {input name: array}``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

Recipe = Callable[..., dict[str, np.ndarray]]
_RECIPES: dict[str, Recipe] = {}
UNNAMED_ARRAY = "arr_0"
GAUSSIAN_EXAMPLES = 16
GAUSSIAN_DEFAULT_STEPS = 50


def register_recipe(name: str):
    """Decorator registering ``recipe(model) -> {input name: array}`` under ``name``."""

    def decorator(recipe: Recipe) -> Recipe:
        if name in _RECIPES:
            raise ValueError(f"representative recipe {name!r} is registered twice")
        _RECIPES[name] = recipe
        return recipe

    return decorator


def list_recipes() -> list[str]:
    return sorted(_RECIPES)


def input_names(model) -> list[str]:
    return [tensor.name for tensor in model.inputs]


@register_recipe("gaussian")
def gaussian(model, examples: int = GAUSSIAN_EXAMPLES, seed: int = 0) -> dict[str, np.ndarray]:
    """Standard-normal arrays shaped like the model inputs (time axis of unknown length: 50).

    Only a smoke-test calibration: real data (``DATA.npz``) gives better int8 ranges.
    """
    rng = np.random.default_rng(seed)
    data = {}
    for tensor in model.inputs:
        shape = [examples] + [d if d is not None else GAUSSIAN_DEFAULT_STEPS for d in tensor.shape[1:]]
        if "int" in str(tensor.dtype):
            raise ValueError(
                f"recipe 'gaussian' cannot make integer input {tensor.name!r}; "
                "give --representative DATA.npz"
            )
        data[tensor.name] = rng.standard_normal(shape).astype(np.float32)
    return data


def resolve_recipe(name: str) -> Recipe:
    if name in _RECIPES:
        return _RECIPES[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as err:
            raise ValueError(f"representative recipe {name!r}: cannot import {module_name!r} ({err})") from None
        recipe = getattr(module, attr, None)
        if not callable(recipe):
            raise ValueError(f"representative recipe {name!r}: {module_name!r} has no function {attr!r}")
        return recipe
    raise ValueError(
        f"unknown representative recipe {name!r}; choose from {', '.join(list_recipes())} "
        "or give package.module:function"
    )


def load_representative(path: str | Path, model) -> dict[str, np.ndarray]:
    """Read ``DATA.npz`` and check it against ``model``'s inputs (names, ranks, sizes)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"representative data file {str(path)!r} does not exist")
    if path.suffix != ".npz":
        raise ValueError(f"representative data {str(path)!r} must be a .npz file (np.savez)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError) as err:
        raise ValueError(f"representative data {str(path)!r} is not a readable .npz file ({err})") from None
    return check_representative(arrays, model, source=str(path))


def check_representative(arrays: dict[str, np.ndarray], model, source: str = "representative data"):
    names = input_names(model)
    if len(names) == 1 and names[0] not in arrays and set(arrays) == {UNNAMED_ARRAY}:
        arrays = {names[0]: arrays[UNNAMED_ARRAY]}
    missing = [n for n in names if n not in arrays]
    if missing:
        raise ValueError(
            f"{source} has arrays {sorted(arrays)} but the model needs one per input "
            f"{names}; missing {missing}"
        )
    checked = {}
    batch = None
    for tensor in model.inputs:
        array = np.asarray(arrays[tensor.name])
        expected = tuple(tensor.shape[1:])
        got = array.shape[1:]
        shown = "(batch, " + ", ".join("?" if d is None else str(d) for d in expected) + ")"
        if array.ndim != len(expected) + 1 or any(
            e is not None and e != g for e, g in zip(expected, got, strict=True)
        ):
            raise ValueError(
                f"{source}: input {tensor.name!r} expects shape {shown} but the array has "
                f"shape {array.shape}"
            )
        if batch is not None and array.shape[0] != batch:
            raise ValueError(f"{source}: inputs have different batch sizes ({batch} vs {array.shape[0]})")
        batch = array.shape[0]
        if array.shape[0] == 0:
            raise ValueError(f"{source}: input {tensor.name!r} has no examples")
        checked[tensor.name] = array.astype(np.float32) if array.dtype.kind == "f" else array
    return checked
