"""``seqkeras translate train|eval|compare|translate``: Spanish → English Bible verses.

Reina-Valera 1909 → World English Bible verse pairs
(:mod:`seqkeras.datasets.bible_parallel`), word tokens (lower-cased, punctuation
split off), a :class:`~seqkeras.models.Seq2Seq` with or without Bahdanau attention.
Verses are held out by chapter (every 10th chapter of every book, default) or by book
(``--split book --held-out-books Mark,Ruth``), so no held-out verse shares a chapter
with a training verse.

* ``train``: trains one model (``--no-attention`` for the plain encoder–decoder),
  checkpoints every epoch (a rerun resumes), writes ``model.keras``.
* ``eval``: corpus BLEU (sacrebleu-exact, case-insensitive) for greedy and beam
  3 / 10 × α ∈ {0, 0.7, 1.0}, BLEU per source-length bucket and the beam-search
  error analysis (B/R fractions); writes ``eval.json``.
* ``compare``: the table for several runs (attention vs none) and the plot of BLEU
  against source length (course 3.7).
* ``translate``: translate sentences given on the command line.
"""

from __future__ import annotations

import argparse
import os
import time

from seqkeras.atomic import save_figure_atomic
from seqkeras.cli import register_command

DEFAULT_RUN_DIR = os.path.join("runs", "translate")
BEAM_WIDTHS = (3, 10)
ALPHAS = (0.0, 0.7, 1.0)
LENGTH_BUCKETS = ((1, 5), (6, 10), (11, 15), (16, 20), (21, 30), (31, 60))
EVAL_FILE = "eval.json"
BY_LENGTH_DECODER = "beam3_a0.7"  # the decoder of the BLEU-by-length plot
SPANISH_WORD_RATIO = 1.5  # Spanish verses kept: at most 1.5 × --max-words words


@register_command("translate", help="Spanish→English translation of Bible verses")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.tasks._seq2seq_common import add_decoding_arguments, add_training_arguments

    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("train", help="train a Spanish→English model")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR, help=f"output (default {DEFAULT_RUN_DIR})")
    p.add_argument(
        "--max-words",
        type=int,
        default=15,
        help="keep verses with at most this many English words (default 15)",
    )
    p.add_argument(
        "--split",
        choices=("chapter", "book"),
        default="chapter",
        help="hold out every 10th chapter (default) or whole books",
    )
    p.add_argument(
        "--held-out-books",
        default="Mark,Ruth",
        help="comma-separated books for --split book (default Mark,Ruth)",
    )
    p.add_argument(
        "--vocab-size",
        type=int,
        default=3000,
        help="word vocabulary cap per language (default 3000)",
    )
    p.add_argument("--units", type=int, default=96, help="(default 96)")
    p.add_argument("--embedding-dim", type=int, default=64, help="(default 64)")
    p.add_argument("--dropout", type=float, default=0.2, help="(default 0.2)")
    p.add_argument("--no-attention", action="store_true", help="plain encoder-decoder")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training pairs")
    add_training_arguments(p, epochs=12, batch_size=64, learning_rate=2e-3)
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="BLEU grid, BLEU by source length, B/R error analysis")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--limit", type=int, default=0, help="evaluate the first N held-out verses")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument(
        "--beam-widths",
        default=",".join(map(str, BEAM_WIDTHS)),
        help="comma-separated beam widths of the grid (default 3,10)",
    )
    p.add_argument(
        "--alphas",
        default=",".join(map(str, ALPHAS)),
        help="comma-separated length-normalization exponents (default 0.0,0.7,1.0)",
    )
    p.set_defaults(func=_eval)

    p = sub.add_parser("compare", help="table and BLEU-vs-length plot of evaluated runs")
    p.add_argument("run_dirs", nargs="+", help="run directories evaluated with `eval`")
    p.add_argument("--plot", help="PNG of BLEU against source length")
    p.set_defaults(func=_compare)

    p = sub.add_parser("translate", help="translate Spanish sentences")
    p.add_argument("sentences", nargs="+")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--plot", help="attention heat map of the first sentence (PNG)")
    add_decoding_arguments(p, default="beam")
    p.set_defaults(func=_translate)


# -- data -----------------------------------------------------------------------------
def select_pairs(run: dict):
    """``(train, held_out)`` verse pairs for a run description."""
    from seqkeras.datasets.bible_parallel import load_verse_pairs, split_by_book, split_by_chapter

    # the Spanish side may carry a psalm title the English puts elsewhere: bound it too
    max_spanish = int(run["max_words"] * SPANISH_WORD_RATIO)
    pairs = [
        p
        for p in load_verse_pairs()
        if len(p.english.split()) <= run["max_words"] and len(p.spanish.split()) <= max_spanish
    ]
    if run["split"] == "book":
        books = tuple(b.strip() for b in run["held_out_books"].split(",") if b.strip())
        train, held = split_by_book(pairs, books)
    else:
        train, held = split_by_chapter(pairs)
    if run.get("limit"):
        train = train[: run["limit"]]
    return train, held


def _lengths(vocab, texts) -> int:
    return max(len(vocab.split(t)) for t in texts)


# -- train ----------------------------------------------------------------------------
def _train(args: argparse.Namespace) -> int:
    import keras
    import numpy as np

    from seqkeras.models.seq2seq import Seq2Seq
    from seqkeras.models.token_vocabulary import TokenVocabulary
    from seqkeras.tasks._seq2seq_common import (
        METRICS_FILE,
        check_positive,
        start_strategy,
        train_seq2seq,
    )
    from seqkeras.training import write_json_atomic

    for name in ("max_words", "vocab_size", "units", "embedding_dim", "epochs", "batch_size"):
        check_positive(f"--{name.replace('_', '-')}", getattr(args, name))
    start_strategy(args)
    if not 0 <= args.dropout < 1:
        raise ValueError(f"--dropout must be in [0, 1), got {args.dropout}")
    keras.utils.set_random_seed(args.seed)
    run = {
        "task": "translate",
        "max_words": args.max_words,
        "split": args.split,
        "held_out_books": args.held_out_books,
        "vocab_size": args.vocab_size,
        "units": args.units,
        "embedding_dim": args.embedding_dim,
        "dropout": args.dropout,
        "attention": not args.no_attention,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "limit": args.limit,
    }
    start = time.time()
    train, held = select_pairs(run)
    if not train or not held:
        raise ValueError(f"the split leaves {len(train)} training and {len(held)} held-out verses")
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(train))
    n_val = max(1, len(train) // 20)
    val = [train[i] for i in order[:n_val]]
    train = [train[i] for i in order[n_val:]]
    src_vocab = TokenVocabulary.build(
        [p.spanish for p in train], level="word", lowercase=True, max_size=args.vocab_size
    )
    tgt_vocab = TokenVocabulary.build(
        [p.english for p in train], level="word", lowercase=True, max_size=args.vocab_size
    )
    max_src = _lengths(src_vocab, [p.spanish for p in train])
    max_tgt = _lengths(tgt_vocab, [p.english for p in train]) + 1
    print(
        f"{len(train)} training, {len(val)} validation, {len(held)} held-out verses; "
        f"vocabularies {len(src_vocab)} / {len(tgt_vocab)}; lengths {max_src} / {max_tgt}"
    )

    def encode(pairs):
        x = src_vocab.encode_batch([p.spanish for p in pairs], max_src)
        y = tgt_vocab.encode_batch([p.english for p in pairs], max_tgt, add_eos=True)
        return (x, np.asarray(Seq2Seq.shift_targets(y))), y

    def factory():
        return Seq2Seq(
            len(src_vocab),
            len(tgt_vocab),
            units=args.units,
            attention=None if args.no_attention else "bahdanau",
            source_embedding_dim=args.embedding_dim,
            target_embedding_dim=args.embedding_dim,
            dropout=args.dropout,
            source_vocabulary=src_vocab.get_config(),
            target_vocabulary=tgt_vocab.get_config(),
            max_source_length=max_src,
            max_target_length=max_tgt,
        )

    x, y = encode(train)
    model, history = train_seq2seq(factory, x, y, encode(val), args, run)
    write_json_atomic(
        os.path.join(args.run_dir, METRICS_FILE),
        {
            "task": "translate",
            "train_seconds": round(time.time() - start, 1),
            "train_pairs": len(train),
            "held_out_pairs": len(held),
            "history": history,
            "run": run,
        },
    )
    print(f"model: {os.path.join(args.run_dir, 'model.keras')}")
    return 0


def _parse_list(flag: str, text: str, kind):
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ValueError(
            f"{flag} must be a comma-separated list of numbers, got {text!r}"
        ) from None
    if not values:
        raise ValueError(f"{flag} is empty")
    return values


# -- eval -----------------------------------------------------------------------------
def _bleu(hyps, refs):
    from seqkeras.metrics import corpus_bleu

    return corpus_bleu(hyps, [[r] for r in refs], lowercase=True)


def _eval(args: argparse.Namespace) -> int:
    import numpy as np

    from seqkeras.decoding import beam_error_analysis, search_fns
    from seqkeras.models.token_vocabulary import BOS, EOS
    from seqkeras.tasks._seq2seq_common import check_positive, load_run, translate_in_batches
    from seqkeras.training import write_json_atomic

    check_positive("--batch-size", args.batch_size)
    model, run = load_run(args.run_dir)
    _, held = select_pairs(run)
    if args.limit:
        held = held[: args.limit]
    sources = [p.spanish for p in held]
    references = [p.english for p in held]
    grid = []
    outputs = {}
    widths = _parse_list("--beam-widths", args.beam_widths, int)
    alphas = _parse_list("--alphas", args.alphas, float)
    if any(b < 1 for b in widths) or any(a < 0 for a in alphas):
        raise ValueError("--beam-widths must be >= 1 and --alphas >= 0")
    settings = [("greedy", 1, None)] + [("beam", b, a) for b in widths for a in alphas]
    for method, width, alpha in settings:
        options = {} if method == "greedy" else {"beam_width": width, "alpha": alpha}
        start = time.time()
        hyps = translate_in_batches(model, sources, args.batch_size, method, **options)
        bleu = _bleu(hyps, references)
        name = "greedy" if method == "greedy" else f"beam{width}_a{alpha}"
        outputs[name] = hyps
        grid.append(
            {
                "decoder": name,
                "method": method,
                "beam_width": width,
                "alpha": alpha,
                "bleu": bleu.score,
                "signature": bleu.signature,
                "seconds": round(time.time() - start, 1),
            }
        )
        print(f"{name:>14}: BLEU {bleu.score:6.2f}")

    lengths = np.array([len(model.source_vocab.split(s)) for s in sources])
    by_length = []
    reference_decoder = BY_LENGTH_DECODER if BY_LENGTH_DECODER in outputs else grid[-1]["decoder"]
    for name in ("greedy", reference_decoder):
        for lo, hi in LENGTH_BUCKETS:
            idx = [i for i in range(len(held)) if lo <= lengths[i] <= hi]
            if len(idx) < 5:
                continue
            score = _bleu([outputs[name][i] for i in idx], [references[i] for i in idx]).score
            by_length.append(
                {"decoder": name, "min": lo, "max": hi, "count": len(idx), "bleu": score}
            )

    tv = model.target_vocab
    ids = model.encode_texts(sources, on_unknown="unk", on_too_long="truncate")

    def make_search(batch_indices):
        return model.next_fn, model.encode(ids[list(batch_indices)])

    score_fn, decode_fn = search_fns(make_search, BOS, EOS, model.max_target_length)
    limit = model.max_target_length - 1
    dataset = [(i, tv.encode(r, on_unknown="unk")[:limit]) for i, r in enumerate(references)]
    analysis = beam_error_analysis(
        score_fn, decode_fn, dataset, beam_width=3, alpha=0.7, batch_size=args.batch_size
    )
    print(
        analysis.format_table(detokenize=tv.decode)
        if len(analysis.rows) <= 20
        else f"{len(analysis.rows)} errors"
    )
    print(
        f"error analysis (B=3, α=0.7): search (B) {analysis.fraction_search:.1%}, "
        f"model (R) {analysis.fraction_model:.1%} — {analysis.advice}"
    )
    result = {
        "task": "translate",
        "attention": run["attention"],
        "held_out": len(held),
        "grid": grid,
        "bleu_by_source_length": by_length,
        "error_analysis": {
            "beam_width": 3,
            "alpha": 0.7,
            "errors": len(analysis.rows),
            "fraction_search": analysis.fraction_search,
            "fraction_model": analysis.fraction_model,
            "advice": analysis.advice,
        },
        "samples": [
            {"source": s, "reference": r, "output": o}
            for s, r, o in list(zip(sources, references, outputs[reference_decoder], strict=False))[
                :20
            ]
        ],
    }
    write_json_atomic(os.path.join(args.run_dir, EVAL_FILE), result)
    return 0


# -- compare --------------------------------------------------------------------------
def _compare(args: argparse.Namespace) -> int:
    import json

    results = []
    for run_dir in args.run_dirs:
        path = os.path.join(run_dir, EVAL_FILE)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} does not exist; run `seqkeras translate eval` first")
        with open(path, encoding="utf-8") as f:
            results.append((run_dir, json.load(f)))
    names = [r["decoder"] for r in results[0][1]["grid"]]
    print("| run | attention | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    for run_dir, res in results:
        cells = {r["decoder"]: f"{r['bleu']:.2f}" for r in res["grid"]}
        print(
            f"| {run_dir} | {'yes' if res['attention'] else 'no'} | "
            + " | ".join(cells.get(n, "-") for n in names)
            + " |"
        )
    for run_dir, res in results:
        ea = res["error_analysis"]
        print(
            f"{run_dir}: errors {ea['errors']}/{res['held_out']}, search (B) "
            f"{ea['fraction_search']:.1%}, model (R) {ea['fraction_model']:.1%}"
        )
    if args.plot:
        _plot_by_length(results, args.plot)
        print(f"plot: {args.plot}")
    return 0


def _plot_by_length(results, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for run_dir, res in results:
        rows = [r for r in res["bleu_by_source_length"] if r["decoder"] != "greedy"]
        label = ("attention" if res["attention"] else "no attention") + f" ({run_dir})"
        ax.plot(
            [(r["min"] + r["max"]) / 2 for r in rows],
            [r["bleu"] for r in rows],
            marker="o",
            label=label,
        )
    ax.set_xlabel("source length (tokens)")
    ax.set_ylabel("BLEU (beam 3, α=0.7)")
    ax.set_title("BLEU against sentence length")
    ax.legend()
    fig.tight_layout()
    save_figure_atomic(fig, path, format="png", dpi=120)
    plt.close(fig)


# -- translate ------------------------------------------------------------------------
def _translate(args: argparse.Namespace) -> int:
    from seqkeras.tasks._seq2seq_common import decoding_options, load_run, plot_attention

    decoding_options(args)  # check --method before loading the model
    model, _ = load_run(args.run_dir)
    if args.plot and model.attention is None:
        raise ValueError(f"--plot needs an attention model; {args.run_dir} has none")
    outputs, weights = model.translate(
        args.sentences,
        method=args.method,
        on_unknown="unk",
        on_too_long="error",
        return_attention=True,
        **decoding_options(args),
    )
    for sentence, out in zip(args.sentences, outputs, strict=False):
        print(f"{sentence}\t{out}")
    if args.plot:
        src = model.source_vocab.split(args.sentences[0])
        rows = model.target_vocab.split(outputs[0]) + ["</s>"]
        plot_attention(weights[0][: len(rows)], src, rows, args.plot, title=args.sentences[0])
        print(f"attention heat map: {args.plot}")
    return 0
