"""Per-sequence dropout of the seqkeras cells against Keras's own recurrent dropout.

Reference: the Keras built-ins (``SimpleRNN``, ``GRU``, ``LSTM``, ``StackedRNNCells`` of
Keras cells) with copied weights and the same seed-generator state: Keras draws one mask
per sequence with ``keras.random.dropout`` from the cell's ``seed_generator`` (input mask
first), so where the maths is the same the training outputs must be equal. Keras's GRU and
LSTM use one recurrent mask *per gate* (``implementation=1``) while the seqkeras cells use
one for all gates; that case is compared on the gate that reads Keras's first mask, and
the mask properties (same at every step, new per sequence, scaling) are tested directly.
"""

import os

import keras
import numpy as np
import pytest

from seqkeras.layers import RNN, BasicRNNCell, GRUCell, LSTMCell, gru_weights_to_keras
from seqkeras.testing import run_layer_test

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES, UNITS = 4, 7, 5, 6
SEED = 11
# float32 reductions may be ordered differently by the two implementations.
ATOL = 1e-5


def _data(seed=0, shape=(BATCH, STEPS, FEATURES)):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [0.5 * rng.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    )


def _same_seed_state(ours, ref):
    """Start both layers' cells from the same random stream (Keras also draws masks at
    inference, seqkeras does not, so the states may have drifted apart)."""
    ours.cell.seed_generator.state.assign(ref.cell.seed_generator.state)


def _identity(n):
    return np.eye(n, dtype="float32")


PAIRS = {
    "rnn_both": (
        lambda: RNN(BasicRNNCell(UNITS, dropout=0.3, recurrent_dropout=0.4, seed=SEED), return_sequences=True),
        lambda: keras.layers.SimpleRNN(UNITS, dropout=0.3, recurrent_dropout=0.4, seed=SEED, return_sequences=True),
        lambda w: w,
    ),
    "gru_input": (
        lambda: RNN(GRUCell(UNITS, dropout=0.3, seed=SEED), return_sequences=True),
        lambda: keras.layers.GRU(UNITS, dropout=0.3, seed=SEED, reset_after=False, return_sequences=True),
        gru_weights_to_keras,
    ),
    "gru_reset_after_input": (
        lambda: RNN(GRUCell(UNITS, reset_after=True, dropout=0.3, seed=SEED), return_sequences=True),
        lambda: keras.layers.GRU(UNITS, dropout=0.3, seed=SEED, return_sequences=True),
        gru_weights_to_keras,
    ),
    "lstm_input": (
        lambda: RNN(LSTMCell(UNITS, dropout=0.3, seed=SEED), return_sequences=True),
        lambda: keras.layers.LSTM(UNITS, dropout=0.3, seed=SEED, return_sequences=True),
        lambda w: w,
    ),
}


def _built_pair(name):
    make_ours, make_ref, convert = PAIRS[name]
    ours, ref = make_ours(), make_ref()
    ours.build((None, STEPS, FEATURES))
    ref.build((None, STEPS, FEATURES))
    _random_weights(ours)
    ref.set_weights(convert(ours.get_weights()))
    return ours, ref


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_training_outputs_equal_keras_builtin_with_same_seed(name):
    """Same masks as Keras (one per sequence, same draws, same 1/(1-p) scaling), and a new
    mask for the next batch as in Keras."""
    ours, ref = _built_pair(name)
    x = _data()
    _same_seed_state(ours, ref)
    first = np.array(ours(x, training=True))
    np.testing.assert_allclose(first, np.array(ref(x, training=True)), atol=ATOL)
    # Both have now drawn the same number of masks: the next batch must match without
    # copying the state again, and differ from the first batch (new masks).
    second = np.array(ours(x, training=True))
    np.testing.assert_allclose(second, np.array(ref(x, training=True)), atol=ATOL)
    assert not np.allclose(first, second, atol=1e-3)
    # Dropout is really active: the dropout-free outputs are different.
    assert not np.allclose(first, np.array(ours(x, training=False)), atol=1e-3)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_recurrent_mask_equals_kerass_first_gate_mask(kind):
    """Keras draws one recurrent mask per gate; the seqkeras cells one for all gates, which
    is Keras's first mask. With every recurrent block but the first set to zero the other
    masks are multiplied by zero, so the outputs must be equal."""
    if kind == "gru":
        ours = RNN(GRUCell(UNITS, reset_after=True, recurrent_dropout=0.4, seed=SEED), return_sequences=True)
        ref = keras.layers.GRU(UNITS, recurrent_dropout=0.4, seed=SEED, return_sequences=True)
        convert, blocks = gru_weights_to_keras, 3
    else:
        ours = RNN(LSTMCell(UNITS, recurrent_dropout=0.4, seed=SEED), return_sequences=True)
        ref = keras.layers.LSTM(UNITS, recurrent_dropout=0.4, seed=SEED, return_sequences=True)
        convert, blocks = (lambda w: w), 4
    ours.build((None, STEPS, FEATURES))
    ref.build((None, STEPS, FEATURES))
    _random_weights(ours)
    weights = ours.get_weights()
    weights[1][:, UNITS:] = 0.0  # recurrent kernel: keep the first gate's block only
    assert weights[1].shape[1] == blocks * UNITS
    ours.set_weights(weights)
    ref.set_weights(convert(weights))
    x = _data(3)
    _same_seed_state(ours, ref)
    got = np.array(ours(x, training=True))
    np.testing.assert_allclose(got, np.array(ref(x, training=True)), atol=ATOL)
    assert not np.allclose(got, np.array(ours(x, training=False)), atol=1e-3)


def _readout_rnn(**cell_kwargs):
    """BasicRNNCell with linear activation, W = I, b = 0: a_t = x_t*m + (a_{t-1}*r) U."""
    rnn = RNN(BasicRNNCell(UNITS, activation=None, seed=SEED, **cell_kwargs), return_sequences=True)
    rnn.build((None, STEPS, UNITS))
    return rnn


def test_one_input_mask_per_sequence():
    rate = 0.4
    rnn = _readout_rnn(dropout=rate)
    rnn.set_weights([_identity(UNITS), np.zeros((UNITS, UNITS), "float32"), np.zeros(UNITS, "float32")])
    x = np.ones((64, STEPS, UNITS), "float32")
    masks = np.array(rnn(x, training=True))  # a_t = 1 * m
    for t in range(1, STEPS):
        np.testing.assert_array_equal(masks[:, t], masks[:, 0])
    np.testing.assert_allclose(np.unique(masks), [0.0, 1.0 / (1.0 - rate)], rtol=1e-6)
    assert len({row.tobytes() for row in masks[:, 0]}) > 1, "every sequence got the same mask"
    again = np.array(rnn(x, training=True))
    assert not np.array_equal(again[:, 0], masks[:, 0]), "the next batch reused the mask"
    np.testing.assert_array_equal(np.array(rnn(x, training=False)), x)


def test_one_recurrent_mask_per_sequence():
    """W = U = I, input 1 at t = 0 then 0: a_t = r^t with one mask r, so a_t = a_1^t."""
    rate = 0.5
    rnn = _readout_rnn(recurrent_dropout=rate)
    rnn.set_weights([_identity(UNITS), _identity(UNITS), np.zeros(UNITS, "float32")])
    x = np.zeros((64, STEPS, UNITS), "float32")
    x[:, 0] = 1.0
    states = np.array(rnn(x, training=True))
    np.testing.assert_array_equal(states[:, 0], 1.0)
    first = states[:, 1]
    np.testing.assert_allclose(np.unique(first), [0.0, 1.0 / (1.0 - rate)], rtol=1e-6)
    for t in range(2, STEPS):
        np.testing.assert_allclose(states[:, t], first**t, rtol=1e-5)
    np.testing.assert_array_equal(np.array(rnn(x, training=False)), np.ones_like(x))


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_mask_statistics(rate):
    """Each unit is kept with probability 1 - rate and scaled by 1 / (1 - rate), so the mask
    has mean 1 and variance rate / (1 - rate); 5 standard errors is a 6e-7 false alarm."""
    cell = LSTMCell(UNITS, dropout=rate, recurrent_dropout=rate, seed=SEED)
    cell.build((None, FEATURES))
    rows = 4000
    cell.draw_sequence_dropout_masks(rows)
    for mask, width in (
        (cell.get_dropout_mask(None), FEATURES),
        (cell.get_recurrent_dropout_mask(None), UNITS),
    ):
        mask = np.array(mask)
        assert mask.shape == (rows, width)
        np.testing.assert_allclose(np.unique(mask), [0.0, 1.0 / (1.0 - rate)], rtol=1e-6)
        standard_error = np.sqrt(rate / (1.0 - rate) / mask.size)
        assert abs(mask.mean() - 1.0) < 5 * standard_error
    input_mask = np.array(cell.get_dropout_mask(None))
    assert not np.array_equal(input_mask[:, 0], np.array(cell.get_recurrent_dropout_mask(None))[:, 0])
    cell.reset_dropout_mask()
    cell.reset_recurrent_dropout_mask()
    assert cell.get_dropout_mask(np.ones((2, FEATURES), "float32")).shape == (2, FEATURES)


def test_inference_draws_nothing():
    ours, ref = _built_pair("gru_input")
    state = np.array(ours.cell.seed_generator.state)
    twin = RNN(GRUCell(UNITS), return_sequences=True)
    twin.build((None, STEPS, FEATURES))
    twin.set_weights(ours.get_weights())
    x = _data(5)
    np.testing.assert_allclose(np.array(ours(x)), np.array(twin(x)), atol=1e-6)
    np.testing.assert_allclose(np.array(ours(x, training=False)), np.array(twin(x)), atol=1e-6)
    np.testing.assert_array_equal(np.array(ours.cell.seed_generator.state), state)


def test_stacked_cells_match_keras_stacked_cells():
    def cells(cls):
        return [
            cls(UNITS, dropout=0.3, recurrent_dropout=0.2, seed=SEED),
            cls(UNITS, dropout=0.25, recurrent_dropout=0.35, seed=SEED + 1),
        ]

    ours = RNN(keras.layers.StackedRNNCells(cells(BasicRNNCell)), return_sequences=True)
    ref = keras.layers.RNN(keras.layers.StackedRNNCells(cells(keras.layers.SimpleRNNCell)), return_sequences=True)
    ours.build((None, STEPS, FEATURES))
    ref.build((None, STEPS, FEATURES))
    _random_weights(ours)
    ref.set_weights(ours.get_weights())
    for mine, theirs in zip(ours.cell.cells, ref.cell.cells, strict=True):
        mine.seed_generator.state.assign(theirs.seed_generator.state)
    x = _data(6)
    got = np.array(ours(x, training=True))
    np.testing.assert_allclose(got, np.array(ref(x, training=True)), atol=ATOL)
    assert not np.allclose(got, np.array(ours(x)), atol=1e-3)


def test_stepping_by_hand_matches_keras_simple_rnn():
    """The Keras DropoutRNNCell calls (draw, step, reset) give the Keras layer's output."""
    cell = BasicRNNCell(UNITS, dropout=0.3, recurrent_dropout=0.4, seed=SEED)
    ref = keras.layers.SimpleRNN(UNITS, dropout=0.3, recurrent_dropout=0.4, seed=SEED, return_sequences=True)
    cell.build((None, FEATURES))
    ref.build((None, STEPS, FEATURES))
    _random_weights(cell)
    ref.set_weights(cell.get_weights())
    cell.seed_generator.state.assign(ref.cell.seed_generator.state)
    x = _data(7)
    state = np.zeros((BATCH, UNITS), "float32")
    cell.get_dropout_mask(x[:, 0])
    cell.get_recurrent_dropout_mask(state)
    outputs = []
    for t in range(STEPS):
        out, (state,) = cell(x[:, t], [state], training=True)
        outputs.append(np.array(out))
    cell.reset_dropout_mask()
    cell.reset_recurrent_dropout_mask()
    np.testing.assert_allclose(np.stack(outputs, 1), np.array(ref(x, training=True)), atol=ATOL)


@pytest.mark.parametrize(
    "cell, argument",
    [
        (lambda: GRUCell(UNITS, dropout=0.2), "dropout=0.2"),
        (lambda: LSTMCell(UNITS, recurrent_dropout=0.3), "recurrent_dropout=0.3"),
    ],
)
def test_keras_rnn_with_training_dropout_names_the_fix(cell, argument):
    layer = keras.layers.RNN(cell())
    x = _data()
    assert np.array(layer(x)).shape == (BATCH, UNITS)  # inference needs no mask
    with pytest.raises(ValueError, match=rf"{argument}.*seqkeras\.layers\.RNN"):
        layer(x, training=True)


def test_keras_file_round_trip(tmp_path):
    inputs = keras.Input((STEPS, FEATURES))
    rnn = RNN(GRUCell(UNITS, dropout=0.3, recurrent_dropout=0.2, seed=SEED), name="rnn")
    model = keras.Model(inputs, keras.layers.Dense(1)(rnn(inputs)))
    _random_weights(model)
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    again = loaded.get_layer("rnn")
    assert type(again) is RNN
    assert again.cell.get_config() == rnn.cell.get_config()
    x = _data(8)
    np.testing.assert_allclose(np.array(loaded(x)), np.array(model(x)), atol=1e-6)
    again.cell.seed_generator.state.assign(rnn.cell.seed_generator.state)
    got = np.array(loaded(x, training=True))
    np.testing.assert_allclose(got, np.array(model(x, training=True)), atol=ATOL)
    assert not np.allclose(got, np.array(loaded(x)), atol=1e-3)


def test_layer_contract_with_dropout():
    run_layer_test(
        lambda **kw: RNN(LSTMCell(**kw), return_sequences=True),
        {"units": UNITS, "dropout": 0.2, "recurrent_dropout": 0.2, "seed": SEED},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        expected_num_trainable_weights=3,
        # The seed generator's state is the cell's one non-trainable variable.
        expected_num_non_trainable_weights=None,
    )
