"""Recurrent: built-in selection, output shapes, numerics vs hand-stacked layers, errors."""

import itertools

import keras
import numpy as np
import pytest

from seqkeras.layers import RNN, GRUCell, LSTMCell, Recurrent
from seqkeras.testing import run_layer_test

pytestmark = pytest.mark.backend_agnostic

BATCH, STEPS, FEATURES, UNITS = 2, 5, 3, 4


def _data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, STEPS, FEATURES)).astype("float32")
    return x


def _random_weights(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.set_weights(
        [0.5 * rng.standard_normal(w.shape).astype("float32") for w in layer.get_weights()]
    )


def _innermost(layer):
    return layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer


# -- which implementation is built ------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, expected_cls, expected_cell, builtin",
    [
        ({"kind": "rnn"}, keras.layers.SimpleRNN, keras.layers.SimpleRNNCell, True),
        ({"kind": "rnn", "activation": "relu"}, keras.layers.SimpleRNN, None, True),
        ({"kind": "gru"}, keras.layers.GRU, keras.layers.GRUCell, True),
        ({"kind": "gru", "reset_after": False}, keras.layers.GRU, keras.layers.GRUCell, True),
        ({"kind": "gru", "simplified": True}, RNN, GRUCell, False),
        ({"kind": "lstm"}, keras.layers.LSTM, keras.layers.LSTMCell, True),
        ({"kind": "lstm", "peephole": True}, RNN, LSTMCell, False),
    ],
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_picks_builtin_exactly_when_maths_matches(
    kwargs, expected_cls, expected_cell, builtin, bidirectional
):
    layer = Recurrent(units=UNITS, depth=2, bidirectional=bidirectional, **kwargs)
    layer(_data())
    assert layer.uses_builtin is builtin
    assert len(layer.recurrent_layers) == 2
    for level in layer.recurrent_layers:
        if bidirectional:
            assert type(level) is keras.layers.Bidirectional
            assert type(level.backward_layer) is expected_cls
        inner = _innermost(level)
        assert type(inner) is expected_cls
        if expected_cell is not None:
            assert type(inner.cell) is expected_cell
    if kwargs.get("reset_after") is False:
        assert _innermost(layer.recurrent_layers[0]).cell.reset_after is False
    if kwargs.get("simplified"):
        assert _innermost(layer.recurrent_layers[0]).cell.simplified is True
    if kwargs.get("peephole"):
        assert _innermost(layer.recurrent_layers[0]).cell.peephole is True


# -- output shapes ----------------------------------------------------------------------
def _expected_shapes(kind, depth, bidirectional, merge_mode, return_sequences, return_state):
    dim = 2 * UNITS if bidirectional and merge_mode == "concat" else UNITS
    out = (BATCH, STEPS, dim) if return_sequences else (BATCH, dim)
    shapes = [out, out] if bidirectional and merge_mode is None else [out]
    if return_state:
        per_direction = 2 if kind == "lstm" else 1
        shapes += [(BATCH, UNITS)] * (depth * per_direction * (2 if bidirectional else 1))
    return shapes


def _shape_cases():
    for kind, depth, return_sequences, return_state in itertools.product(
        ("lstm", "gru"), (1, 2), (False, True), (False, True)
    ):
        yield kind, depth, False, "concat", return_sequences, return_state
        for merge_mode in ("concat", "sum", "mul", "ave", None):
            if merge_mode is None and depth > 1:
                continue
            yield kind, depth, True, merge_mode, return_sequences, return_state


def test_declared_output_shapes_for_all_combinations():
    checked = 0
    for case in _shape_cases():
        kind, depth, bi, merge_mode, seqs, state = case
        layer = Recurrent(
            kind,
            UNITS,
            depth=depth,
            bidirectional=bi,
            merge_mode=merge_mode,
            return_sequences=seqs,
            return_state=state,
        )
        declared = layer.compute_output_shape((BATCH, STEPS, FEATURES))
        declared = declared if isinstance(declared, list) else [declared]
        assert [tuple(s) for s in declared] == _expected_shapes(*case), case
        checked += 1
    assert checked == 88


def test_actual_output_shapes_for_all_depth_direction_merge_combinations():
    # Eager calls are slow, so LSTM only (it has the most states), and return_sequences
    # together with return_state; the declared shapes above cover the rest. Under JAX
    # every new layer compiles its scan, so that pass checks every third case.
    x = _data()[:, :2]
    stride = 1 if keras.backend.backend() == "tensorflow" else 3
    cases = [c for c in _shape_cases() if c[0] == "lstm" and c[4] == c[5]]
    assert len(cases) == 22
    checked = 0
    for case in cases[::stride]:
        kind, depth, bi, merge_mode, seqs, state = case
        layer = Recurrent(
            kind,
            UNITS,
            depth=depth,
            bidirectional=bi,
            merge_mode=merge_mode,
            return_sequences=seqs,
            return_state=state,
        )
        outputs = layer(x)
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
        expected = [(s[0], 2) + s[2:] if len(s) == 3 else s for s in _expected_shapes(*case)]
        assert [tuple(o.shape) for o in outputs] == expected, case
        checked += 1
    assert checked == len(cases[::stride])


def test_symbolic_shapes_in_functional_model():
    inputs = keras.Input((None, FEATURES))
    outputs = Recurrent(
        "rnn",
        UNITS,
        depth=3,
        bidirectional=True,
        merge_mode="ave",
        return_sequences=True,
        return_state=True,
    )(inputs)
    assert [tuple(o.shape) for o in outputs] == [(None, None, UNITS)] + [(None, UNITS)] * 6


# -- numerics against hand-stacked Keras layers -----------------------------------------
def test_deep_bidirectional_lstm_equals_hand_stack():
    x = _data()
    layer = Recurrent("lstm", UNITS, depth=2, bidirectional=True, return_sequences=True)
    layer(x)
    _random_weights(layer)
    ref = keras.Sequential(
        [
            keras.layers.Bidirectional(keras.layers.LSTM(UNITS, return_sequences=True)),
            keras.layers.Bidirectional(keras.layers.LSTM(UNITS, return_sequences=True)),
        ]
    )
    ref(x)
    ref.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.array(layer(x)), np.array(ref(x)), atol=1e-5)


def test_custom_cell_levels_equal_hand_stack_with_states():
    x = _data()
    layer = Recurrent("lstm", UNITS, depth=2, peephole=True, return_state=True)
    layer(x)
    _random_weights(layer)
    rng = np.random.default_rng(2)
    init = [rng.standard_normal((BATCH, UNITS)).astype("float32") for _ in range(4)]
    level0 = keras.layers.RNN(
        LSTMCell(UNITS, peephole=True), return_sequences=True, return_state=True
    )
    level1 = keras.layers.RNN(LSTMCell(UNITS, peephole=True), return_state=True)
    seq, *s0 = level0(x, initial_state=init[:2])
    out, *s1 = level1(seq, initial_state=init[2:])
    level0.set_weights(layer.get_weights()[:4])
    level1.set_weights(layer.get_weights()[4:])
    seq, *s0 = level0(x, initial_state=init[:2])
    out, *s1 = level1(seq, initial_state=init[2:])
    got = layer(x, initial_state=init)
    assert len(got) == 5
    for g, w in zip(got, [out, *s0, *s1], strict=True):
        np.testing.assert_allclose(np.array(g), np.array(w), atol=1e-5)


def test_mask_passes_to_every_level():
    """A masked, padded batch gives the outputs of the unpadded sequences."""
    x = _data()
    layer = Recurrent("gru", UNITS, depth=2, bidirectional=True, simplified=True)
    layer(x)
    _random_weights(layer)
    lengths = [STEPS, 3]
    mask = np.arange(STEPS)[None, :] < np.array(lengths)[:, None]
    padded = np.where(mask[..., None], x, 9.0).astype("float32")
    got = np.array(layer(padded, mask=mask))
    for row, length in enumerate(lengths):
        alone = np.array(layer(x[row : row + 1, :length]))
        np.testing.assert_allclose(got[row], alone[0], atol=1e-5)


def test_mask_from_masking_layer_in_functional_model():
    # The second Recurrent only ignores the padding if the first propagates the mask.
    inputs = keras.Input((None, FEATURES))
    masked = keras.layers.Masking(0.0)(inputs)
    seq = Recurrent("lstm", UNITS, return_sequences=True)(masked)
    model = keras.Model(inputs, [seq, Recurrent("rnn", UNITS)(seq)])
    x = _data()
    x[1, 3:] = 0.0
    full_seq, full_last = model(x)
    part_seq, part_last = model(x[1:2, :3])
    np.testing.assert_allclose(np.array(full_last)[1], np.array(part_last)[0], atol=1e-5)
    np.testing.assert_allclose(np.array(full_seq)[1, :3], np.array(part_seq)[0], atol=1e-5)


def test_dropout_between_levels_only_in_training():
    x = _data()
    layer = Recurrent("rnn", UNITS, depth=3, dropout=0.5, seed=4, return_sequences=True)
    plain = Recurrent("rnn", UNITS, depth=3, return_sequences=True)
    layer(x)
    plain(x)
    plain.set_weights(layer.get_weights())
    assert len(layer.dropout_layers) == 2
    assert all(d.rate == 0.5 for d in layer.dropout_layers)
    np.testing.assert_allclose(np.array(layer(x, training=False)), np.array(plain(x)), atol=1e-6)
    assert not np.allclose(np.array(layer(x, training=True)), np.array(plain(x)), atol=1e-3)


@pytest.mark.parametrize("variant", [{"kind": "gru", "simplified": True}, {"kind": "lstm", "peephole": True}])
def test_recurrent_dropout_of_custom_cells_only_in_training(variant):
    """The seqkeras-cell levels get per-sequence recurrent masks (seqkeras.layers.RNN)."""
    x = _data()
    layer = Recurrent(units=UNITS, depth=2, recurrent_dropout=0.5, seed=4, **variant)
    plain = Recurrent(units=UNITS, depth=2, **variant)
    layer(x)
    plain(x)
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.array(layer(x, training=False)), np.array(plain(x)), atol=1e-6)
    assert not np.allclose(np.array(layer(x, training=True)), np.array(plain(x)), atol=1e-3)


# -- layer contract: config round trip, fit, .keras save/load ----------------------------
@pytest.mark.parametrize(
    "kwargs, expected_shape, n_weights",
    [
        (
            {
                "kind": "lstm",
                "depth": 2,
                "bidirectional": True,
                "return_sequences": True,
                "dropout": 0.3,
            },
            (BATCH, STEPS, 2 * UNITS),
            12,
        ),
        (
            {"kind": "gru", "simplified": True, "return_state": True, "dropout": 0.2},
            [(BATCH, UNITS), (BATCH, UNITS)],
            3,
        ),
        (
            {"kind": "lstm", "peephole": True, "bidirectional": True, "merge_mode": None},
            [(BATCH, UNITS), (BATCH, UNITS)],
            8,
        ),
        (
            {
                "kind": "gru",
                "reset_after": False,
                "bidirectional": True,
                "merge_mode": "mul",
                "activation": "relu",
            },
            (BATCH, UNITS),
            6,
        ),
    ],
)
def test_layer_contract(kwargs, expected_shape, n_weights):
    kwargs = {"units": UNITS, **kwargs}
    run_layer_test(
        Recurrent,
        kwargs,
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=expected_shape,
        expected_num_trainable_weights=n_weights,
    )


def test_custom_cells_train_under_xla():
    """The custom cells compile with jit_compile=True (what fit picks on CPU by default)."""
    run_layer_test(
        Recurrent,
        {"kind": "lstm", "units": UNITS, "peephole": True, "return_sequences": True},
        input_shape=(BATCH, STEPS, FEATURES),
        expected_output_shape=(BATCH, STEPS, UNITS),
        expected_num_trainable_weights=4,
        jit_compile=True,
    )


# -- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"kind": "transformer", "units": 4}, "kind='transformer'"),
        ({"kind": "LSTM", "units": 4}, "kind='LSTM'"),
        ({"kind": "gru", "units": 0}, "units=0"),
        ({"kind": "gru", "units": -2}, "units=-2"),
        ({"kind": "gru", "units": "8"}, "units='8'"),
        ({"kind": "rnn", "units": 4, "depth": 0}, "depth=0"),
        (
            {"kind": "rnn", "units": 4, "bidirectional": True, "merge_mode": "max"},
            "merge_mode='max'",
        ),
        (
            {"kind": "rnn", "units": 4, "depth": 2, "bidirectional": True, "merge_mode": None},
            "merge_mode=None",
        ),
        ({"kind": "lstm", "units": 4, "dropout": 1.0}, "dropout=1.0"),
        ({"kind": "lstm", "units": 4, "simplified": True}, "simplified=True"),
        ({"kind": "gru", "units": 4, "peephole": True}, "peephole=True"),
        ({"kind": "gru", "units": 4, "activation": "swishy"}, "activation='swishy'"),
        ({"kind": "gru", "units": 4, "seed": "abc"}, "seed='abc'"),
    ],
)
def test_bad_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace(".", r"\.")):
        Recurrent(**kwargs)


def test_rank_two_input_is_rejected():
    layer = Recurrent("lstm", UNITS)
    with pytest.raises(ValueError, match=r"`sequences` must have rank 3.*\(2, 3\)"):
        layer(np.zeros((2, 3), "float32"))
    layer(_data())
    with pytest.raises(ValueError, match=r"`sequences` must have rank 3.*\(2, 3\)"):
        layer(np.zeros((2, 3), "float32"))


def test_wrong_number_of_initial_states():
    layer = Recurrent("lstm", UNITS, depth=2)
    init = [np.zeros((BATCH, UNITS), "float32")] * 3
    with pytest.raises(ValueError, match="`initial_state` must hold 4 tensors"):
        layer(_data(), initial_state=init)
