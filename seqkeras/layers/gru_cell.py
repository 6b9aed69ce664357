"""The course's GRU cell (section 1.9), full and simplified."""

from __future__ import annotations

import keras
from keras import ops

from ._cell_base import RecurrentCellBase
from ._validation import check_bool, get_activation


@keras.saving.register_keras_serializable(package="seqkeras")
class GRUCell(RecurrentCellBase):
    """GRU cell written as in the course: the update gate Γu multiplies the candidate.

    Full GRU (update gate Γu and relevance gate Γr)::

        Γu = σ(x Wu + c<t-1> Uu + bu)        Γr = σ(x Wr + c<t-1> Ur + br)
        c̃  = tanh(x Wc + (Γr * c<t-1>) Uc + bc)             reset_after=False (course)
        c̃  = tanh(x Wc + bc_in + Γr * (c<t-1> Uc + bc_rec))  reset_after=True (cuDNN form)
        c<t> = Γu * c̃ + (1 - Γu) * c<t-1>,    a<t> = c<t>

    Simplified GRU (``simplified=True``, update gate only)::

        c̃ = tanh(x Wc + c<t-1> Uc + bc),   c<t> = Γu * c̃ + (1 - Γu) * c<t-1>

    Weights use Keras's names and gate order: ``kernel`` (in, 3u) with blocks (Γu, Γr, c̃),
    ``recurrent_kernel`` (u, 3u), ``bias`` (3u,) or (2, 3u) when ``reset_after`` (row 0
    input bias, row 1 recurrent bias). The simplified cell has 2 blocks (Γu, c̃) and a
    (2u,) bias. Keras's GRU gate ``z`` multiplies the *old* state, so ``z = 1 - Γu``: use
    ``seqkeras.layers.gru_weights_to_keras`` / ``gru_weights_from_keras`` (they negate the
    Γu block) to copy weights between this cell and ``keras.layers.GRU``.

    Args:
        units: Positive integer, size of the memory cell ``c<t>``.
        simplified: If True, the update-gate-only GRU. Default False.
        reset_after: Where Γr is applied (see above). Ignored when ``simplified``, which has
            no Γr. Default False (the course formula).
        activation: Activation of the candidate. Default ``"tanh"``.
        recurrent_activation: Activation of the gates. Default ``"sigmoid"``.
        use_bias: Whether to use biases. Default True.
        kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: As in Keras.
        dropout: Fraction of the input units dropped (one mask per sequence), in [0, 1).
        recurrent_dropout: Fraction of ``c<t-1>`` units dropped before ``U``, in [0, 1).
        seed: Seed for the dropout masks.

    Call arguments:
        inputs: ``(batch, features)``.
        states: ``[c<t-1>]`` of shape ``(batch, units)``.
        training: Whether dropout is active.

    Returns:
        ``(c<t>, [c<t>])``.

    Example:

    >>> import numpy as np, keras
    >>> gru = keras.layers.RNN(GRUCell(4, simplified=True))
    >>> tuple(gru(np.zeros((2, 5, 3), "float32")).shape)
    (2, 4)
    """

    def __init__(
        self,
        units,
        simplified=False,
        reset_after=False,
        activation="tanh",
        recurrent_activation="sigmoid",
        **kwargs,
    ):
        owner = type(self).__name__
        simplified = check_bool("simplified", simplified, owner)
        reset_after = check_bool("reset_after", reset_after, owner)
        recurrent_activation_fn = get_activation(
            "recurrent_activation", recurrent_activation, owner
        )
        super().__init__(units, activation=activation, **kwargs)
        self.simplified = simplified
        self.reset_after = reset_after
        self.recurrent_activation = recurrent_activation_fn
        self.state_size = self.units

    def build(self, input_shape):
        if self.simplified:
            self._add_kernels(input_shape[-1], 2, (2 * self.units,))
        elif self.reset_after:
            self._add_kernels(input_shape[-1], 3, (2, 3 * self.units))
        else:
            self._add_kernels(input_shape[-1], 3, (3 * self.units,))

    def call(self, inputs, states, training=False):
        nested = isinstance(states, list | tuple)
        c_prev = states[0] if nested else states
        u = self.units
        inputs = self._dropped_inputs(inputs, training)
        c_rec = self._dropped_state(c_prev, training)
        # One fused matmul for the input and one for the state per step, then split.
        x_all = ops.matmul(inputs, self.kernel)
        # ops.split rather than slices: its gradient is one concat, not padded sums.
        if self.simplified:
            z = x_all + ops.matmul(c_rec, self.recurrent_kernel)
            if self.use_bias:
                z = z + self.bias
            z_u, z_c = ops.split(z, 2, axis=-1)
            gate_u = self.recurrent_activation(z_u)
            candidate = self.activation(z_c)
        elif self.reset_after:
            h_all = ops.matmul(c_rec, self.recurrent_kernel)
            if self.use_bias:
                x_all = x_all + self.bias[0]
                h_all = h_all + self.bias[1]
            x_u, x_r, x_c = ops.split(x_all, 3, axis=-1)
            h_u, h_r, h_c = ops.split(h_all, 3, axis=-1)
            gate_u = self.recurrent_activation(x_u + h_u)
            gate_r = self.recurrent_activation(x_r + h_r)
            candidate = self.activation(x_c + gate_r * h_c)
        else:
            if self.use_bias:
                x_all = x_all + self.bias
            x_u, x_r, x_c = ops.split(x_all, 3, axis=-1)
            # (Γr * c<t-1>) Uc needs Γr first, so the state meets U in two matmuls.
            h_u, h_r = ops.split(ops.matmul(c_rec, self.recurrent_kernel[:, : 2 * u]), 2, axis=-1)
            gate_u = self.recurrent_activation(x_u + h_u)
            gate_r = self.recurrent_activation(x_r + h_r)
            candidate = self.activation(
                x_c + ops.matmul(gate_r * c_rec, self.recurrent_kernel[:, 2 * u :])
            )
        c = gate_u * candidate + (1.0 - gate_u) * c_prev
        return c, ([c] if nested else c)

    def get_config(self):
        config = {
            "simplified": self.simplified,
            "reset_after": self.reset_after,
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
        }
        return {**super().get_config(), **config}
