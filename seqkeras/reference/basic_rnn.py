"""Numpy forward pass and BPTT of the basic RNN cell (course sections 1.3 and 1.4).

a<t> = g(x<t> W + a<t-1> U + b) with Keras's layout: ``kernel`` W (input_dim, units),
``recurrent_kernel`` U (units, units), ``bias`` b (units,) — the course's
Wa[a<t-1>, x<t>] + ba with Wa split into its recurrent and input halves (transposed,
since Keras multiplies row vectors). Same weights as ``keras.layers.SimpleRNNCell`` and
``seqkeras.layers.BasicRNNCell``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._activations import get_activation
from ._params import check_kernels
from ._scan import (
    SequenceCache,
    as_float64_params,
    check_initial_state,
    check_inputs,
    check_mask,
    scan_backward,
    scan_forward,
)

_PARAM_KEYS = ("kernel", "recurrent_kernel", "bias")


def _check_params(params: dict[str, np.ndarray], input_dim: int) -> int:
    units = check_kernels(params, input_dim, blocks=1)
    if "bias" in params and params["bias"].shape != (units,):
        raise ValueError(f"params['bias'] must have shape {(units,)}, got {params['bias'].shape}.")
    return units


def basic_rnn_forward(
    x: Any,
    params: dict[str, Any],
    initial_state: Any = None,
    mask: Any = None,
    *,
    activation: str = "tanh",
    zero_output_for_mask: bool = False,
    initial_output: str = "zeros",
) -> tuple[np.ndarray, list[np.ndarray], SequenceCache]:
    """Run a basic RNN over a batch of sequences in float64.

    Args:
        x: inputs, shape (batch, time, input_dim).
        params: ``{"kernel", "recurrent_kernel"[, "bias"]}`` in Keras layout; without
            ``"bias"`` the cell has no bias (``use_bias=False``).
        initial_state: ``[a0]`` (or the array a0), shape (batch, units); zeros if None.
        mask: optional boolean (batch, time); False steps keep the state and repeat the
            previous output, exactly like ``keras.layers.RNN``.
        activation: g, one of "tanh", "sigmoid", "relu", "linear".
        zero_output_for_mask: output zeros at masked steps instead (Keras option).
        initial_output: "zeros" (TensorFlow backend) or "state" (JAX backend): what a
            masked step before the first unmasked one outputs.

    Returns:
        ``(outputs, [a_T], cache)``; outputs has shape (batch, time, units).
    """
    x = check_inputs(x)
    params = as_float64_params(params, _PARAM_KEYS)
    units = _check_params(params, x.shape[-1])
    act = get_activation(activation, "activation")
    batch, steps, _ = x.shape
    states = check_initial_state(initial_state, batch, units, 1)
    mask = check_mask(mask, batch, steps)

    def step_forward(x_t, states, p):
        (a_prev,) = states
        z = x_t @ p["kernel"] + a_prev @ p["recurrent_kernel"]
        if "bias" in p:
            z = z + p["bias"]
        return (act.fn(z),), (x_t, a_prev, z)

    outputs, final, caches = scan_forward(
        step_forward, x, params, states, mask, zero_output_for_mask, initial_output
    )
    cache = SequenceCache(
        kind="basic_rnn",
        params=params,
        step_caches=caches,
        mask=mask,
        zero_output_for_mask=zero_output_for_mask,
        initial_output=initial_output,
        input_shape=x.shape,
        state_shapes=((batch, units),),
        options={"activation": activation},
    )
    return outputs, final, cache


def basic_rnn_backward(
    d_outputs: Any, cache: SequenceCache, d_final_states: Any = None
) -> tuple[dict[str, np.ndarray], np.ndarray, list[np.ndarray]]:
    """BPTT for :func:`basic_rnn_forward`.

    Args:
        d_outputs: dL/d outputs, shape (batch, time, units).
        cache: the cache returned by the forward pass.
        d_final_states: optional ``[dL/da_T]``.

    Returns:
        ``(grads, d_x, [d_a0])`` where ``grads`` has the same keys as the params.
    """
    if cache.kind != "basic_rnn":
        raise ValueError(f"cache comes from a {cache.kind!r} forward pass, not basic_rnn.")
    act = get_activation(cache.options["activation"], "activation")

    def step_backward(d_new_states, step_cache, p, grads):
        (d_a,) = d_new_states
        x_t, a_prev, z = step_cache
        d_z = d_a * act.grad(z)
        grads["kernel"] += x_t.T @ d_z
        grads["recurrent_kernel"] += a_prev.T @ d_z
        if "bias" in grads:
            grads["bias"] += d_z.sum(axis=0)
        return d_z @ p["kernel"].T, (d_z @ p["recurrent_kernel"].T,)

    return scan_backward(step_backward, d_outputs, cache, d_final_states)
