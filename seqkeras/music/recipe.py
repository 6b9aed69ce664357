"""``seqkeras music train``: an LSTM over Bach chorale melodies, compared with a bigram
baseline and the corpus' pitch-class histogram."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..atomic import save_model_atomic

MODEL = "model.keras"
METRICS = "metrics.json"
CHECKPOINT_DIR = "checkpoint"
BIGRAM_ALPHAS = (0.01, 0.03, 0.1, 0.3, 1.0)
# Split by position in music21's chorale order: every 10th piece is test, the next valid.
TEST_EVERY = 10


@dataclass
class MusicTrainConfig:
    kind: str = "lstm"
    units: int = 128
    depth: int = 2
    embedding_dim: int = 64
    dropout: float = 0.2
    epochs: int = 40
    batch_size: int = 32
    lr: float = 3e-3
    clipnorm: float = 5.0
    transpose: int = 0
    part: int = 0
    limit: int | None = None
    samples: int = 20
    max_length: int = 200
    seed: int = 0
    strategy: str = "default"
    verbose: int | str = "auto"


def split_pieces(pieces: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    names = list(pieces)
    split: dict[str, list[list[str]]] = {"train": [], "valid": [], "test": []}
    for i, name in enumerate(names):
        key = "test" if i % TEST_EVERY == 0 else "valid" if i % TEST_EVERY == 1 else "train"
        split[key].append(pieces[name])
    if not split["train"] or not split["test"] or not split["valid"]:
        raise ValueError(
            f"need at least {TEST_EVERY + 2} pieces to split train/valid/test; got {len(names)}"
        )
    return split


def augment(pieces: list[list[str]], semitones: int) -> list[list[str]]:
    """Every piece transposed by -semitones..+semitones (pieces leaving the MIDI range skipped)."""
    from .encoding import transpose_tokens

    out = []
    for tokens in pieces:
        for shift in range(-semitones, semitones + 1):
            try:
                out.append(transpose_tokens(tokens, shift))
            except ValueError:
                continue
    return out


def _write_json(path: str, payload: dict[str, Any]) -> None:
    from ..training import write_json_atomic

    write_json_atomic(path, payload)


def train_music_model(
    config: MusicTrainConfig, out_dir: str, pieces: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Trains the melody LM, writes ``model.keras``, ``metrics.json`` and a sample MIDI."""
    import keras

    from ..lm import LanguageModel, SentenceBatches, sentence_arrays
    from ..text import LM_RESERVED_TOKENS, Vocabulary
    from ..training import get_strategy, make_optimizer, train
    from .bigram import BigramModel, perplexity_of
    from .encoding import load_chorale_tokens
    from .midi import write_midi
    from .pitch_histogram import histogram_distance, pitch_class_histogram

    if config.transpose < 0 or config.transpose > 11:
        raise ValueError(f"--transpose must be in 0..11 semitones; got {config.transpose}")
    os.makedirs(out_dir, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    if pieces is None:
        pieces = load_chorale_tokens(limit=config.limit, part_index=config.part)
    split = split_pieces(pieces)
    train_pieces = augment(split["train"], config.transpose) if config.transpose else split["train"]
    # Note tokens hold no spaces: each piece is already its token list.
    vocabulary = Vocabulary.build(train_pieces, split="whitespace", **LM_RESERVED_TOKENS)
    assert vocabulary.eos_id is not None

    def ids(tokens: list[str]) -> np.ndarray:
        return np.append(vocabulary.tokens_to_ids(tokens), vocabulary.eos_id).astype("int32")

    data = {
        "train": [ids(t) for t in train_pieces],
        **{s: [ids(t) for t in split[s]] for s in ("valid", "test")},
    }
    train_batches = SentenceBatches(data["train"], batch_size=config.batch_size, seed=config.seed)
    valid_batches = SentenceBatches(data["valid"], batch_size=config.batch_size, shuffle=False)
    print(
        f"{len(pieces)} pieces: train {len(split['train'])} (x{len(train_pieces) // len(split['train'])} "
        f"with transposition), valid {len(split['valid'])}, test {len(split['test'])}; vocabulary {len(vocabulary)}"
    )

    strategy = get_strategy(config.strategy)
    with strategy.scope():
        model = LanguageModel(
            vocabulary,
            units=config.units,
            depth=config.depth,
            kind=config.kind,
            embedding_dim=config.embedding_dim,
            dropout=config.dropout,
        )
        model.compile(
            optimizer=make_optimizer("adam", config.lr, clipnorm=config.clipnorm),
            loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
        )
        model(sentence_arrays(data["train"][:1])[0])
    started = time.time()
    identity = {
        k: v
        for k, v in asdict(config).items()
        if k not in ("epochs", "samples", "max_length", "strategy", "verbose")
    }
    history = train(
        model,
        train_batches,
        validation_data=valid_batches,
        epochs=config.epochs,
        strategy=strategy,
        run_dir=os.path.join(out_dir, CHECKPOINT_DIR),
        config=identity,
        seed=config.seed,
        verbose=config.verbose,
        callbacks=[keras.callbacks.EarlyStopping(patience=6, restore_best_weights=True)],
    )
    wall = time.time() - started

    # The bigram's smoothing is chosen on the validation pieces, like the LSTM's stopping epoch.
    bigram_counts = BigramModel(len(vocabulary)).fit(data["train"])
    best_alpha = min(
        BIGRAM_ALPHAS,
        key=lambda a: perplexity_of(_with_alpha(bigram_counts, a).score_ids, data["valid"]),
    )
    bigram = _with_alpha(bigram_counts, best_alpha)

    generated_ids = model.sample(
        n=config.samples,
        max_length=config.max_length,
        seed=config.seed,
        stop_at_eos=True,
        reject_unk=True,
    )
    generated = [text.split() for text in generated_ids if text.strip()]
    corpus_hist = pitch_class_histogram(split["train"])
    metrics: dict[str, Any] = {
        "pieces": {s: len(v) for s, v in split.items()},
        "vocabulary_size": len(vocabulary),
        "test_perplexity": perplexity_of(model.score_ids, data["test"]),
        "valid_perplexity": perplexity_of(model.score_ids, data["valid"]),
        "bigram_test_perplexity": perplexity_of(bigram.score_ids, data["test"]),
        "bigram_alpha": best_alpha,
        "pitch_class_distance_generated_vs_corpus": histogram_distance(
            pitch_class_histogram(generated), corpus_hist
        ),
        "pitch_class_distance_test_vs_train": histogram_distance(
            pitch_class_histogram(split["test"]), corpus_hist
        ),
        "pitch_class_distance_uniform_vs_corpus": histogram_distance(
            np.full(12, 1 / 12), corpus_hist
        ),
        "generated_mean_length": float(np.mean([len(g) for g in generated])) if generated else 0.0,
        "wall_time_s": wall,
        "history": history,
        "config": asdict(config),
    }
    save_model_atomic(model, os.path.join(out_dir, MODEL))
    if generated:
        write_midi(generated[0], os.path.join(out_dir, "sample.mid"))
    _write_json(os.path.join(out_dir, METRICS), metrics)
    return metrics


def _with_alpha(model: Any, alpha: float) -> Any:
    from .bigram import BigramModel

    clone = BigramModel(model.vocabulary_size, alpha)
    clone.counts = model.counts
    return clone
