"""Shared fixtures of the speech-embedding tests: the onnxruntime front end and test audio."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest


@pytest.fixture(scope="session")
def front():
    from seqkeras.wakeword import speech_embedding as se

    return se.SpeechEmbedding(threads=1)


def _noisy(samples: int, seed: int = 0) -> np.ndarray:
    """int16 speech-band noise whose level changes over time (never digital silence)."""
    rng = np.random.default_rng(seed)
    envelope = 0.05 + 0.3 * np.abs(np.sin(np.arange(samples) / 2000.0))
    return np.round(rng.standard_normal(samples) * envelope * 3000).astype(np.int16)


@pytest.fixture
def noisy() -> Callable[..., np.ndarray]:
    """``noisy(samples, seed=0)``: int16 noise at a level that changes over time."""
    return _noisy
