"""Trigger-word device targets (issues 6 and 13) for a trained run, checked in one go.

Given a run directory (``seqkeras wakeword train`` + ``eval``), this script

- runs ``seqkeras-wake`` (the console script, in a subprocess) on a freshly synthesized
  test stream with the quantized device model (``EXPORT_FILE``: quantized weights, int16
  activations) AND with a float32 export of the same step graph (the reference, same
  run) and reads the per-hop latency from the runner's own JSON summary (features +
  invoke, median/p90/p99) — ratio quantized / float32;
- reports the model sizes (quantized vs the 64 KB target of issue 13, ratio to float32);
- reads ``eval.json``: FRR at the threshold meeting the target FA/h for the Keras model
  and the quantized model (difference in points), the fraction of detections inside the
  labelled window, and the real near-miss recordings ("activated", "de-activated");
- reads ``benchmark-real.json`` when present (``seqkeras wakeword benchmark``): exported
  vs Keras FRR on real speech at each FA/h budget (target: within 1 point).

    nice -n 10 .venv/bin/python benchmarks/wakeword.py --run runs/activate [--stream-clips 12]

Prints one JSON object. Numbers are on the synthesized protocol (TTS voices over real
non-speech background), not the anchors' real-speech numbers.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
from pathlib import Path

TARGET_BYTES = 64 * 1024  # issue 13 (issue 6 asked for 40 KB)
TARGET_FRR = 0.05
TARGET_FA_PER_HOUR = 0.5
TARGET_LATENCY_US = 100.0
TARGET_INSIDE = 0.95
TARGET_FRR_POINTS = 0.5
TARGET_REAL_FRR_POINTS = 1.0  # issue 13: exported vs Keras at the operating point
STREAM_SEED = 4242
FA_BUDGETS = (0.5, 5.0, 50.0, 200.0, 500.0)


def _best_frr(det: list[dict], fa_per_hour: float) -> float | None:
    meeting = [p["frr"] for p in det if p["fa_per_hour"] <= fa_per_hour]
    return min(meeting) if meeting else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--run", required=True, help="run directory with model.keras, train.json, eval.json"
    )
    parser.add_argument(
        "--stream-clips", type=int, default=12, help="10-second clips in the latency stream"
    )
    args = parser.parse_args()

    from seqkeras.tasks.demo import fresh_stream, run_wake
    from seqkeras.wakeword.export import EXPORT_FILE, export_run
    from seqkeras.wakeword.train import TrainConfig, read_train_json

    run = Path(args.run)
    config = TrainConfig.from_dict(read_train_json(run)["config"])
    quantized = run / EXPORT_FILE
    if not quantized.is_file():
        export_run(run)
    float32 = run / "model.float32.tflite"
    if not float32.is_file():
        export_run(run, quantize="float32")
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "stream.wav"
        ends, seconds = fresh_stream(config.data_config(), args.stream_clips, STREAM_SEED, wav)
        runs = {}
        for name, model in (("quantized", quantized), ("float32", float32)):
            detections, summary = run_wake(model, wav)
            runs[name] = {"detections": len(detections), "summary": summary}
    latq = runs["quantized"]["summary"]["hop_latency_us"]
    lat32 = runs["float32"]["summary"]["hop_latency_us"]
    result: dict = {
        "protocol": "synthesized (TTS over real non-speech background); not real-speech numbers",
        "machine": platform.machine(),
        "run": str(run),
        "stream_seconds": seconds,
        "stream_keywords": len(ends),
        "runner": runs,
        "latency_p50_us": {
            "quantized": latq["p50"],
            "float32": lat32["p50"],
            "ratio_quantized_vs_float32": latq["p50"] / lat32["p50"],
        },
        "size_bytes": {
            "quantized": quantized.stat().st_size,
            "float32": float32.stat().st_size,
            "ratio_quantized_vs_float32": quantized.stat().st_size / float32.stat().st_size,
        },
    }
    targets = {
        "quantized_size_le_64KB": quantized.stat().st_size <= TARGET_BYTES,
        "runner_p50_le_100us": latq["p50"] <= TARGET_LATENCY_US,
    }
    eval_path = run / "eval.json"
    if eval_path.is_file():
        report = json.loads(eval_path.read_text())
        keras_point = report["keras"]["at_target"]
        quantized_point = (report.get("quantized") or {}).get("at_target")
        result["eval"] = {
            "negative_hours": report["negative_hours"],
            "test_keywords": report["test_split"]["keywords"],
            "test_engines": report["test_split"]["engines"],
            "target_fa_per_hour": report["target_fa_per_hour"],
            "keras": keras_point,
            "quantized": quantized_point,
            "quantized_vs_keras": report.get("quantized_vs_keras"),
            "real_near_misses": report["real_near_misses"],
        }
        # The DET curves side by side: lowest FRR at several FA/h budgets, float vs quantized.
        table = {}
        for budget in FA_BUDGETS:
            row = {
                name: _best_frr(report[name]["det"], budget)
                for name in ("keras", "quantized")
                if name in report
            }
            if (
                "keras" in row
                and "quantized" in row
                and row["keras"] is not None
                and row["quantized"] is not None
            ):
                row["quantized_minus_keras_points"] = round(100 * (row["quantized"] - row["keras"]), 2)
            table[str(budget)] = row
        result["eval"]["frr_at_fa_per_hour"] = table
        target = report["target_fa_per_hour"]
        if target <= TARGET_FA_PER_HOUR and quantized_point is not None:
            targets["frr_le_5pct_at_0.5_fa_per_hour_quantized"] = quantized_point["frr"] <= TARGET_FRR
            inside = quantized_point["inside_fraction"]
            targets["inside_window_ge_95pct_quantized"] = inside is not None and inside >= TARGET_INSIDE
        # Only budgets where the model detects something say anything about quantized vs float.
        informative = [
            row["quantized_minus_keras_points"]
            for row in table.values()
            if "quantized_minus_keras_points" in row and min(row["keras"], row["quantized"]) < 1.0
        ]
        if informative:
            targets["quantized_vs_float_frr_within_0.5_points"] = all(
                abs(points) <= TARGET_FRR_POINTS for points in informative
            )
        # The same comparison threshold by threshold (the budget table above compares the
        # best point under each budget, which a 0.02 threshold grid can shift by a step).
        if "quantized" in report:
            same = {p["threshold"]: p for p in report["quantized"]["det"]}
            points = [
                (k["threshold"], 100 * (same[k["threshold"]]["frr"] - k["frr"]),
                 k["fa_per_hour"], same[k["threshold"]]["fa_per_hour"])
                for k in report["keras"]["det"]
                if k["threshold"] in same and min(k["frr"], same[k["threshold"]]["frr"]) < 1.0
            ]
            if points:
                worst = max(points, key=lambda p: abs(p[1]))
                result["eval"]["frr_points_same_threshold"] = {
                    "thresholds": len(points),
                    "max_abs_points": round(abs(worst[1]), 2),
                    "at_threshold": worst[0],
                    "fa_per_hour_there": {"keras": worst[2], "quantized": worst[3]},
                    "mean_abs_points": round(sum(abs(p[1]) for p in points) / len(points), 3),
                }
                targets["quantized_vs_float_frr_within_0.5_points_same_threshold"] = (
                    abs(worst[1]) <= TARGET_FRR_POINTS
                )
        targets["near_misses_do_not_fire"] = all(
            row.get("keras_detections", 0) == 0 and row.get("quantized_detections", 0) == 0
            for row in report["real_near_misses"]
        )
    real_path = run / "benchmark-real.json"
    if real_path.is_file():
        real = json.loads(real_path.read_text())
        models = real["models"]
        if "keras" in models and "seqkeras" in models:
            rows = {}
            for budget, point in models["seqkeras"]["at_budgets"].items():
                keras_point = models["keras"]["at_budgets"].get(budget)
                if point is not None and keras_point is not None:
                    rows[budget] = round(100 * (point["frr"] - keras_point["frr"]), 2)
            result["real_speech_exported_minus_keras_points"] = rows
            if "0.5" in rows:
                targets["real_speech_exported_vs_keras_within_1_point_at_0.5"] = (
                    abs(rows["0.5"]) <= TARGET_REAL_FRR_POINTS
                )
    result["targets_met"] = targets
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
