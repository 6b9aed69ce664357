"""seqkeras_export: the ``seqkeras-export`` command — TFLite/LiteRT and SavedModel export.

Public API (TensorFlow is imported lazily, inside the functions that need it):

- :func:`~seqkeras_export.streaming.build_step_graph` — one-step graph with explicit state.
- :func:`~seqkeras_export.convert.convert_tflite` — conversion in a child process.
- :func:`~seqkeras_export.metadata.embed_metadata` — seqkeras metadata in a ``.tflite``.
- registries: :func:`list_exporters`, :func:`list_modes`, :func:`list_recipes`.
"""

from .exporters import ExportRequest as ExportRequest
from .exporters import list_exporters as list_exporters
from .exporters import register_exporter as register_exporter
from .quantization import list_modes as list_modes
from .quantization import register_mode as register_mode
from .representative import list_recipes as list_recipes
from .representative import register_recipe as register_recipe

__version__ = "0.1.0"
