"""Where wake-word data caches live (the shared seqkeras cache root)."""

from seqkeras.datasets.cache import CACHE_ENV as CACHE_ENV
from seqkeras.datasets.cache import cache_root as cache_root
