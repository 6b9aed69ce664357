"""The course's LSTM cell (section 1.10), optionally with peephole connections."""

from __future__ import annotations

import keras
from keras import ops

from ._cell_base import RecurrentCellBase
from ._validation import check_bool, get_activation


@keras.saving.register_keras_serializable(package="seqkeras")
class LSTMCell(RecurrentCellBase):
    """LSTM cell with update, forget and output gates, optionally with peepholes.

    ::

        Γu = σ(x Wu + a<t-1> Uu + bu [+ pu * c<t-1>])
        Γf = σ(x Wf + a<t-1> Uf + bf [+ pf * c<t-1>])
        Γo = σ(x Wo + a<t-1> Uo + bo [+ po * c<t-1>])
        c̃  = tanh(x Wc + a<t-1> Uc + bc)
        c<t> = Γu * c̃ + Γf * c<t-1>,    a<t> = Γo * tanh(c<t>)

    The bracketed peephole terms (``peephole=True``) let every gate see ``c<t-1>``
    elementwise, as in section 1.10. Weights use Keras's names and layout: ``kernel``
    (in, 4u) and ``recurrent_kernel`` (u, 4u) with blocks (Γu, Γf, c̃, Γo) = Keras's
    (i, f, c, o), ``bias`` (4u,), and ``peephole_kernel`` (3, u) with rows (Γu, Γf, Γo).
    Without peepholes the cell equals ``keras.layers.LSTMCell`` weight for weight.

    Args:
        units: Positive integer, size of ``a<t>`` and ``c<t>``.
        peephole: Whether the gates see ``c<t-1>``. Default False.
        unit_forget_bias: Initialize the forget-gate bias to 1 (Jozefowicz et al.), as
            Keras does. Default True.
        activation: Activation of the candidate and of ``c<t>``. Default ``"tanh"``.
        recurrent_activation: Activation of the gates. Default ``"sigmoid"``.
        peephole_initializer, peephole_regularizer, peephole_constraint: For
            ``peephole_kernel``. Default initializer ``"glorot_uniform"``.
        use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: As in Keras.
        dropout: Fraction of the input units dropped (one mask per sequence), in [0, 1).
        recurrent_dropout: Fraction of ``a<t-1>`` units dropped before ``U``, in [0, 1).
        seed: Seed for the dropout masks.

    Call arguments:
        inputs: ``(batch, features)``.
        states: ``[a<t-1>, c<t-1>]``, each ``(batch, units)`` (Keras's ``[h, c]`` order).
        training: Whether dropout is active.

    Returns:
        ``(a<t>, [a<t>, c<t>])``.

    Example:

    >>> import numpy as np, keras
    >>> lstm = keras.layers.RNN(LSTMCell(4, peephole=True), return_state=True)
    >>> a, a_last, c_last = lstm(np.zeros((2, 5, 3), "float32"))
    >>> tuple(a.shape), tuple(c_last.shape)
    ((2, 4), (2, 4))
    """

    def __init__(
        self,
        units,
        peephole=False,
        unit_forget_bias=True,
        activation="tanh",
        recurrent_activation="sigmoid",
        peephole_initializer="glorot_uniform",
        peephole_regularizer=None,
        peephole_constraint=None,
        **kwargs,
    ):
        owner = type(self).__name__
        peephole = check_bool("peephole", peephole, owner)
        unit_forget_bias = check_bool("unit_forget_bias", unit_forget_bias, owner)
        recurrent_activation_fn = get_activation(
            "recurrent_activation", recurrent_activation, owner
        )
        super().__init__(units, activation=activation, **kwargs)
        self.peephole = peephole
        self.unit_forget_bias = unit_forget_bias
        self.recurrent_activation = recurrent_activation_fn
        self.peephole_initializer = keras.initializers.get(peephole_initializer)
        self.peephole_regularizer = keras.regularizers.get(peephole_regularizer)
        self.peephole_constraint = keras.constraints.get(peephole_constraint)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        bias_initializer = None
        if self.use_bias and self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def bias_initializer(_, *args, **kwargs):
                return ops.concatenate(
                    [
                        base((units,), *args, **kwargs),
                        keras.initializers.get("ones")((units,), *args, **kwargs),
                        base((2 * units,), *args, **kwargs),
                    ]
                )

        self._add_kernels(input_shape[-1], 4, (4 * self.units,), bias_initializer)
        if self.peephole:
            self.peephole_kernel = self.add_weight(
                shape=(3, self.units),
                name="peephole_kernel",
                initializer=self.peephole_initializer,
                regularizer=self.peephole_regularizer,
                constraint=self.peephole_constraint,
            )
        else:
            self.peephole_kernel = None

    def call(self, inputs, states, training=False):
        a_prev, c_prev = states[0], states[1]
        inputs = self._dropped_inputs(inputs, training)
        a_rec = self._dropped_state(a_prev, training)
        # One fused matmul for the input and one for the state per step, then split.
        z = ops.matmul(inputs, self.kernel) + ops.matmul(a_rec, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        # split (not four slices): its gradient is one concat instead of four padded sums.
        z_u, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        if self.peephole:
            z_u = z_u + self.peephole_kernel[0] * c_prev
            z_f = z_f + self.peephole_kernel[1] * c_prev
            z_o = z_o + self.peephole_kernel[2] * c_prev
        gate_u = self.recurrent_activation(z_u)
        gate_f = self.recurrent_activation(z_f)
        gate_o = self.recurrent_activation(z_o)
        c = gate_u * self.activation(z_c) + gate_f * c_prev
        a = gate_o * self.activation(c)
        return a, [a, c]

    def get_config(self):
        config = {
            "peephole": self.peephole,
            "unit_forget_bias": self.unit_forget_bias,
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "peephole_initializer": keras.initializers.serialize(self.peephole_initializer),
            "peephole_regularizer": keras.regularizers.serialize(self.peephole_regularizer),
            "peephole_constraint": keras.constraints.serialize(self.peephole_constraint),
        }
        return {**super().get_config(), **config}
