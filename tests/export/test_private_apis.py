"""Guards for the private Keras / TFLite APIs that seqkeras-export relies on.

Each test fails with a message naming the private API and what depends on it when a Keras,
TensorFlow or ai-edge-litert release changes it:

* ``KerasTensor._keras_history`` / ``Operation._inbound_nodes``: ``streaming.producer``
  walks a functional model (no public API gives a nested model's outer call);
* ``TFLiteConverter._experimental_disable_per_channel``: ``--weights per-tensor``;
* ``Interpreter._get_ops_details()``: the operator list of the parity report, checked
  against the flatbuffer's operator codes read with the ai-edge-litert schema.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter
from seqkeras_export.convert import PER_CHANNEL_FLAG, disable_per_channel
from seqkeras_export.parity import operator_names
from seqkeras_export.streaming import layer_chain, producer

KERAS_CHANGED = (
    f"Keras {keras.__version__} changed KerasTensor._keras_history or "
    "Operation._inbound_nodes, which seqkeras_export.streaming.producer reads to walk a "
    "functional model for streaming export"
)
FEATURES, UNITS = 6, 8


def _nested_model():
    """inputs -> a -> [inner: b -> c] -> d -> d: a nested model and a layer called twice."""
    inner_input = keras.Input((None, 4), name="inner_in")
    b, c = keras.layers.Dense(5, name="b"), keras.layers.Dense(4, name="c")
    inner = keras.Model(inner_input, c(b(inner_input)), name="inner")
    inputs = keras.Input((None, 3), name="outer_in")
    a, d = keras.layers.Dense(4, name="a"), keras.layers.Dense(4, name="d")
    first = d(inner(a(inputs)))
    return keras.Model(inputs, d(first)), inputs, first, (a, inner, d)


def test_keras_history_and_inbound_nodes_link_a_nested_model():
    model, inputs, first, (a, inner, d) = _nested_model()
    tensor = model.outputs[0]
    history = getattr(tensor, "_keras_history", None)
    assert history is not None and len(history) == 3, f"{KERAS_CHANGED}: _keras_history={history!r}"
    operation, node_index, tensor_index = history
    assert operation is d and tensor_index == 0, KERAS_CHANGED
    # d's second call: node 1, whose input is d's first output (layer.input, the public
    # property, only describes the first call).
    assert node_index == 1, f"{KERAS_CHANGED}: node index {node_index!r}"
    nodes = getattr(operation, "_inbound_nodes", None)
    assert nodes is not None and len(nodes) == 2, f"{KERAS_CHANGED}: _inbound_nodes={nodes!r}"
    assert list(nodes[1].input_tensors) == [first], KERAS_CHANGED
    assert d.input is not first
    # A nested model's public `output` is its own graph's output, not the outer call's.
    outer_call = d.input
    assert outer_call._keras_history[0] is inner and inner.output is not outer_call, KERAS_CHANGED

    assert producer(tensor) == (d, [first])
    assert producer(first) == (d, [outer_call])
    assert producer(outer_call) == (inner, [a.output])
    assert producer(a.output)[1] == [inputs]
    assert [layer.name for layer in layer_chain(model)] == ["a", "b", "c", "d", "d"]


def test_producer_names_the_private_api_when_it_is_missing():
    with pytest.raises(RuntimeError, match="_keras_history"):
        producer(np.zeros(3))


def _constant_dense_function():
    """relu(x W + b) with constant weights whose columns have very different ranges."""
    rng = np.random.default_rng(0)
    w = tf.constant((rng.normal(size=(FEATURES, UNITS)) * np.arange(1, UNITS + 1)).astype("float32"))
    bias = tf.constant(rng.normal(size=UNITS).astype("float32"))
    function = tf.function(
        lambda x: tf.nn.relu(tf.matmul(x, w) + bias),
        input_signature=[tf.TensorSpec((1, FEATURES), tf.float32)],
    )
    return function.get_concrete_function()


def _int8_flatbuffer(per_tensor):
    converter = tf.lite.TFLiteConverter.from_concrete_functions([_constant_dense_function()])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative_dataset():
        for seed in range(8):
            yield [np.random.default_rng(seed).normal(size=(1, FEATURES)).astype("float32")]

    converter.representative_dataset = representative_dataset
    if per_tensor:
        disable_per_channel(converter)
    return converter.convert()


def _weight_scale_count(flatbuffer):
    interpreter = Interpreter(model_content=flatbuffer)
    weights = [
        d for d in interpreter.get_tensor_details()
        if d["dtype"] == np.int8 and tuple(d["shape"]) == (UNITS, FEATURES)
    ]
    assert len(weights) == 1, [d["name"] for d in interpreter.get_tensor_details()]
    return len(weights[0]["quantization_parameters"]["scales"])


def test_disable_per_channel_gives_one_scale_per_weight_tensor():
    assert hasattr(tf.lite.TFLiteConverter.from_concrete_functions([_constant_dense_function()]), PER_CHANNEL_FLAG), (
        f"TensorFlow {tf.__version__} removed TFLiteConverter.{PER_CHANNEL_FLAG}, which "
        "seqkeras-export --weights per-tensor sets"
    )
    assert _weight_scale_count(_int8_flatbuffer(per_tensor=False)) == UNITS
    assert _weight_scale_count(_int8_flatbuffer(per_tensor=True)) == 1, (
        f"TensorFlow {tf.__version__} ignores TFLiteConverter.{PER_CHANNEL_FLAG}: "
        "seqkeras-export --weights per-tensor would silently write per-channel scales"
    )


def test_disable_per_channel_refuses_a_converter_without_the_flag():
    with pytest.raises(ValueError, match=f"{PER_CHANNEL_FLAG}.*--weights per-channel"):
        disable_per_channel(object())


def _schema_operator_names(flatbuffer):
    """Independent reference: the operator codes stored in the flatbuffer."""
    model = schema.ModelT.InitFromPackedBuf(flatbuffer, 0)
    names = {value: name for name, value in vars(schema.BuiltinOperator).items() if not name.startswith("_")}
    used = {op.opcodeIndex for graph in model.subgraphs for op in graph.operators}
    codes = model.operatorCodes
    return sorted({names[max(codes[i].builtinCode, codes[i].deprecatedBuiltinCode)] for i in used})


def test_get_ops_details_lists_the_flatbuffer_operators():
    flatbuffer = _int8_flatbuffer(per_tensor=False)
    interpreter = Interpreter(model_content=flatbuffer)
    assert callable(getattr(interpreter, "_get_ops_details", None)), (
        "ai-edge-litert removed Interpreter._get_ops_details(), which the seqkeras-export "
        "parity report uses to list operators"
    )
    expected = _schema_operator_names(flatbuffer)
    assert "FULLY_CONNECTED" in expected
    assert operator_names(interpreter) == expected, (
        "Interpreter._get_ops_details() no longer reports op_name per node as the "
        "flatbuffer's operator codes say"
    )


def test_operator_names_names_the_private_api_when_it_is_missing():
    with pytest.raises(RuntimeError, match="_get_ops_details"):
        operator_names(object())
