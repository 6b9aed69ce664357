"""``seqkeras wakeword train|export|eval|demo``: the trigger-word recipe (course 3.10).

- ``train``: synthesize clips, train the streaming (or the course's) model, resumable.
- ``export``: ``model.keras`` → ``model.int16x8-per-tensor.tflite`` (streaming step graph,
  int8 weights and int16 activations,
  feature and decision configuration in the metadata) via ``seqkeras_export``.
- ``eval``: FRR / FA per hour / DET curve for the Keras model and the exported model
  side by side (the runner's decision logic); writes the chosen threshold into the
  exported model's metadata.
- ``demo``: everything above on a small budget, then ``seqkeras-wake`` on a fresh stream.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from seqkeras.cli import register_command
from seqkeras.training import LR_SCHEDULES, add_strategy_argument

# Defaults of ``seqkeras.wakeword.export`` (repeated here so that building the parser
# imports no TensorFlow; a test checks they agree).
EXPORT_QUANTIZE = "int16x8"
EXPORT_WEIGHTS = "per-tensor"
EMBEDDING_EXPORT_QUANTIZE = "dynamic"
EMBEDDING_EXPORT_WEIGHTS = "per-channel"
DEFAULT_SMOOTHING_STEPS = 5
DEFAULT_REFRACTORY_SECONDS = 1.0


TRAIN_OPTIONS: list[tuple[str, type, str]] = [
    ("--keyword", str, "the wake word (default: activate)"),
    ("--units", int, "recurrent units"),
    ("--filters", int, "convolution channels (streaming model)"),
    ("--kernel-size", int, "causal convolution width in frames (streaming model)"),
    ("--conv-layers", int, "causal convolutions, layer i dilated 2**i (streaming model)"),
    ("--dropout", float, "drop rate"),
    ("--train-clips", int, "synthesized training clips"),
    ("--val-clips", int, "validation clips (held-out voices of the training engines)"),
    ("--clip-seconds", float, "clip length"),
    ("--voices-per-engine", int, "sampled TTS voices per engine"),
    ("--negatives-per-voice", int, "negative utterances per voice"),
    ("--epochs", int, "training epochs"),
    (
        "--average-from-epoch",
        int,
        "save the mean of the weights at the ends of epochs N..epochs (weight averaging; "
        "default 0 = the last weights)",
    ),
    ("--batch-size", int, "batch size"),
    ("--learning-rate", float, "Adam learning rate (the cosine schedule's first step size)"),
    ("--positive-weight", float, "weight of positive frames (--loss weighted)"),
    ("--focal-gamma", float, "focusing parameter (--loss focal)"),
    ("--time-masks", int, "SpecAugment time masks per clip"),
    ("--freq-masks", int, "SpecAugment frequency masks per clip"),
    (
        "--frequency-warp",
        float,
        "vocal tract length perturbation: features warped by 1 +- this (default 0 = off)",
    ),
    (
        "--hard-negative-fraction",
        float,
        "share of training negatives that are near misses (default 0.7; the test keeps 0.5)",
    ),
    ("--max-negatives", int, "negative words/phrases per training clip: 0..N (default 6)"),
    (
        "--sentences-per-voice",
        int,
        "carrier sentences with the keyword inside per keyword voice of the engines that "
        "report word timings (festival, festival-l2, kokoro; default 1; 0 = isolated keywords only)",
    ),
    (
        "--sentence-fraction",
        float,
        "share of training keywords spoken inside a sentence (default 0.3; 0 = none)",
    ),
    ("--kokoro-voices", int, "Kokoro speakers saying negatives (default 60)"),
    ("--kokoro-keyword-voices", int, "Kokoro speakers saying the keyword (default 200)"),
    ("--blend-fraction", float, "share of Kokoro speakers that are blends of 2-3 voices (default 0.6)"),
    (
        "--real-speech-fraction",
        float,
        "share of training negatives from real recordings the benchmark never uses (default 0.3)",
    ),
    ("--reverb-probability", float, "chance a training utterance is heard in a room (default 0.3)"),
    (
        "--lowpass-probability",
        float,
        "chance a training utterance is band-limited at 3-5.5 kHz (default 0.25)",
    ),
    ("--background-probability", float, "share of clips over real background audio (rest: noise)"),
    ("--seed", int, "data and initialization seed"),
]


def _engine_list(value: str) -> tuple[str, ...]:
    engines = tuple(part.strip() for part in value.split(",") if part.strip())
    if not engines:
        raise argparse.ArgumentTypeError("expected engine names separated by commas")
    return engines



def _train_config_arguments(parser: argparse.ArgumentParser) -> None:
    # Defaults live in TrainConfig (None = use it): building the parser imports no Keras.
    for flag, kind, help_text in TRAIN_OPTIONS:
        parser.add_argument(flag, type=kind, default=None, help=help_text)
    parser.add_argument(
        "--model",
        choices=["streaming", "course", "embedding"],
        default=None,
        help="streaming (edge, exportable; default), course (reference) or embedding (a "
        "head over Google's speech embedding, exportable; its own defaults: --units 128 "
        "--dropout 0 --learning-rate 0.001 --lr-schedule cosine --batch-size 64)",
    )
    parser.add_argument(
        "--cell", choices=["gru", "lstm"], default=None, help="recurrent cell (default gru)"
    )
    parser.add_argument(
        "--train-engines",
        type=_engine_list,
        default=None,
        help="TTS engines of the training clips, comma-separated "
        "(default: espeak,festival,festival-l2,kokoro; the test data stays the protocol's)",
    )
    parser.add_argument(
        "--negative-dataset",
        dest="negative_datasets",
        action="append",
        default=None,
        metavar="DIR",
        help="a dataset folder built for another keyword whose clips train as negatives "
        "(clips mentioning this keyword dropped); repeatable",
    )
    parser.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default=None,
        help="constant learning rate (default; --model embedding: cosine) or a cosine "
        "decay over the run",
    )
    parser.add_argument(
        "--loss",
        choices=["weighted", "focal", "bce"],
        default=None,
        help="imbalance handling: class-weighted BCE (default), focal loss, plain BCE",
    )


def train_config_from_args(args: argparse.Namespace, **overrides: Any) -> Any:
    """A ``TrainConfig`` from the given flags (unset flags keep the config's defaults)."""
    from seqkeras.wakeword.train import TrainConfig

    names = [flag[2:].replace("-", "_") for flag, _, _ in TRAIN_OPTIONS] + ["model", "cell", "loss", "lr_schedule", "train_engines", "negative_datasets"]
    values = dict(overrides)
    values.update({n: getattr(args, n) for n in names if getattr(args, n, None) is not None})
    return TrainConfig.for_model(**values)


def _eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--test-clips",
        type=int,
        default=200,
        help="held-out clips (TTS engines not used in training) for the FRR",
    )
    parser.add_argument(
        "--negative-hours",
        type=float,
        default=1.0,
        help="hours of keyword-free stream for false accepts per hour",
    )
    parser.add_argument("--target-fa-per-hour", type=float, default=0.5)
    parser.add_argument(
        "--early-tolerance-seconds",
        type=float,
        default=0.2,
        help="a detection this long before a keyword's labelled window (its last syllable) "
        "still counts as a hit (0 = strict labelled windows)",
    )
    parser.add_argument(
        "--sentence-clips",
        type=int,
        default=100,
        help="clips with the keyword inside carrier sentences (flite test voices) for the "
        "FRR in running speech (0 = skip)",
    )
    parser.add_argument(
        "--keras-only", action="store_true", help="evaluate only the Keras model (no export)"
    )
    parser.add_argument(
        "--near-miss-recordings",
        nargs="*",
        default=None,
        metavar="FILE",
        help="real recordings of near misses that must not fire (default: the keyword's own, "
        "Asterisk prompts saying one of its near misses; none given = none)",
    )


def _decision_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--smoothing-steps",
        type=int,
        default=DEFAULT_SMOOTHING_STEPS,
        help="moving-average window of the decision (output steps)",
    )
    parser.add_argument(
        "--refractory-seconds",
        type=float,
        default=DEFAULT_REFRACTORY_SECONDS,
        help="minimum time between two detections",
    )


def _existing_files(paths: list[str] | None) -> tuple[str, ...] | None:
    if paths is None:
        return None
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"--near-miss-recordings: {path} does not exist")
    return tuple(paths)


def _run_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "dir", None) or getattr(args, "out", None)
    if not chosen:
        raise ValueError("give the run directory: seqkeras wakeword ACTION DIR (or --out DIR)")
    return Path(chosen)


@register_command(
    "wakeword", help="Trigger-word detection: train, export, eval, benchmark (real speech), demo"
)
def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("train", help="synthesize clips and train a trigger-word model (resumable)")
    p.add_argument("--out", required=True, help="run directory (model.keras, train.json)")
    _train_config_arguments(p)
    add_strategy_argument(p)
    p.add_argument(
        "--data-only",
        action="store_true",
        help="synthesize, mix and featurize the training data (cached), do not train",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_train)

    p = sub.add_parser("export", help="export model.keras to a streaming .tflite with metadata")
    p.add_argument("dir", nargs="?", help="run directory")
    p.add_argument("--out", help="run directory (alternative to DIR)")
    from seqkeras_export.quantization import list_modes

    p.add_argument(
        "--quantize",
        choices=list_modes(),
        default=None,
        help=f"quantization mode of seqkeras-export (default {EXPORT_QUANTIZE} for a log-mel "
        f"run, {EMBEDDING_EXPORT_QUANTIZE} for a speech-embedding run)",
    )
    p.add_argument(
        "--threshold", type=float, default=0.5, help="decision threshold stored in the model"
    )
    from seqkeras_export.convert import WEIGHT_GRANULARITIES

    p.add_argument(
        "--weights",
        choices=list(WEIGHT_GRANULARITIES),
        default=None,
        help=f"int8 weight scales (seqkeras-export --weights; default {EXPORT_WEIGHTS} for a "
        f"log-mel run, {EMBEDDING_EXPORT_WEIGHTS} for a speech-embedding run)",
    )
    p.add_argument("--output", help="output .tflite (default: in the run directory)")
    _decision_arguments(p)
    p.set_defaults(func=_export)

    p = sub.add_parser("eval", help="FRR, false accepts per hour and DET curve (Keras and the exported model)")
    p.add_argument("dir", nargs="?", help="run directory")
    p.add_argument("--out", help="run directory (alternative to DIR)")
    _eval_arguments(p)
    _decision_arguments(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=_eval)

    p = sub.add_parser(
        "benchmark",
        help="real-speech benchmark: real keyword recordings and real negative speech at "
        "10 dB SNR, the exported model beside PocketSphinx",
    )
    p.add_argument(
        "dir",
        nargs="?",
        help="run directory: a wake-word run (with its exported model), or a speech "
        "recognizer run of `seqkeras asr train` (a CTC keyword spotter: give --keyword)",
    )
    p.add_argument("--out", help="run directory (alternative to DIR)")
    p.add_argument(
        "--keyword",
        help="the keyword to spot with a recognizer run (one or more words; a wake-word "
        "run's own keyword otherwise)",
    )
    p.add_argument("--window-seconds", type=float, default=2.0,
                   help="recognizer runs: audio read at each decision (default 2.0)")  # fmt: skip
    p.add_argument("--hop-seconds", type=float, default=0.25,
                   help="recognizer runs: time between decisions (default 0.25)")  # fmt: skip
    p.add_argument("--no-boundary", action="store_true",
                   help="recognizer runs: also spot the keyword inside longer words")  # fmt: skip
    p.add_argument(
        "--keyword-dir",
        help="folder of real recordings of the keyword (default: its wake-word-benchmark "
        "folder under the real-speech root)",
    )
    p.add_argument(
        "--wuw-utterances",
        type=_utterance_list,
        help="instead: WUW-II utterance numbers of held-out speakers that say the keyword, "
        "e.g. 001,006 (alone, inside a sentence), scored at the keyword's time stamps",
    )
    p.add_argument(
        "--negatives",
        nargs="+",
        metavar="DIR",
        help="folders of real speech without the keyword (default: WUW-II and Asterisk "
        "speech training never hears, the other keyword folders)",
    )
    p.add_argument("--snr-db", type=float, default=10.0, help="speech over noise, dB (Picovoice's loudest-frame definition)")
    p.add_argument("--model", help="the .tflite to run (default: the run's export)")
    p.add_argument("--no-pocketsphinx", action="store_true", help="skip the PocketSphinx peer")
    p.add_argument("--no-keras", action="store_true", help="skip the Keras model")
    _decision_arguments(p)
    p.add_argument("--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=_benchmark)

    p = sub.add_parser("demo", help="the end-to-end flagship run (same as `seqkeras demo`)")
    from seqkeras.tasks.demo import add_demo_arguments

    add_demo_arguments(p)
    p.set_defaults(func=_demo)


def _train(args: argparse.Namespace) -> int:
    from seqkeras.wakeword.train import load_training_data, train

    config = train_config_from_args(args)
    if args.data_only:
        *_, info = load_training_data(config, progress=not args.quiet)
        print(json.dumps({"data": info}))
        return 0
    result = train(config, args.out, strategy=args.strategy, progress=not args.quiet)
    last = {k: v[-1] for k, v in result.history.items() if v and k != "epoch"}
    print(
        json.dumps(
            {"model": str(result.model_path), "seconds": round(result.seconds, 1), "final": last}
        )
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from seqkeras.wakeword.export import export_run

    report = export_run(
        _run_dir(args),
        args.quantize,
        args.threshold,
        args.smoothing_steps,
        args.refractory_seconds,
        output=args.output,
        weights=args.weights,
    )
    parity = report.get("parity") or {}
    print(
        json.dumps(
            {
                "output": report["output"],
                "bytes": report["bytes"],
                "quantize": report["quantize"],
                "max_abs_error": parity.get("max_abs_error"),
                "decision_agreement": parity.get("decision_agreement"),
            }
        )
    )
    return 0


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.wakeword.protocol import EvalSettings, evaluate_with_settings, summarize

    settings = EvalSettings(
        test_clips=args.test_clips,
        negative_hours=args.negative_hours,
        target_fa_per_hour=args.target_fa_per_hour,
        smoothing_steps=args.smoothing_steps,
        refractory_seconds=args.refractory_seconds,
        early_tolerance_seconds=args.early_tolerance_seconds,
        sentence_clips=args.sentence_clips,
        near_miss_recordings=_existing_files(args.near_miss_recordings),
    )
    report = evaluate_with_settings(
        _run_dir(args), settings, use_export=not args.keras_only, progress=not args.quiet
    )
    print(summarize(report))
    return 0


def _utterance_list(value: str) -> tuple[str, ...]:
    numbers = tuple(part.strip().zfill(3) for part in value.split(",") if part.strip())
    if not numbers or not all(n.isdigit() and len(n) == 3 for n in numbers):
        raise argparse.ArgumentTypeError(f"expected utterance numbers like 001,006, got {value!r}")
    return numbers


def _benchmark(args: argparse.Namespace) -> int:
    from seqkeras.wakeword.benchmark import BenchmarkSettings, run_benchmark, summarize_benchmark

    settings = BenchmarkSettings(
        keyword_dir=args.keyword_dir,
        wuw_utterances=args.wuw_utterances,
        negative_dirs=tuple(args.negatives) if args.negatives else None,
        snr_db=args.snr_db,
        smoothing_steps=args.smoothing_steps,
        refractory_seconds=args.refractory_seconds,
        pocketsphinx=not args.no_pocketsphinx,
        keras=not args.no_keras,
    )
    from seqkeras.wakeword.ctc_spotter import SpotterConfig

    spotter = SpotterConfig(args.window_seconds, args.hop_seconds, not args.no_boundary)
    report = run_benchmark(_run_dir(args), settings, model_path=args.model, progress=not args.quiet,
                           keyword=args.keyword, spotter=spotter)  # fmt: skip
    print(summarize_benchmark(report))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from seqkeras.tasks.demo import run_demo_from_args

    return run_demo_from_args(args)
