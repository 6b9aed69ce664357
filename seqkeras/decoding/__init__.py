"""seqkeras.decoding."""
