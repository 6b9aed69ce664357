"""seqkeras.testing: helpers shared by the seqkeras test suite."""

from .layer_test import run_layer_test as run_layer_test

__all__ = ["run_layer_test"]
