"""``seqkeras caption train|eval|sample``: caption images the program draws.

Images of coloured shapes at named positions with generated captions
(:mod:`seqkeras.datasets.shapes_captions`) train an
:class:`~seqkeras.models.ImageCaptioner` (small CNN → GRU decoder, Bahdanau attention
over the 4×4 grid of CNN features unless ``--no-attention``). ``eval`` reports exact
caption match and corpus BLEU on freshly drawn images; ``sample`` draws new images and
writes a PNG with each image, its true and its generated caption.
"""

from __future__ import annotations

import argparse
import os
import time

from seqkeras.atomic import save_figure_atomic
from seqkeras.cli import register_command

DEFAULT_RUN_DIR = os.path.join("runs", "caption")
EVAL_SEED_OFFSET = 7_000_001
VALIDATION_SIZE = 500
MAX_CAPTION_WORDS = 12  # "a red circle top left and a blue square bottom right" + end


@register_command("caption", help="Image captioning demo on drawn shapes")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.tasks._seq2seq_common import add_decoding_arguments, add_training_arguments

    sub = parser.add_subparsers(dest="action", required=True)

    p = sub.add_parser("train", help="draw captioned images and train a captioner")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR, help=f"output (default {DEFAULT_RUN_DIR})")
    p.add_argument("--train-size", type=int, default=4000, help="training images (default 4000)")
    p.add_argument("--units", type=int, default=64, help="(default 64)")
    p.add_argument("--no-attention", action="store_true", help="decoder without attention")
    add_training_arguments(p, epochs=12, batch_size=64, learning_rate=2e-3)
    p.set_defaults(func=_train)

    p = sub.add_parser("eval", help="exact match and BLEU on newly drawn images")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--count", type=int, default=500, help="images (default 500)")
    add_decoding_arguments(p, default="greedy")
    p.set_defaults(func=_eval)

    p = sub.add_parser("sample", help="caption newly drawn images into a PNG")
    p.add_argument("--run-dir", "--out", dest="run_dir", default=DEFAULT_RUN_DIR)
    p.add_argument("--count", type=int, default=8, help="images (default 8)")
    p.add_argument("--seed", type=int, default=123)
    p.add_argument("--plot", required=True, help="output PNG")
    add_decoding_arguments(p, default="beam")
    p.set_defaults(func=_sample)


def _train(args: argparse.Namespace) -> int:
    import keras
    import numpy as np

    from seqkeras.datasets.shapes_captions import IMAGE_SIZE, generate_shape_captions
    from seqkeras.models.image_captioner import ImageCaptioner
    from seqkeras.models.token_vocabulary import TokenVocabulary
    from seqkeras.tasks._seq2seq_common import (
        METRICS_FILE,
        check_positive,
        start_strategy,
        train_seq2seq,
    )
    from seqkeras.training import write_json_atomic

    for name in ("train_size", "units", "epochs", "batch_size"):
        check_positive(f"--{name.replace('_', '-')}", getattr(args, name))
    start_strategy(args)
    keras.utils.set_random_seed(args.seed)
    start = time.time()
    images, captions, _ = generate_shape_captions(args.train_size, seed=args.seed)
    val_images, val_captions, _ = generate_shape_captions(VALIDATION_SIZE, seed=args.seed + 1)
    vocab = TokenVocabulary.build(captions, level="word")
    length = MAX_CAPTION_WORDS + 1
    y = vocab.encode_batch(captions, length, add_eos=True)
    vy = vocab.encode_batch(val_captions, length, add_eos=True)
    run = {
        "task": "caption",
        "train_size": args.train_size,
        "seed": args.seed,
        "units": args.units,
        "attention": not args.no_attention,
        "learning_rate": args.learning_rate,
        "batch_size": args.batch_size,
    }

    def factory():
        return ImageCaptioner(
            len(vocab),
            (IMAGE_SIZE, IMAGE_SIZE, 3),
            units=args.units,
            attention=None if args.no_attention else "bahdanau",
            vocabulary=vocab.get_config(),
            max_target_length=length,
        )

    shift = ImageCaptioner.shift_targets
    model, history = train_seq2seq(
        factory,
        (images, np.asarray(shift(y))),
        y,
        ((val_images, np.asarray(shift(vy))), vy),
        args,
        run,
    )
    write_json_atomic(
        os.path.join(args.run_dir, METRICS_FILE),
        {
            "task": "caption",
            "train_seconds": round(time.time() - start, 1),
            "history": history,
            "run": run,
        },
    )
    print(f"model: {os.path.join(args.run_dir, 'model.keras')}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from seqkeras.datasets.shapes_captions import generate_shape_captions
    from seqkeras.metrics import corpus_bleu
    from seqkeras.tasks._seq2seq_common import (
        check_positive,
        decoding_options,
        exact_match,
        load_run,
    )
    from seqkeras.training import write_json_atomic

    check_positive("--count", args.count)
    decoding_options(args)  # check --method before loading the model
    model, run = load_run(args.run_dir)
    images, captions, _ = generate_shape_captions(args.count, seed=run["seed"] + EVAL_SEED_OFFSET)
    outputs = []
    for start in range(0, args.count, 100):
        outputs += model.caption(
            images[start : start + 100], method=args.method, **decoding_options(args)
        )
    accuracy = exact_match(outputs, captions)
    bleu = corpus_bleu(outputs, [[c] for c in captions])
    result = {
        "task": "caption",
        "attention": run["attention"],
        "count": args.count,
        "method": args.method,
        "exact_match": accuracy,
        "bleu": bleu.score,
        "bleu_signature": bleu.signature,
        "errors": [
            {"reference": c, "output": o} for c, o in zip(captions, outputs, strict=False) if c != o
        ][:20],
    }
    write_json_atomic(os.path.join(args.run_dir, f"eval-{args.method}.json"), result)
    print(
        f"exact caption match {accuracy:.2%}, BLEU {bleu.score:.2f} "
        f"({args.method}, {args.count} new images)"
    )
    return 0


def _sample(args: argparse.Namespace) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seqkeras.datasets.shapes_captions import generate_shape_captions
    from seqkeras.tasks._seq2seq_common import check_positive, decoding_options, load_run

    check_positive("--count", args.count)
    decoding_options(args)  # check --method before loading the model
    model, _ = load_run(args.run_dir)
    images, captions, _ = generate_shape_captions(args.count, seed=args.seed)
    outputs = model.caption(images, method=args.method, **decoding_options(args))
    cols = min(4, args.count)
    rows = (args.count + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.4 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, image, truth, out in zip(axes.flat, images, captions, outputs, strict=False):
        ax.imshow(image)
        mark = "✓" if out == truth else "✗"
        ax.set_title(f"{out} {mark}\n(true: {truth})", fontsize=6)
        print(f"{mark} {out}   [true: {truth}]")
    fig.tight_layout()
    save_figure_atomic(fig, args.plot, format="png", dpi=120)
    plt.close(fig)
    print(f"captions: {args.plot}")
    return 0
