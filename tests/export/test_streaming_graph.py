"""The one-step graph, stepped in Keras, reproduces the whole-sequence Keras model.

The reference is the original model run by Keras on the whole sequence; the step graph
is built from fresh clones with copied weights, so agreement frame by frame proves the
state plumbing (cell states, causal-conv ring buffers) is right.
"""

import keras
import numpy as np
import pytest
from seqkeras_export.streaming import UnsupportedLayerError, build_step_graph

from seqkeras.layers import BasicRNNCell, GRUCell, LSTMCell, Recurrent, TimeDistributedHead

FEATURES = 5
UNITS = 7
STEPS = 12


def _frames(seed=0, batch=3):
    return np.random.default_rng(seed).normal(size=(batch, STEPS, FEATURES)).astype("float32")


def _model(*layers):
    inputs = keras.Input((None, FEATURES))
    x = inputs
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x)


def _randomize(model, seed=1):
    rng = np.random.default_rng(seed)
    values = []
    for weight in model.weights:
        value = rng.normal(scale=0.4, size=weight.shape)
        if "variance" in weight.path:  # batch-norm variances must stay positive
            value = np.abs(value) + 0.5
        values.append(value.astype("float32"))
    model.set_weights(values)
    return model


RECURRENT = {
    "lstm_cell": lambda: keras.layers.RNN(LSTMCell(UNITS), return_sequences=True),
    "lstm_cell_peephole": lambda: keras.layers.RNN(LSTMCell(UNITS, peephole=True), return_sequences=True),
    "gru_cell_simplified": lambda: keras.layers.RNN(GRUCell(UNITS, simplified=True), return_sequences=True),
    "gru_cell_full": lambda: keras.layers.RNN(GRUCell(UNITS), return_sequences=True),
    "gru_cell_reset_after": lambda: keras.layers.RNN(GRUCell(UNITS, reset_after=True), return_sequences=True),
    "basic_rnn_cell": lambda: keras.layers.RNN(BasicRNNCell(UNITS), return_sequences=True),
    "keras_lstm": lambda: keras.layers.LSTM(UNITS, return_sequences=True),
    "keras_gru": lambda: keras.layers.GRU(UNITS, return_sequences=True),
    "keras_simple_rnn": lambda: keras.layers.SimpleRNN(UNITS, return_sequences=True),
    "recurrent_stack": lambda: Recurrent("lstm", UNITS, depth=2, peephole=True, return_sequences=True),
}


@pytest.mark.parametrize("name", sorted(RECURRENT))
def test_step_graph_equals_whole_sequence(name):
    model = _randomize(_model(RECURRENT[name](), keras.layers.Dense(3, activation="softmax")))
    x = _frames()
    graph = build_step_graph(model)
    expected = model.predict(x, verbose=0)
    np.testing.assert_allclose(graph.run_sequence(x), expected, atol=1e-5)


def test_per_frame_layers_and_dilated_causal_convolutions():
    model = _randomize(
        _model(
            keras.layers.BatchNormalization(),
            keras.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, activation="relu"),
            keras.layers.Conv1D(4, 2, padding="causal"),
            keras.layers.LayerNormalization(),
            keras.layers.Dropout(0.5),
            keras.layers.GRU(UNITS, return_sequences=True),
            keras.layers.ReLU(),
            TimeDistributedHead([6, 2], output_activation="sigmoid"),
            keras.layers.TimeDistributed(keras.layers.Dense(1, activation="sigmoid")),
        )
    )
    graph = build_step_graph(model)
    # ring buffers: (3-1)*2 = 4 frames of 5 features, then (2-1)*1 = 1 frame of 4
    assert graph.state_shapes[:2] == [(4, FEATURES), (1, 4)]
    x = _frames(seed=2)
    np.testing.assert_allclose(graph.run_sequence(x), model.predict(x, verbose=0), atol=1e-5)


def test_many_to_one_model_last_step_is_the_output():
    model = _randomize(_model(keras.layers.LSTM(UNITS), keras.layers.Dense(2)))
    graph = build_step_graph(model)
    assert not graph.sequence_output
    x = _frames(seed=3)
    np.testing.assert_allclose(graph.run_sequence(x)[:, -1], model.predict(x, verbose=0), atol=1e-5)


@pytest.mark.parametrize(
    "layer, message",
    [
        (keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True), name="bi"), "'bi'.*future"),
        (keras.layers.Conv1D(4, 3, padding="same", name="conv_same"), "'conv_same'.*causal"),
        (keras.layers.Conv1D(4, 3, strides=2, padding="causal", name="strided"), "'strided'.*stride"),
        (keras.layers.GRU(4, go_backwards=True, return_sequences=True, name="back"), "'back'.*go_backwards"),
        (keras.layers.Flatten(name="flat"), "'flat' \\(Flatten\\) is not supported"),
    ],
)
def test_unsupported_layers_are_named(layer, message):
    model = keras.Sequential([keras.Input((STEPS, FEATURES)), layer])
    with pytest.raises(UnsupportedLayerError, match=message):
        build_step_graph(model)


def test_branching_model_is_rejected_with_the_layer_name():
    inputs = keras.Input((None, FEATURES))
    merged = keras.layers.Add(name="merge")([keras.layers.Dense(FEATURES)(inputs), inputs])
    with pytest.raises(UnsupportedLayerError, match="'merge'"):
        build_step_graph(keras.Model(inputs, merged))
