"""Read the seqkeras metadata stored in a ``.tflite`` file (stdlib only, no flatbuffers).

``seqkeras-export`` stores a JSON document as the ``Model.metadata`` entry named
``seqkeras_metadata`` (see ``seqkeras_export.metadata``). This module walks the
flatbuffer by hand: root table -> ``metadata`` vector -> the entry's buffer index ->
``buffers[index].data``. Field numbers follow tensorflow/lite/schema/schema.fbs:
``Model`` {version 0, operator_codes 1, subgraphs 2, description 3, buffers 4,
metadata_buffer 5, metadata 6, ...}; ``Metadata`` {name 0, buffer 1};
``Buffer`` {data 0, offset 1, size 2} (``offset``/``size`` are used by files over 2 GB,
where the data lives after the flatbuffer).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

METADATA_NAME = "seqkeras_metadata"
METADATA_FORMAT = "seqkeras-edge/1"
TFLITE_IDENTIFIER = b"TFL3"

_MODEL_BUFFERS = 4
_MODEL_METADATA = 6
_METADATA_NAME = 0
_METADATA_BUFFER = 1
_BUFFER_DATA = 0
_BUFFER_OFFSET = 1
_BUFFER_SIZE = 2


class MetadataError(ValueError):
    """The file is not a TFLite model, or it carries no (valid) seqkeras metadata."""


class _Reader:
    def __init__(self, data: bytes, path: str):
        self.data = data
        self.path = path

    def _unpack(self, fmt: str, offset: int):
        try:
            return struct.unpack_from(fmt, self.data, offset)[0]
        except struct.error as err:
            raise MetadataError(f"{self.path}: corrupt TFLite flatbuffer ({err})") from None

    def u32(self, offset: int) -> int:
        return int(self._unpack("<I", offset))

    def i32(self, offset: int) -> int:
        return int(self._unpack("<i", offset))

    def u16(self, offset: int) -> int:
        return int(self._unpack("<H", offset))

    def u64(self, offset: int) -> int:
        return int(self._unpack("<Q", offset))

    def field(self, table: int, index: int) -> int | None:
        """Absolute position of field ``index`` of the table at ``table``, or None."""
        vtable = table - self.i32(table)
        vtable_size = self.u16(vtable)
        slot = 4 + 2 * index
        if slot >= vtable_size:
            return None
        relative = self.u16(vtable + slot)
        return table + relative if relative else None

    def deref(self, position: int) -> int:
        return position + self.u32(position)

    def vector(self, table: int, index: int) -> tuple[int, int]:
        """(start of elements, length) of a vector field; (0, 0) when absent."""
        position = self.field(table, index)
        if position is None:
            return 0, 0
        vector = self.deref(position)
        return vector + 4, self.u32(vector)

    def string(self, table: int, index: int) -> str:
        start, length = self.vector(table, index)
        return self.data[start : start + length].decode("utf-8", errors="replace")


def read_metadata_bytes(data: bytes, path: str = "<model>") -> dict[str, Any] | None:
    """The seqkeras metadata dict of a TFLite flatbuffer, or None when it has none."""
    if len(data) < 8 or data[4:8] != TFLITE_IDENTIFIER:
        raise MetadataError(f"{path}: not a TFLite model (no 'TFL3' flatbuffer identifier)")
    reader = _Reader(data, path)
    root = reader.deref(0)
    meta_start, meta_count = reader.vector(root, _MODEL_METADATA)
    buffers_start, buffers_count = reader.vector(root, _MODEL_BUFFERS)
    for i in range(meta_count):
        entry = reader.deref(meta_start + 4 * i)
        if reader.string(entry, _METADATA_NAME) != METADATA_NAME:
            continue
        position = reader.field(entry, _METADATA_BUFFER)
        index = reader.u32(position) if position is not None else 0
        if index >= buffers_count:
            raise MetadataError(f"{path}: seqkeras metadata points at a missing buffer")
        buffer = reader.deref(buffers_start + 4 * index)
        start, length = reader.vector(buffer, _BUFFER_DATA)
        payload = data[start : start + length]
        if not length:
            offset_pos = reader.field(buffer, _BUFFER_OFFSET)
            size_pos = reader.field(buffer, _BUFFER_SIZE)
            if offset_pos is not None and size_pos is not None:
                offset, size = reader.u64(offset_pos), reader.u64(size_pos)
                payload = data[offset : offset + size]
        try:
            metadata = json.loads(payload.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise MetadataError(f"{path}: seqkeras metadata is not valid JSON ({err})") from None
        if not isinstance(metadata, dict) or metadata.get("format") != METADATA_FORMAT:
            raise MetadataError(
                f"{path}: seqkeras metadata has format {metadata.get('format')!r}, "
                f"expected {METADATA_FORMAT!r}"
                if isinstance(metadata, dict)
                else f"{path}: seqkeras metadata is not a JSON object"
            )
        return metadata
    return None


def read_metadata(path: str | Path) -> dict[str, Any] | None:
    """Read the seqkeras metadata of the ``.tflite`` file at ``path`` (None if absent)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file {str(path)!r} does not exist")
    return read_metadata_bytes(path.read_bytes(), str(path))
