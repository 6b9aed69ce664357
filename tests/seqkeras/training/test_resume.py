"""Checkpoint-and-resume: an interrupted run restarted with the same call ends with the
weights an uninterrupted run reaches (the reference is a plain ``model.fit``)."""

import json
import os

import keras
import numpy as np
import pytest

from seqkeras.training import fit_resumable, read_resume_state, write_json_atomic

ROWS, BATCH = 40, 4  # 10 steps per epoch


class Interrupt(Exception):
    pass


class Boom(keras.callbacks.Callback):
    """Raises when training reaches (epoch, batch); batch=None -> at the epoch's start."""

    def __init__(self, epoch, batch=None):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch
        if epoch == self.epoch and self.batch is None:
            raise Interrupt(f"killed at epoch {epoch}")

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            raise Interrupt(f"killed at epoch {self.epoch} batch {batch}")


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs, self.batches = [], {}

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)
        self.batches[epoch] = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches[self.epochs[-1]] += 1


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, "tanh"), keras.layers.Dense(1)]
    )
    # Adam: its moment estimates must be restored too, or the weights drift apart.
    model.compile(keras.optimizers.Adam(0.05), "mse")
    return model


def _reference_weights(epochs):
    model = _model()
    x, y = _data()
    model.fit(x, y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0)
    return model.get_weights()


def _assert_same(weights, reference):
    for w, r in zip(weights, reference, strict=True):
        np.testing.assert_allclose(w, r, rtol=1e-5, atol=1e-6)


def test_resumes_from_the_saved_epoch(tmp_path):
    x, y = _data()
    run = str(tmp_path / "run")
    with pytest.raises(Interrupt):
        fit_resumable(
            _model(),
            x,
            y,
            run_dir=run,
            epochs=4,
            batch_size=BATCH,
            shuffle=False,
            verbose=0,
            callbacks=[Boom(epoch=2)],
        )
    assert read_resume_state(run).epoch == 2

    recorder = Recorder()
    model = _model()  # a fresh process would rebuild the model from scratch
    history = fit_resumable(
        model,
        x,
        y,
        run_dir=run,
        epochs=4,
        batch_size=BATCH,
        shuffle=False,
        verbose=0,
        callbacks=[recorder],
    )
    assert recorder.epochs == [2, 3]
    assert history["epoch"] == [0, 1, 2, 3]
    assert len(history["loss"]) == 4
    assert int(model.optimizer.iterations.numpy()) == 4 * ROWS // BATCH
    _assert_same(model.get_weights(), _reference_weights(4))


def test_resumes_mid_epoch_at_the_saved_step(tmp_path):
    x, y = _data()
    run = str(tmp_path / "run")
    with pytest.raises(Interrupt):
        # 5 steps of epoch 1 done when killed; the last save (every 2 steps) is at step 4
        fit_resumable(
            _model(),
            x,
            y,
            run_dir=run,
            epochs=3,
            batch_size=BATCH,
            save_freq=2,
            shuffle=False,
            verbose=0,
            callbacks=[Boom(epoch=1, batch=5)],
        )
    state = read_resume_state(run)
    assert (state.epoch, state.step) == (1, 4)

    recorder = Recorder()
    model = _model()
    fit_resumable(
        model,
        x,
        y,
        run_dir=run,
        epochs=3,
        batch_size=BATCH,
        save_freq=2,
        shuffle=False,
        verbose=0,
        callbacks=[recorder],
    )
    assert recorder.epochs == [1, 2]
    assert recorder.batches == {1: 10 - 4, 2: 10}
    _assert_same(model.get_weights(), _reference_weights(3))


def test_resumed_epoch_logs_the_whole_epoch(tmp_path):
    """The loss and metrics logged for an epoch resumed mid-way are those of all its
    steps (the checkpoint carries the metric state), equal to an uninterrupted fit's."""
    x, y = _data()

    def model_with_metrics():
        model = _model()
        model.compile(keras.optimizers.Adam(0.05), "mse", metrics=["mae"])
        return model

    reference = model_with_metrics().fit(
        x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0
    ).history
    run = str(tmp_path / "run")
    common = dict(run_dir=run, epochs=2, batch_size=BATCH, save_freq=3, shuffle=False, verbose=0)
    with pytest.raises(Interrupt):
        fit_resumable(model_with_metrics(), x, y, callbacks=[Boom(epoch=1, batch=7)], **common)
    assert read_resume_state(run).step == 6
    history = fit_resumable(model_with_metrics(), x, y, **common)
    for key in ("loss", "mae"):
        np.testing.assert_allclose(history[key], reference[key], rtol=1e-5)


def test_finished_run_is_not_trained_again(tmp_path):
    x, y = _data()
    run = str(tmp_path / "run")
    first = fit_resumable(_model(), x, y, run_dir=run, epochs=2, batch_size=BATCH, verbose=0)
    recorder = Recorder()
    again = fit_resumable(
        _model(), x, y, run_dir=run, epochs=2, batch_size=BATCH, verbose=0, callbacks=[recorder]
    )
    assert recorder.epochs == []
    assert again == first


def test_checkpoint_of_another_run_is_refused(tmp_path):
    x, y = _data()
    run = str(tmp_path / "run")
    fit_resumable(
        _model(), x, y, run_dir=run, epochs=1, batch_size=BATCH, verbose=0, config={"units": 4}
    )
    with pytest.raises(ValueError, match=r"units: 4 -> 8"):
        fit_resumable(
            _model(), x, y, run_dir=run, epochs=2, batch_size=BATCH, verbose=0, config={"units": 8}
        )


def test_delete_when_done_leaves_no_checkpoint(tmp_path):
    x, y = _data()
    run = tmp_path / "run"
    fit_resumable(
        _model(),
        x,
        y,
        run_dir=str(run),
        epochs=1,
        batch_size=BATCH,
        verbose=0,
        delete_when_done=True,
    )
    assert read_resume_state(str(run)) is None
    assert not any(p.name.endswith(".weights.h5") for p in run.iterdir())


def test_write_json_atomic(tmp_path):
    path = tmp_path / "sub" / "metrics.json"
    write_json_atomic(path, {"acc": np.float32(0.5), "curve": np.arange(3), "n": np.int64(7)})
    assert json.loads(path.read_text()) == {"acc": 0.5, "curve": [0, 1, 2], "n": 7}
    with pytest.raises(TypeError):
        write_json_atomic(path, {"bad": object()})
    assert json.loads(path.read_text())["n"] == 7  # the old file is intact
    assert os.listdir(path.parent) == ["metrics.json"]  # no temporary file left behind
