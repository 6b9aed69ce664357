"""seqkeras: the classic sequence-model toolbox as Keras 3 layers and models.

``import seqkeras`` registers every seqkeras Keras class (layers, models, losses,
metrics), so ``keras.saving.load_model("x.keras")`` rebuilds a seqkeras model with
no ``custom_objects``. Other subpackages are imported on first use::

    import seqkeras
    layer = seqkeras.layers.Recurrent("gru", 32)
"""

import importlib
import sys

__version__ = "0.1.0"

_SUBPACKAGES = (
    "audio",
    "cli",
    "datasets",
    "decoding",
    "embeddings",
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


# Modules that define classes registered with keras.saving.register_keras_serializable.
# Keras only imports the modules of its own packages while loading a .keras file, so
# these must already be imported when a user calls keras.saving.load_model.
_KERAS_OBJECT_MODULES = (
    "seqkeras.layers",
    "seqkeras.models",
    "seqkeras.lm",
    "seqkeras.audio",
    "seqkeras.audio.embedding_mel",
    "seqkeras.metrics",
    "seqkeras.speech.layers",
    "seqkeras.wakeword.losses",
    "seqkeras.wakeword.speech_embedding_keras",
    "seqkeras.embeddings",
)


def register_keras_objects() -> None:
    """Imports every module that registers seqkeras classes with Keras (idempotent)."""
    for module in _KERAS_OBJECT_MODULES:
        importlib.import_module(module)


# The `seqkeras` console script (module _seqkeras_cli) registers them only when a
# command runs, so that `seqkeras --help` does not wait for TensorFlow.
if "_seqkeras_cli" not in sys.modules:
    register_keras_objects()


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'seqkeras' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBPACKAGES))
