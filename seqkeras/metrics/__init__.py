"""seqkeras.metrics."""
