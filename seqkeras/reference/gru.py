"""Numpy forward pass and BPTT of the course's GRU (section 1.9), full and simplified.

Weights use Keras's layout with gate blocks (Γu, Γr, c̃) (full) or (Γu, c̃) (simplified)
along the last axis, the same layout as ``seqkeras.layers.GRUCell`` (see docs/reference.md).

Full GRU, ``reset_after=False`` (course formula)::

    Γu = σ(x Wu + c<t-1> Uu + bu)        Γr = σ(x Wr + c<t-1> Ur + br)
    c̃  = tanh(x Wc + (Γr * c<t-1>) Uc + bc)
    c<t> = Γu * c̃ + (1 - Γu) * c<t-1>    a<t> = c<t>

``reset_after=True`` (Keras/cuDNN form, ``bias`` of shape (2, 3u): input row, recurrent
row)::

    c̃ = tanh(x Wc + bc_in + Γr * (c<t-1> Uc + bc_rec))   (bu = bu_in + bu_rec, same for r)

Simplified GRU: ``kernel`` (in, 2u) blocks (Γu, c̃); c̃ = tanh(x Wc + c<t-1> Uc + bc).

Note: Γu multiplies the candidate, so Keras's GRU (whose z multiplies the old state) has
z = 1 - Γu, i.e. the Γu block of every weight is negated there.
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


def _check_params(
    params: dict[str, np.ndarray], input_dim: int, simplified: bool, reset_after: bool
) -> int:
    blocks = 2 if simplified else 3
    units = check_kernels(params, input_dim, blocks)
    if "bias" in params:
        expected = (2, 3 * units) if reset_after else (blocks * units,)
        if params["bias"].shape != expected:
            raise ValueError(
                f"params['bias'] must have shape {expected} for simplified={simplified}, "
                f"reset_after={reset_after}; got {params['bias'].shape}."
            )
    return units


def gru_forward(
    x: Any,
    params: dict[str, Any],
    initial_state: Any = None,
    mask: Any = None,
    *,
    simplified: bool = False,
    reset_after: bool = False,
    activation: str = "tanh",
    recurrent_activation: str = "sigmoid",
    zero_output_for_mask: bool = False,
    initial_output: str = "zeros",
) -> tuple[np.ndarray, list[np.ndarray], SequenceCache]:
    """Run the course's GRU over a batch of sequences in float64.

    Args:
        x: inputs, shape (batch, time, input_dim).
        params: ``{"kernel", "recurrent_kernel"[, "bias"]}`` in Keras layout (see module
            docstring); without ``"bias"`` the cell has no bias.
        initial_state: ``[c0]`` (or the array c0), shape (batch, units); zeros if None.
        mask: optional boolean (batch, time), Keras semantics (see ``_scan``).
        simplified: the update-gate-only GRU of section 1.9.
        reset_after: apply Γr after the recurrent matmul (Keras/cuDNN form).
        activation: activation of c̃ ("tanh" by default).
        recurrent_activation: activation of the gates ("sigmoid" by default).
        zero_output_for_mask: output zeros at masked steps (Keras option).
        initial_output: "zeros" (TensorFlow backend) or "state" (JAX backend).

    Returns:
        ``(outputs, [c_T], cache)``; outputs has shape (batch, time, units).
    """
    if simplified and reset_after:
        raise ValueError("reset_after=True has no meaning for simplified=True (no Γr gate).")
    x = check_inputs(x)
    params = as_float64_params(params, _PARAM_KEYS)
    units = _check_params(params, x.shape[-1], simplified, reset_after)
    act = get_activation(activation, "activation")
    rec = get_activation(recurrent_activation, "recurrent_activation")
    batch, steps, _ = x.shape
    states = check_initial_state(initial_state, batch, units, 1)
    mask = check_mask(mask, batch, steps)
    u = units

    def step_forward(x_t, states, p):
        (c_prev,) = states
        xz = x_t @ p["kernel"]
        if "bias" in p:
            xz = xz + (p["bias"][0] if reset_after else p["bias"])
        if simplified:
            hz = c_prev @ p["recurrent_kernel"]
            z_u = xz[:, :u] + hz[:, :u]
            z_c = xz[:, u:] + hz[:, u:]
            gate_u, cand = rec.fn(z_u), act.fn(z_c)
            c_new = gate_u * cand + (1.0 - gate_u) * c_prev
            return (c_new,), (x_t, c_prev, z_u, z_c, gate_u, cand)
        if reset_after:
            hz = c_prev @ p["recurrent_kernel"]
            if "bias" in p:
                hz = hz + p["bias"][1]
            z_u = xz[:, :u] + hz[:, :u]
            z_r = xz[:, u : 2 * u] + hz[:, u : 2 * u]
            gate_r = rec.fn(z_r)
            hz_c = hz[:, 2 * u :]
            z_c = xz[:, 2 * u :] + gate_r * hz_c
        else:
            hz_ur = c_prev @ p["recurrent_kernel"][:, : 2 * u]
            z_u = xz[:, :u] + hz_ur[:, :u]
            z_r = xz[:, u : 2 * u] + hz_ur[:, u:]
            gate_r = rec.fn(z_r)
            hz_c = (gate_r * c_prev) @ p["recurrent_kernel"][:, 2 * u :]
            z_c = xz[:, 2 * u :] + hz_c
        gate_u, cand = rec.fn(z_u), act.fn(z_c)
        c_new = gate_u * cand + (1.0 - gate_u) * c_prev
        return (c_new,), (x_t, c_prev, z_u, z_r, z_c, gate_u, gate_r, cand, hz_c)

    outputs, final, caches = scan_forward(
        step_forward, x, params, states, mask, zero_output_for_mask, initial_output
    )
    cache = SequenceCache(
        kind="gru",
        params=params,
        step_caches=caches,
        mask=mask,
        zero_output_for_mask=zero_output_for_mask,
        initial_output=initial_output,
        input_shape=x.shape,
        state_shapes=((batch, units),),
        options={
            "simplified": simplified,
            "reset_after": reset_after,
            "activation": activation,
            "recurrent_activation": recurrent_activation,
        },
    )
    return outputs, final, cache


def gru_backward(
    d_outputs: Any, cache: SequenceCache, d_final_states: Any = None
) -> tuple[dict[str, np.ndarray], np.ndarray, list[np.ndarray]]:
    """BPTT for :func:`gru_forward`.

    With dc = dL/dc<t> (from the output and from step t+1)::

        dΓu = dc * (c̃ - c<t-1>)          dz_u = dΓu * σ'(z_u)
        dc̃  = dc * Γu                     dz_c = dc̃ * tanh'(z_c)
        reset_after=False: d(Γr*c<t-1>) = dz_c Ucᵀ;  dΓr = d(Γr*c<t-1>) * c<t-1>
        reset_after=True:  dΓr = dz_c * (c<t-1> Uc + bc_rec)
        dz_r = dΓr * σ'(z_r)
        dc<t-1> = dc * (1 - Γu) + [dz_u, dz_r, ·] Uᵀ + (Γr-path through Uc)

    Args:
        d_outputs: dL/d outputs, shape (batch, time, units).
        cache: the cache returned by the forward pass.
        d_final_states: optional ``[dL/dc_T]``.

    Returns:
        ``(grads, d_x, [d_c0])`` where ``grads`` has the same keys as the params.
    """
    if cache.kind != "gru":
        raise ValueError(f"cache comes from a {cache.kind!r} forward pass, not gru.")
    opts = cache.options
    act = get_activation(opts["activation"], "activation")
    rec = get_activation(opts["recurrent_activation"], "recurrent_activation")
    simplified, reset_after = opts["simplified"], opts["reset_after"]
    u = cache.state_shapes[0][-1]

    def step_backward(d_new_states, step_cache, p, grads):
        (d_c,) = d_new_states
        kernel, recurrent = p["kernel"], p["recurrent_kernel"]
        if simplified:
            x_t, c_prev, z_u, z_c, gate_u, cand = step_cache
            d_zu = d_c * (cand - c_prev) * rec.grad(z_u)
            d_zc = d_c * gate_u * act.grad(z_c)
            d_z = np.concatenate([d_zu, d_zc], axis=1)
            grads["kernel"] += x_t.T @ d_z
            grads["recurrent_kernel"] += c_prev.T @ d_z
            if "bias" in grads:
                grads["bias"] += d_z.sum(axis=0)
            d_c_prev = d_c * (1.0 - gate_u) + d_z @ recurrent.T
            return d_z @ kernel.T, (d_c_prev,)

        x_t, c_prev, z_u, z_r, z_c, gate_u, gate_r, cand, hz_c = step_cache
        d_zu = d_c * (cand - c_prev) * rec.grad(z_u)
        d_zc = d_c * gate_u * act.grad(z_c)
        d_c_prev = d_c * (1.0 - gate_u)
        if reset_after:
            d_zr = d_zc * hz_c * rec.grad(z_r)
            d_xz = np.concatenate([d_zu, d_zr, d_zc], axis=1)
            d_hz = np.concatenate([d_zu, d_zr, d_zc * gate_r], axis=1)
            grads["recurrent_kernel"] += c_prev.T @ d_hz
            d_c_prev = d_c_prev + d_hz @ recurrent.T
            if "bias" in grads:
                grads["bias"][0] += d_xz.sum(axis=0)
                grads["bias"][1] += d_hz.sum(axis=0)
        else:
            d_reset_c = d_zc @ recurrent[:, 2 * u :].T  # dL/d(Γr * c<t-1>)
            d_zr = d_reset_c * c_prev * rec.grad(z_r)
            d_xz = np.concatenate([d_zu, d_zr, d_zc], axis=1)
            d_zur = d_xz[:, : 2 * u]
            grads["recurrent_kernel"][:, : 2 * u] += c_prev.T @ d_zur
            grads["recurrent_kernel"][:, 2 * u :] += (gate_r * c_prev).T @ d_zc
            d_c_prev = d_c_prev + d_zur @ recurrent[:, : 2 * u].T + d_reset_c * gate_r
            if "bias" in grads:
                grads["bias"] += d_xz.sum(axis=0)
        grads["kernel"] += x_t.T @ d_xz
        return d_xz @ kernel.T, (d_c_prev,)

    return scan_backward(step_backward, d_outputs, cache, d_final_states)
