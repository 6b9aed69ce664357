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


@keras.saving.register_keras_serializable(package="seqkeras")
class RowwiseSparseAdagrad(SparseAdagrad):
    """Row-wise AdaGrad: one squared-gradient sum per embedding row instead of one per
    weight (the "row-wise AdaGrad" of large embedding tables, e.g. FBGEMM's), updating
    only the rows a batch looked up.

    A row is everything along the first axis (a word's vector; a single value of a
    1-D weight, which so keeps element-wise AdaGrad). Each lookup i of row r adds the
    mean of its squared gradient values, mean_j g_ij², to the row's sum a_r (one lookup
    after another, as ``SparseAdagrad`` does), then every lookup moves the row by
    −lr·g_i/sqrt(a_r + ε). Against ``SparseAdagrad`` the update reads and writes one
    number per looked-up row instead of a whole row of sums: two of its three passes
    over the looked-up rows become passes over scalars, and the optimizer state of a
    V × d table is V numbers, not V × d.

    Args:
        learning_rate, initial_accumulator_value, epsilon, **kwargs: as
            ``keras.optimizers.Adagrad``.
    """

    def build(self, var_list: list[Any]) -> None:
        if self.built:
            return
        keras.optimizers.Optimizer.build(self, var_list)
        initializer = keras.initializers.Constant(self.initial_accumulator_value)
        self._accumulators = [
            self.add_variable(
                tuple(variable.shape[:1]),
                initializer=initializer,
                dtype=variable.dtype,
                name=f"{_path_name(variable)}_row_accumulator",
            )
            for variable in var_list
        ]

    def update_step(self, gradient: Any, variable: Any, learning_rate: Any) -> None:
        import tensorflow as tf

        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator = accumulator.value if isinstance(accumulator, keras.Variable) else accumulator
        variable = variable.value if isinstance(variable, keras.Variable) else variable
        rate = tf.cast(learning_rate, variable.dtype)
        if isinstance(gradient, tf.IndexedSlices):
            values = tf.cast(gradient.values, variable.dtype)
            accumulator.scatter_add(tf.IndexedSlices(_row_mean_square(values), gradient.indices))
            scale = tf.sqrt(tf.gather(accumulator, gradient.indices) + self.epsilon)
            step = rate * values / _per_row(scale, values)
            variable.scatter_sub(tf.IndexedSlices(step, gradient.indices))
            return None
        values = tf.cast(gradient, variable.dtype)
        accumulator.assign_add(_row_mean_square(values))
        scale = tf.sqrt(accumulator + self.epsilon)
        variable.assign_sub(rate * values / _per_row(scale, values))
        return None


def _path_name(variable: Any) -> str:
    return str(getattr(variable, "path", getattr(variable, "name", "variable"))).replace("/", "_")


def _row_mean_square(values: Any) -> Any:
    """Mean of the squares over all axes but the first (the values themselves if 1-D)."""
    import tensorflow as tf

    square = tf.square(values)
    return (
        tf.reduce_mean(square, axis=list(range(1, values.shape.rank)))
        if values.shape.rank > 1
        else square
    )


def _per_row(scale: Any, values: Any) -> Any:
    """``scale`` (one number per row) shaped to divide ``values`` row by row."""
    import tensorflow as tf

    return tf.reshape(
        scale, tf.concat([tf.shape(scale), tf.ones([max(values.shape.rank - 1, 0)], tf.int32)], 0)
    )
