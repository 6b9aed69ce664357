"""Pieces the ``sentiment`` and ``ner`` recipes share: embedding sources, the one
training call, run directories, plots.

Imported lazily by the task modules (it registers no command). Heavy imports stay
inside the functions.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

MODEL_FILE = "model.keras"
RUN_FILE = "run.json"
METRICS_FILE = "metrics.json"
EVAL_FILE = "eval.json"
CHECKPOINT_DIR = "checkpoint"
RANDOM_EMBEDDING_DIM = 50  # same size as GloVe 6B 50d, so the comparison is fair


# -- embedding sources (a registry: the CLI's --embeddings choices) ---------------------
def _glove_6b_50d() -> Any:
    from seqkeras.datasets import glove_6b_50d

    return glove_6b_50d()


EMBEDDING_SOURCES: dict[str, Callable[[], Any] | None] = {
    "glove-6b-50d": _glove_6b_50d,
    "random": None,  # trained from scratch (uniform initialisation)
}


def add_embedding_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--embeddings",
        choices=sorted(EMBEDDING_SOURCES),
        default=default,
        help=f"word vectors: pretrained GloVe 6B 50d or random (default {default})",
    )
    parser.add_argument(
        "--embeddings-file",
        metavar="GLOVE.txt",
        help="pretrained vectors from a GloVe/word2vec text file instead (overrides --embeddings)",
    )
    parser.add_argument(
        "--fine-tune",
        action="store_true",
        help="train the pretrained vectors too (default: frozen)",
    )
    parser.add_argument(
        "--pretrained-vocab",
        type=int,
        default=20000,
        help="also give the N most frequent pretrained words an id, so words never seen "
        "in training keep their vector (default 20000)",
    )


def embedding_source_name(args: argparse.Namespace) -> str:
    return f"file:{os.path.abspath(args.embeddings_file)}" if args.embeddings_file else args.embeddings


def load_vectors(args: argparse.Namespace) -> Any:
    """The pretrained ``KeyedVectors`` chosen on the command line, or ``None``."""
    if args.embeddings_file:
        from seqkeras.embeddings import load_glove

        if not os.path.isfile(args.embeddings_file):
            raise FileNotFoundError(f"--embeddings-file {args.embeddings_file!r} does not exist")
        return load_glove(args.embeddings_file)
    loader = EMBEDDING_SOURCES[args.embeddings]
    return None if loader is None else loader()


def pretrained_words(vectors: Any, count: int) -> list[str]:
    if vectors is None or count <= 0:
        return []
    return list(vectors.index_to_key[:count])


def make_embedding(vectors: Any, vocabulary: Sequence[str], fine_tune: bool, seed: int) -> Any:
    """An ``Embedding`` over ``vocabulary``: pretrained rows (frozen unless ``fine_tune``;
    unknown words get seeded random rows), or a trainable random one."""
    import keras

    if vectors is None:
        return keras.layers.Embedding(len(vocabulary), RANDOM_EMBEDDING_DIM, name="embedding")
    return vectors.as_embedding_layer(
        list(vocabulary), trainable=fine_tune, oov="random", seed=seed, name="embedding"
    )


def coverage(vectors: Any, tokens: Sequence[str]) -> float | None:
    """Fraction of running tokens that have a pretrained vector."""
    if vectors is None or not tokens:
        return None
    return sum(1 for t in tokens if t in vectors or t.lower() in vectors) / len(tokens)


# -- training ----------------------------------------------------------------------------
def start_strategy(args: argparse.Namespace) -> Any:
    """The ``--strategy``, created once per process and kept on ``args``."""
    from seqkeras.training import get_strategy

    if getattr(args, "strategy_object", None) is None:
        args.strategy_object = get_strategy(args.strategy)
    return args.strategy_object


def compile_model(model: Any, learning_rate: float, loss: Any) -> None:
    """Builds and compiles ``model`` (call inside ``strategy.scope()``)."""
    from seqkeras.training import make_optimizer

    model.build()
    model.compile(optimizer=make_optimizer("adam", learning_rate=learning_rate), loss=loss)


def train_model(
    model: Any,
    x: Any,
    y: Any,
    *,
    epochs: int,
    batch_size: int,
    seed: int,
    strategy: Any,
    run_dir: str,
    config: dict[str, Any],
    verbose: bool = True,
) -> dict[str, list[Any]]:
    """The recipes' one training call (``seqkeras.training.train``): resumable, stops on
    NaN, ``fit`` for one replica and seqkeras' own data-parallel step for more.

    ``model`` is compiled (:func:`compile_model`) inside ``strategy.scope()``. A killed
    run started again with the same arguments resumes from the checkpoint in
    ``run_dir``; the checkpoint is removed once the last epoch is done.
    """
    from seqkeras.training import train

    history = train(
        model, (x, y), epochs=epochs, strategy=strategy, run_dir=run_dir, config=config,
        batch_size=batch_size, seed=seed, delete_when_done=True, verbose="auto" if verbose else 0,
    )  # fmt: skip
    if os.path.isdir(run_dir) and not os.listdir(run_dir):
        os.rmdir(run_dir)  # the finished run's checkpoint is gone; so is its folder
    return history


def add_training_arguments(parser: argparse.ArgumentParser, batch_size: int) -> None:
    from seqkeras.training import add_strategy_argument

    parser.add_argument("--epochs", type=int, help="training epochs (default: per model)")
    parser.add_argument("--batch-size", type=int, default=batch_size, help=f"(default {batch_size})")
    parser.add_argument(
        "--learning-rate", type=float, help="Adam learning rate (default: per model)"
    )
    parser.add_argument("--seed", type=int, default=0, help="split and weight seed (default 0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    add_strategy_argument(parser)


def check_positive(flag: str, value: float | None) -> None:
    if value is not None and value <= 0:
        raise ValueError(f"{flag} must be > 0, got {value}")


def check_dropout(value: float) -> None:
    if not 0 <= value < 1:
        raise ValueError(f"--dropout must be in [0, 1), got {value}")


# -- run directories -------------------------------------------------------------------
def save_model_atomic(model: Any, path: str) -> str:
    """``model.save(path)`` through a temporary file and ``os.replace``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{os.path.basename(path)}")
    model.save(tmp)
    os.replace(tmp, path)
    return path


def load_run(run_dir: str) -> tuple[Any, dict[str, Any]]:
    """The trained model and the run description of ``run_dir``."""
    import keras

    import seqkeras.models  # noqa: F401  (registers the model classes with Keras)

    model_path = os.path.join(run_dir, MODEL_FILE)
    if not os.path.exists(model_path):
        raise FileNotFoundError(f"{model_path} does not exist; train first (the train command writes it)")
    with open(os.path.join(run_dir, RUN_FILE), encoding="utf-8") as f:
        run = json.load(f)
    return keras.saving.load_model(model_path), run


def read_sentences(args: argparse.Namespace) -> list[str]:
    """Texts from the command line, or one per line from ``--input`` (``-`` = stdin)."""
    import sys

    texts = list(args.texts)
    if args.input:
        if args.input == "-":
            texts += [line.rstrip("\n") for line in sys.stdin]
        else:
            if not os.path.isfile(args.input):
                raise FileNotFoundError(f"--input {args.input!r} does not exist")
            with open(args.input, encoding="utf-8") as f:
                texts += [line.rstrip("\n") for line in f]
    texts = [t for t in texts if t.strip()]
    if not texts:
        raise ValueError("nothing to predict: give texts as arguments or --input FILE")
    return texts


def add_predict_arguments(parser: argparse.ArgumentParser, default_run: str) -> None:
    parser.add_argument("texts", nargs="*", help="texts to label")
    parser.add_argument("--input", help="a file with one text per line ('-' = stdin)")
    parser.add_argument("--run-dir", default=default_run, help=f"trained run (default {default_run})")
    parser.add_argument("--json", action="store_true", help="print JSON lines")


# -- pictures ----------------------------------------------------------------------------
def plot_confusion(matrix: Any, labels: Sequence[str], title: str, path: str) -> str:
    """Confusion matrix heat map with counts (rows true, columns predicted), atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    matrix = np.asarray(matrix)
    size = max(3.0, 0.6 * len(labels) + 2)
    figure, axes = plt.subplots(figsize=(size, size))
    image = axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title)
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            color = "white" if matrix[i, j] > threshold else "black"
            axes.text(j, i, str(matrix[i, j]), ha="center", va="center", color=color)
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    return save_figure(figure, path)


def save_figure(figure: Any, path: str) -> str:
    import matplotlib.pyplot as plt

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp.png")
    figure.savefig(tmp, dpi=120)
    plt.close(figure)
    os.replace(tmp, path)
    return path
