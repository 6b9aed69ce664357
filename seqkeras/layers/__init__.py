"""seqkeras.layers."""
