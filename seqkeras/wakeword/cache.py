"""Where wake-word data caches live (the shared seqkeras cache root), and how a cached
audio folder (``audio.npy`` + a JSON index) is written."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from seqkeras.atomic import atomic_dir
from seqkeras.datasets.cache import CACHE_ENV as CACHE_ENV
from seqkeras.datasets.cache import cache_root as cache_root


def config_hash(value: Any) -> str:
    """16 hex digits of SHA-256 over ``value`` as sorted JSON (cache and run folder keys)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


# Cached audio is int16; this maps it to and from [-1, 1] floats.
INT16_SCALE = 32767.0


def write_audio_folder(
    folder: str | os.PathLike[str], audio: np.ndarray, index: Any, index_name: str = "index.json"
) -> Path:
    """Writes ``audio.npy`` and ``index_name`` (JSON) as one atomic folder.

    Both files go to a temporary folder beside ``folder`` that is then renamed, so a
    reader never sees half a cache. If a concurrent writer renamed its folder first,
    that result is kept.

    Raises:
        FileExistsError: ``folder`` exists but holds no ``index_name`` (not a cache
            folder this function wrote; nothing is changed).
    """
    folder = Path(folder)
    with atomic_dir(folder, replace=False) as staging:
        np.save(Path(staging) / "audio.npy", audio)
        (Path(staging) / index_name).write_text(json.dumps(index, indent=1))
    if not (folder / index_name).exists():  # what is there is not a concurrent writer's result
        raise FileExistsError(f"{folder} exists but holds no {index_name}: not a cache folder")
    return folder
