"""``seqkeras longrange``: long-range dependencies and vanishing gradients (course 1.8).

"The cat, which already ate ..., was full" / "The cats, which already ate ..., were full":
to choose *was* or *were* the network must carry the subject's number across every
word in between. This recipe synthesizes such sentences with a gap of ``g`` filler words
between the subject and the verb, trains a basic RNN, a GRU and an LSTM
(``seqkeras.layers.Recurrent``) side by side for several gaps, and reports held-out
accuracy per kind and gap: a table on stdout, ``metrics.json`` and ``accuracy_vs_gap.png``
in ``--out``. Training sentences have gaps of 1..g words (as real text does; the short
ones let a network discover what it must keep), held-out sentences a gap of exactly g.

The word vectors start at unit scale (``std 1``, like pretrained vectors) so that every
filler word really moves the hidden state: a basic RNN's memory of the subject is then
overwritten step after step and the gradient that would teach it to keep it vanishes
over long gaps, while the gates of the GRU (Γu) and LSTM (Γf, Γu) learn to hold it.
(With tiny initial vectors a basic RNN can learn to make the fillers invisible — a
shortcut real text does not offer, since the words in between carry meaning too.)

Every model trains with clipped gradients, stops on NaN with a clear message, and
checkpoints itself: a killed run started again with the same flags resumes (finished
cells are read back from ``metrics.json``, an unfinished one from its checkpoint).
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import asdict, dataclass
from typing import Any

from seqkeras.atomic import save_figure_atomic
from seqkeras.cli import register_command
from seqkeras.training import add_strategy_argument

KINDS = ("rnn", "gru", "lstm")
DEFAULT_GAPS = (5, 20, 50, 100)
CHANCE = 0.5
EMBEDDING_STDDEV = 1.0  # unit-scale word vectors: fillers perturb the state (module doc)
TEST_SAMPLES = 1000
METRICS_FILE = "metrics.json"
PLOT_FILE = "accuracy_vs_gap.png"

# Vocabulary. The subject is (noun, number); the verb is "was" (0) or "were" (1).
PAD, START = "<pad>", "the"
NOUNS = (("cat", "cats"), ("dog", "dogs"), ("child", "children"), ("mouse", "mice"))
FILLERS = (
    "which already ate the fish and after that slept on a warm mat in garden near "
    "old house while it rained all day long so quietly then very much big red small "
    "happy tired"
).split()
VERBS = ("was", "were")
VOCABULARY = (PAD, START, *[w for pair in NOUNS for w in pair], *dict.fromkeys(FILLERS))


@dataclass(frozen=True)
class LongRangeConfig:
    """Everything that decides a result (stored in ``metrics.json``, checked on resume)."""

    units: int = 32
    embedding_dim: int = 16
    epochs: int = 15
    samples: int = 2000
    batch_size: int = 32
    learning_rate: float = 3e-3
    clipnorm: float = 5.0
    attractors: float = 0.0
    target_accuracy: float = 0.99
    fixed_gaps: bool = False
    seed: int = 0


def make_agreement_data(
    n: int, gap: int, seed: int, attractors: float = 0.0, min_gap: int | None = None
) -> tuple[Any, Any]:
    """Sentences "the SUBJECT w1 ... w_gap" and the verb number that must follow.

    Args:
        n: number of sentences.
        gap: number of filler words between the subject and the (missing) verb.
        seed: random seed.
        attractors: probability that a filler position holds another noun (an
            "attractor" of either number, as in "the cat that chased the dogs ... was")
            instead of a filler word.
        min_gap: if given, each sentence's gap is drawn uniformly from
            ``min_gap..gap`` and shorter sentences are left-padded with ``<pad>`` (id 0).

    Returns:
        ``x`` int32 ``(n, gap + 2)`` token ids into :data:`VOCABULARY`, and ``y`` int32
        ``(n,)``: 0 if the verb is "was" (singular subject), 1 if "were".
    """
    import numpy as np

    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if gap < 1:
        raise ValueError(f"gap must be >= 1, got {gap}")
    if min_gap is not None and not 1 <= min_gap <= gap:
        raise ValueError(f"min_gap must be in 1..gap={gap}, got {min_gap}")
    if not 0.0 <= attractors < 1.0:
        raise ValueError(f"attractors must be in [0, 1), got {attractors}")
    rng = np.random.default_rng(seed)
    index = {word: i for i, word in enumerate(VOCABULARY)}
    noun_ids = np.array([[index[s], index[p]] for s, p in NOUNS])
    filler_ids = np.array([index[w] for w in dict.fromkeys(FILLERS)])
    y = rng.integers(0, 2, n)
    x = np.empty((n, gap + 2), np.int32)
    x[:, 0] = index[START]
    x[:, 1] = noun_ids[rng.integers(0, len(NOUNS), n), y]
    x[:, 2:] = filler_ids[rng.integers(0, len(filler_ids), (n, gap))]
    if attractors > 0:
        is_noun = rng.random((n, gap)) < attractors
        other = noun_ids[rng.integers(0, len(NOUNS), (n, gap)), rng.integers(0, 2, (n, gap))]
        x[:, 2:] = np.where(is_noun, other, x[:, 2:])
    if min_gap is not None:
        # keep "the SUBJECT" and the first gap_i words, moved to the end of the row
        lengths = 2 + rng.integers(min_gap, gap + 1, n)
        for row, length in enumerate(lengths):
            x[row, -length:] = x[row, : int(length)].copy()
            x[row, : x.shape[1] - length] = index[PAD]
    return x, y.astype(np.int32)


def decode(tokens: Any, label: int | None = None) -> str:
    """A sentence as text (with the verb when ``label`` is given)."""
    words = [VOCABULARY[int(t)] for t in tokens if int(t)]
    if label is not None:
        words.append(VERBS[int(label)] + " full")
    return " ".join(words)


def build_model(kind: str, config: LongRangeConfig, timesteps: int) -> Any:
    """Embedding -> ``Recurrent(kind)`` -> 2-way logits (was / were)."""
    import keras

    from seqkeras.layers import Recurrent

    return keras.Sequential(
        [
            keras.Input((timesteps,), dtype="int32"),
            keras.layers.Embedding(
                len(VOCABULARY),
                config.embedding_dim,
                mask_zero=True,  # left padding of shorter training sentences
                embeddings_initializer=keras.initializers.RandomNormal(stddev=EMBEDDING_STDDEV),
            ),
            Recurrent(kind=kind, units=config.units),
            keras.layers.Dense(len(VERBS)),
        ],
        name=f"longrange_{kind}",
    )


def _stop_at_accuracy(target: float) -> Any:
    import keras

    class StopAtAccuracy(keras.callbacks.Callback):
        """Ends a model's training once its training accuracy reaches ``target``."""

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if (logs or {}).get("accuracy", 0.0) >= target:
                self.model.stop_training = True

    return StopAtAccuracy()


def _accuracy(model: Any, x: Any, y: Any, batch: int = 250) -> float:
    import numpy as np

    # Plain calls (not predict): they work under every strategy, multi-worker included.
    predictions = [
        np.argmax(np.asarray(model(x[i : i + batch], training=False)), axis=-1)
        for i in range(0, len(x), batch)
    ]
    return float(np.mean(np.concatenate(predictions) == y))


def train_one(
    kind: str, gap: int, config: LongRangeConfig, strategy: Any, run_dir: str
) -> dict[str, Any]:
    """Trains one model for one gap; returns its held-out accuracy and training record.

    ``strategy`` is the ``--strategy`` (``get_strategy`` creates it once per process:
    a multi-worker strategy cannot be created twice).
    """
    import keras

    from seqkeras.training import make_optimizer, train

    data_seed = config.seed * 1000 + gap
    # Training sentences have gaps of 1..gap words (text has all sorts; the short ones
    # let a gated network discover what to keep); held-out ones exactly ``gap``.
    min_gap = None if config.fixed_gaps else 1
    x, y = make_agreement_data(config.samples, gap, data_seed, config.attractors, min_gap)
    x_test, y_test = make_agreement_data(TEST_SAMPLES, gap, data_seed + 1, config.attractors)
    with strategy.scope():
        keras.utils.set_random_seed(config.seed)
        model = build_model(kind, config, gap + 2)
        model.compile(
            make_optimizer("adam", learning_rate=config.learning_rate, clipnorm=config.clipnorm),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
    run_config = {**asdict(config), "kind": kind, "gap": gap}
    started = time.time()
    history = train(
        model, (x, y), batch_size=config.batch_size, epochs=config.epochs, strategy=strategy,
        run_dir=run_dir, config=run_config, seed=config.seed, delete_when_done=True, verbose=0,
        callbacks=[_stop_at_accuracy(config.target_accuracy)],
    )  # fmt: skip
    return {
        "kind": kind,
        "gap": gap,
        "test_accuracy": _accuracy(model, x_test, y_test),
        "train_loss": history.get("loss", []),
        "train_accuracy": history.get("accuracy", []),
        "epochs_run": len(history.get("loss", [])),
        "seconds": round(time.time() - started, 2),
    }


def format_table(results: list[dict[str, Any]], kinds: list[str], gaps: list[int]) -> str:
    """Held-out accuracy per gap (rows) and kind (columns), with the epochs each model
    trained in brackets (fewer than ``--epochs``: it reached ``--target-accuracy``)."""
    cell = {(r["kind"], r["gap"]): r for r in results}
    width = 15
    lines = [
        f"held-out accuracy choosing was/were (chance = {CHANCE:.2f}; [epochs trained])",
        "gap".rjust(5) + "".join(k.rjust(width) for k in kinds),
    ]
    for gap in gaps:
        row = ""
        for kind in kinds:
            if (kind, gap) in cell:
                r = cell[(kind, gap)]
                row += f"{r['test_accuracy']:.3f} [{r['epochs_run']:2d}]".rjust(width)
            else:
                row += "-".rjust(width)
        lines.append(f"{gap:5d}{row}")
    return "\n".join(lines)


def plot(results: list[dict[str, Any]], kinds: list[str], gaps: list[int], path: str) -> str:
    """Accuracy vs gap, one line per kind, written atomically as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cell = {(r["kind"], r["gap"]): r["test_accuracy"] for r in results}
    figure, axes = plt.subplots(figsize=(6, 4))
    styles = {"rnn": ("o", "-"), "gru": ("s", "--"), "lstm": ("^", ":")}  # overlaps stay visible
    for kind in kinds:
        points = [(g, cell[(kind, g)]) for g in gaps if (kind, g) in cell]
        marker, line = styles.get(kind, ("o", "-"))
        axes.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker=marker,
            linestyle=line,
            markersize=8,
            label=kind.upper(),
        )
    axes.axhline(CHANCE, color="grey", linestyle="--", linewidth=1, label="chance")
    axes.set_xlabel("words between subject and verb (gap)")
    axes.set_ylabel("held-out accuracy (was / were)")
    axes.set_ylim(0.4, 1.02)
    axes.set_title("Long-range dependency: basic RNN vs GRU vs LSTM")
    axes.legend()
    figure.tight_layout()
    save_figure_atomic(figure, path, dpi=120)
    plt.close(figure)
    return path


def _positive_ints(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _kinds(text: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in values if v not in KINDS]
    if not values or bad:
        raise argparse.ArgumentTypeError(
            f"unknown kind(s) {', '.join(bad) or repr(text)}; expected a comma-separated subset of {', '.join(KINDS)}"
        )
    return values


@register_command("longrange", help="Long-range dependency demo (course 1.8): RNN vs GRU vs LSTM")
def configure(parser: argparse.ArgumentParser) -> None:
    defaults = LongRangeConfig()
    parser.add_argument(
        "--gaps",
        type=_positive_ints,
        default=list(DEFAULT_GAPS),
        help="comma-separated gaps (words between subject and verb); default 5,20,50,100",
    )
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=list(KINDS),
        help="comma-separated recurrent kinds; default rnn,gru,lstm",
    )
    parser.add_argument("--units", type=int, default=defaults.units, help="hidden units")
    parser.add_argument(
        "--epochs",
        type=int,
        default=defaults.epochs,
        help="most epochs per model (a model stops early once it reaches "
        "--target-accuracy on its training data)",
    )
    parser.add_argument(
        "--samples", type=int, default=defaults.samples, help="training sentences per gap"
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument(
        "--clipnorm",
        type=float,
        default=defaults.clipnorm,
        help="gradient clipping norm (0 turns clipping off)",
    )
    parser.add_argument(
        "--attractors",
        type=float,
        default=defaults.attractors,
        help="probability that a word in the gap is another noun ('the cat that chased the dogs ... was')",
    )
    parser.add_argument(
        "--fixed-gaps",
        action="store_true",
        help="train on sentences with exactly the tested gap (default: gaps 1..gap)",
    )
    parser.add_argument("--target-accuracy", type=float, default=defaults.target_accuracy)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", default=os.path.join("runs", "longrange"), help="output directory")
    add_strategy_argument(parser)
    parser.set_defaults(func=run)


def _config_from(args: argparse.Namespace) -> LongRangeConfig:
    checks = {
        "--units": args.units >= 1,
        "--epochs": args.epochs >= 1,
        "--samples": args.samples >= 2,
        "--batch-size": args.batch_size >= 1,
        "--learning-rate": args.learning_rate > 0,
        "--clipnorm": args.clipnorm >= 0,
        "--attractors": 0.0 <= args.attractors < 1.0,
        "--target-accuracy": 0.0 < args.target_accuracy <= 1.0,
    }
    for flag, ok in checks.items():
        if not ok:
            value = getattr(args, flag[2:].replace("-", "_"))
            raise ValueError(f"{flag} {value} is out of range")
    return LongRangeConfig(
        units=args.units,
        epochs=args.epochs,
        samples=args.samples,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        clipnorm=args.clipnorm,
        attractors=args.attractors,
        target_accuracy=args.target_accuracy,
        fixed_gaps=args.fixed_gaps,
        seed=args.seed,
    )


def run(args: argparse.Namespace) -> int:
    """Trains every kind for every gap, prints the table, writes metrics and the plot."""
    import json

    from seqkeras.training import get_strategy, is_chief, write_json_atomic

    config = _config_from(args)
    os.makedirs(args.out, exist_ok=True)
    metrics_path = os.path.join(args.out, METRICS_FILE)
    saved = asdict(config)
    done: dict[tuple[str, int], dict[str, Any]] = {}
    if os.path.exists(metrics_path):
        with open(metrics_path, encoding="utf-8") as f:
            previous = json.load(f)
        if previous.get("config") == saved and previous.get("strategy") == args.strategy:
            done = {(r["kind"], r["gap"]): r for r in previous.get("results", [])}
    strategy = get_strategy(args.strategy)
    chief = is_chief(strategy)

    x_example, y_example = make_agreement_data(1, min(args.gaps), config.seed, config.attractors)
    print(f"Task: {decode(x_example[0], y_example[0])!r} (gap = words between subject and verb)")
    results = []
    for gap in args.gaps:
        for kind in args.kinds:
            if (kind, gap) in done:
                results.append(done[(kind, gap)])
                print(
                    f"{kind:>4} gap {gap:3d}: {done[(kind, gap)]['test_accuracy']:.3f} (from {metrics_path})"
                )
                continue
            run_dir = os.path.join(args.out, "checkpoints", f"{kind}-gap{gap}")
            result = train_one(kind, gap, config, strategy, run_dir)
            results.append(result)
            print(
                f"{kind:>4} gap {gap:3d}: held-out accuracy {result['test_accuracy']:.3f} "
                f"({result['epochs_run']} epochs, {result['seconds']:.0f} s)",
                flush=True,
            )
            if chief:
                write_json_atomic(
                    metrics_path,
                    {"config": saved, "strategy": args.strategy, "kinds": args.kinds,
                     "gaps": args.gaps, "results": results},
                )  # fmt: skip
    print()
    print(format_table(results, args.kinds, args.gaps))
    if chief:
        picture = plot(results, args.kinds, args.gaps, os.path.join(args.out, PLOT_FILE))
        print(f"\nwrote {metrics_path} and {picture}")
    return 0
