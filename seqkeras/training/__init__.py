"""seqkeras.training."""
