"""seqkeras: the classic sequence-model toolbox as Keras 3 layers and models.

Subpackages are imported on first use so that ``import seqkeras`` stays light::

    import seqkeras
    layer = seqkeras.layers.Recurrent("gru", 32)
"""

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = (
    "audio",
    "cli",
    "datasets",
    "decoding",
    "layers",
    "lm",
    "metrics",
    "models",
    "music",
    "reference",
    "tasks",
    "text",
    "training",
    "wakeword",
)


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'seqkeras' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBPACKAGES))
