"""Export benchmark: streaming parity, int8 accuracy, model size and latency (issue 5 targets).

A toy keyword-style detector (40 log-mel-sized features -> causal Conv1D -> GRU(64) ->
sigmoid per frame) is trained on synthetic data (fires while the mean of feature 0 over
the last 8 frames exceeds 0.4), then exported with ``seqkeras-export --streaming`` in
float32, int8 and int16x8 (int16 activations, int8 weights). The parity numbers come from the exporter's report (step model invoked
frame by frame with ai-edge-litert vs the whole-sequence Keras model); the int8 file is
then run by ``seqkeras-wake``'s runner on 10 s of noise to time a hop (features + invoke).
References in the same run: the float32 step model's size and invoke latency (ratios).

    nice -n 10 .venv/bin/python benchmarks/export.py [--units 64] [--epochs 12]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

MEL_BINS = 40
STEPS = 100
WINDOW = 8
TARGETS = {"float32_max_abs_err": 1e-5, "int8_max_abs_dp": 0.02, "int8_agreement": 0.99, "int8_kb": 40.0}


def synthetic(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(size=(count, STEPS, MEL_BINS)).astype("float32")
    mean = np.stack([np.convolve(s[:, 0], np.ones(WINDOW) / WINDOW)[:STEPS] for s in x])
    return x, (mean > 0.4).astype("float32")[..., None]


def export(model_path: Path, mode: str, rep: Path, decision: Path, out: Path, report: Path,
           weights: str = "per-channel") -> dict:
    from seqkeras_export.cli import main

    start = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the JSON result
        code = main([str(model_path), "--streaming", "--quantize", mode, "--representative", str(rep),
                 "--decision", str(decision), "--output", str(out), "--report", str(report),
                 "--weights", weights])
    if code != 0:
        raise SystemExit(f"export {mode} failed with exit code {code}")
    result = json.loads(report.read_text())
    result["export_seconds"] = time.perf_counter() - start
    return result


def runner_latency(tflite: Path, workdir: Path) -> dict:
    """Per-hop latency of seqkeras-wake on 10 s of noise (metadata features: 40 mel bins)."""
    import soundfile
    from seqkeras_edge.runner import WakeRunner

    wav = workdir / "noise.wav"
    soundfile.write(wav, (0.1 * np.random.default_rng(9).normal(size=160000)).astype("float32"), 16000)
    result = WakeRunner(tflite).run_file(wav)
    return result.summary(str(tflite), "ai_edge_litert")["hop_latency_us"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--keep", metavar="DIR", help="write the model and exports here (default: temporary)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    keras.utils.set_random_seed(0)
    x, y = synthetic(rng, 384)
    model = keras.Sequential(
        [
            keras.Input((None, MEL_BINS), name="frames"),
            keras.layers.Conv1D(16, 3, padding="causal", activation="relu"),
            keras.layers.GRU(args.units, return_sequences=True),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy", metrics=["binary_accuracy"])
    history = model.fit(x, y, epochs=args.epochs, batch_size=32, verbose=0)
    rep_x, rep_y = synthetic(rng, 32)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(args.keep or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        model_path = workdir / "detector.keras"
        model.save(model_path)
        np.savez(workdir / "rep.npz", frames=rep_x)
        (workdir / "decision.json").write_text(json.dumps({"threshold": 0.5, "smoothing_steps": 1, "step_seconds": 0.01}))
        (workdir / "features.json").write_text(json.dumps({"num_mel_bins": MEL_BINS}))
        reports = {}
        for mode in ("float32", "int8", "int16x8"):
            out = workdir / f"detector.{mode}.tflite"
            reports[mode] = export(model_path, mode, workdir / "rep.npz", workdir / "decision.json", out,
                                   workdir / f"{mode}.json")
        for mode in ("int8", "int16x8"):  # one weight scale per tensor: smaller files
            out = workdir / f"detector.{mode}-pt.tflite"
            reports[f"{mode}-pt"] = export(model_path, mode, workdir / "rep.npz", workdir / "decision.json",
                                           out, workdir / f"{mode}-pt.json", weights="per-tensor")
        # the same int8 export again with the feature configuration, for the runner
        from seqkeras_export.cli import main as export_main

        runner_model = workdir / "runner.int8.tflite"
        with contextlib.redirect_stdout(sys.stderr):
            export_main([str(model_path), "--streaming", "--quantize", "int8", "--representative",
                     str(workdir / "rep.npz"), "--decision", str(workdir / "decision.json"),
                         "--features", str(workdir / "features.json"), "--output", str(runner_model)])
        hop = runner_latency(runner_model, workdir)
    f32, i8, i16 = reports["float32"], reports["int8"], reports["int16x8"]

    def row(report: dict) -> dict:
        return {
            "size_kb": report["tflite"]["size_bytes"] / 1024,
            "max_abs_dp": report["parity"]["max_abs_error"],
            "mean_abs_dp": report["parity"]["mean_abs_error"],
            "decision_agreement": report["parity"]["decision_agreement"],
            "invoke_us_median": report["parity"]["latency_us"]["median"],
        }

    result = {
        "model": f"causal Conv1D(16,k=3) -> GRU({args.units}) -> Dense(1, sigmoid), {MEL_BINS} features/frame",
        "train_binary_accuracy": history.history["binary_accuracy"][-1],
        "representative": f"{len(rep_x)} sequences x {STEPS} frames",
        "float32": {
            "size_kb": f32["tflite"]["size_bytes"] / 1024,
            "max_abs_err": f32["parity"]["max_abs_error"],
            "mean_abs_err": f32["parity"]["mean_abs_error"],
            "invoke_us_median": f32["parity"]["latency_us"]["median"],
        },
        "int8": {**row(i8), "ops": i8["tflite"]["ops"]},
        "int16x8": row(i16),
        "int8_per_tensor_weights": row(reports["int8-pt"]),
        "int16x8_per_tensor_weights": row(reports["int16x8-pt"]),
        "runner_hop_latency_us_int8": hop,
        "ratios": {
            "int8_size_vs_float32": i8["tflite"]["size_bytes"] / f32["tflite"]["size_bytes"],
            "int8_invoke_vs_float32": i8["parity"]["latency_us"]["median"] / f32["parity"]["latency_us"]["median"],
        },
        "targets": TARGETS,
    }
    result["targets_met"] = {
        "float32_max_abs_err": result["float32"]["max_abs_err"] <= TARGETS["float32_max_abs_err"],
        "int8_max_abs_dp": result["int8"]["max_abs_dp"] <= TARGETS["int8_max_abs_dp"],
        "int8_agreement": result["int8"]["decision_agreement"] >= TARGETS["int8_agreement"],
        "int8_kb": result["int8"]["size_kb"] <= TARGETS["int8_kb"],
        "int16x8_per_tensor_max_abs_dp": result["int16x8_per_tensor_weights"]["max_abs_dp"]
        <= TARGETS["int8_max_abs_dp"],
        "int16x8_per_tensor_kb": result["int16x8_per_tensor_weights"]["size_kb"] <= TARGETS["int8_kb"],
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
