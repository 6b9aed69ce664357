"""seqkeras_export: the ``seqkeras-export`` command — TFLite/LiteRT and SavedModel export."""

__version__ = "0.1.0"
