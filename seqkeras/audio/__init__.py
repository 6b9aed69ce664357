"""seqkeras.audio."""
