"""Where seqkeras keeps derived data: ``$SEQKERAS_CACHE`` or ``~/.cache/seqkeras``."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "SEQKERAS_CACHE"


def cache_root() -> Path:
    """The seqkeras cache directory (``$SEQKERAS_CACHE`` overrides ``~/.cache/seqkeras``)."""
    override = os.environ.get(CACHE_ENV)
    return Path(override).expanduser() if override else Path.home() / ".cache" / "seqkeras"
