"""seqkeras.testing."""
