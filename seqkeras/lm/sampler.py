"""Sampling novel sequences from any next-token model (course 1.7).

The sampler never sees a Keras model: it takes ``step(tokens, state) -> (logits,
state)``, so it is tested with a fake model whose probabilities are known, and it is
O(T) — each step feeds one token and a cached recurrent state, never the whole prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

StepFn = Callable[[np.ndarray, Any], tuple[np.ndarray, Any]]


@dataclass(frozen=True)
class SamplingOptions:
    """Validated sampling settings (see :func:`sample_tokens`)."""

    temperature: float = 1.0
    top_k: int | None = None
    greedy: bool = False

    def __post_init__(self) -> None:
        if not self.greedy:
            if not isinstance(self.temperature, (int, float)) or not np.isfinite(self.temperature):
                raise ValueError(
                    f"temperature must be a finite number > 0; got temperature={self.temperature!r}"
                )
            if self.temperature <= 0:
                raise ValueError(
                    f"temperature must be > 0 when sampling; got temperature={self.temperature!r} "
                    "(use greedy=True for arg-max decoding)"
                )
        if self.top_k is not None and (
            isinstance(self.top_k, bool) or not isinstance(self.top_k, int) or self.top_k < 1
        ):
            raise ValueError(f"top_k must be a positive integer or None; got top_k={self.top_k!r}")


def next_token_distribution(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    banned: tuple[int, ...] = (),
) -> np.ndarray:
    """Probabilities the sampler draws from: softmax(logits / T) over the allowed ids.

    ``banned`` ids get probability 0 and the rest is renormalized — the exact
    distribution of "sample, and resample while the token is banned" (``reject_unk``),
    without an unbounded loop.
    """
    logits = np.asarray(logits, dtype="float64")
    logits = logits.copy()
    if banned:
        logits[..., list(banned)] = -np.inf
    if top_k is not None and top_k < logits.shape[-1]:
        kth = np.sort(logits, axis=-1)[..., -top_k][..., None]
        logits = np.where(logits < kth, -np.inf, logits)
    scaled = logits / float(temperature)
    scaled -= scaled.max(axis=-1, keepdims=True)
    p = np.exp(scaled)
    return p / p.sum(axis=-1, keepdims=True)


def sample_tokens(
    step: StepFn,
    state: Any,
    first_tokens: np.ndarray,
    max_length: int,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    greedy: bool = False,
    eos_id: int | None = None,
    stop_at_eos: bool = True,
    banned: tuple[int, ...] = (),
    seed: int | None = None,
) -> list[list[int]]:
    """Samples one continuation per row of ``first_tokens``.

    Args:
        step: ``step(tokens (n,), state) -> (logits (n, V), new_state)``.
        state: state after the prompt (whatever ``step`` expects).
        first_tokens: (n,) int ids fed at the first step (start token or last prompt token).
        max_length: most tokens generated per sample (``<eos>`` not counted).
        temperature: divides the logits; must be > 0 unless ``greedy``.
        top_k: sample among the ``k`` most probable allowed tokens only.
        greedy: arg-max instead of sampling (temperature → 0).
        eos_id: id of ``<eos>``; with ``stop_at_eos`` a sample ends there (not included).
        banned: ids never emitted (e.g. ``(PAD_ID, UNK_ID)`` with ``reject_unk``).
        seed: seeds a private ``numpy`` generator: the same seed gives the same tokens.

    Returns:
        n lists of generated ids.
    """
    options = SamplingOptions(temperature=temperature, top_k=top_k, greedy=greedy)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 0:
        raise ValueError(f"max_length must be an integer >= 0; got max_length={max_length!r}")
    rng = np.random.default_rng(seed)
    tokens = np.asarray(first_tokens, dtype="int32").reshape(-1)
    n = tokens.shape[0]
    out: list[list[int]] = [[] for _ in range(n)]
    done = np.zeros(n, dtype=bool)
    for _ in range(max_length):
        if done.all():
            break
        logits, state = step(tokens, state)
        logits = np.asarray(logits, dtype="float64").reshape(n, -1)
        if options.greedy:
            masked = logits.copy()
            if banned:
                masked[:, list(banned)] = -np.inf
            chosen = masked.argmax(axis=-1)
        else:
            probs = next_token_distribution(logits, options.temperature, options.top_k, banned)
            # Inverse-CDF draw: one uniform per row, reproducible for a fixed seed.
            u = rng.random(n)[:, None]
            cdf = probs.cumsum(axis=-1)
            cdf /= cdf[:, -1:]
            chosen = (cdf < u).sum(axis=-1)
        for i in range(n):
            if done[i]:
                continue
            token = int(chosen[i])
            if stop_at_eos and eos_id is not None and token == eos_id:
                done[i] = True
                continue
            out[i].append(token)
        tokens = chosen.astype("int32")
    return out
