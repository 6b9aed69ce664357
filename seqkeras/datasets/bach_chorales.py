"""Bach chorales bundled with music21, as melody token sequences (cached)."""

from __future__ import annotations

import json
import os
import tempfile

from ._errors import missing_package
from .cache import cache_root

MUSIC21_INSTALL = "pip install music21"
CACHE_VERSION = 1


def cache_dir() -> str:
    return str(cache_root() / "music")


def chorale_names(limit: int | None = None) -> list[str]:
    """Corpus paths of music21's 371 Riemenschneider chorales (``"bach/bwv269"``, ...)."""
    try:
        from music21 import corpus
    except ImportError as err:
        raise missing_package("music21", MUSIC21_INSTALL) from err
    names = [str(n) for n in corpus.chorales.Iterator(returnType="filename")]
    return names[:limit] if limit else names


def load_bach_chorales(
    limit: int | None = None, part_index: int = 0, progress: bool = True
) -> dict[str, list[str]]:
    """``{name: tokens}`` of one voice (0 = soprano) of the chorales, parsed once and cached
    under ``$SEQKERAS_CACHE/music`` (default ``~/.cache/seqkeras/music``)."""
    from music21 import corpus

    from ..music.encoding import encode_score

    names = chorale_names(limit)
    path = os.path.join(cache_dir(), f"bach_chorales_part{part_index}_v{CACHE_VERSION}.json")
    cached: dict[str, list[str]] = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            cached = json.load(f)
    missing = [n for n in names if n not in cached]
    if missing:
        iterator = missing
        if progress:
            from tqdm import tqdm

            iterator = tqdm(missing, desc="parsing chorales", unit="chorale")
        for name in iterator:
            tokens = encode_score(corpus.parse(name), part_index)
            if tokens:
                cached[name] = tokens
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(cached, f)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    return {n: cached[n] for n in names if n in cached}
