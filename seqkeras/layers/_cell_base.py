"""Common constructor, config and dropout handling for the seqkeras recurrent cells.

Dropout follows Keras's recurrent cells (variational dropout, Gal & Ghahramani 2016): one
input mask and one recurrent mask per sequence, the same at every step, drawn with
``keras.random.dropout`` (kept units scaled by ``1 / (1 - rate)``) from the cell's
``seed_generator`` in Keras's order (input mask first). Keras's ``RNN`` layer draws the
masks before its loop only for subclasses of its private ``DropoutRNNCell``; seqkeras
does not depend on that class, so ``seqkeras.layers.RNN`` draws the masks of seqkeras
cells (see ``rnn.py``) and a cell asked for dropout without masks raises a ValueError
instead of silently drawing a new mask at every step.
"""

from __future__ import annotations

import keras
from keras import ops

from ._validation import check_bool, check_positive_int, check_rate, get_activation


class RecurrentCellBase(keras.layers.Layer):
    """Base for cells: weights initializers/regularizers/constraints, dropout, config.

    Subclasses define ``build``, ``call`` and ``state_size``.

    The per-sequence dropout masks use Keras's method names, so code that steps a cell by
    hand works as with ``keras.layers.GRUCell``: ``get_dropout_mask(first_inputs)`` and
    ``get_recurrent_dropout_mask(initial_state)`` draw the masks (once: later calls return
    the same masks), every ``call(..., training=True)`` uses them, and
    ``reset_dropout_mask()`` / ``reset_recurrent_dropout_mask()`` end the sequence.
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
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

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

    # -- per-sequence dropout masks (Keras's DropoutRNNCell API) -----------------------
    def _draw_mask(self, like, rate):
        return keras.random.dropout(ops.ones_like(like), rate=rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input):
        """The input mask of the current sequence, drawn (shaped like ``step_input``) on the
        first call; None when ``dropout`` is 0."""
        if self._dropout_mask is None and self.dropout > 0.0:
            self._dropout_mask = self._draw_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_state):
        """The mask on the state before ``U`` for the current sequence, drawn (shaped like
        ``step_state``) on the first call; None when ``recurrent_dropout`` is 0."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0.0:
            self._recurrent_dropout_mask = self._draw_mask(step_state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forgets the input mask: the next sequence draws a new one."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forgets the recurrent mask: the next sequence draws a new one."""
        self._recurrent_dropout_mask = None

    def draw_sequence_dropout_masks(self, batch_size):
        """Draws both masks for a sequence of ``batch_size`` rows (what ``seqkeras.layers.RNN``
        does before its loop); the cell must be built."""
        dtype = self.compute_dtype
        self.get_dropout_mask(ops.ones((batch_size, self.kernel.shape[0]), dtype=dtype))
        self.get_recurrent_dropout_mask(ops.ones((batch_size, self.units), dtype=dtype))

    def _missing_mask(self, argument):
        return ValueError(
            f"{type(self).__name__}: {argument}={getattr(self, argument)} with training=True "
            "needs one dropout mask per sequence, drawn before the first step, and "
            "keras.layers.RNN draws it only for Keras's own cells. Wrap the cell in "
            "seqkeras.layers.RNN (a drop-in subclass of keras.layers.RNN); when calling the "
            "cell step by step, call cell.get_dropout_mask(first_inputs) and "
            "cell.get_recurrent_dropout_mask(initial_state) before the first step and "
            "cell.reset_dropout_mask() / cell.reset_recurrent_dropout_mask() after the last."
        )

    def _dropped_inputs(self, inputs, training):
        if training and self.dropout > 0.0:
            if self._dropout_mask is None:
                raise self._missing_mask("dropout")
            return inputs * self._dropout_mask
        return inputs

    def _dropped_state(self, state, training):
        if training and self.recurrent_dropout > 0.0:
            if self._recurrent_dropout_mask is None:
                raise self._missing_mask("recurrent_dropout")
            return state * self._recurrent_dropout_mask
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
