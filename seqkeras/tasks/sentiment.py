"""``seqkeras sentiment train|eval|predict|cv``: sentence sentiment (course 1.1, 2.2, 2.9).

Two models over word vectors (GloVe 6B 50d by default, frozen): the average of the
word vectors + softmax (:class:`~seqkeras.models.AverageEmbeddingClassifier`) and a
many-to-one LSTM (:class:`~seqkeras.models.RNNClassifier`); and VADER, a lexicon
baseline, for comparison.

* ``train``: trains one model on all but one fold of a stratified split of the data
  (default: fold 0 of 10 held out), writes ``model.keras`` (raw strings in, labels
  out), ``metrics.json`` (held-out accuracy, confusion matrix, negation probe, training
  loss per epoch) and ``confusion.png``. A rerun with the same flags resumes.
* ``eval``: the same report for a trained run, on its held-out fold or on ``--data``.
* ``predict``: labels and probabilities of texts.
* ``cv``: k-fold cross-validation of several models on the same folds (accuracy mean ±
  std, probe results, summed confusion matrices); resumes fold by fold.

Data: ``pang-lee`` (gensim's 200 Pang & Lee sentences) or a CSV/TSV/fastText file
(:func:`seqkeras.datasets.read_labelled_texts`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Sequence
from typing import Any

from seqkeras.cli import register_command

DEFAULT_RUN_DIR = os.path.join("runs", "sentiment")
DEFAULT_CV_DIR = os.path.join("runs", "sentiment-cv")
BUILTIN_DATA = "pang-lee"
DEFAULT_FOLDS = 10
CONFUSION_FILE = "confusion.png"
CV_FILE = "cv.json"
CV_PLOT = "cv_accuracy.png"
VADER_INSTALL = "pip install vaderSentiment"
VADER_POSITIVE = 0.0  # compound score >= 0 reads as positive (two-class data)


# -- models (a registry: the CLI's --model choices) ------------------------------------
@dataclasses.dataclass(frozen=True)
class SentimentModel:
    name: str
    help: str
    epochs: int
    learning_rate: float
    build: Callable[..., Any]  # (embedding, labels, vectorizer, options) -> keras model


def _build_average(embedding: Any, labels: list[str], vectorizer: Any, options: dict) -> Any:
    from seqkeras.models import AverageEmbeddingClassifier

    return AverageEmbeddingClassifier(
        embedding, len(labels), dropout=options["dropout"], labels=labels, vectorizer=vectorizer
    )


def _build_rnn(embedding: Any, labels: list[str], vectorizer: Any, options: dict) -> Any:
    from seqkeras.models import RNNClassifier

    return RNNClassifier(
        embedding, len(labels), kind=options["kind"], depth=options["depth"],
        bidirectional=options["bidirectional"], units=options["units"],
        dropout=options["dropout"], labels=labels, vectorizer=vectorizer,
    )  # fmt: skip


SENTIMENT_MODELS = {
    m.name: m
    for m in (
        SentimentModel("average", "mean of the word vectors + softmax", 150, 1e-2, _build_average),
        SentimentModel("rnn", "many-to-one LSTM (GRU, RNN) over the word vectors", 40, 3e-3, _build_rnn),
    )
}


# -- baselines: label texts without training ----------------------------------------------
def vader_labels(texts: Sequence[str], labels: Sequence[str]) -> list[str]:
    """VADER's compound score: ``>= 0`` → the positive label (``labels`` must be a
    ``neg``/``pos`` pair)."""
    if sorted(labels) != ["neg", "pos"]:
        raise ValueError(f"the VADER baseline needs the labels neg and pos, got {list(labels)}")
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as err:
        from seqkeras.datasets._errors import missing_package

        raise missing_package("VADER (package 'vaderSentiment')", VADER_INSTALL) from err
    analyzer = SentimentIntensityAnalyzer()
    return [
        "pos" if analyzer.polarity_scores(t)["compound"] >= VADER_POSITIVE else "neg" for t in texts
    ]


BASELINES: dict[str, Callable[[Sequence[str], Sequence[str]], list[str]]] = {"vader": vader_labels}


# -- command line ----------------------------------------------------------------------
@register_command("sentiment", help="sentence sentiment: averaged word vectors vs an RNN")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.tasks._classify_common import add_model_training_arguments, add_run_commands

    sub, p, evaluate = add_run_commands(
        parser, DEFAULT_RUN_DIR,
        helps={"train": "train one model; held-out report",
               "eval": "accuracy, confusion matrix and negation probe of a run",
               "predict": "label texts"},
        funcs={"train": _train, "eval": _eval, "predict": _predict},
        eval_data_help="evaluate on every row of this file (default: the run's held-out fold)",
    )  # fmt: skip
    _data_arguments(p)
    p.add_argument("--model", choices=sorted(SENTIMENT_MODELS), default="rnn", help="(default rnn)")
    _model_arguments(p)
    p.add_argument("--fold", type=int, default=0, help="held-out fold (default 0)")
    _column_arguments(evaluate)

    p = sub.add_parser("cv", help="k-fold cross-validation of several models on the same folds")
    p.add_argument("--out", default=DEFAULT_CV_DIR, help=f"output directory (default {DEFAULT_CV_DIR})")
    _data_arguments(p)
    p.add_argument(
        "--models",
        default="average,rnn,vader",
        help=f"comma-separated, from {', '.join([*SENTIMENT_MODELS, *BASELINES])} (default average,rnn,vader)",
    )
    _model_arguments(p)
    add_model_training_arguments(p)
    p.set_defaults(func=_cv)


def _data_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        default=BUILTIN_DATA,
        help=f"'{BUILTIN_DATA}' (gensim's 200 sentences) or a .csv/.tsv/.txt file (default {BUILTIN_DATA})",
    )
    _column_arguments(p)
    p.add_argument("--folds", type=int, default=DEFAULT_FOLDS, help=f"stratified folds (default {DEFAULT_FOLDS})")


def _column_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text-column", default="text", help="CSV/TSV text column (default text)")
    p.add_argument("--label-column", default="label", help="CSV/TSV label column (default label)")


def _model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", choices=("lstm", "gru", "rnn"), default="lstm", help="RNN kind (default lstm)")
    p.add_argument("--depth", type=int, default=2, help="stacked RNN layers (default 2)")
    p.add_argument("--units", type=int, default=32, help="RNN units per direction (default 32)")
    p.add_argument("--bidirectional", action="store_true", help="bidirectional RNN")
    p.add_argument("--dropout", type=float, default=0.3, help="(default 0.3)")
    p.add_argument(
        "--augment-negation",
        type=int,
        default=0,
        metavar="N",
        help="add N synthetic negation sentences from VADER's lexicon to every training set "
        "(never to test folds; no word of the negation probe); default 0",
    )


# -- data -----------------------------------------------------------------------------
def load_data(
    source: str, text_column: str = "text", label_column: str = "label", min_labels: int = 2
) -> Any:
    from seqkeras.datasets import load_pang_lee, read_labelled_texts

    if source == BUILTIN_DATA:
        return load_pang_lee()
    data = read_labelled_texts(source, text_column=text_column, label_column=label_column)
    if len(data.label_names) < min_labels:
        raise ValueError(f"{source}: needs at least two labels, found {data.label_names}")
    return data


def split_folds(data: Any, folds: int, seed: int) -> list[tuple[Any, Any]]:
    from seqkeras.datasets import stratified_kfold

    if folds < 2:
        raise ValueError(f"--folds must be >= 2, got {folds}")
    return stratified_kfold(data.labels, folds, seed)


# -- training and evaluation ------------------------------------------------------------
def model_options(args: argparse.Namespace, model: str) -> dict[str, Any]:
    """What decides a trained model (stored in run.json; the epoch count is not)."""
    from seqkeras.tasks._classify_common import run_options

    spec = SENTIMENT_MODELS[model]
    options = run_options(args, ("depth", "units", "folds"), spec.learning_rate)
    if args.augment_negation < 0:
        raise ValueError(f"--augment-negation must be >= 0, got {args.augment_negation}")
    options.update(model=model, augment_negation=args.augment_negation)
    if model == "rnn":
        options.update(kind=args.kind, depth=args.depth, units=args.units, bidirectional=args.bidirectional)
    return options


def fit_classifier(
    train: Any, labels: list[str], vectors: Any, options: dict[str, Any], epochs: int,
    args: argparse.Namespace, run_dir: str, config: dict[str, Any],
) -> tuple[Any, dict[str, list[Any]]]:  # fmt: skip
    """Builds the vectorizer, embedding and model for ``train`` and trains it; returns
    the model and its training history."""
    import keras
    import numpy as np

    from seqkeras.models import TextVectorizer
    from seqkeras.tasks._classify_common import (
        build_compiled_model,
        make_embedding,
        pretrained_words,
        train_model,
    )

    pretrained = pretrained_words(vectors, options["pretrained_vocab"])
    if options.get("augment_negation"):
        train = _augmented(train, labels, options["augment_negation"], options["seed"], pretrained)
    vectorizer = TextVectorizer.build(train.texts, extra_tokens=pretrained)
    x = vectorizer.encode(train.texts)
    y = np.array([labels.index(name) for name in train.labels], "int32")
    model, strategy = build_compiled_model(
        args, options["seed"],
        lambda: SENTIMENT_MODELS[options["model"]].build(
            make_embedding(vectors, vectorizer.vocabulary, options["fine_tune"], options["seed"]),
            labels, vectorizer, options,
        ),
        options["learning_rate"],
        keras.losses.SparseCategoricalCrossentropy,
    )  # fmt: skip
    history = train_model(
        model, x, y, epochs=epochs, batch_size=options["batch_size"], seed=options["seed"],
        strategy=strategy, run_dir=run_dir, config=config, verbose=not args.quiet,
    )  # fmt: skip
    return model, history


def _augmented(train: Any, labels: list[str], n: int, seed: int, pretrained: list[str]) -> Any:
    """``train`` plus ``n`` synthetic negation sentences (words of the pretrained
    vocabulary when there is one, none of the negation probe's)."""
    from seqkeras.datasets import LabelledTexts, load_negation_probe, negation_sentences

    if labels != ["neg", "pos"]:
        raise ValueError(f"--augment-negation needs the labels neg and pos, got {labels}")
    probe_words = {w for item in load_negation_probe() for w in item.text.split()}
    extra = negation_sentences(n, seed=seed, exclude=probe_words, vocabulary=pretrained or None)
    return LabelledTexts(train.texts + extra.texts, train.labels + extra.labels, train.source)


def classification_report(
    true_labels: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    from seqkeras.metrics import confusion_matrix

    matrix = confusion_matrix(true_labels, predicted, labels)
    return {
        "examples": len(true_labels),
        "accuracy": float(matrix.trace() / max(1, matrix.sum())),
        "labels": list(labels),
        "confusion_matrix": matrix.tolist(),
    }


def probe(predict: Callable[[list[str]], list[str]]) -> dict[str, Any]:
    """The negation probe's report for a ``texts -> labels`` function."""
    from seqkeras.datasets import load_negation_probe, probe_report

    items = load_negation_probe()
    return probe_report(items, predict([item.text for item in items]))


def _epochs(args: argparse.Namespace, model: str) -> int:
    return int(args.epochs or SENTIMENT_MODELS[model].epochs)


# -- train / eval / predict --------------------------------------------------------------
def _train(args: argparse.Namespace) -> int:
    import time

    from seqkeras.atomic import save_model_atomic, write_json_atomic
    from seqkeras.tasks._classify_common import (
        CHECKPOINT_DIR,
        METRICS_FILE,
        MODEL_FILE,
        RUN_FILE,
        load_vectors,
        plot_confusion,
    )

    data = load_data(args.data, args.text_column, args.label_column)
    folds = split_folds(data, args.folds, args.seed)
    if not 0 <= args.fold < len(folds):
        raise ValueError(f"--fold must be in 0..{len(folds) - 1}, got {args.fold}")
    options = model_options(args, args.model)
    run = {
        "task": "sentiment", "data": args.data, "text_column": args.text_column,
        "label_column": args.label_column, "folds": args.folds, "fold": args.fold, **options,
    }  # fmt: skip
    train_index, test_index = folds[args.fold]
    train, test = data.subset(train_index), data.subset(test_index)
    labels = data.label_names
    print(f"{len(train)} training and {len(test)} held-out texts; labels {', '.join(labels)}")
    started = time.time()
    vectors = load_vectors(args)
    os.makedirs(args.run_dir, exist_ok=True)
    write_json_atomic(os.path.join(args.run_dir, RUN_FILE), run)
    model, history = fit_classifier(
        train, labels, vectors, options, _epochs(args, args.model), args,
        os.path.join(args.run_dir, CHECKPOINT_DIR), run,
    )  # fmt: skip
    save_model_atomic(model, os.path.join(args.run_dir, MODEL_FILE))
    report = _report(model, test, "held-out fold")
    report.update(
        train_seconds=round(time.time() - started, 1), train_loss=history.get("loss", []), run=run
    )
    write_json_atomic(os.path.join(args.run_dir, METRICS_FILE), report)
    plot_confusion(
        report["held_out"]["confusion_matrix"], labels,
        f"{args.model}: held-out fold {args.fold}", os.path.join(args.run_dir, CONFUSION_FILE),
    )  # fmt: skip
    print(f"model: {os.path.join(args.run_dir, MODEL_FILE)}")
    return 0


def _report(model: Any, test: Any, what: str) -> dict[str, Any]:
    predicted = model.predict_labels(test.texts)
    report = {"held_out": classification_report(test.labels, predicted, model.labels)}
    if sorted(model.labels) == ["neg", "pos"]:
        report["negation_probe"] = probe(model.predict_labels)
    held = report["held_out"]
    print(f"{what}: accuracy {held['accuracy']:.3f} on {held['examples']} texts")
    if "negation_probe" in report:
        p = report["negation_probe"]
        print(
            f"negation probe: accuracy {p['all']['accuracy']:.3f}; pairs right "
            f"{p['all']['pair_accuracy']:.3f} (word order {p['order']['pair_accuracy']:.3f}, "
            f"negation {p['negation']['pair_accuracy']:.3f})"
        )
    return report


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.tasks._classify_common import load_run, plot_confusion, write_eval

    model, run = load_run(args.run_dir)
    if args.data:
        test = load_data(args.data, args.text_column, args.label_column, min_labels=1)
        unknown = sorted(set(test.labels) - set(model.labels))
        if unknown:
            raise ValueError(f"{args.data}: labels {unknown} are not the model's {model.labels}")
        what = args.data
    else:
        data = load_data(run["data"], run["text_column"], run["label_column"])
        _, test_index = split_folds(data, run["folds"], run["seed"])[run["fold"]]
        test = data.subset(test_index)
        what = f"held-out fold {run['fold']}"
    report = _report(model, test, what)
    report["data"] = what
    matrix = report["held_out"]["confusion_matrix"]
    title = f"{run['model']}: {what}"
    write_eval(args.run_dir, report, lambda path: plot_confusion(matrix, model.labels, title, path), CONFUSION_FILE)
    return 0


def _predict(args: argparse.Namespace) -> int:
    import json

    from seqkeras.tasks._classify_common import texts_and_model

    texts, model = texts_and_model(args)
    labels, scores = model.predict_labels(texts, return_scores=True)
    for text, label, score in zip(texts, labels, scores, strict=True):
        if args.json:
            print(json.dumps({"text": text, "label": label, "score": round(float(score), 6)}))
        else:
            print(f"{label}\t{score:.3f}\t{text}")
    return 0


# -- cross-validation ---------------------------------------------------------------------
def _cv_models(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = [*SENTIMENT_MODELS, *BASELINES]
    bad = [n for n in names if n not in known]
    if not names or bad:
        raise ValueError(f"--models: unknown {', '.join(bad) or repr(text)}; choose from {', '.join(known)}")
    return names


def cv_summary(results: list[dict[str, Any]], models: Sequence[str]) -> dict[str, Any]:
    """Mean and sample standard deviation (ddof=1) of the fold accuracies per model,
    the probe averaged over folds, and the confusion matrices summed over folds."""
    import numpy as np

    summary = {}
    for name in models:
        rows = sorted((r for r in results if r["model"] == name), key=lambda r: r["fold"])
        if not rows:
            continue
        accuracy = np.array([r["accuracy"] for r in rows])
        summary[name] = {
            "folds": len(rows),
            "accuracy_mean": float(accuracy.mean()),
            "accuracy_std": float(accuracy.std(ddof=1)) if len(rows) > 1 else 0.0,
            "fold_accuracies": accuracy.round(4).tolist(),
            "confusion_matrix": np.sum([r["confusion_matrix"] for r in rows], axis=0).tolist(),
        }
        if all("probe" in r for r in rows):
            summary[name]["probe"] = {
                kind: {
                    key: float(np.mean([r["probe"][kind][key] for r in rows]))
                    for key in ("accuracy", "pair_accuracy")
                }
                for kind in ("all", "order", "negation")
            }
    return summary


def _cv(args: argparse.Namespace) -> int:
    import json
    import time

    from seqkeras.atomic import write_json_atomic
    from seqkeras.tasks._classify_common import CHECKPOINT_DIR, load_vectors

    models = _cv_models(args.models)
    data = load_data(args.data, args.text_column, args.label_column)
    labels = data.label_names
    folds = split_folds(data, args.folds, args.seed)
    settings = {name: model_options(args, name) for name in models if name in SENTIMENT_MODELS}
    settings_key = {
        "data": args.data, "folds": args.folds, "seed": args.seed,
        "epochs": {n: _epochs(args, n) for n in settings}, "models": settings,
    }  # fmt: skip
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, CV_FILE)
    results: list[dict[str, Any]] = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        if previous.get("settings") == json.loads(json.dumps(settings_key)):
            results = [r for r in previous.get("results", []) if r["model"] in models]
    done = {(r["model"], r["fold"]) for r in results}
    vectors = load_vectors(args) if settings else None
    print(f"{len(data)} texts, {len(folds)} folds, models {', '.join(models)}")
    for fold, (train_index, test_index) in enumerate(folds):
        train, test = data.subset(train_index), data.subset(test_index)
        for name in models:
            if (name, fold) in done:
                continue
            started = time.time()
            if name in BASELINES:
                predict = lambda texts, name=name: BASELINES[name](texts, labels)  # noqa: E731
            else:
                options = {**settings[name], "seed": args.seed * 1000 + fold}
                run_dir = os.path.join(args.out, CHECKPOINT_DIR, f"{name}-fold{fold}")
                model, _ = fit_classifier(
                    train, labels, vectors, options, _epochs(args, name), args, run_dir,
                    {**options, "fold": fold},
                )  # fmt: skip
                predict = model.predict_labels
            report = classification_report(test.labels, predict(test.texts), labels)
            report.update(model=name, fold=fold, seconds=round(time.time() - started, 1))
            if labels == ["neg", "pos"]:
                report["probe"] = probe(predict)
            results.append(report)
            print(f"fold {fold}: {name:8s} accuracy {report['accuracy']:.3f}", flush=True)
            write_json_atomic(path, {"settings": settings_key, "results": results})
    summary = cv_summary(results, models)
    write_json_atomic(path, {"settings": settings_key, "results": results, "summary": summary})
    print()
    print(format_cv_table(summary))
    _plot_cv(summary, labels, args.out)
    print(f"\nwrote {path}, {CV_PLOT} and confusion_<model>.png in {args.out}")
    return 0


def format_cv_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{'model':10s} {'accuracy (mean ± std over folds)':>34s} {'probe acc':>10s} "
        f"{'order pairs':>12s} {'negation pairs':>15s}"
    ]
    nan = {"accuracy": float("nan"), "pair_accuracy": float("nan")}
    for name, s in summary.items():
        probe = s.get("probe", {"all": nan, "order": nan, "negation": nan})
        lines.append(
            f"{name:10s} {s['accuracy_mean']:>26.3f} ± {s['accuracy_std']:.3f} "
            f"{probe['all']['accuracy']:>10.3f} {probe['order']['pair_accuracy']:>12.3f} "
            f"{probe['negation']['pair_accuracy']:>15.3f}"
        )
    return "\n".join(lines)


def _plot_cv(summary: dict[str, Any], labels: list[str], out: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seqkeras.tasks._classify_common import plot_confusion, save_figure

    names = list(summary)
    figure, axes = plt.subplots(figsize=(1.6 * len(names) + 2, 4))
    means = [summary[n]["accuracy_mean"] for n in names]
    stds = [summary[n]["accuracy_std"] for n in names]
    axes.bar(range(len(names)), means, yerr=stds, capsize=6, color="#8fb3d9")
    for i, n in enumerate(names):
        folds = summary[n]["fold_accuracies"]
        axes.plot([i] * len(folds), folds, "k.", alpha=0.6)
    axes.set_xticks(range(len(names)), names)
    axes.set_ylim(0, 1)
    axes.set_ylabel("held-out accuracy per fold")
    axes.set_title(f"{len(summary[names[0]]['fold_accuracies'])}-fold cross-validation")
    figure.tight_layout()
    save_figure(figure, os.path.join(out, CV_PLOT))
    for n in names:
        plot_confusion(
            summary[n]["confusion_matrix"], labels, f"{n}: all folds",
            os.path.join(out, f"confusion_{n}.png"),
        )  # fmt: skip
