"""Write seqkeras metadata into a ``.tflite`` flatbuffer.

The feature and decision configuration travel INSIDE the model file, as a named entry of
the TFLite ``Model.metadata`` table (name :data:`METADATA_NAME`, the buffer holds UTF-8
JSON). The TFLite runtimes ignore unknown metadata, so the file stays a plain model, and
the edge runner reads it back with a few lines of ``struct`` code
(``seqkeras_edge.metadata``) — no flatbuffers package, no TensorFlow. One file means a
device can never pair a model with another model's thresholds or feature settings.

Schema (``format`` = :data:`METADATA_FORMAT`)::

    {"format": "seqkeras-edge/1",
     "kind": "streaming" | "sequence",
     "model": "<keras model name>", "quantize": "int8", ...,
     "signature": {"inputs": {"frame": ..., "states": [...]},
                   "outputs": {"prediction": ..., "states": [...]}},
     "features": {...} | null,     # LogMelSpectrogram config, or a SpeechEmbeddingMel one
                                   # ("type": "speech-embedding-mel")
     "decision": {...} | null}     # seqkeras_edge.decision.DecisionConfig fields
"""

from __future__ import annotations

import json

METADATA_NAME = "seqkeras_metadata"
METADATA_FORMAT = "seqkeras-edge/1"


def embed_metadata(model_bytes: bytes, metadata: dict) -> bytes:
    """Return ``model_bytes`` with ``metadata`` (JSON-serializable) stored under METADATA_NAME.

    An existing seqkeras entry is replaced; other metadata entries are kept.
    """
    from ai_edge_litert import schema_py_generated as schema  # same schema, no TensorFlow

    payload = json.dumps({"format": METADATA_FORMAT, **metadata}, sort_keys=True).encode()
    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(model_bytes, 0))
    model.buffers = list(model.buffers or [])
    model.metadata = list(model.metadata or [])
    existing = [m for m in model.metadata if _name(m.name) == METADATA_NAME]
    buffer = schema.BufferT()
    buffer.data = list(payload)
    if existing:  # re-embedding (e.g. a new threshold): reuse the buffer, the file does not grow
        model.buffers[existing[0].buffer] = buffer
        return _pack(model)
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata.append(entry)
    return _pack(model)


def _pack(model) -> bytes:
    import flatbuffers

    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _name(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
