"""``seqkeras demo``: the flagship trigger-word run, end to end (``make demo``).

1. synthesize a small dataset (TTS keyword and near misses over real background audio),
2. train the streaming model (bounded: a few minutes on 2 CPU cores),
3. export it to a quantized streaming ``.tflite`` (int8 weights, int16 activations) with
   its feature/decision metadata,
4. evaluate FRR and false accepts per hour (Keras and the export side by side; the threshold
   meeting the target FA/h is written into the exported model),
5. synthesize a fresh test stream with the keyword at known places, run
   ``seqkeras-wake`` on it, and print each detection next to the true keyword times.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from seqkeras.cli import register_command

DEMO_TRAIN_CLIPS = 2000
DEMO_EPOCHS = 10
DEMO_TEST_CLIPS = 60
DEMO_SENTENCE_CLIPS = 30
DEMO_NEGATIVE_HOURS = 0.1
DEMO_STREAM_CLIPS = 6
DEMO_STREAM_SEED = 2024
DEMO_VOICES_PER_ENGINE = 40
DEMO_NEGATIVES_PER_VOICE = 10
# Kokoro speakers on the demo's budget (a fresh clone synthesizes them: ~4 minutes).
DEMO_KOKORO_VOICES = 24
DEMO_KOKORO_KEYWORD_VOICES = 60
# The keyword whose real-speech result the demo ends with (recordings exist for it).
REAL_SPEECH_KEYWORD = "computer"


def default_demo_dir(config: Any) -> Path:
    """``<cache>/demo/<keyword>-<hash of the training config>``: a demo with other settings
    (or from a seqkeras with other training options) starts its own run instead of
    meeting another run's checkpoint; the same command again resumes or reuses its run."""
    from seqkeras.wakeword.cache import cache_root, config_hash

    keyword = "".join(ch if ch.isalnum() else "-" for ch in config.keyword.lower()).strip("-")
    return cache_root() / "demo" / f"{keyword or 'keyword'}-{config_hash(config.identity())[:12]}"


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", help="run directory (default: <cache>/demo/<keyword>-<config hash>)"
    )
    parser.add_argument(
        "--keyword", default="activate", help="the wake word (default: %(default)s)"
    )
    parser.add_argument("--train-clips", type=int, default=DEMO_TRAIN_CLIPS)
    parser.add_argument("--epochs", type=int, default=DEMO_EPOCHS)
    parser.add_argument("--test-clips", type=int, default=DEMO_TEST_CLIPS)
    parser.add_argument("--negative-hours", type=float, default=DEMO_NEGATIVE_HOURS)
    parser.add_argument(
        "--target-fa-per-hour",
        type=float,
        default=0.5,
        help="operating point: the threshold written into the model meets this FA/h",
    )
    parser.add_argument("--voices-per-engine", type=int, default=DEMO_VOICES_PER_ENGINE)
    parser.add_argument("--negatives-per-voice", type=int, default=DEMO_NEGATIVES_PER_VOICE)
    parser.add_argument(
        "--kokoro-voices", type=int, default=DEMO_KOKORO_VOICES, help="Kokoro speakers saying negatives"
    )
    parser.add_argument(
        "--kokoro-keyword-voices",
        type=int,
        default=DEMO_KOKORO_KEYWORD_VOICES,
        help="Kokoro speakers saying the keyword (training voices and blends; the test "
        "stream uses held-out ones)",
    )
    parser.add_argument(
        "--real-speech-fraction",
        type=float,
        default=0.3,
        help="share of training negatives from real recordings of people",
    )
    parser.add_argument(
        "--stream-clips",
        type=int,
        default=DEMO_STREAM_CLIPS,
        help="10-second test clips joined into the fresh stream for seqkeras-wake",
    )
    parser.add_argument(
        "--background-probability",
        type=float,
        default=0.9,
        help="share of clips over real background audio (0: coloured noise only, no background files)",
    )
    parser.add_argument("--fresh", action="store_true", help="delete the run directory first")
    from seqkeras.training import add_strategy_argument

    add_strategy_argument(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


@register_command(
    "demo", help="Flagship: synthesize, train, quantize, evaluate, run seqkeras-wake"
)
def configure(parser: argparse.ArgumentParser) -> None:
    add_demo_arguments(parser)
    parser.set_defaults(func=run_demo_from_args)


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def run_wake(model: Path, wav: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Run ``seqkeras-wake MODEL --wav WAV --json`` (the console script when installed,
    else its ``main`` in this process); returns (detections, summary)."""
    command = shutil.which("seqkeras-wake") or shutil.which(
        "seqkeras-wake", path=os.path.dirname(sys.executable)
    )
    if command:
        proc = subprocess.run(
            [command, str(model), "--wav", str(wav), "--json"], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"seqkeras-wake failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
            )
        text = proc.stdout
    else:
        from seqkeras_edge.cli import main

        buffer = io.StringIO()
        code = main([str(model), "--wav", str(wav), "--json"], out=buffer)
        if code != 0:
            raise RuntimeError(f"seqkeras-wake failed with exit code {code}")
        text = buffer.getvalue()
    detections, summary = [], {}
    for line in text.splitlines():
        if not line.strip().startswith("{"):
            continue
        row = json.loads(line)
        if "summary" in row:
            summary = row["summary"]
        else:
            detections.append(row)
    return detections, summary


def fresh_stream(config: Any, clips: int, seed: int, path: Path) -> tuple[list[float], float]:
    """Join ``clips`` new test-split clips into one WAV; returns (keyword end times s, seconds)."""
    import numpy as np

    from seqkeras.audio import write_audio
    from seqkeras.wakeword.data import build_dataset

    data = build_dataset(clips, "test", config, seed, progress=False)
    audio = data.audio()
    ends = []
    for index, clip in enumerate(data.segments):
        ends += [
            (index * audio.shape[1] + s.end) / config.sample_rate
            for s in clip
            if s.kind == "keyword"
        ]
    write_audio(str(path), np.concatenate(list(audio)))
    return sorted(ends), audio.size / config.sample_rate


def match_stream(
    detections: list[dict[str, Any]],
    ends: list[float],
    window_seconds: float,
    early_seconds: float = 0.0,
) -> list[str]:
    """One line per true keyword and per detection: hit, missed, or false accept.

    A detection hits a keyword when it lies in ``[end - early_seconds, end + window_seconds)``
    (the evaluation's label window and early tolerance).
    """
    used = set()
    lines = []
    for end in ends:
        found = [
            i
            for i, d in enumerate(detections)
            if i not in used and end - early_seconds <= d["time"] + 1e-9 < end + window_seconds
        ]
        if found:
            used.add(found[0])
            d = detections[found[0]]
            lines.append(
                f"  keyword ended {end:7.2f} s -> detected at {d['time']:7.2f} s (score {d['score']:.3f})"
            )
        else:
            lines.append(f"  keyword ended {end:7.2f} s -> MISSED")
    for i, d in enumerate(detections):
        if i not in used:
            lines.append(f"  false accept at {d['time']:7.2f} s (score {d['score']:.3f})")
    return lines


def run_demo_from_args(args: argparse.Namespace) -> int:
    from seqkeras.wakeword.export import EXPORT_FILE
    from seqkeras.wakeword.protocol import EvalSettings, evaluate_with_settings, summarize
    from seqkeras.wakeword.train import TrainConfig, train

    config = TrainConfig(
        keyword=args.keyword,
        train_clips=args.train_clips,
        epochs=args.epochs,
        voices_per_engine=args.voices_per_engine,
        negatives_per_voice=args.negatives_per_voice,
        kokoro_voices=args.kokoro_voices,
        kokoro_keyword_voices=args.kokoro_keyword_voices,
        real_speech_fraction=args.real_speech_fraction,
        background_probability=args.background_probability,
        val_clips=max(8, args.train_clips // 20),
    )
    out = Path(args.out) if args.out else default_demo_dir(config)
    if args.fresh and out.exists():
        shutil.rmtree(out)
    progress = not args.quiet
    started = time.time()
    _say(f"run directory {out}")
    _say(
        f"1-2/5 synthesizing {config.train_clips} clips and training the streaming model ({config.epochs} epochs)"
    )
    result = train(config, out, strategy=args.strategy, progress=progress)
    _say(f"trained in {result.seconds:.0f} s -> {result.model_path}")

    settings = EvalSettings(
        test_clips=args.test_clips,
        negative_hours=args.negative_hours,
        target_fa_per_hour=args.target_fa_per_hour,
        sentence_clips=min(DEMO_SENTENCE_CLIPS, args.test_clips),
    )
    _say(
        "3-4/5 exporting (int8 weights, int16 activations) and evaluating "
        "(Keras vs the export, runner decision logic)"
    )
    report = evaluate_with_settings(out, settings, progress=progress)
    print(summarize(report), flush=True)
    exported = out / EXPORT_FILE
    _say(f"device model: {exported} ({exported.stat().st_size} bytes)")

    _say(
        "5/5 seqkeras-wake on a freshly synthesized test stream (voices/engines not used in training)"
    )
    data_config = config.data_config()
    wav = out / "demo-stream.wav"
    ends, seconds = fresh_stream(data_config, args.stream_clips, DEMO_STREAM_SEED, wav)
    detections, summary = run_wake(exported, wav)
    window = data_config.labels.ones_steps * data_config.labels.step_seconds()
    _say(
        f"{wav}: {seconds:.0f} s, {len(ends)} keyword(s); detections vs truth (from "
        f"{settings.early_tolerance_seconds:.2f} s before to {window:.2f} s after each keyword's end):"
    )
    for line in match_stream(detections, ends, window, settings.early_tolerance_seconds):
        print(line)
    latency = summary.get("hop_latency_us", {})
    if latency:
        _say(
            f"runner per-hop latency (features + invoke): median {latency['p50']:.1f} us, p99 {latency['p99']:.1f} us"
        )
    _say(f"done in {time.time() - started:.0f} s; eval.json, det.png, {EXPORT_FILE} in {out}")
    print(real_speech_note(), flush=True)
    return 0


def real_speech_note(keyword: str = REAL_SPEECH_KEYWORD) -> str:
    """The real-speech result of the recipe's ``keyword`` model if one is cached (written by
    ``benchmarks/wakeword_real.py``), else the command that produces it."""
    from seqkeras.wakeword.benchmark import recipe_run_dir, summarize_benchmark

    run_dir = recipe_run_dir(keyword)
    report = run_dir / "benchmark-real.json"
    if report.is_file():
        return (
            f"[demo] real speech, {describe_run(run_dir)} (measured "
            f"{time.strftime('%Y-%m-%d', time.localtime(report.stat().st_mtime))}):\n"
            + summarize_benchmark(json.loads(report.read_text()))
        )
    return (
        f"[demo] the synthesized numbers above are not real-speech numbers; to measure the "
        f"recipe on real people saying {keyword!r} (train, export, benchmark; about 80 minutes "
        f"on 2 cores): .venv/bin/python benchmarks/wakeword_real.py --keyword {keyword}"
    )


def describe_run(run_dir: Path) -> str:
    """Which model a cached real-speech result belongs to: its folder and how it was trained
    (clips, epochs, averaged epochs from its ``train.json``), so an older run is not taken
    for the current recipe."""
    from seqkeras.wakeword.train import read_train_json

    try:
        trained = read_train_json(run_dir)
        config = trained["config"]
        what = f"{config['train_clips']} clips, {config['epochs']} epochs"
        if trained.get("averaged_epochs"):
            what += f", weights averaged over the last {trained['averaged_epochs']}"
    except (OSError, ValueError, KeyError, TypeError):
        what = "training settings unknown: no readable train.json"
    return f"the model in {run_dir} ({what})"
