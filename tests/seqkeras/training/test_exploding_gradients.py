"""Clipping on by default, NaN termination with a clear message, gradient-norm logging."""

import re

import keras
import numpy as np
import pytest

from seqkeras.training import (
    GradientNormLogger,
    TerminateOnNaN,
    TrainingDivergedError,
    fit_resumable,
    make_optimizer,
    read_resume_state,
)


def _linear(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def _data(rows=32):
    rng = np.random.default_rng(3)
    return rng.normal(size=(rows, 3)).astype("float32"), rng.normal(size=(rows, 2)).astype(
        "float32"
    )


def test_make_optimizer_clips_by_default():
    opt = make_optimizer("sgd", learning_rate=1.0)
    assert opt.clipnorm == 5.0
    v = keras.Variable(np.zeros(4, "float32"))
    grad = np.array([30.0, 40.0, 0.0, 0.0], "float32")  # norm 50 -> rescaled to norm 5
    opt.apply_gradients([(grad, v)])
    np.testing.assert_allclose(v.numpy(), [-3.0, -4.0, 0.0, 0.0], rtol=1e-6)


def test_make_optimizer_global_clipnorm_replaces_default():
    opt = make_optimizer("sgd", learning_rate=1.0, global_clipnorm=1.0)
    assert not opt.clipnorm and opt.global_clipnorm == 1.0
    a, b = keras.Variable(np.zeros(1, "float32")), keras.Variable(np.zeros(1, "float32"))
    opt.apply_gradients([(np.array([3.0], "float32"), a), (np.array([4.0], "float32"), b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [-0.6, -0.8], rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "adamax2"}, "'adamax2'"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"clipnorm": -1.0}, "clipnorm"),
        ({"clipnorm": 1.0, "clipvalue": 0.5}, "one gradient clipping mode"),
    ],
)
def test_make_optimizer_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_optimizer(**kwargs)


def test_make_optimizer_takes_a_schedule():
    schedule = keras.optimizers.schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt = make_optimizer("sgd", learning_rate=schedule, clipnorm=None)
    w = keras.Variable(np.zeros(1, "float32"))
    for _ in range(3):  # step sizes 1, 0.5, 0.25 for a gradient of 1
        opt.apply_gradients([(np.ones(1, "float32"), w)])
    np.testing.assert_allclose(w.numpy(), [-1.75], rtol=1e-6)


def test_nan_loss_stops_with_message_naming_epoch_and_step(tmp_path):
    x, y = _data()
    x[8 * 2 + 3] = np.nan  # batch size 8: batch index 2 (the third step) of every epoch
    model = _linear()
    model.compile(make_optimizer("sgd", learning_rate=0.01), "mse")
    with pytest.raises(TrainingDivergedError) as err:
        model.fit(
            x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[TerminateOnNaN()]
        )
    message = str(err.value)
    assert "loss is nan at epoch 1, step 3 (optimizer step 3)" in message
    assert "learning rate" in message and "clipnorm" in message


def test_nan_guard_without_raising_stops_training():
    x, y = _data()
    model = _linear()
    model.compile(keras.optimizers.SGD(learning_rate=1e6), "mse")  # no clipping: explodes
    guard = TerminateOnNaN(raise_error=False)
    history = model.fit(x * 100, y, batch_size=8, epochs=50, verbose=0, callbacks=[guard])
    assert guard.message is not None and "training diverged" in guard.message
    assert len(history.history["loss"]) < 50


def test_divergence_keeps_the_last_good_checkpoint(tmp_path):
    x, y = _data()
    x[8 + 1] = np.inf  # second step of every epoch
    model = _linear()
    model.compile(make_optimizer("sgd", learning_rate=0.01), "mse")
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 2"):
        fit_resumable(
            model,
            x,
            y,
            run_dir=str(tmp_path),
            epochs=2,
            batch_size=8,
            save_freq=1,
            shuffle=False,
            verbose=0,
        )
    state = read_resume_state(str(tmp_path))
    assert (state.epoch, state.step) == (0, 1)  # the bad step was never checkpointed


def _numpy_mse_grad_norm(model, x, y):
    """Global gradient norm of mean((xW + b - y)^2) by hand."""
    w, b = model.get_weights()
    residual = x @ w + b - y
    scale = 2.0 / residual.size
    grad_w, grad_b = scale * x.T @ residual, scale * residual.sum(axis=0)
    return float(np.sqrt((grad_w**2).sum() + (grad_b**2).sum()))


def test_gradient_norm_logger_matches_hand_computed_gradient():
    x, y = _data()
    model = _linear()
    model.compile(make_optimizer("sgd", learning_rate=0.05), "mse")
    probe = (x[:8], y[:8])
    logger = GradientNormLogger(probe, every=2)
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[logger])
    # 4 steps per epoch, measured every 2 steps -> optimizer steps 2, 4, 6, 8
    assert [step for step, _ in logger.norms] == [2, 4, 6, 8]
    expected = _numpy_mse_grad_norm(model, *probe)
    assert logger.norms[-1][1] == pytest.approx(expected, rel=1e-5)
    assert history.history["grad_norm"][-1] == pytest.approx(expected, rel=1e-5)
    assert history.history["grad_norm_max"][0] == pytest.approx(max(n for _, n in logger.norms[:2]))


def test_gradient_norm_logger_bad_arguments():
    with pytest.raises(ValueError, match="every"):
        GradientNormLogger((np.zeros((1, 3)), np.zeros((1, 2))), every=0)
    with pytest.raises(ValueError, match="probe"):
        GradientNormLogger(np.zeros((1, 3)))


def test_gradient_norm_logger_stops_on_non_finite_norm():
    x, y = _data()
    model = _linear()
    model.compile(make_optimizer("sgd", learning_rate=0.05), "mse")
    probe_x = x[:8].copy()
    probe_x[0, 0] = np.inf  # the probe's gradient is not finite; training data is fine
    with pytest.raises(
        TrainingDivergedError, match="gradient norm is (nan|inf) at epoch 1, step 3"
    ):
        model.fit(
            x,
            y,
            batch_size=8,
            epochs=1,
            shuffle=False,
            verbose=0,
            callbacks=[GradientNormLogger((probe_x, y[:8]), every=3)],
        )


def test_learning_rate_schedule_cosine_matches_formula():
    from seqkeras.training import learning_rate_schedule

    assert learning_rate_schedule("constant", 0.01, 0) == 0.01
    schedule = learning_rate_schedule("cosine", 0.01, 100, final_fraction=0.05)
    for step in (0, 1, 37, 99, 100, 250):
        t = min(step, 100) / 100
        expected = 0.01 * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * t)))
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "args, message",
    [
        (("linear", 0.01, 10), "unknown learning-rate schedule 'linear'"),
        (("cosine", 0.0, 10), "learning_rate must be > 0"),
        (("cosine", 0.01, 0), "total_steps >= 1"),
        (("cosine", 0.01, 10, 1.5), "final_fraction must be in [0, 1]"),
    ],
)
def test_learning_rate_schedule_refuses_bad_values(args, message):
    from seqkeras.training import learning_rate_schedule

    with pytest.raises(ValueError, match=re.escape(message)):
        learning_rate_schedule(*args)
