"""seqkeras_edge: the ``seqkeras-wake`` on-device runner (numpy + LiteRT, no TensorFlow)."""

__version__ = "0.1.0"
