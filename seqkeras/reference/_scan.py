"""Time loop shared by every reference cell: forward pass, BPTT and Keras masking.

A cell is described by two step functions working on one time step of a batch:

``step_forward(x_t, states, params) -> (new_states, step_cache)``
    ``x_t`` is (batch, input_dim); ``states`` and ``new_states`` are tuples of
    (batch, units) arrays. The cell's output is ``new_states[0]``.
``step_backward(d_new_states, step_cache, params, grads) -> (d_x_t, d_states)``
    Adds the parameter gradients of this step into ``grads`` (in place) and returns the
    gradients w.r.t. the step's input and previous states.

Masking follows ``keras.layers.RNN``: where ``mask[b, t]`` is False the states are carried
over unchanged and the output is the previous *output* (or zeros when
``zero_output_for_mask=True``). Before step 0 the "previous output" is zeros on the
TensorFlow backend (``initial_output="zeros"``) and the first initial state on the JAX
backend (``initial_output="state"``); the two only differ when a sequence starts with
masked steps and the initial state is not zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

INITIAL_OUTPUTS = ("zeros", "state")


@dataclass
class SequenceCache:
    """Everything the backward pass needs; returned by every ``*_forward`` function."""

    kind: str
    params: dict[str, np.ndarray]
    step_caches: list[Any]
    mask: np.ndarray | None
    zero_output_for_mask: bool
    initial_output: str
    input_shape: tuple[int, ...]
    state_shapes: tuple[tuple[int, ...], ...]
    options: dict[str, Any] = field(default_factory=dict)


def as_float64_params(params: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, np.ndarray]:
    """Copy ``params`` to float64 arrays, rejecting unknown keys."""
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays, got {type(params).__name__}.")
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            f"params has unknown keys {unknown}; expected a subset of {list(allowed)}."
        )
    return {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}


def check_inputs(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, time, features), got shape {x.shape}.")
    return x


def check_mask(mask: Any, batch: int, steps: int) -> np.ndarray | None:
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != (batch, steps):
        raise ValueError(
            f"mask must have shape (batch, time) = {(batch, steps)}, got {mask.shape}."
        )
    return mask.astype(bool)


def check_initial_state(
    initial_state: Any, batch: int, units: int, num_states: int
) -> tuple[np.ndarray, ...]:
    """Zeros when ``None``; a single array is accepted for one-state cells."""
    if initial_state is None:
        return tuple(np.zeros((batch, units)) for _ in range(num_states))
    if isinstance(initial_state, np.ndarray) and num_states == 1:
        initial_state = [initial_state]
    states = tuple(np.asarray(s, dtype=np.float64) for s in initial_state)
    if len(states) != num_states:
        raise ValueError(f"initial_state must be a list of {num_states} arrays, got {len(states)}.")
    for i, s in enumerate(states):
        if s.shape != (batch, units):
            raise ValueError(f"initial_state[{i}] must have shape {(batch, units)}, got {s.shape}.")
    return states


def scan_forward(
    step_forward: Callable,
    x: np.ndarray,
    params: dict[str, np.ndarray],
    initial_states: tuple[np.ndarray, ...],
    mask: np.ndarray | None,
    zero_output_for_mask: bool,
    initial_output: str,
) -> tuple[np.ndarray, list[np.ndarray], list[Any]]:
    """Run the cell over time; returns (outputs (B, T, u), final states, step caches)."""
    if initial_output not in INITIAL_OUTPUTS:
        raise ValueError(
            f"initial_output must be one of {INITIAL_OUTPUTS}, got {initial_output!r}."
        )
    batch, steps, _ = x.shape
    states = initial_states
    units = states[0].shape[-1]
    prev_output = states[0] if initial_output == "state" else np.zeros((batch, units))
    outputs = np.empty((batch, steps, units))
    step_caches = []
    for t in range(steps):
        new_states, step_cache = step_forward(x[:, t], states, params)
        if mask is None:
            output = new_states[0]
        else:
            keep = mask[:, t][:, None]
            new_states = tuple(
                np.where(keep, n, s) for n, s in zip(new_states, states, strict=True)
            )
            fallback = np.zeros_like(prev_output) if zero_output_for_mask else prev_output
            output = np.where(keep, new_states[0], fallback)
        outputs[:, t] = output
        prev_output = output
        states = tuple(new_states)
        step_caches.append(step_cache)
    return outputs, list(states), step_caches


def scan_backward(
    step_backward: Callable,
    d_outputs: Any,
    cache: SequenceCache,
    d_final_states: Sequence[Any] | None,
) -> tuple[dict[str, np.ndarray], np.ndarray, list[np.ndarray]]:
    """Backpropagation through time over the whole sequence."""
    batch, steps, _ = cache.input_shape
    units = cache.state_shapes[0][-1]
    d_outputs = np.asarray(d_outputs, dtype=np.float64)
    if d_outputs.shape != (batch, steps, units):
        raise ValueError(
            f"d_outputs must have shape {(batch, steps, units)}, got {d_outputs.shape}."
        )
    if d_final_states is None:
        d_states = [np.zeros(shape) for shape in cache.state_shapes]
    else:
        if isinstance(d_final_states, np.ndarray) and len(cache.state_shapes) == 1:
            d_final_states = [d_final_states]
        if len(d_final_states) != len(cache.state_shapes):
            raise ValueError(
                f"d_final_states must be a list of {len(cache.state_shapes)} arrays, "
                f"got {len(d_final_states)}."
            )
        d_states = []
        for i, (d, shape) in enumerate(zip(d_final_states, cache.state_shapes, strict=True)):
            d = np.zeros(shape) if d is None else np.asarray(d, dtype=np.float64)
            if d.shape != shape:
                raise ValueError(f"d_final_states[{i}] must have shape {shape}, got {d.shape}.")
            d_states.append(d.copy())

    grads = {k: np.zeros_like(v) for k, v in cache.params.items()}
    d_x = np.zeros(cache.input_shape)
    # Gradient w.r.t. the "previous output" that a masked step copied forward.
    d_carried_output = np.zeros((batch, units))
    for t in reversed(range(steps)):
        d_output = d_outputs[:, t] + d_carried_output
        if cache.mask is None:
            d_new = list(d_states)
            d_new[0] = d_new[0] + d_output
            d_x[:, t], d_prev = step_backward(
                tuple(d_new), cache.step_caches[t], cache.params, grads
            )
            d_states = list(d_prev)
            d_carried_output = np.zeros((batch, units))
        else:
            keep = cache.mask[:, t][:, None].astype(np.float64)
            d_new = [keep * d for d in d_states]
            d_new[0] = d_new[0] + keep * d_output
            d_x[:, t], d_prev = step_backward(
                tuple(d_new), cache.step_caches[t], cache.params, grads
            )
            d_states = [dp + (1.0 - keep) * d for dp, d in zip(d_prev, d_states, strict=True)]
            if cache.zero_output_for_mask:
                d_carried_output = np.zeros((batch, units))
            else:
                d_carried_output = (1.0 - keep) * d_output
    if cache.initial_output == "state":
        d_states[0] = d_states[0] + d_carried_output
    return grads, d_x, d_states
