"""seqkeras.reference."""
