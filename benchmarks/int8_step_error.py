"""How far a quantized streaming step model's probabilities are from the Keras model's.

Trains the toy detector of ``tests/export/test_streaming_tflite.py`` (Conv1D(8, causal) ->
GRU(16) -> Dense(1, sigmoid); it fires while the mean of feature 0 over the last 4 frames
exceeds 0.5) once per seed, exports its step graph with every requested quantization mode,
runs the ``.tflite`` frame by frame with ai-edge-litert and compares with the whole-sequence
Keras model on the calibration clips and on held-out clips. Prints one JSON document: per
mode the distribution over seeds of max |Δp|, the 99th percentile and the mean.

Usage::

    flock /tmp/seqkeras-heavy.lock python benchmarks/int8_step_error.py --seeds 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

FEATURES = 6
STEPS = 40
TRAIN_CLIPS = 256
REP_CLIPS = 24
HELD_OUT_CLIPS = 64
EPOCHS = 25
MODES = (("int8", "per-channel"), ("int8", "per-tensor"), ("int16x8", "per-channel"), ("int16x8", "per-tensor"))


def toy_detector_data(rng: np.random.Generator, count: int, steps: int = STEPS):
    x = rng.normal(size=(count, steps, FEATURES)).astype("float32")
    window = np.stack([np.convolve(seq[:, 0], np.ones(4) / 4)[:steps] for seq in x])
    return x, (window > 0.5).astype("float32")[..., None]


def run_step_model(path: Path, frames: np.ndarray) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_path=str(path)).get_signature_runner()
    names = sorted(n for n in runner.get_input_details() if n.startswith("state_"))
    shapes = {n: runner.get_input_details()[n]["shape"] for n in names}
    outputs = []
    for sequence in frames:
        states = {n: np.zeros(shapes[n], np.float32) for n in names}
        steps = []
        for frame in sequence:
            result = runner(frame=frame[None].astype(np.float32), **states)
            states = {n: result["new_" + n] for n in names}
            steps.append(result["prediction"][0])
        outputs.append(np.stack(steps))
    return np.stack(outputs)


def measure_seed(seed: int, workdir: Path) -> dict[str, dict[str, float]]:
    import keras
    from seqkeras_export.cli import main

    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    x, y = toy_detector_data(rng, TRAIN_CLIPS)
    model = keras.Sequential(
        [
            keras.Input((None, FEATURES), name="frames"),
            keras.layers.Conv1D(8, 3, padding="causal", activation="relu"),
            keras.layers.GRU(16, return_sequences=True),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    model.fit(x, y, epochs=EPOCHS, batch_size=32, verbose=0)
    model_path = workdir / f"detector{seed}.keras"
    model.save(model_path)
    rep_x, _ = toy_detector_data(rng, REP_CLIPS)
    held_x, _ = toy_detector_data(rng, HELD_OUT_CLIPS)
    np.savez(workdir / "rep.npz", frames=rep_x)
    result: dict[str, dict[str, float]] = {}
    for quantize, weights in MODES:
        out = workdir / f"d{seed}-{quantize}-{weights}.tflite"
        with contextlib.redirect_stdout(sys.stderr):  # stdout is the JSON document only
            code = main(
                [str(model_path), "--streaming", "--quantize", quantize, "--weights", weights,
                 "--representative", str(workdir / "rep.npz"), "--output", str(out)]
            )
        if code != 0:
            raise RuntimeError(f"export {quantize}/{weights} failed with exit code {code}")
        for split, data in (("calibration", rep_x), ("held_out", held_x)):
            delta = np.abs(run_step_model(out, data) - model.predict(data, verbose=0))
            result[f"{quantize}/{weights}/{split}"] = {
                "max": float(delta.max()),
                "p99": float(np.quantile(delta, 0.99)),
                "mean": float(delta.mean()),
            }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=8, help="number of training seeds")
    args = parser.parse_args(argv)
    per_seed = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            per_seed.append(measure_seed(seed, Path(tmp)))
            print(f"seed {seed}: {json.dumps(per_seed[-1])}", file=sys.stderr, flush=True)
    summary = {}
    for key in per_seed[0]:
        summary[key] = {
            stat: {
                "worst": max(s[key][stat] for s in per_seed),
                "median": float(np.median([s[key][stat] for s in per_seed])),
            }
            for stat in ("max", "p99", "mean")
        }
    print(json.dumps({"machine": platform.machine(), "seeds": args.seeds, "summary": summary,
                      "per_seed": per_seed}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
