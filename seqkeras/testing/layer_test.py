"""``run_layer_test``: the checks every seqkeras layer must pass (after Keras's layer tests).

Imported by the test suite only; it uses numpy and Keras, no test framework.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Callable, Sequence

import keras
import numpy as np


def _as_list(value):
    return list(value) if isinstance(value, list | tuple) else [value]


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and all(isinstance(d, int | type(None)) for d in value)


def _shapes(outputs) -> list[tuple]:
    return [tuple(np.shape(o)) for o in _as_list(outputs)]


def _expected_shapes(expected) -> list[tuple]:
    return [tuple(expected)] if _is_shape(tuple(expected)) else [tuple(s) for s in expected]


def run_layer_test(
    layer_cls: Callable[..., keras.layers.Layer],
    init_kwargs: dict,
    input_shape: Sequence[int],
    expected_output_shape,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = 0,
    call_kwargs: dict | None = None,
    input_mask: np.ndarray | None = None,
    run_training_check: bool = True,
    run_saving_check: bool = True,
    seed: int = 0,
    jit_compile: bool | str = False,
) -> keras.Model:
    """Builds, calls, trains, round-trips and saves a layer; raises AssertionError on failure.

    Checks, in order:
      1. ``get_config`` -> ``from_config`` gives an equal config, and
         ``keras.saving.serialize_keras_object`` / ``deserialize_keras_object`` recreates
         the same class with no ``custom_objects`` (the class is registered).
      2. An eager call on random data gives ``expected_output_shape`` (a shape, or a list
         of shapes for several outputs) and the expected numbers of weights.
      3. A functional model around the layer trains one ``fit`` step: the loss is finite
         and at least one trainable weight changes.
      4. ``model.save("x.keras")`` -> ``keras.saving.load_model`` (no custom objects)
         gives identical predictions.

    Args:
        layer_cls: The layer class, or any callable returning a layer from ``init_kwargs``
            (e.g. ``lambda **kw: keras.layers.RNN(MyCell(**kw))`` for a cell).
        init_kwargs: Constructor arguments (a fresh layer is made for each check).
        input_shape: Full input shape including the batch size.
        expected_output_shape: Shape tuple, or list of shape tuples for several outputs.
        expected_num_trainable_weights: Expected ``len(layer.trainable_weights)``.
        expected_num_non_trainable_weights: Expected ``len(layer.non_trainable_weights)``.
        call_kwargs: Extra keyword arguments for the eager call (e.g. ``training=True``).
        input_mask: Optional boolean ``(batch, timesteps)`` mask given to every call.
        run_training_check: Whether to run check 3.
        run_saving_check: Whether to run check 4.
        seed: Seed for the random data.
        jit_compile: Passed to ``model.compile``; False by default because XLA
            compilation of recurrent loops dominates the time of small tests.

    Returns:
        The model used for the training / saving checks (or None if both were skipped).
    """
    call_kwargs = dict(call_kwargs or {})
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(tuple(input_shape)).astype("float32")
    expected_shapes = _expected_shapes(expected_output_shape)

    # 1. config round trip and registration.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    # from_config may consume its argument (keras.layers.RNN pops "cell").
    clone = type(layer).from_config(copy.deepcopy(config))
    assert clone.get_config() == config, (
        f"from_config(get_config()) changed the config:\n{config}\n!=\n{clone.get_config()}"
    )
    serialized = keras.saving.serialize_keras_object(layer)
    revived = keras.saving.deserialize_keras_object(serialized)
    assert type(revived) is type(layer), (
        f"deserialize_keras_object gave {type(revived)} instead of {type(layer)}; is the "
        "class registered with keras.saving.register_keras_serializable?"
    )

    # 2. eager call, shapes and weights.
    mask_kwargs = {} if input_mask is None else {"mask": input_mask}
    outputs = layer(x, **call_kwargs, **mask_kwargs)
    got = _shapes(outputs)
    assert got == expected_shapes, f"output shapes {got} != expected {expected_shapes}"
    if expected_num_trainable_weights is not None:
        n = len(layer.trainable_weights)
        assert n == expected_num_trainable_weights, (
            f"{n} trainable weights, expected {expected_num_trainable_weights}"
        )
    if expected_num_non_trainable_weights is not None:
        n = len(layer.non_trainable_weights)
        assert n == expected_num_non_trainable_weights, (
            f"{n} non-trainable weights, expected {expected_num_non_trainable_weights}"
        )

    if not (run_training_check or run_saving_check):
        return None

    # 3. one training step in a functional model.
    inputs = keras.Input(batch_shape=tuple(input_shape))
    model_inputs = [inputs]
    layer_kwargs = {}
    if input_mask is not None:
        mask_input = keras.Input(batch_shape=tuple(input_mask.shape), dtype="bool")
        model_inputs.append(mask_input)
        layer_kwargs["mask"] = mask_input
    model_outputs = _as_list(layer_cls(**init_kwargs)(inputs, **layer_kwargs))
    model = keras.Model(model_inputs, model_outputs)
    feed = [x] if input_mask is None else [x, input_mask]
    targets = [rng.standard_normal(s).astype("float32") for s in expected_shapes]
    model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss=["mse"] * len(targets), jit_compile=jit_compile
    )
    if run_training_check:
        before = [np.array(w) for w in model.trainable_weights]
        history = model.fit(feed, targets, batch_size=input_shape[0], epochs=1, verbose=0)
        loss = history.history["loss"][-1]
        assert np.isfinite(loss), f"training loss is not finite: {loss}"
        after = [np.array(w) for w in model.trainable_weights]
        if before:
            assert any(not np.array_equal(b, a) for b, a in zip(before, after, strict=True)), (
                "one fit step changed no trainable weight"
            )

    # 4. .keras save -> load -> same predictions, without custom_objects.
    if run_saving_check:
        expected = _as_list(model.predict(feed, verbose=0))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "layer_test.keras")
            model.save(path)
            loaded = keras.saving.load_model(path)
        got_outputs = _as_list(loaded.predict(feed, verbose=0))
        assert len(got_outputs) == len(expected)
        for e, g in zip(expected, got_outputs, strict=True):
            np.testing.assert_allclose(g, e, atol=1e-6, rtol=1e-6)
    return model
