"""Where a wake-word run's real-speech errors come from (prints JSON).

For a run benchmarked by ``benchmarks/wakeword_real.py`` (its streams are cached), scores
the exported model over the benchmark's own streams (``seqkeras-wake``'s runner) and reports

- ``positive_recall``: the share of real keyword recordings whose highest raw score inside
  the keyword window reaches each threshold (low values: the keyword is heard but not
  trusted);
- ``false_accepts``: detections on the negative stream at each threshold (the device's
  decision code, the benchmark's smoothing and refractory period), split by the source of
  the recording they fall in (``wuw``, ``asterisk``, ``keyword-folder``; ``gap`` for the
  noise between recordings), next to each source's hours.

    python benchmarks/wakeword_diagnose.py ~/.cache/seqkeras/wakeword-real/computer
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99)


def diagnose(run_dir: Path) -> dict:
    from seqkeras_edge.decision import DecisionConfig, detect
    from seqkeras_edge.metadata import read_metadata

    from seqkeras.wakeword import benchmark as bench
    from seqkeras.wakeword.export import EXPORT_FILE
    from seqkeras.wakeword.train import read_train_config

    keyword = read_train_config(run_dir).keyword
    settings = bench.BenchmarkSettings()
    model = run_dir / EXPORT_FILE
    if not model.is_file():
        raise SystemExit(f"{model} does not exist: run seqkeras wakeword export {run_dir}")
    positives = bench.positive_recordings(keyword, settings)
    negatives = bench.negative_recordings(keyword, settings)
    # the model's output grid, as the benchmark reads it
    step_seconds = float((read_metadata(model) or {}).get("decision", {}).get("step_seconds", 0.01))
    step = int(round(step_seconds * bench.SAMPLE_RATE))
    stream = bench.cached_stream(positives, settings.seed, True, settings.snr_db)
    scores, _ = bench.tflite_stream_scores(model, stream)
    peaks = np.array([scores[start:stop].max() for start, stop in stream.windows(step)])
    recall = {f"{t:g}": round(float(np.mean(peaks >= t)), 4) for t in THRESHOLDS}

    stream = bench.cached_stream(negatives, settings.seed + 1, False, settings.snr_db)
    scores, _ = bench.tflite_stream_scores(model, stream)
    source = {str(recording.path): str(recording.source) for recording in negatives}
    kinds = [source.get(file, "unknown") for file in stream.files()]
    hours: dict[str, float] = {}
    for kind, (_, start, stop, _, _) in zip(kinds, stream.pieces, strict=True):
        hours[kind] = hours.get(kind, 0.0) + (stop - start) / bench.SAMPLE_RATE / 3600
    hours["gap"] = stream.seconds / 3600 - sum(hours.values())
    decision = DecisionConfig(
        smoothing_steps=settings.smoothing_steps,
        refractory_seconds=settings.refractory_seconds,
        step_seconds=step_seconds,
        keyword=keyword,
    )
    spans = [(start, stop) for _, start, stop, _, _ in stream.pieces]
    false_accepts = {}
    for threshold in THRESHOLDS:
        found = detect(scores.tolist(), dataclasses.replace(decision, threshold=threshold))
        counts: dict[str, int] = {}
        for detection in found:
            sample = detection.step * step
            kind = next((k for k, (a, b) in zip(kinds, spans, strict=True) if a <= sample < b), "gap")
            counts[kind] = counts.get(kind, 0) + 1
        false_accepts[f"{threshold:g}"] = counts
    return {
        "run": str(run_dir),
        "keyword": keyword,
        "positive_recall": recall,
        "negative_hours": {k: round(v, 3) for k, v in hours.items()},
        "false_accepts": false_accepts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run directory with an exported model")
    args = parser.parse_args()
    print(json.dumps(diagnose(args.run)))


if __name__ == "__main__":
    main()
