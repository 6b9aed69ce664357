"""Parity reports: what is in a ``.tflite`` file and how closely it follows the Keras model.

The report (a JSON-ready dict) holds the file size, the operator list, every input and
output tensor with its dtype and quantization parameters, the max/mean absolute error
against Keras on the representative data (streaming models: the step model invoked frame
by frame against the whole-sequence Keras model), task-level agreement (argmax for
multi-class outputs, a threshold for single scores) and the latency of one invoke measured
with ai-edge-litert. :func:`summary` turns it into a few human-readable lines.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

LATENCY_REPEATS = 200
DEFAULT_THRESHOLD = 0.5


def load_interpreter(model_bytes: bytes, delegates: bool = True):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = OpResolverType.AUTO if delegates else OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    interpreter = Interpreter(model_content=model_bytes, experimental_op_resolver_type=resolver)
    interpreter.allocate_tensors()
    return interpreter


def _tensor_info(detail: dict, name: str | None = None) -> dict[str, Any]:
    params = detail.get("quantization_parameters", {})
    scales = np.asarray(params.get("scales", []), np.float64)
    zeros = np.asarray(params.get("zero_points", []), np.int64)
    return {
        "name": name or detail["name"],
        "tensor": detail["name"],
        "shape": [int(d) for d in detail["shape"]],
        "dtype": np.dtype(detail["dtype"]).name,
        "quantization": {"scales": scales.tolist()[:8], "zero_points": zeros.tolist()[:8]}
        if scales.size
        else None,
    }


def operator_names(interpreter: Any) -> list[str]:
    """The distinct operators of the interpreter's graph, sorted.

    The interpreters (ai-edge-litert, tf.lite) list nodes only through the private
    ``_get_ops_details()``; the public ``tf.lite.experimental.Analyzer.analyze`` prints
    the same information as text meant for people, not parsing.
    ``tests/export/test_private_apis.py`` fails with a clear message if the method changes.
    """
    details = getattr(interpreter, "_get_ops_details", None)
    if details is None:
        raise RuntimeError(
            f"{type(interpreter).__module__}.{type(interpreter).__name__} has no "
            "_get_ops_details(); the parity report cannot list the model's operators"
        )
    return sorted({op["op_name"] for op in details()})


def describe(model_bytes: bytes) -> dict[str, Any]:
    """Size, operators and input/output tensors (with quantization) of a flatbuffer."""
    interpreter = load_interpreter(model_bytes, delegates=False)  # the model's own ops
    ops = operator_names(interpreter)
    signatures = interpreter.get_signature_list()
    if signatures:
        runner = interpreter.get_signature_runner()
        inputs = [_tensor_info(d, n) for n, d in runner.get_input_details().items()]
        outputs = [_tensor_info(d, n) for n, d in runner.get_output_details().items()]
    else:
        inputs = [_tensor_info(d) for d in interpreter.get_input_details()]
        outputs = [_tensor_info(d) for d in interpreter.get_output_details()]
    return {
        "size_bytes": len(model_bytes),
        "ops": ops,
        "inputs": inputs,
        "outputs": outputs,
    }


class StepRunner:
    """Invoke a streaming step model by signature names, carrying the states."""

    def __init__(self, model_bytes: bytes, state_inputs: list[str], state_outputs: list[str]):
        self.interpreter = load_interpreter(model_bytes)
        runner = self.interpreter.get_signature_runner()
        inputs = runner.get_input_details()
        outputs = runner.get_output_details()
        self.frame_index = inputs["frame"]["index"]
        self.prediction_index = outputs["prediction"]["index"]
        self.state_in = [inputs[name]["index"] for name in state_inputs]
        self.state_out = [outputs[name]["index"] for name in state_outputs]
        self.state_shapes = [tuple(inputs[name]["shape"]) for name in state_inputs]
        self.reset()

    def reset(self) -> None:
        self.states = [np.zeros(shape, np.float32) for shape in self.state_shapes]

    def step(self, frame: np.ndarray) -> np.ndarray:
        interp = self.interpreter
        interp.set_tensor(self.frame_index, frame.reshape(1, -1).astype(np.float32))
        for index, state in zip(self.state_in, self.states, strict=True):
            interp.set_tensor(index, state)
        interp.invoke()
        self.states = [interp.get_tensor(index) for index in self.state_out]
        return interp.get_tensor(self.prediction_index)[0]


def _decisions(values: np.ndarray, threshold: float) -> np.ndarray:
    if values.shape[-1] > 1:
        return np.argmax(values, axis=-1)
    return values[..., 0] >= threshold


def _errors(reference: np.ndarray, got: np.ndarray, threshold: float) -> dict[str, Any]:
    diff = np.abs(reference.astype(np.float64) - got.astype(np.float64))
    agree = _decisions(reference, threshold) == _decisions(got, threshold)
    return {
        "max_abs_error": float(diff.max()),
        "mean_abs_error": float(diff.mean()),
        "decision": "argmax" if reference.shape[-1] > 1 else f"score >= {threshold:g}",
        "decision_agreement": float(agree.mean()),
        "compared_values": int(diff.size),
    }


def streaming_parity(model_bytes: bytes, graph, keras_model, inputs: np.ndarray, threshold: float):
    """Step model invoked frame by frame vs the whole-sequence Keras model."""
    reference = np.asarray(keras_model.predict(inputs, verbose=0), np.float32)
    frames = graph.frames(inputs)
    runner = StepRunner(model_bytes, graph.state_input_names, graph.state_output_names)
    outputs = []
    for sequence in frames:
        runner.reset()
        outputs.append(np.stack([runner.step(frame) for frame in sequence]))
    got = np.stack(outputs)
    if not graph.sequence_output:  # many-to-one: the last step is the model's output
        got = got[:, -1]
    report = _errors(reference, got, threshold)
    report["latency_us"] = _latency(lambda: runner.step(frames[0][0]))
    return report, got


def sequence_parity(model_bytes: bytes, keras_model, data: dict[str, np.ndarray], threshold: float):
    """The whole-sequence ``.tflite`` model, one example per invoke, vs Keras."""
    names = [t.name for t in keras_model.inputs]
    feed = data[names[0]] if len(names) == 1 else [data[n] for n in names]
    reference = np.asarray(keras_model.predict(feed, verbose=0), np.float32)
    interpreter = load_interpreter(model_bytes)
    details = interpreter.get_input_details()
    by_name = {d["name"]: d for d in details}
    ordered = []
    for i, name in enumerate(names):
        match = [d for tensor_name, d in by_name.items() if name in tensor_name]
        ordered.append(match[0] if len(match) == 1 else details[i])
    output_index = interpreter.get_output_details()[0]["index"]
    count = len(data[names[0]])

    def invoke(i: int) -> np.ndarray:
        for name, detail in zip(names, ordered, strict=True):
            interpreter.set_tensor(detail["index"], data[name][i : i + 1].astype(detail["dtype"]))
        interpreter.invoke()
        return interpreter.get_tensor(output_index)[0]

    got = np.stack([invoke(i) for i in range(count)])
    report = _errors(reference, got, threshold)
    report["latency_us"] = _latency(lambda: invoke(0))
    return report, got


def _latency(call, repeats: int = LATENCY_REPEATS) -> dict[str, Any]:
    for _ in range(5):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - start) / 1000.0)
    return {
        "median": float(np.median(times)),
        "p90": float(np.percentile(times, 90)),
        "runtime": "ai-edge-litert",
        "repeats": repeats,
    }


def summary(report: dict[str, Any]) -> str:
    """A short human-readable rendering of a report."""
    lines = [
        f"{report.get('output', '?')}: {report.get('to')} {report.get('quantize', '')}"
        f"{' streaming step' if report.get('streaming') else ''}"
        f"{' (' + report['weights'] + ' weights)' if report.get('weights') else ''}",
    ]
    tflite = report.get("tflite")
    if tflite:
        lines.append(f"  size {tflite['size_bytes'] / 1024:.1f} KB; ops: {', '.join(tflite['ops'])}")
        for kind in ("inputs", "outputs"):
            parts = []
            for t in tflite[kind]:
                quant = t["quantization"]
                q = f" q(scale={quant['scales'][0]:.3g}, zp={quant['zero_points'][0]})" if quant else ""
                parts.append(f"{t['name']} {t['shape']} {t['dtype']}{q}")
            lines.append(f"  {kind}: " + "; ".join(parts))
    parity = report.get("parity")
    if parity:
        lines.append(
            f"  vs Keras: max |err| {parity['max_abs_error']:.3g}, mean |err| "
            f"{parity['mean_abs_error']:.3g}, decisions ({parity['decision']}) agree "
            f"{100 * parity['decision_agreement']:.2f}%"
        )
        lat = parity["latency_us"]
        lines.append(f"  latency per invoke: median {lat['median']:.1f} us, p90 {lat['p90']:.1f} us")
    elif report.get("to") == "tflite":
        lines.append("  no representative data: parity not measured")
    return "\n".join(lines)
