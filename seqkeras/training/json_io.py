"""Atomic JSON output (kept importable from here; the writers live in ``seqkeras.atomic``)."""

from __future__ import annotations

from ..atomic import write_json_atomic as write_json_atomic

__all__ = ["write_json_atomic"]
