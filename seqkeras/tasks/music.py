"""``seqkeras music train|generate``: LSTM music generation on Bach chorales (course 1.5-1.7)."""

from __future__ import annotations

import argparse
import json
import os

from seqkeras.cli import register_command


@register_command("music", help="Music generation: train an LSTM on Bach chorales, generate MIDI")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.training import add_strategy_argument

    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser("train", help="train on music21's bundled Bach chorales (offline)")
    p.add_argument("--kind", choices=["lstm", "gru", "rnn"], default="lstm")
    p.add_argument("--units", type=int, default=128)
    p.add_argument("--depth", type=int, default=2)
    p.add_argument("--embedding-dim", type=int, default=64)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--clipnorm", type=float, default=5.0)
    p.add_argument(
        "--transpose", type=int, default=0, help="augment with transpositions by ±N semitones"
    )
    p.add_argument("--part", type=int, default=0, help="voice to model (0 = soprano)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N chorales")
    p.add_argument(
        "--samples", type=int, default=20, help="pieces generated for the histogram metric"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--verbose", type=int, default=None)
    p.add_argument("--out", required=True, help="output directory")
    add_strategy_argument(p)
    p.set_defaults(func=_train)

    g = sub.add_parser("generate", help="sample new pieces and write MIDI (and WAV)")
    g.add_argument("model_dir")
    g.add_argument("--out", required=True, help="MIDI path; with -n > 1, _1, _2, ... are appended")
    g.add_argument("-n", type=int, default=1)
    g.add_argument("--max-length", type=int, default=200, help="most notes per piece")
    g.add_argument("--temperature", type=float, default=1.0)
    g.add_argument("--top-k", type=int, default=None)
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--tempo", type=float, default=90.0, help="beats per minute")
    g.add_argument("--wav", action="store_true", help="also render WAV with timidity")
    g.set_defaults(func=_generate)


def _train(args: argparse.Namespace) -> int:
    from seqkeras.music.recipe import MusicTrainConfig, train_music_model

    config = MusicTrainConfig(
        kind=args.kind,
        units=args.units,
        depth=args.depth,
        embedding_dim=args.embedding_dim,
        dropout=args.dropout,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        clipnorm=args.clipnorm,
        transpose=args.transpose,
        part=args.part,
        limit=args.limit,
        samples=args.samples,
        seed=args.seed,
        strategy=args.strategy,
        verbose="auto" if args.verbose is None else args.verbose,
    )
    metrics = train_music_model(config, args.out)
    print(json.dumps({k: v for k, v in metrics.items() if k != "config"}, indent=2))
    return 0


def _generate(args: argparse.Namespace) -> int:
    import keras

    from seqkeras.lm import LanguageModel
    from seqkeras.music import render_wav, write_midi
    from seqkeras.music.recipe import MODEL

    path = os.path.join(args.model_dir, MODEL)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"no trained model at {path} (run `seqkeras music train --out DIR` first)"
        )
    if not args.out.lower().endswith((".mid", ".midi")):
        raise ValueError(f"--out must end in .mid or .midi; got {args.out!r}")
    model = keras.saving.load_model(path)
    if not isinstance(model, LanguageModel):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a seqkeras LanguageModel")
    pieces = model.sample(
        n=args.n,
        max_length=args.max_length,
        temperature=args.temperature,
        top_k=args.top_k,
        seed=args.seed,
    )
    stem, ext = os.path.splitext(args.out)
    for i, text in enumerate(pieces):
        tokens = text.split()
        if not tokens:
            print(f"piece {i + 1} is empty (the model ended it at once); skipped")
            continue
        target = args.out if args.n == 1 else f"{stem}_{i + 1}{ext}"
        write_midi(tokens, target, tempo_bpm=args.tempo)
        print(f"wrote {target} ({len(tokens)} notes)")
        if args.wav:
            print(f"wrote {render_wav(target, os.path.splitext(target)[0] + '.wav')}")
    return 0
