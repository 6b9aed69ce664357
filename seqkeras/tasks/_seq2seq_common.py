"""Pieces the sequence-to-sequence recipes share (dates, translate, caption).

Imported lazily by the task modules; registers no command itself.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from typing import Any

from seqkeras.atomic import save_figure_atomic, save_model_atomic

MODEL_FILE = "model.keras"
RUN_FILE = "run.json"
METRICS_FILE = "metrics.json"
CHECKPOINT_DIR = "checkpoint"


def add_decoding_arguments(parser: argparse.ArgumentParser, default: str = "beam") -> None:
    """``--method``, ``--beam-width``, ``--alpha``.

    The method is checked against the ``seqkeras.decoding`` registry when the command
    runs (importing it here would load Keras for ``seqkeras --help``).
    """
    parser.add_argument(
        "--method",
        default=default,
        help=f"search from the seqkeras.decoding registry: greedy, beam, sample (default {default})",
    )
    parser.add_argument("--beam-width", type=int, default=3, help="beam width B (default 3)")
    parser.add_argument(
        "--alpha",
        type=float,
        default=0.7,
        help="length normalization exponent α (default 0.7; 0 = none)",
    )


def decoding_options(args: argparse.Namespace) -> dict[str, Any]:
    """Search options for ``args.method``; raises ``ValueError`` for an unknown method."""
    from seqkeras.decoding import get_decoder

    get_decoder(args.method)  # ValueError naming the registered decoders
    if args.method == "beam":
        if args.beam_width < 1:
            raise ValueError(f"--beam-width must be >= 1, got {args.beam_width}")
        if args.alpha < 0:
            raise ValueError(f"--alpha must be >= 0, got {args.alpha}")
        return {"beam_width": args.beam_width, "alpha": args.alpha}
    if args.method == "sample":
        return {"seed": 0}
    return {}


def load_run(run_dir: str) -> tuple[Any, dict[str, Any]]:
    """The trained model and the run description of ``run_dir``."""
    import keras

    import seqkeras.models  # noqa: F401  (registers the model classes with Keras)

    model_path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.exists(model_path):
        raise FileNotFoundError(
            f"{model_path} does not exist; train first (the train command writes it)"
        )
    with open(os.path.join(run_dir, RUN_FILE), encoding="utf-8") as f:
        run = json.load(f)
    return keras.saving.load_model(model_path), run


def train_seq2seq(
    model_factory: Any,
    x: Any,
    y: Any,
    validation: tuple[Any, Any] | None,
    args: argparse.Namespace,
    run_config: dict[str, Any],
) -> tuple[Any, dict[str, list[Any]]]:
    """Builds and compiles under ``--strategy``, then trains resumably.

    A rerun with the same arguments resumes from ``<run_dir>/checkpoint``.
    """
    import keras

    from seqkeras.training import get_strategy, make_optimizer, train, write_json_atomic

    strategy = getattr(args, "strategy_object", None) or get_strategy(args.strategy)
    with strategy.scope():
        model = model_factory()
        model.build()
        model.compile(
            optimizer=make_optimizer("adam", learning_rate=args.learning_rate, clipnorm=1.0),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0),
            # weighted by the padding mask: accuracy over real target tokens only
            weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="token_accuracy")],
        )
    write_json_atomic(os.path.join(args.run_dir, RUN_FILE), run_config)
    if validation is not None:
        validation = (validation[0], validation[1], _token_weights(validation[1]))
    history = train(
        model,
        (x, y, _token_weights(y)),
        batch_size=args.batch_size,
        validation_data=validation,
        epochs=args.epochs,
        strategy=strategy,
        run_dir=os.path.join(args.run_dir, CHECKPOINT_DIR),
        config=run_config,
        seed=args.seed,
        verbose=2 if args.quiet else "auto",
    )
    save_model_atomic(model, os.path.join(args.run_dir, MODEL_FILE))
    return model, history


def start_strategy(args: argparse.Namespace) -> Any:
    """Creates the ``--strategy`` before any TensorFlow op runs (multi-worker collectives
    must be configured at program start) and keeps it on ``args``."""
    from seqkeras.training import get_strategy

    args.strategy_object = get_strategy(args.strategy)
    return args.strategy_object


def _token_weights(y: Any) -> Any:
    """1.0 on real target tokens, 0.0 on padding (id 0)."""
    import numpy as np

    return (np.asarray(y) != 0).astype("float32")


def add_training_arguments(
    parser: argparse.ArgumentParser, epochs: int, batch_size: int, learning_rate: float
) -> None:
    from seqkeras.training import add_strategy_argument

    parser.add_argument("--epochs", type=int, default=epochs, help=f"(default {epochs})")
    parser.add_argument(
        "--batch-size", type=int, default=batch_size, help=f"(default {batch_size})"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=learning_rate,
        help=f"constant Adam learning rate (default {learning_rate})",
    )
    parser.add_argument("--seed", type=int, default=0, help="data and weight seed (default 0)")
    parser.add_argument("--quiet", action="store_true", help="one line per epoch")
    add_strategy_argument(parser)


def check_positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")


def exact_match(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    if len(hypotheses) != len(references) or not references:
        raise ValueError("exact_match needs two equally long, non-empty lists")
    return sum(h == r for h, r in zip(hypotheses, references, strict=False)) / len(references)


def translate_in_batches(
    model: Any, texts: Sequence[str], batch_size: int, method: str, **options: Any
) -> list[str]:
    """``model.translate`` over ``texts`` in chunks (with a progress bar)."""
    from tqdm import tqdm

    out: list[str] = []
    for start in tqdm(range(0, len(texts), batch_size), desc=f"decoding ({method})", unit="batch"):
        out.extend(
            model.translate(
                list(texts[start : start + batch_size]),
                method=method,
                on_unknown="unk",
                on_too_long="truncate",
                **options,
            )
        )
    return out


def plot_attention(
    weights: Any,
    source_tokens: Sequence[str],
    output_tokens: Sequence[str],
    path: str,
    title: str = "",
) -> str:
    """Heat map of attention weights (rows: output tokens, columns: source tokens)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    weights = np.asarray(weights)
    # one row per generated step; label steps the text does not show (e.g. a start token)
    output_tokens = list(output_tokens)[: weights.shape[0]]
    output_tokens += ["?"] * (weights.shape[0] - len(output_tokens))
    source_tokens = list(source_tokens)[: weights.shape[1]]
    fig, ax = plt.subplots(
        figsize=(
            max(4.0, 0.35 * len(source_tokens) + 1.5),
            max(3.0, 0.35 * len(output_tokens) + 1.2),
        )
    )
    image = ax.imshow(weights, cmap="viridis", aspect="auto", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(source_tokens)))
    ax.set_xticklabels([t if t.strip() else "␣" for t in source_tokens], rotation=90)
    ax.set_yticks(range(len(output_tokens)))
    ax.set_yticklabels(output_tokens)
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    if title:
        ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046)
    fig.tight_layout()
    save_figure_atomic(fig, path, format="png", dpi=120)
    plt.close(fig)
    return path
