"""``seqkeras.training.train`` on whichever Keras backend runs the suite (TensorFlow, and
JAX in CI's backend-agnostic pass): an interrupted-and-resumed run ends with the weights
of an uninterrupted plain ``fit`` from the same start."""

import keras
import numpy as np
import pytest

from seqkeras.training import make_optimizer, train

pytestmark = pytest.mark.backend_agnostic


def _model(weights=None, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1)])  # fmt: skip
    model.compile(make_optimizer("sgd", learning_rate=0.05, clipnorm=None), loss="mse")
    if weights is not None:
        model.set_weights(weights)
    return model


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 4)).astype("float32")
    return x, np.sin(x.sum(axis=1, keepdims=True)).astype("float32")


def test_resumed_train_equals_plain_fit(tmp_path):
    x, y = _data()
    start = _model().get_weights()
    reference = _model(start)
    reference.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)

    run_dir = str(tmp_path / "run")
    first = _model(start)
    history = train(first, (x, y), batch_size=8, epochs=1, shuffle=False, run_dir=run_dir,
                    verbose=0)  # fmt: skip
    assert history["epoch"] == [0]
    resumed = _model(seed=7)  # other weights: the checkpoint must bring the trained ones back
    history = train(resumed, (x, y), batch_size=8, epochs=3, shuffle=False, run_dir=run_dir,
                    verbose=0)  # fmt: skip
    assert history["epoch"] == [0, 1, 2]
    for got, want in zip(resumed.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_strategy_needs_tensorflow_backend():
    if keras.backend.backend() == "tensorflow":
        pytest.skip("the refusal is for the other backends")
    from seqkeras.training import get_strategy

    x, y = _data()
    with pytest.raises(ValueError, match="need the TensorFlow backend"):
        train(_model(), (x, y), batch_size=8, epochs=1, strategy=get_strategy("default"))
