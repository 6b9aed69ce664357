"""seqkeras.lm."""
