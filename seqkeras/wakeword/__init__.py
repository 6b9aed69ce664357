"""seqkeras.wakeword."""
