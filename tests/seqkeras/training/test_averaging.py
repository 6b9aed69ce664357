"""Weight averaging: the saved average is the numpy mean of the weights recorded at the
chosen epoch ends, across a resumed run, and bad state files are refused by name."""

import keras
import numpy as np
import pytest

from seqkeras.training import WeightAveraging


class Record(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = {}

    def on_epoch_end(self, epoch, logs=None):
        self.weights[epoch + 1] = [w.copy() for w in self.model.get_weights()]


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    return x, x @ np.array([[1.0], [-1.0], [2.0]], "float32")


def test_average_of_the_epochs_from_start_across_a_resume(tmp_path):
    x, y = _data()
    path = tmp_path / "ckpt" / "average.npz"  # its folder does not exist yet
    model, record = _model(), Record()
    first = WeightAveraging(path, start_epoch=2)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False, callbacks=[record, first])
    assert first.count == 2 and first.last_epoch == 3
    seen = dict(record.weights)  # epochs 1-3 as first trained
    # a new process: the average is read back and goes on; the rerun passes 1-based
    # "epoch 3" again (as after a kill between the average's save and the checkpoint's):
    # not counted twice; epochs 4 and 5 join
    resumed = WeightAveraging(path, start_epoch=2)
    assert (resumed.count, resumed.last_epoch) == (2, 3)
    model.fit(x, y, batch_size=8, initial_epoch=2, epochs=5, verbose=0, shuffle=False,
              callbacks=[record, resumed])  # fmt: skip
    assert resumed.count == 4
    epochs = [seen[2], seen[3], record.weights[4], record.weights[5]]
    expected = [np.mean([w[i] for w in epochs], axis=0) for i in range(4)]
    for got, want in zip(resumed.average(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert resumed.apply(model)
    for got, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_nothing_averaged_before_the_start_epoch(tmp_path):
    x, y = _data()
    model = _model()
    averaging = WeightAveraging(tmp_path / "average.npz", start_epoch=5)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[averaging])
    before = model.get_weights()
    assert averaging.count == 0 and averaging.average() is None
    assert not averaging.apply(model)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not (tmp_path / "average.npz").exists()


def test_bad_arguments_and_files_are_refused(tmp_path):
    with pytest.raises(ValueError, match="start_epoch must be an int >= 1"):
        WeightAveraging(tmp_path / "a.npz", start_epoch=0)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match=r"bad\.npz is not a seqkeras weight average"):
        WeightAveraging(bad, start_epoch=1)
    x, y = _data()
    model = _model()
    path = tmp_path / "average.npz"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[WeightAveraging(path, start_epoch=1)])
    with pytest.raises(ValueError, match="averages from epoch 1, this run from epoch 2"):
        WeightAveraging(path, start_epoch=2)
