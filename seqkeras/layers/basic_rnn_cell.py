"""The basic RNN cell of course section 1.3: a<t> = g(x<t> W + a<t-1> U + b)."""

from __future__ import annotations

import keras
from keras import ops

from ._cell_base import RecurrentCellBase


@keras.saving.register_keras_serializable(package="seqkeras")
class BasicRNNCell(RecurrentCellBase):
    """Basic RNN cell: ``a<t> = g(Wa[a<t-1>, x<t>] + ba)``.

    The course's stacked matrix ``Wa = [Waa | Wax]`` is stored as Keras does it: ``kernel``
    (input_dim, units) multiplies ``x<t>`` and ``recurrent_kernel`` (units, units) multiplies
    ``a<t-1>``, so weights copy to and from ``keras.layers.SimpleRNNCell`` with
    ``set_weights``.

    Args:
        units: Positive integer, size of the activation ``a<t>``.
        activation: Activation ``g`` (name or callable). Default ``"tanh"``.
        use_bias: Whether to add the bias ``ba``. Default True.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers of
            ``kernel``, ``recurrent_kernel`` and ``bias``.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints.
        dropout: Fraction of the input units dropped (one mask per sequence), in [0, 1).
        recurrent_dropout: Fraction of the state units dropped before ``U``, in [0, 1).
        seed: Seed for the dropout masks.

    Call arguments:
        inputs: ``(batch, features)`` input at one step.
        states: ``[a<t-1>]`` with shape ``(batch, units)``.
        training: Whether dropout is active.

    Returns:
        ``(a<t>, [a<t>])``.

    Example:

    >>> import numpy as np, keras
    >>> rnn = keras.layers.RNN(BasicRNNCell(4), return_sequences=True)
    >>> tuple(rnn(np.zeros((2, 5, 3), "float32")).shape)
    (2, 5, 4)
    """

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.state_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 1, (self.units,))

    def call(self, inputs, states, training=False):
        nested = isinstance(states, list | tuple)
        a_prev = states[0] if nested else states
        inputs = self._dropped_inputs(inputs, training)
        a_rec = self._dropped_state(a_prev, training)
        z = ops.matmul(inputs, self.kernel) + ops.matmul(a_rec, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        a = self.activation(z)
        return a, ([a] if nested else a)
