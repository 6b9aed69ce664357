"""What the server exports of :mod:`seqkeras.models` share: the signature name, and
building the model, wrapping it in its ``tf.Module`` and writing the SavedModel folder
atomically (a reader never sees a half-written server; an old one is replaced)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

SIGNATURE = "serving_default"


def save_server(model: Any, make_module: Callable[[], Any], path: str | os.PathLike[str]) -> str:
    """Builds ``model`` if it is not, makes its server with ``make_module()`` (a
    ``tf.Module`` whose ``serve`` is a ``tf.function`` with an input signature) and
    saves it as a SavedModel folder at ``path`` with ``serve`` as :data:`SIGNATURE`.

    Returns:
        ``path`` as a string.
    """
    import tensorflow as tf

    from seqkeras.atomic import atomic_dir

    if not model.built:
        model.build()
    module = make_module()
    path = os.fspath(path)
    with atomic_dir(path) as staging:
        tf.saved_model.save(module, staging, signatures={SIGNATURE: module.serve})
    return path
