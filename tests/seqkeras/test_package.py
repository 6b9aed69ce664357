"""``import seqkeras`` is all a user needs before ``keras.saving.load_model``."""

import subprocess
import sys

import keras
import numpy as np

import seqkeras


def test_every_registered_module_is_imported_by_the_package():
    registered = {
        obj.__module__
        for name, obj in keras.saving.get_custom_objects().items()
        if name.startswith("seqkeras>") and not obj.__module__.startswith("seqkeras.testing")
    }
    covered = {m for m in registered if m.startswith(seqkeras._KERAS_OBJECT_MODULES)}
    assert registered == covered, f"add to seqkeras._KERAS_OBJECT_MODULES: {registered - covered}"


def test_load_model_after_plain_import_in_a_fresh_process(tmp_path):
    path = tmp_path / "model.keras"
    model = keras.Sequential(
        [
            keras.Input((5, 3)),
            keras.layers.RNN(seqkeras.layers.LSTMCell(4, peephole=True), return_sequences=True),
            seqkeras.layers.Recurrent("gru", 4, simplified=True, return_sequences=True),
            seqkeras.layers.TimeDistributedHead([2]),
        ]
    )
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    code = (
        "import sys, numpy as np, keras, seqkeras\n"
        f"m = keras.saving.load_model({str(path)!r})\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, m.predict(np.load({str(tmp_path / 'x.npy')!r}), verbose=0))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, atol=1e-6)
