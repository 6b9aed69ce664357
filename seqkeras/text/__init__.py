"""seqkeras.text."""
