"""``seqkeras dates train|eval|translate``: human-readable dates → ISO ``YYYY-MM-DD``.

A character-level :class:`~seqkeras.models.Seq2Seq` with Bahdanau attention (course
3.8). ``train`` generates dates with Faker + babel (several locales), trains with a
constant learning rate, checkpoints every epoch (a rerun resumes) and writes
``model.keras``, ``run.json`` and ``metrics.json`` into ``--run-dir``; ``eval`` measures
exact match on held-out generated dates (none of them in the training set);
``translate`` converts dates given on the command line and can draw the attention
heat map (``--plot out.png``).

Input rules: an empty date is an error; characters never seen in training are an
error (``--unknown unk`` maps them to ``<unk>`` instead); a date longer than the
model's ``max_source_length`` (40 characters) is an error (``--truncate`` keeps the
first 40 characters).
"""

from __future__ import annotations

import argparse
import os
import time

from seqkeras.cli import register_command

DEFAULT_RUN_DIR = os.path.join("runs", "dates")
MAX_SOURCE_LENGTH = 40
MAX_TARGET_LENGTH = 11  # "YYYY-MM-DD" + end token
EVAL_SEED_OFFSET = 1_000_003  # held-out dates use another seed than training
VALIDATION_SIZE = 1000


@register_command("dates", help="Date normalization: human-readable dates → YYYY-MM-DD")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.tasks._seq2seq_common import add_decoding_arguments, add_training_arguments

    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("train", help="generate dates and train an attention model")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR, help=f"output (default {DEFAULT_RUN_DIR})")
    p.add_argument("--train-size", type=int, default=25000, help="training pairs (default 25000)")
    p.add_argument("--eval-size", type=int, default=2000, help="held-out pairs (default 2000)")
    p.add_argument("--units", type=int, default=64, help="decoder and encoder units (default 64)")
    p.add_argument("--cell", choices=("gru", "lstm", "rnn"), default="gru", help="(default gru)")
    p.add_argument("--no-attention", action="store_true", help="plain encoder-decoder")
    add_training_arguments(p, epochs=3, batch_size=128, learning_rate=3e-3)
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="exact match on held-out generated dates")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--count", type=int, default=2000, help="held-out dates (default 2000)")
    p.add_argument("--batch-size", type=int, default=250)
    add_decoding_arguments(p, default="greedy")
    p.set_defaults(func=_eval)

    p = sub.add_parser("translate", help="convert dates given as arguments")
    p.add_argument("dates", nargs="+", help="human-readable dates")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--plot", help="write the attention heat map of the first date (PNG)")
    p.add_argument(
        "--unknown",
        choices=("error", "unk"),
        default="error",
        help="unknown characters: error (default) or map to <unk>",
    )
    p.add_argument(
        "--truncate",
        action="store_true",
        help=f"cut dates longer than {MAX_SOURCE_LENGTH} characters instead of failing",
    )
    add_decoding_arguments(p, default="greedy")
    p.set_defaults(func=_translate)


def build_vocabularies(train_pairs):
    from seqkeras.datasets.dates import TARGET_CHARACTERS
    from seqkeras.models.token_vocabulary import TokenVocabulary

    source = TokenVocabulary.build([h for h, _ in train_pairs], level="char", lowercase=True)
    target = TokenVocabulary(list(TARGET_CHARACTERS), level="char")
    return source, target


def encode_pairs(pairs, source_vocab, target_vocab):
    x = source_vocab.encode_batch([h for h, _ in pairs], MAX_SOURCE_LENGTH)
    y = target_vocab.encode_batch([d for _, d in pairs], MAX_TARGET_LENGTH, add_eos=True)
    return x, y


def held_out_pairs(run: dict, count: int):
    """``count`` dates generated with another seed, none of them in the training set."""
    from seqkeras.datasets.dates import generate_dates

    train = generate_dates(run["train_size"], seed=run["seed"])
    return generate_dates(count, seed=run["seed"] + EVAL_SEED_OFFSET, exclude={h for h, _ in train})


def _train(args: argparse.Namespace) -> int:
    import keras
    import numpy as np

    from seqkeras.datasets.dates import generate_dates
    from seqkeras.models.seq2seq import Seq2Seq
    from seqkeras.tasks._seq2seq_common import (
        METRICS_FILE,
        check_positive,
        exact_match,
        start_strategy,
        train_seq2seq,
        translate_in_batches,
    )
    from seqkeras.training import write_json_atomic

    for name in ("train_size", "eval_size", "units", "epochs", "batch_size"):
        check_positive(f"--{name.replace('_', '-')}", getattr(args, name))
    start_strategy(args)
    keras.utils.set_random_seed(args.seed)
    start = time.time()
    train = generate_dates(args.train_size, seed=args.seed)
    seen = {h for h, _ in train}
    validation = generate_dates(VALIDATION_SIZE, seed=args.seed + 1, exclude=seen)
    source_vocab, target_vocab = build_vocabularies(train)
    x, y = encode_pairs(train, source_vocab, target_vocab)
    vx, vy = encode_pairs(validation, source_vocab, target_vocab)
    run = {
        "task": "dates",
        "train_size": args.train_size,
        "seed": args.seed,
        "units": args.units,
        "cell": args.cell,
        "attention": not args.no_attention,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
    }  # not the epoch count: rerunning with more --epochs continues the same run

    def factory():
        return Seq2Seq(
            len(source_vocab),
            len(target_vocab),
            units=args.units,
            encoder_kind=args.cell,
            decoder_kind=args.cell,
            attention=None if args.no_attention else "bahdanau",
            source_embedding_dim=32,
            target_embedding_dim=16,
            source_vocabulary=source_vocab.get_config(),
            target_vocabulary=target_vocab.get_config(),
            max_source_length=MAX_SOURCE_LENGTH,
            max_target_length=MAX_TARGET_LENGTH,
        )

    shift = Seq2Seq.shift_targets
    model, history = train_seq2seq(
        factory,
        (x, np.asarray(shift(y))),
        y,
        ((vx, np.asarray(shift(vy))), vy),
        args,
        run,
    )
    train_seconds = time.time() - start
    held_out = held_out_pairs(run, args.eval_size)
    hyps = translate_in_batches(model, [h for h, _ in held_out], 250, "greedy")
    accuracy = exact_match(hyps, [d for _, d in held_out])
    metrics = {
        "task": "dates",
        "exact_match": accuracy,
        "eval_size": len(held_out),
        "method": "greedy",
        "train_seconds": round(train_seconds, 1),
        "history": history,
        "run": run,
    }
    write_json_atomic(os.path.join(args.run_dir, METRICS_FILE), metrics)
    print(f"held-out exact match (greedy, {len(held_out)} dates): {accuracy:.2%}")
    print(f"model: {os.path.join(args.run_dir, 'model.keras')}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.tasks._seq2seq_common import (
        check_positive,
        decoding_options,
        exact_match,
        load_run,
        translate_in_batches,
    )
    from seqkeras.training import write_json_atomic

    check_positive("--count", args.count)
    check_positive("--batch-size", args.batch_size)
    decoding_options(args)  # check --method before loading the model
    model, run = load_run(args.run_dir)
    held_out = held_out_pairs(run, args.count)
    hyps = translate_in_batches(
        model, [h for h, _ in held_out], args.batch_size, args.method, **decoding_options(args)
    )
    accuracy = exact_match(hyps, [d for _, d in held_out])
    wrong = [(h, d, o) for (h, d), o in zip(held_out, hyps, strict=False) if o != d]
    result = {
        "task": "dates",
        "exact_match": accuracy,
        "count": len(held_out),
        "method": args.method,
        "options": decoding_options(args),
        "errors": [{"input": h, "reference": d, "output": o} for h, d, o in wrong[:50]],
    }
    write_json_atomic(os.path.join(args.run_dir, f"eval-{args.method}.json"), result)
    for h, d, o in wrong[:10]:
        print(f"  {h!r}: got {o!r}, expected {d!r}")
    print(f"exact match ({args.method}, {len(held_out)} held-out dates): {accuracy:.2%}")
    return 0


def _translate(args: argparse.Namespace) -> int:
    from seqkeras.tasks._seq2seq_common import decoding_options, load_run, plot_attention

    decoding_options(args)  # check --method before loading the model
    model, _ = load_run(args.run_dir)
    if args.plot and model.attention is None:
        raise ValueError(f"--plot needs an attention model; {args.run_dir} has none")
    on_too_long = "truncate" if args.truncate else "error"
    outputs, weights = model.translate(
        args.dates,
        method=args.method,
        on_unknown=args.unknown,
        on_too_long=on_too_long,
        return_attention=True,
        **decoding_options(args),
    )
    for date, out in zip(args.dates, outputs, strict=False):
        print(f"{date}\t{out}")
    if args.plot:
        src = model.source_vocab.split(args.dates[0])[:MAX_SOURCE_LENGTH]
        rows = list(outputs[0]) + ["</s>"]
        plot_attention(weights[0][: len(rows)], src, rows, args.plot, title=args.dates[0])
        print(f"attention heat map: {args.plot}")
    return 0
