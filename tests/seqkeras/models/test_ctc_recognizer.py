"""CTCRecognizer: CTC loss vs a numpy forward-algorithm oracle, greedy decoding vs the
collapse rule by hand, training, .keras round trip, and the server SavedModel exported
by seqkeras-export reloading with tf.saved_model.load and matching Python decoding."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from seqkeras_export.cli import main as export_main

from seqkeras.models import CTCRecognizer

FEATURES = 6
VOCAB = 4


def _numpy_ctc_loss(logits, label):
    """-log P(label | x) by the CTC forward algorithm (Graves 2006), blank = 0."""
    log_probs = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    extended = [0]
    for token in label:
        extended += [token, 0]
    steps, size = len(log_probs), len(extended)
    alpha = np.full((steps, size), -np.inf)
    alpha[0, 0] = log_probs[0, 0]
    alpha[0, 1] = log_probs[0, extended[1]]
    for t in range(1, steps):
        for s in range(size):
            terms = [alpha[t - 1, s]]
            if s >= 1:
                terms.append(alpha[t - 1, s - 1])
            if s >= 2 and extended[s] != 0 and extended[s] != extended[s - 2]:
                terms.append(alpha[t - 1, s - 2])
            alpha[t, s] = np.logaddexp.reduce(terms) + log_probs[t, extended[s]]
    return -np.logaddexp(alpha[-1, -1], alpha[-1, -2])


def _collapse(path):
    """Merge repeats not separated by blank, then drop blanks."""
    out, previous = [], None
    for symbol in path:
        if symbol != previous and symbol != 0:
            out.append(int(symbol))
        previous = symbol
    return out


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    recognizer = CTCRecognizer(num_features=FEATURES, vocab_size=VOCAB, conv_filters=8, units=8)
    recognizer.compile(optimizer=keras.optimizers.Adam(0.01))
    recognizer(np.zeros((1, 10, FEATURES), "float32"))
    return recognizer


def _data(count=8, steps=20, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(count, steps, FEATURES)).astype("float32")
    y = np.zeros((count, 3), "int32")
    for i in range(count):
        length = rng.integers(1, 4)
        y[i, :length] = rng.integers(1, VOCAB + 1, size=length)
    return x, y


def test_ctc_loss_matches_numpy_forward_algorithm(model):
    x, y = _data(count=3)
    logits = np.asarray(model(x))
    loss = float(model.compute_loss(x=x, y=y, y_pred=logits))
    expected = np.mean([_numpy_ctc_loss(logits[i].astype(np.float64), [t for t in y[i] if t]) for i in range(3)])
    assert loss == pytest.approx(expected, rel=1e-4)


def test_greedy_decoding_is_the_collapse_rule(model):
    x, _ = _data(count=4, seed=1)
    paths = np.argmax(np.asarray(model(x)), axis=-1)
    assert model.decode(x) == [_collapse(p) for p in paths]


def test_feature_lengths_shorten_the_output(model):
    x, y = _data(count=2, seed=2)
    lengths = np.array([20, 9], "int32")
    assert list(np.asarray(model.output_lengths(lengths))) == [10, 5]
    paths = np.argmax(np.asarray(model(x)), axis=-1)
    assert model.decode(x, lengths)[1] == _collapse(paths[1][:5])


def test_training_reduces_the_loss(model):
    x, y = _data(count=16, seed=3)
    history = model.fit(x, y, epochs=4, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_invalid_arguments_are_named():
    with pytest.raises(ValueError, match="vocab_size"):
        CTCRecognizer(num_features=4, vocab_size=0)
    with pytest.raises(ValueError, match="method"):
        CTCRecognizer(num_features=4, vocab_size=3).export_savedmodel("/tmp/x", method="viterbi")


@pytest.mark.slow
def test_keras_round_trip_and_savedmodel_export(model, tmp_path):
    path = tmp_path / "ctc.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    x, _ = _data(count=3, seed=4)
    np.testing.assert_allclose(np.asarray(reloaded(x)), np.asarray(model(x)), atol=1e-6)
    out = tmp_path / "ctc_server"
    assert export_main([str(path), "--to", "savedmodel", "--output", str(out)]) == 0
    server = tf.saved_model.load(str(out))
    lengths = np.array([20, 20, 11], "int32")
    result = server.signatures["serving_default"](features=tf.constant(x), feature_lengths=tf.constant(lengths))
    served = [[int(t) for t in row if t > 0] for row in result["tokens"].numpy()]
    assert served == model.decode(x, lengths)
    assert list(result["token_lengths"].numpy()) == [len(s) for s in served]


@pytest.mark.slow
def test_beam_search_server_matches_python_beam_decoding(model, tmp_path):
    x, _ = _data(count=2, seed=5)
    out = model.export_savedmodel(str(tmp_path / "beam"), method="beam", beam_width=4)
    server = tf.saved_model.load(out)
    result = server.signatures["serving_default"](features=tf.constant(x), feature_lengths=tf.constant([20, 20]))
    served = [[int(t) for t in row if t > 0] for row in result["tokens"].numpy()]
    assert served == model.decode(x, method="beam", beam_width=4)
