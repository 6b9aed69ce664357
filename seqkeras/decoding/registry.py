"""Decoders by name: ``get_decoder("beam")``; CLI ``choices=list_decoders()``."""

from __future__ import annotations

from collections.abc import Callable

from .beam_search import beam_search
from .greedy import greedy_search
from .sampling import sample_search

_DECODERS: dict[str, Callable] = {}


def register_decoder(name: str, fn: Callable | None = None):
    """Registers ``fn`` under ``name`` (usable as a decorator).

    Every decoder takes ``(next_fn, initial_state, start_token, end_token, ...,
    max_length=..., min_length=...)`` keyword arguments and returns a
    `DecodeResult`.
    """

    def add(f: Callable) -> Callable:
        if not isinstance(name, str) or not name:
            raise ValueError(f"decoder name must be a non-empty string, got {name!r}")
        if name in _DECODERS and _DECODERS[name] is not f:
            raise ValueError(f"a decoder named {name!r} is already registered")
        _DECODERS[name] = f
        return f

    return add if fn is None else add(fn)


def get_decoder(name: str) -> Callable:
    """The search function registered as ``name`` ("greedy", "beam", "sample", ...)."""
    try:
        return _DECODERS[name]
    except KeyError:
        raise ValueError(
            f"unknown decoder {name!r}; choose one of {', '.join(list_decoders())}"
        ) from None


def list_decoders() -> list[str]:
    """Registered decoder names, sorted."""
    return sorted(_DECODERS)


register_decoder("greedy", greedy_search)
register_decoder("beam", beam_search)
register_decoder("sample", sample_search)
