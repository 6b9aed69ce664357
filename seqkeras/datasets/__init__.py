"""seqkeras.datasets."""
