"""``seqkeras lm train|sample|score``: word/char language models (course 1.6-1.7)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from seqkeras.cli import register_command

# The names of seqkeras.lm.recipe.PRESETS (kept here so that building the parser does not
# import the recipe; tests/seqkeras/tasks/test_lm.py checks the two agree).
PRESET_NAMES = ("ptb-small", "ptb-medium")


@register_command("lm", help="Language models: train, sample, score")
def configure(parser: argparse.ArgumentParser) -> None:
    from seqkeras.training import add_strategy_argument

    sub = parser.add_subparsers(dest="action", required=True)
    p = sub.add_parser(
        "train",
        help="train a word or character LM (stateful truncated BPTT)",
        description="Train a word or character LM (stateful truncated BPTT). Settings not "
        "given on the command line come from --preset, else from the defaults (= ptb-small).",
    )
    p.add_argument(
        "--preset",
        choices=list(PRESET_NAMES),
        default=None,
        help="Zaremba et al. (2014) PTB settings: ptb-small (2x200 LSTM, 13 epochs) or "
        "ptb-medium (2x650, dropout 0.5, 39 epochs)",
    )
    p.add_argument("--corpus", default=None, help="ptb, shakespeare, or a UTF-8 file/directory")
    p.add_argument("--level", choices=["word", "char"], default=None)
    p.add_argument("--kind", choices=["lstm", "gru", "rnn"], default=None)
    p.add_argument("--units", type=int, default=None, help="default 200")
    p.add_argument("--depth", type=int, default=None, help="default 2")
    p.add_argument("--embedding-dim", type=int, default=None, help="default: --units")
    p.add_argument(
        "--epochs", type=int, default=None, help="total epochs of the run (default 13)"
    )
    p.add_argument("--batch-size", type=int, default=None, help="default 20")
    p.add_argument("--seq-len", type=int, default=None, help="truncated-BPTT window (default 20)")
    p.add_argument("--dropout", type=float, default=None, help="default 0")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default=None)
    p.add_argument("--lr", type=float, default=None, help="default 1")
    p.add_argument(
        "--lr-decay", type=float, default=None,
        help="SGD: lr factor per epoch after --decay-after (default 0.5)",
    )  # fmt: skip
    p.add_argument("--decay-after", type=int, default=None, help="default 4")
    p.add_argument(
        "--clipnorm", type=float, default=None, help="clip the global gradient norm (default 5)"
    )
    p.add_argument(
        "--init-scale", type=float, default=None,
        help="uniform init in ±scale (0: Keras default; default 0.1)",
    )  # fmt: skip
    p.add_argument("--max-tokens", type=int, default=None, help="vocabulary cap")
    p.add_argument(
        "--max-train-tokens", type=int, default=None, help="use only the first N training tokens"
    )
    p.add_argument(
        "--checkpoint-every", type=int, default=None,
        help="batches between mid-epoch checkpoints (default 500)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=None)
    p.add_argument(
        "--no-resume", action="store_true", help="start over even if --out holds a checkpoint"
    )
    p.add_argument(
        "--verbose", type=int, default=None, help="Keras fit verbosity (default: progress bar)"
    )
    p.add_argument("--out", required=True, help="output directory")
    add_strategy_argument(p)
    p.set_defaults(func=_train)

    s = sub.add_parser("sample", help="sample novel text from a trained LM")
    s.add_argument("model_dir")
    s.add_argument("-n", type=int, default=5)
    s.add_argument("--max-length", type=int, default=50)
    s.add_argument("--temperature", type=float, default=1.0)
    s.add_argument("--top-k", type=int, default=None)
    s.add_argument("--greedy", action="store_true")
    s.add_argument("--prompt", default=None)
    s.add_argument("--seed", type=int, default=None)
    s.add_argument("--allow-unk", action="store_true", help="allow <unk> in samples")
    s.add_argument("--no-stop-at-eos", action="store_true")
    s.set_defaults(func=_sample)

    c = sub.add_parser(
        "score",
        help="log-probability and perplexity of sentences (words outside the vocabulary "
        "are scored as <unk> and listed on stderr)",
    )
    c.add_argument("model_dir")
    c.add_argument("sentences", nargs="+")
    c.add_argument("--per-token", action="store_true", help="also print log P of every token")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=_score)


def _train(args: argparse.Namespace) -> int:
    from seqkeras.lm.recipe import config_from, train_language_model

    init_scale = args.init_scale
    config = config_from(
        args.preset,
        corpus=args.corpus,
        level=args.level,
        kind=args.kind,
        units=args.units,
        depth=args.depth,
        embedding_dim=args.embedding_dim,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seq_len=args.seq_len,
        dropout=args.dropout,
        optimizer=args.optimizer,
        lr=args.lr,
        lr_decay=args.lr_decay,
        decay_after=args.decay_after,
        clipnorm=args.clipnorm,
        max_tokens=args.max_tokens,
        max_train_tokens=args.max_train_tokens,
        checkpoint_every=args.checkpoint_every,
        seed=args.seed,
        strategy=args.strategy,
        verbose=args.verbose,
    )
    if init_scale is not None:  # 0 on the command line: Keras' own initializers
        config.init_scale = init_scale or None
    metrics = train_language_model(config, args.out, resume=not args.no_resume)
    summary = {k: v for k, v in metrics.items() if k not in ("history", "config")}
    print(json.dumps(summary, indent=2))
    return 0


def _load(model_dir: str):  # type: ignore[no-untyped-def]
    import keras

    from seqkeras.lm import LanguageModel
    from seqkeras.lm.recipe import MODEL

    path = model_dir if model_dir.endswith(".keras") else os.path.join(model_dir, MODEL)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"no trained model at {path} (run `seqkeras lm train --out DIR` first)"
        )
    model = keras.saving.load_model(path)
    if not isinstance(model, LanguageModel):
        raise ValueError(f"{path} holds a {type(model).__name__}, not a seqkeras LanguageModel")
    return model


def _sample(args: argparse.Namespace) -> int:
    model = _load(args.model_dir)
    texts = model.sample(
        n=args.n,
        max_length=args.max_length,
        temperature=args.temperature,
        top_k=args.top_k,
        stop_at_eos=not args.no_stop_at_eos,
        reject_unk=not args.allow_unk,
        prompt=args.prompt,
        seed=args.seed,
        greedy=args.greedy,
    )
    for text in texts:
        print(text)
    return 0


def _shown(token: str) -> str:
    """``token`` as is, or JSON-quoted if it holds a separator or space (``","``, ``" "``)."""
    if any(c == "," or c.isspace() for c in token) or not token.isprintable():
        return json.dumps(token, ensure_ascii=False)
    return token


def _score(args: argparse.Namespace) -> int:
    import numpy as np

    model = _load(args.model_dir)
    scores = model.log_prob(args.sentences)
    rows = []
    for i, sentence in enumerate(args.sentences):
        n = len(scores.token_log_probs[i])
        rows.append(
            {
                "sentence": sentence,
                "log_prob": float(scores.total[i]),
                "perplexity": float(np.exp(-scores.total[i] / n)),
                "tokens": [
                    [t, float(lp)]
                    for t, lp in zip(scores.tokens[i], scores.token_log_probs[i], strict=True)
                ],
                "oov": scores.oov[i],
            }
        )
        if scores.oov[i]:
            # Silently scoring "pear" as <unk> would make "pear" and "pair" comparisons lie.
            unknown = ", ".join(_shown(t) for t in dict.fromkeys(scores.oov[i]))
            print(
                f"seqkeras lm score: {json.dumps(sentence, ensure_ascii=False)}: not in the "
                f"vocabulary, scored as {model.vocabulary.unk_token}: {unknown}",
                file=sys.stderr,
            )
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        print(f"{row['log_prob']:10.3f}  ppl {row['perplexity']:9.2f}  {row['sentence']}")
        if args.per_token:
            print("    " + "  ".join(f"{t}:{lp:.2f}" for t, lp in row["tokens"]))
    return 0
