"""Common constructor, config and dropout handling for the seqkeras recurrent cells."""

from __future__ import annotations

import keras
from keras import ops

# Keras' RNN layer creates one dropout mask per sequence (not per step) only for cells that
# derive from this mixin; it is not exported under keras.layers, so we import it from its
# module. Cells work without dropout if a future Keras moves it.
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from ._validation import check_bool, check_positive_int, check_rate, get_activation


class RecurrentCellBase(keras.layers.Layer, DropoutRNNCell):
    """Base for cells: weights initializers/regularizers/constraints, dropout, config.

    Subclasses define ``build``, ``call`` and ``state_size``.
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        owner = type(self).__name__
        units = check_positive_int("units", units, owner)
        activation_fn = get_activation("activation", activation, owner)
        use_bias = check_bool("use_bias", use_bias, owner)
        dropout = check_rate("dropout", dropout, owner)
        recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout, owner)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation_fn
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.output_size = units

    # -- helpers for subclasses -------------------------------------------------------
    def _add_kernels(self, input_dim, blocks, bias_shape, bias_initializer=None):
        """Creates ``kernel`` (in, blocks*u), ``recurrent_kernel`` (u, blocks*u), ``bias``."""
        self.kernel = self.add_weight(
            shape=(input_dim, blocks * self.units),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, blocks * self.units),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=bias_shape,
                name="bias",
                initializer=bias_initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def _dropped_inputs(self, inputs, training):
        if training and 0.0 < self.dropout < 1.0:
            return inputs * self.get_dropout_mask(inputs)
        return inputs

    def _dropped_state(self, state, training):
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return state * self.get_recurrent_dropout_mask(state)
        return state

    def get_initial_state(self, batch_size=None):
        sizes = self.state_size if isinstance(self.state_size, list | tuple) else [self.state_size]
        return [ops.zeros((batch_size, size), dtype=self.compute_dtype) for size in sizes]

    def get_config(self):
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": keras.constraints.serialize(self.recurrent_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
