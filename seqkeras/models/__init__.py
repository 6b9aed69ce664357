"""seqkeras.models."""
