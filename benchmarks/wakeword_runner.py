"""Wake-word runner speed per 10 ms of audio, against a fixed workload timed in the same run.

The runner time of an exported model (``seqkeras_edge.runner.WakeRunner``: streaming
features + invoke + decision, per hop) depends on the model, on the processor and on how
busy it is that minute: speech-embedding exports of one architecture measured 579 µs per
80 ms hop one morning and 1.96 ms on a later day's box. So every model is timed in rounds,
each round next to a fixed reference workload (float32 matrix-vector products in numpy),
and the report gives the time, its ratio to the reference, and the processor (name, and
whether it has the int8 dot-product instructions that make int8 weights pay): a ratio
compares across days on like processors, a time only within one run.

    python benchmarks/wakeword_runner.py --model runs/jarvis/model.int16x8.tflite \\
        --model runs/operator-speech-embedding/model.dynamic.tflite [--wav W.wav] [--rounds 5]

Prints one JSON object: per model the median time per hop and per 10 ms of audio
(issue 13's target: ≤ 100 µs per 10 ms hop), p90, the per-round medians, the ratio to the
reference workload, and the ratio to the first model. Without ``--wav`` the audio is 60 s
of seeded noise at speech level (the runner does the same work for any content).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

TARGET_US_PER_10MS = 100.0
SAMPLE_RATE = 16000
REFERENCE_SIZE = 512  # (1, 512) @ (512, 512), float32
REFERENCE_CALLS = 2000


def reference_us(rng: np.random.Generator) -> float:
    """Median µs of one (1, 512) @ (512, 512) float32 product over ``REFERENCE_CALLS``."""
    vector = rng.standard_normal((1, REFERENCE_SIZE)).astype(np.float32)
    matrix = rng.standard_normal((REFERENCE_SIZE, REFERENCE_SIZE)).astype(np.float32)
    times = np.empty(REFERENCE_CALLS)
    for i in range(REFERENCE_CALLS):
        start = time.perf_counter_ns()
        vector @ matrix
        times[i] = time.perf_counter_ns() - start
    return float(np.median(times)) / 1000.0


def cpu() -> dict[str, object]:
    """The processor's name and whether it has int8 dot-product instructions (VNNI), which
    decide how much faster int8 weights run than float32 in LiteRT's kernels."""
    name, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and name in ("", platform.machine()):
                    name = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    return {
        "name": name,
        "avx512f": "avx512f" in flags,
        "vnni": bool(flags & {"avx512_vnni", "avx_vnni"}),
    }


def read_audio(path: str | None, seconds: float) -> np.ndarray:
    if path is None:
        rng = np.random.default_rng(0)
        return (0.05 * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)
    from seqkeras_edge.wav import load_audio

    samples, _ = load_audio(path, SAMPLE_RATE)
    return samples[: int(seconds * SAMPLE_RATE)].astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help=".tflite export (repeat)")
    parser.add_argument("--wav", default=None, help="audio to run (default: 60 s of seeded noise)")
    parser.add_argument("--seconds", type=float, default=60.0, help="audio seconds per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, models interleaved")
    args = parser.parse_args()
    if args.rounds < 1 or args.seconds <= 0:
        parser.error("--rounds must be >= 1 and --seconds > 0")
    for path in args.model:
        if not Path(path).is_file():
            parser.error(f"--model {path}: no such file")

    from seqkeras_edge.runner import WakeRunner

    audio = read_audio(args.wav, args.seconds)
    runners = [WakeRunner(path) for path in args.model]
    rng = np.random.default_rng(1)
    references: list[float] = []
    hops: list[list[float]] = [[] for _ in runners]
    round_medians: list[list[float]] = [[] for _ in runners]
    for _ in range(args.rounds):
        references.append(reference_us(rng))
        for index, runner in enumerate(runners):
            latency = runner.run_samples(audio).hop_latency_us
            hops[index] += latency
            round_medians[index].append(float(np.median(latency)))
    reference = float(np.median(references))
    models = []
    for path, runner, latency, medians in zip(args.model, runners, hops, round_medians, strict=True):
        hop_ms = 1000.0 * runner.hop_length / SAMPLE_RATE
        p50 = float(np.percentile(latency, 50))
        per_10ms = p50 * 10.0 / hop_ms
        models.append({
            "model": path,
            "bytes": os.path.getsize(path),
            "hop_ms": hop_ms,
            "hops_timed": len(latency),
            "hop_us_p50": round(p50, 1),
            "hop_us_p90": round(float(np.percentile(latency, 90)), 1),
            "round_medians_us": [round(m, 1) for m in medians],
            "us_per_10ms": round(per_10ms, 1),
            "us_per_10ms_over_reference": round(per_10ms / reference, 2),
            "target_us_per_10ms": TARGET_US_PER_10MS,
            "met": per_10ms <= TARGET_US_PER_10MS,
        })  # fmt: skip
    for entry in models:
        entry["us_per_10ms_over_first_model"] = round(
            entry["us_per_10ms"] / models[0]["us_per_10ms"], 2
        )
    print(json.dumps({
        "cpu": cpu(),
        "cpus": os.cpu_count(),
        "runtime": runners[0].runtime_name,
        "audio": args.wav or "seeded noise",
        "audio_seconds_per_round": round(len(audio) / SAMPLE_RATE, 3),
        "rounds": args.rounds,
        "reference": {"workload": f"(1, {REFERENCE_SIZE}) @ ({REFERENCE_SIZE}, {REFERENCE_SIZE}) "
                                  "float32 numpy product, median µs",
                      "us_p50": round(reference, 2),
                      "round_us": [round(r, 2) for r in references]},
        "models": models,
    }, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
