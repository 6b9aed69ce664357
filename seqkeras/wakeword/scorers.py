"""Score streams of a trigger-word model: the Keras model on clips or a long stream, and
the exported step model through the device runner itself (``seqkeras_edge.runner``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def keras_scores(model: Any, features: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """Scores ``(n, steps)`` of a feature-input Keras model on clips ``(n, frames, bins)``."""
    out = model.predict(np.asarray(features, np.float32), batch_size=batch_size, verbose=0)
    return np.asarray(out)[..., 0]


def keras_stream_scores(
    model: Any, features: np.ndarray, chunk_frames: int = 6000, warmup_frames: int = 500
) -> np.ndarray:
    """Scores of one long stream ``(frames, bins)`` by a causal Keras model, in parallel chunks.

    The stream is cut into ``chunk_frames`` pieces, each preceded by ``warmup_frames``
    of the stream before it (its outputs dropped) so the recurrent state has settled —
    the batch runs at once instead of one 360 000-step loop. The device runs the whole
    stream; the difference is the state beyond ``warmup_frames`` (5 s) of the past.
    """
    features = np.asarray(features, np.float32)
    total = len(features)
    starts = list(range(0, total, chunk_frames))
    width = chunk_frames + warmup_frames
    batch = np.zeros((len(starts), width, features.shape[1]), np.float32)
    valid = []
    for row, start in enumerate(starts):
        begin = max(0, start - warmup_frames)
        piece = features[begin : start + chunk_frames]
        batch[row, : len(piece)] = piece
        valid.append((start - begin, min(chunk_frames, total - start)))
    scores = keras_scores(model, batch, batch_size=len(starts))
    return np.concatenate(
        [scores[row, skip : skip + count] for row, (skip, count) in enumerate(valid)]
    )


def tflite_scores(model_path: str | Path, audio: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Scores of the exported step model over ``audio`` via the device runner itself.

    Returns ``(scores (frames,), per-hop latencies in µs)``.
    """
    from seqkeras_edge.runner import WakeRunner

    runner = WakeRunner(model_path)
    result = runner.run_samples(np.asarray(audio, np.float32))
    channel = runner.decision_config.output_index
    return np.asarray(result.scores)[:, channel], list(result.hop_latency_us)
