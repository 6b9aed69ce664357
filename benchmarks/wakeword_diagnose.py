"""Where a wake-word run's real-speech errors come from (prints JSON).

For a run benchmarked by ``benchmarks/wakeword_real.py`` (its streams are cached), scores
its model over the benchmark's own streams as the benchmark does (the exported model through
``seqkeras-wake``'s runner, whichever front end the run has) and reports

- ``positive_recall``: the share of real keyword recordings whose highest raw score inside
  the keyword window reaches each threshold (low values: the keyword is heard but not
  trusted), and the same with the window widened by 1 s before and 2 s after it (is it
  the placement of the output steps?); how many recordings never reach 0.5; with
  ``--compare OTHER_RUN``, how many of those the other run misses at 5 FA/h;
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
# the wider search around each keyword window (output steps are placed by the run's grid)
WIDE_BEFORE_SECONDS, WIDE_AFTER_SECONDS = 1.0, 2.0


def diagnose(run_dir: Path, compare: Path | None = None) -> dict:
    from seqkeras_edge.decision import detect

    from seqkeras.wakeword import benchmark as bench
    from seqkeras.wakeword.train import read_train_config

    keyword = read_train_config(run_dir).keyword
    settings = bench.BenchmarkSettings()
    scorer = bench.run_scorer(run_dir, settings)  # the run's default export, via the runner
    positives = bench.positive_recordings(keyword, settings)
    negatives = bench.negative_recordings(keyword, settings)
    step = scorer.step_samples
    stream = bench.cached_stream(positives, settings.seed, True, settings.snr_db)
    scores, _ = scorer.score(stream)
    windows = stream.windows(step)
    peaks = np.array([scores[start:stop].max() for start, stop in windows])
    before = int(round(WIDE_BEFORE_SECONDS * bench.SAMPLE_RATE / step))
    after = int(round(WIDE_AFTER_SECONDS * bench.SAMPLE_RATE / step))
    wide = np.array([scores[max(0, start - before) : stop + after].max() for start, stop in windows])
    recall = {f"{t:g}": round(float(np.mean(peaks >= t)), 4) for t in THRESHOLDS}
    recall_wide = {f"{t:g}": round(float(np.mean(wide >= t)), 4) for t in THRESHOLDS}
    keyword_files = [file for file, _, _, hit_start, _ in stream.pieces if hit_start >= 0]
    never = {file for file, peak in zip(keyword_files, peaks, strict=True) if peak < 0.5}
    compared = None
    if compare is not None:
        report = json.loads((compare / "benchmark-real.json").read_text())
        missed = set(report["models"]["seqkeras"]["missed_at_budgets"].get("5", []))
        compared = {
            "run": str(compare),
            "its_misses_at_5_fa_per_hour": len(missed),
            "of_ours_never_reaching_0.5_also_missed_there": len(never & missed),
        }

    stream = bench.cached_stream(negatives, settings.seed + 1, False, settings.snr_db)
    scores, _ = scorer.score(stream)
    source = {str(recording.path): str(recording.source) for recording in negatives}
    kinds = [source.get(file, "unknown") for file in stream.files()]
    hours: dict[str, float] = {}
    for kind, (_, start, stop, _, _) in zip(kinds, stream.pieces, strict=True):
        hours[kind] = hours.get(kind, 0.0) + (stop - start) / bench.SAMPLE_RATE / 3600
    hours["gap"] = stream.seconds / 3600 - sum(hours.values())
    decision = scorer.decision(settings, keyword)
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
        "positive_recall_window_widened": recall_wide,
        "keyword_recordings": len(keyword_files),
        "never_reaching_0.5": len(never),
        "compared_with": compared,
        "negative_hours": {k: round(v, 3) for k, v in hours.items()},
        "false_accepts": false_accepts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an exported run directory")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another benchmarked run: how many of this run's clips that never reach 0.5 it "
        "misses at 5 FA/h",
    )
    args = parser.parse_args()
    print(json.dumps(diagnose(args.run, args.compare)))


if __name__ == "__main__":
    main()
