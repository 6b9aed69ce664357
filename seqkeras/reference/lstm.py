"""Numpy forward pass and BPTT of the LSTM (course section 1.10), optionally with peepholes.

Gate blocks along the last axis of ``kernel`` (in, 4u), ``recurrent_kernel`` (u, 4u) and
``bias`` (4u,) are (Γu, Γf, c̃, Γo) = Keras's (i, f, c, o). With peepholes,
``peephole_kernel`` (3, u) holds the diagonal weights (pu, pf, po) and every gate sees
c<t-1> elementwise, as the course describes::

    Γu = σ(x Wu + a<t-1> Uu + bu [+ pu * c<t-1>])
    Γf = σ(x Wf + a<t-1> Uf + bf [+ pf * c<t-1>])
    c̃  = tanh(x Wc + a<t-1> Uc + bc)
    Γo = σ(x Wo + a<t-1> Uo + bo [+ po * c<t-1>])
    c<t> = Γu * c̃ + Γf * c<t-1>          a<t> = Γo * tanh(c<t>)

States are [a, c] (Keras's [h, c]); the output is a<t>.
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

_PARAM_KEYS = ("kernel", "recurrent_kernel", "bias", "peephole_kernel")
_BLOCKS = 4


def _check_params(params: dict[str, np.ndarray], input_dim: int) -> int:
    units = check_kernels(params, input_dim, _BLOCKS)
    if "bias" in params and params["bias"].shape != (_BLOCKS * units,):
        raise ValueError(
            f"params['bias'] must have shape {(4 * units,)}, got {params['bias'].shape}."
        )
    if "peephole_kernel" in params and params["peephole_kernel"].shape != (3, units):
        raise ValueError(
            f"params['peephole_kernel'] must have shape {(3, units)}, "
            f"got {params['peephole_kernel'].shape}."
        )
    return units


def lstm_forward(
    x: Any,
    params: dict[str, Any],
    initial_state: Any = None,
    mask: Any = None,
    *,
    activation: str = "tanh",
    recurrent_activation: str = "sigmoid",
    zero_output_for_mask: bool = False,
    initial_output: str = "zeros",
) -> tuple[np.ndarray, list[np.ndarray], SequenceCache]:
    """Run an LSTM over a batch of sequences in float64.

    Args:
        x: inputs, shape (batch, time, input_dim).
        params: ``{"kernel", "recurrent_kernel"[, "bias"][, "peephole_kernel"]}`` in Keras
            layout; the cell has peepholes exactly when ``"peephole_kernel"`` is present,
            and no bias when ``"bias"`` is absent.
        initial_state: ``[a0, c0]``, each (batch, units); zeros if None.
        mask: optional boolean (batch, time), Keras semantics (see ``_scan``).
        activation: activation of c̃ and of c<t> in a<t> = Γo * g(c<t>) ("tanh").
        recurrent_activation: activation of the gates ("sigmoid").
        zero_output_for_mask: output zeros at masked steps (Keras option).
        initial_output: "zeros" (TensorFlow backend) or "state" (JAX backend).

    Returns:
        ``(outputs, [a_T, c_T], cache)``; outputs has shape (batch, time, units).
    """
    x = check_inputs(x)
    params = as_float64_params(params, _PARAM_KEYS)
    units = _check_params(params, x.shape[-1])
    act = get_activation(activation, "activation")
    rec = get_activation(recurrent_activation, "recurrent_activation")
    batch, steps, _ = x.shape
    states = check_initial_state(initial_state, batch, units, 2)
    mask = check_mask(mask, batch, steps)
    u = units

    def step_forward(x_t, states, p):
        a_prev, c_prev = states
        z = x_t @ p["kernel"] + a_prev @ p["recurrent_kernel"]
        if "bias" in p:
            z = z + p["bias"]
        z_u, z_f, z_c, z_o = (z[:, i * u : (i + 1) * u] for i in range(_BLOCKS))
        if "peephole_kernel" in p:
            peep = p["peephole_kernel"]
            z_u = z_u + peep[0] * c_prev
            z_f = z_f + peep[1] * c_prev
            z_o = z_o + peep[2] * c_prev
        gate_u, gate_f, cand, gate_o = rec.fn(z_u), rec.fn(z_f), act.fn(z_c), rec.fn(z_o)
        c_new = gate_u * cand + gate_f * c_prev
        a_new = gate_o * act.fn(c_new)
        step_cache = (x_t, a_prev, c_prev, z_u, z_f, z_c, z_o, gate_u, gate_f, cand, gate_o, c_new)
        return (a_new, c_new), step_cache

    outputs, final, caches = scan_forward(
        step_forward, x, params, states, mask, zero_output_for_mask, initial_output
    )
    cache = SequenceCache(
        kind="lstm",
        params=params,
        step_caches=caches,
        mask=mask,
        zero_output_for_mask=zero_output_for_mask,
        initial_output=initial_output,
        input_shape=x.shape,
        state_shapes=((batch, units), (batch, units)),
        options={"activation": activation, "recurrent_activation": recurrent_activation},
    )
    return outputs, final, cache


def lstm_backward(
    d_outputs: Any, cache: SequenceCache, d_final_states: Any = None
) -> tuple[dict[str, np.ndarray], np.ndarray, list[np.ndarray]]:
    """BPTT for :func:`lstm_forward`: the backward equations of section 1.10.

    With da = dL/da<t> ("da_next") and dc = dL/dc<t> from step t+1 ("dc_next")::

        dz_o = da * tanh(c<t>) * Γo(1 - Γo)
        dc_total = dc + da * Γo * (1 - tanh(c<t>)²)
        dz_c = dc_total * Γu * (1 - c̃²)            (course: dc̃)
        dz_u = dc_total * c̃ * Γu(1 - Γu)            (course: dΓu)
        dz_f = dc_total * c<t-1> * Γf(1 - Γf)       (course: dΓf)
        dW = [x]ᵀ dz,  dU = [a<t-1>]ᵀ dz,  db = Σ_batch dz,  dz = [dz_u, dz_f, dz_c, dz_o]
        da<t-1> = dz Uᵀ,  dx<t> = dz Wᵀ
        dc<t-1> = dc_total * Γf  [+ pu dz_u + pf dz_f + po dz_o with peepholes]
        d peephole = Σ_batch [dz_u, dz_f, dz_o] * c<t-1>

    Args:
        d_outputs: dL/d outputs, shape (batch, time, units).
        cache: the cache returned by the forward pass.
        d_final_states: optional ``[dL/da_T, dL/dc_T]`` (either may be None).

    Returns:
        ``(grads, d_x, [d_a0, d_c0])`` where ``grads`` has the same keys as the params.
    """
    if cache.kind != "lstm":
        raise ValueError(f"cache comes from a {cache.kind!r} forward pass, not lstm.")
    act = get_activation(cache.options["activation"], "activation")
    rec = get_activation(cache.options["recurrent_activation"], "recurrent_activation")

    def step_backward(d_new_states, step_cache, p, grads):
        d_a, d_c = d_new_states
        x_t, a_prev, c_prev, z_u, z_f, z_c, z_o, gate_u, gate_f, cand, gate_o, c_new = step_cache
        g_c = act.fn(c_new)
        d_zo = d_a * g_c * rec.grad(z_o)
        d_c_total = d_c + d_a * gate_o * act.grad(c_new)
        d_zc = d_c_total * gate_u * act.grad(z_c)
        d_zu = d_c_total * cand * rec.grad(z_u)
        d_zf = d_c_total * c_prev * rec.grad(z_f)
        d_z = np.concatenate([d_zu, d_zf, d_zc, d_zo], axis=1)
        grads["kernel"] += x_t.T @ d_z
        grads["recurrent_kernel"] += a_prev.T @ d_z
        if "bias" in grads:
            grads["bias"] += d_z.sum(axis=0)
        d_c_prev = d_c_total * gate_f
        if "peephole_kernel" in p:
            peep = p["peephole_kernel"]
            grads["peephole_kernel"] += np.stack(
                [(d_zu * c_prev).sum(0), (d_zf * c_prev).sum(0), (d_zo * c_prev).sum(0)]
            )
            d_c_prev = d_c_prev + peep[0] * d_zu + peep[1] * d_zf + peep[2] * d_zo
        return d_z @ p["kernel"].T, (d_z @ p["recurrent_kernel"].T, d_c_prev)

    return scan_backward(step_backward, d_outputs, cache, d_final_states)
