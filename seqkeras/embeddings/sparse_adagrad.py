"""``SparseAdagrad``: AdaGrad that touches only the embedding rows a batch looked up."""

from __future__ import annotations

from typing import Any

import keras


@keras.saving.register_keras_serializable(package="seqkeras")
class SparseAdagrad(keras.optimizers.Adagrad):
    """AdaGrad whose update of an ``Embedding`` reads and writes only the rows of the
    batch (Keras' ``Adagrad`` computes sqrt(accumulator) over the whole V × d table at
    every step, which dominates a word-vector step).

    Each looked-up row's gradient counts as its own AdaGrad step: the squared values
    are added to the row's accumulators one lookup at a time (Σ g_i², as if the lookups
    came one after another, rather than (Σ g_i)²), then every lookup moves the row by
    −lr·g_i/sqrt(accumulator + ε). Dense gradients (other backends, other weights)
    take Keras' ``Adagrad`` step.

    Args:
        learning_rate, initial_accumulator_value, epsilon, **kwargs: as
            ``keras.optimizers.Adagrad``.
    """

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        import tensorflow as tf

        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator = accumulator.value if isinstance(accumulator, keras.Variable) else accumulator
        variable = variable.value if isinstance(variable, keras.Variable) else variable
        values = tf.cast(gradient.values, variable.dtype)
        accumulator.scatter_add(tf.IndexedSlices(tf.square(values), gradient.indices))
        scale = tf.sqrt(tf.gather(accumulator, gradient.indices) + self.epsilon)
        step = tf.cast(learning_rate, variable.dtype) * values / scale
        variable.scatter_sub(tf.IndexedSlices(step, gradient.indices))
        return None
