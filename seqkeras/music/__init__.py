"""seqkeras.music."""
