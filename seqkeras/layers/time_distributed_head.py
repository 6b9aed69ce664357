"""The deep per-time-step head of course section 1.12."""

from __future__ import annotations

import keras

from ._validation import check_positive_int, check_rate, check_sequence_rank, get_activation


@keras.saving.register_keras_serializable(package="seqkeras")
class TimeDistributedHead(keras.layers.Layer):
    """Dense layers applied at every time step, with no horizontal connections.

    Section 1.12 puts a deep network on top of the recurrent levels: at each step ``t``
    the output ``y<t>`` comes from several dense layers fed only by ``a<t>`` of the top
    recurrent level. Hidden layers use ``activation``; the last one uses
    ``output_activation``. The same weights are shared by every step.

    Args:
        units_list: Non-empty list of positive integers, the width of each dense layer;
            the last entry is the output size.
        activation: Activation of the hidden layers. Default ``"relu"``.
        output_activation: Activation of the last layer (e.g. ``"softmax"``). Default None.
        use_bias: Whether the dense layers have biases. Default True.
        dropout: Dropout rate applied after every hidden layer, in [0, 1). Default 0.
        kernel_initializer, bias_initializer: Initializers of every dense layer.
        seed: Seed for dropout.

    Call arguments:
        sequences: ``(batch, timesteps, features)``.
        mask: Optional ``(batch, timesteps)`` mask; passed through unchanged.
        training: Whether dropout is active.

    Returns:
        ``(batch, timesteps, units_list[-1])``.

    Example:

    >>> import numpy as np
    >>> head = TimeDistributedHead([16, 5], output_activation="softmax")
    >>> tuple(head(np.zeros((2, 7, 8), "float32")).shape)
    (2, 7, 5)
    """

    def __init__(
        self,
        units_list,
        activation="relu",
        output_activation=None,
        use_bias=True,
        dropout=0.0,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        seed=None,
        **kwargs,
    ):
        owner = type(self).__name__
        if not isinstance(units_list, list | tuple) or not units_list:
            raise ValueError(
                f"{owner}: argument `units_list` must be a non-empty list of positive "
                f"integers; received units_list={units_list!r}."
            )
        units_list = [check_positive_int("units_list", u, owner) for u in units_list]
        get_activation("activation", activation, owner)
        get_activation("output_activation", output_activation, owner)
        dropout = check_rate("dropout", dropout, owner)
        super().__init__(**kwargs)
        self.units_list = units_list
        self.activation = activation
        self.output_activation = output_activation
        self.use_bias = use_bias
        self.dropout = dropout
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.seed = seed
        self.supports_masking = True
        last = len(units_list) - 1
        self.dense_layers = [
            keras.layers.Dense(
                units,
                activation=output_activation if i == last else activation,
                use_bias=use_bias,
                kernel_initializer=self.kernel_initializer,
                bias_initializer=self.bias_initializer,
                name=f"dense_{i}",
            )
            for i, units in enumerate(units_list)
        ]
        self.dropout_layers = [
            keras.layers.Dropout(dropout, seed=seed, name=f"dropout_{i}")
            for i in range(last)
            if dropout > 0.0
        ]

    def build(self, sequences_shape):
        check_sequence_rank("sequences", sequences_shape, type(self).__name__)
        shape = tuple(sequences_shape)
        for dense in self.dense_layers:
            dense.build(shape)
            shape = shape[:-1] + (dense.units,)
        self.built = True

    def call(self, sequences, training=None):
        check_sequence_rank("sequences", sequences.shape, type(self).__name__)
        outputs = sequences
        for i, dense in enumerate(self.dense_layers):
            # A Dense layer on a rank-3 tensor acts on the last axis only: the same
            # weights at every step and nothing flowing between steps.
            outputs = dense(outputs)
            if self.dropout_layers and i < len(self.dropout_layers):
                outputs = self.dropout_layers[i](outputs, training=training)
        return outputs

    def compute_output_shape(self, sequences_shape):
        return tuple(sequences_shape)[:-1] + (self.units_list[-1],)

    def compute_mask(self, sequences, mask=None):
        return mask

    def get_config(self):
        config = {
            "units_list": list(self.units_list),
            "activation": keras.activations.serialize(keras.activations.get(self.activation)),
            "output_activation": keras.activations.serialize(
                keras.activations.get(self.output_activation)
            ),
            "use_bias": self.use_bias,
            "dropout": self.dropout,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "seed": self.seed,
        }
        return {**super().get_config(), **config}
