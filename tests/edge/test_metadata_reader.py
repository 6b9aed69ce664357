"""The stdlib flatbuffer reader finds metadata written by the flatbuffers-based writer."""

import flatbuffers
import pytest
from ai_edge_litert import schema_py_generated as schema
from seqkeras_edge.metadata import METADATA_NAME, MetadataError, read_metadata, read_metadata_bytes
from seqkeras_export.metadata import embed_metadata


def _minimal_model(extra_metadata=()):
    """A TFLite Model table with one empty buffer and optional other metadata entries."""
    model = schema.ModelT()
    model.version = 3
    model.buffers = [schema.BufferT()]
    entries = []
    for name, payload in extra_metadata:
        buffer = schema.BufferT()
        buffer.data = list(payload)
        model.buffers.append(buffer)
        entry = schema.MetadataT()
        entry.name = name
        entry.buffer = len(model.buffers) - 1
        entries.append(entry)
    model.metadata = entries
    builder = flatbuffers.Builder(0)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def test_round_trip_keeps_other_metadata():
    base = _minimal_model([("min_runtime_version", b"1.5.0\0")])
    info = {"kind": "streaming", "features": {"hop_ms": 10.0}, "decision": {"threshold": 0.7}}
    data = embed_metadata(base, info)
    got = read_metadata_bytes(data)
    assert got["decision"] == {"threshold": 0.7}
    assert got["features"] == {"hop_ms": 10.0}
    names = [schema.Model.GetRootAs(data, 0).Metadata(i).Name() for i in range(2)]
    assert names == [b"min_runtime_version", METADATA_NAME.encode()]


def test_embedding_twice_replaces_the_entry():
    once = embed_metadata(_minimal_model(), {"kind": "a"})
    data = embed_metadata(once, {"kind": "b"})
    assert read_metadata_bytes(data)["kind"] == "b"
    assert schema.Model.GetRootAs(data, 0).MetadataLength() == 1
    assert schema.Model.GetRootAs(data, 0).BuffersLength() == schema.Model.GetRootAs(once, 0).BuffersLength()


def test_model_without_metadata_and_non_models(tmp_path):
    assert read_metadata_bytes(_minimal_model()) is None
    with pytest.raises(MetadataError, match="not a TFLite model"):
        read_metadata_bytes(b"RIFF1234WAVEfmt ")
    with pytest.raises(FileNotFoundError, match="nope.tflite"):
        read_metadata(tmp_path / "nope.tflite")


def test_foreign_seqkeras_entry_is_rejected():
    data = _minimal_model([(METADATA_NAME, b'{"format": "other/9"}')])
    with pytest.raises(MetadataError, match="format"):
        read_metadata_bytes(data)
