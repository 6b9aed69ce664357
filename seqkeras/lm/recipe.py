"""The ``seqkeras lm train`` recipe: stateful truncated BPTT over a continuous stream
(Zaremba et al. 2014), resumable checkpoints, metrics JSON with perplexities."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any

import keras
import numpy as np

from ..atomic import save_model_atomic

CHECKPOINT_DIR = "checkpoint"
MODEL = "model.keras"
METRICS = "metrics.json"


@dataclass
class LMTrainConfig:
    corpus: str = "ptb"
    level: str = "word"
    kind: str = "lstm"
    units: int = 200
    depth: int = 2
    embedding_dim: int | None = None  # None: same as units
    epochs: int = 13
    batch_size: int = 20
    seq_len: int = 20
    dropout: float = 0.0
    optimizer: str = "sgd"
    lr: float = 1.0
    lr_decay: float = 0.5
    decay_after: int = 4
    clipnorm: float = 5.0
    init_scale: float | None = 0.1
    max_tokens: int | None = None
    max_train_tokens: int | None = None
    checkpoint_every: int = 500
    seed: int = 0
    strategy: str = "default"
    verbose: int | str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> None:
        for name in ("units", "depth", "epochs", "batch_size", "seq_len", "checkpoint_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"--{name.replace('_', '-')} must be a positive integer; got {value!r}"
                )
        if not 0 <= self.dropout < 1:
            raise ValueError(f"--dropout must be in [0, 1); got {self.dropout}")
        if not self.lr > 0:
            raise ValueError(f"--lr must be > 0; got {self.lr}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"--optimizer must be one of {sorted(OPTIMIZERS)}; got {self.optimizer!r}"
            )
        if self.clipnorm is not None and not self.clipnorm > 0:
            raise ValueError(f"--clipnorm must be > 0; got {self.clipnorm}")


OPTIMIZERS = ("sgd", "adam")

# Zaremba, Sutskever & Vinyals (2014), "Recurrent Neural Network Regularization", PTB
# word level (their reference code's SmallConfig / MediumConfig). The dataclass defaults
# above are "ptb-small"; a preset fills every setting the command line leaves out.
PRESETS: dict[str, dict[str, Any]] = {
    "ptb-small": {
        "corpus": "ptb", "level": "word", "kind": "lstm", "units": 200, "depth": 2,
        "epochs": 13, "batch_size": 20, "seq_len": 20, "dropout": 0.0, "optimizer": "sgd",
        "lr": 1.0, "lr_decay": 0.5, "decay_after": 4, "clipnorm": 5.0, "init_scale": 0.1,
    },
    "ptb-medium": {
        "corpus": "ptb", "level": "word", "kind": "lstm", "units": 650, "depth": 2,
        "epochs": 39, "batch_size": 20, "seq_len": 35, "dropout": 0.5, "optimizer": "sgd",
        "lr": 1.0, "lr_decay": 0.8, "decay_after": 6, "clipnorm": 5.0, "init_scale": 0.05,
    },
}  # fmt: skip


def config_from(preset: str | None = None, **overrides: Any) -> LMTrainConfig:
    """An :class:`LMTrainConfig` from a preset (or the defaults) and explicit settings.

    ``None`` values in ``overrides`` mean "not given" and keep the preset's value.
    """
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(PRESETS)}")
    values = dict(PRESETS[preset]) if preset else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return LMTrainConfig(**values)


def learning_rate(config: LMTrainConfig, epoch: int) -> float:
    """Zaremba's schedule: constant for ``decay_after`` epochs, then × ``lr_decay`` per epoch."""
    return config.lr * config.lr_decay ** max(0, epoch + 1 - config.decay_after)


def _write_json(path: str, payload: dict[str, Any]) -> None:
    from ..training import write_json_atomic

    write_json_atomic(path, payload)


def _save_model(model: Any, path: str) -> None:
    save_model_atomic(model, path)


def _float(column: list[Any] | None, i: int) -> float | None:
    if not column or i >= len(column) or column[i] is None:
        return None
    return float(column[i])


class StreamStates(keras.callbacks.Callback):
    """Zeros the carried state where a stream starts: every epoch and the validation pass."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.model.reset_states()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.model.reset_states()

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        self.model.reset_states()


class PerplexityReport(keras.callbacks.Callback):
    """One line per epoch: learning rate, training and validation perplexity."""

    def __init__(self, seq_len: int, epochs: int) -> None:
        super().__init__()
        self.seq_len, self.epochs = seq_len, epochs

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        line = f"epoch {epoch + 1}/{self.epochs}: lr {lr:.4g}"
        for name, key in (("train", "loss"), ("valid", "val_loss")):
            if key in logs:
                line += f"  {name} ppl {math.exp(float(logs[key]) / self.seq_len):.2f}"
        print(line, flush=True)


def _stream_loss(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    """Mean cross-entropy (nats/token) of a stateful model over a whole stream.

    Plain calls of the model, batch after batch (not ``evaluate``, which fails under a
    multi-worker strategy): the carried state continues every lane across windows.
    """
    import tensorflow as tf

    @tf.function
    def batch_loss(xb: Any, yb: Any) -> Any:
        logits, _ = model.logits_and_states(xb, training=False)
        return tf.reduce_sum(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits)
        )

    model.reset_states()
    total = 0.0
    for start in range(0, len(x), batch_size):
        total += float(batch_loss(x[start : start + batch_size], y[start : start + batch_size]))
    model.reset_states()
    return total / y.size


def _identity(config: LMTrainConfig) -> dict[str, Any]:
    """What makes two runs the same run: everything but how long and where it trains."""
    return {
        k: v
        for k, v in asdict(config).items()
        if k not in ("epochs", "strategy", "verbose", "checkpoint_every")
    }


def train_language_model(
    config: LMTrainConfig, out_dir: str, resume: bool = True
) -> dict[str, Any]:
    """Trains (or resumes) a word/char LM and writes model, checkpoints and metrics to ``out_dir``.

    ``config.epochs`` is the run's total: rerunning a finished run with more epochs
    trains the missing ones.
    """
    from ..training import delete_checkpoint, get_strategy, make_optimizer, train
    from .corpora import encode_stream, load_corpus, make_vocabulary, stream_start_id
    from .language_model import LanguageModel
    from .streams import stream_arrays

    config.validate()
    os.makedirs(out_dir, exist_ok=True)
    run_dir = os.path.join(out_dir, CHECKPOINT_DIR)
    if not resume:
        delete_checkpoint(run_dir)

    keras.utils.set_random_seed(config.seed)
    corpus = load_corpus(config.corpus)
    vocabulary = make_vocabulary(corpus, config.level, config.max_tokens)
    streams = {
        s: encode_stream(vocabulary, getattr(corpus, s), config.level)
        for s in ("train", "valid", "test")
    }
    if config.max_train_tokens:
        streams["train"] = streams["train"][: config.max_train_tokens]
    arrays = {
        s: stream_arrays(ids, config.batch_size, config.seq_len) for s, ids in streams.items()
    }
    x_train, y_train = arrays["train"]
    batches = len(x_train) // config.batch_size
    print(
        f"corpus {corpus.name} ({config.level}): vocabulary {len(vocabulary)}, "
        f"tokens train/valid/test {len(streams['train'])}/{len(streams['valid'])}/{len(streams['test'])}, "
        f"{batches} batches of {config.batch_size}x{config.seq_len} per epoch"
    )

    strategy = get_strategy(config.strategy)
    with strategy.scope():
        model = LanguageModel(
            vocabulary,
            units=config.units,
            depth=config.depth,
            kind=config.kind,
            embedding_dim=config.embedding_dim or config.units,
            dropout=config.dropout,
            start_id=stream_start_id(vocabulary, config.level),
            init_scale=config.init_scale,
            stateful=True,
        )
        model.compile(
            # Zaremba et al. clip the global norm of all gradients together.
            optimizer=make_optimizer(
                config.optimizer,
                config.lr,
                clipnorm=None,
                global_clipnorm=config.clipnorm or None,
            ),
            loss=keras.losses.SparseCategoricalCrossentropy(),
            # Zaremba's loss is summed over the seq_len steps (averaged over the batch):
            # weighting Keras' per-token mean by seq_len gives the same gradients, so
            # lr 1 and clip norm 5 mean what they mean in the paper.
            loss_weights=[float(config.seq_len)],
        )
        model(np.zeros((config.batch_size, config.seq_len), dtype="int32"))

    callbacks: list[Any] = [StreamStates(), PerplexityReport(config.seq_len, config.epochs)]
    if config.optimizer == "sgd":
        callbacks.append(
            keras.callbacks.LearningRateScheduler(lambda epoch, _: learning_rate(config, epoch))
        )
    history = train(
        model,
        (x_train, y_train),
        batch_size=config.batch_size,
        shuffle=False,  # lanes continue from batch to batch
        validation_data=arrays["valid"],
        epochs=config.epochs,
        strategy=strategy,
        run_dir=run_dir,
        config=_identity(config),
        save_freq=config.checkpoint_every,
        grad_norm_every=config.checkpoint_every,
        callbacks=callbacks,
        verbose=config.verbose,
    )
    epochs_done = len(history.get("epoch", []))
    state = {
        "epoch": epochs_done,
        "history": [
            {
                "epoch": int(history["epoch"][i]) + 1,
                "lr": _float(history.get("learning_rate"), i),
                "train_perplexity": math.exp(history["loss"][i] / config.seq_len),
                "valid_perplexity": math.exp(history["val_loss"][i] / config.seq_len),
                "grad_norm_max": _float(history.get("grad_norm_max"), i),
                "seconds": _float(history.get("seconds"), i),
            }
            for i in range(epochs_done)
        ],
    }
    state["wall_time_s"] = sum(h["seconds"] or 0.0 for h in state["history"])

    metrics: dict[str, Any] = {
        "corpus": corpus.name,
        "level": config.level,
        "vocabulary_size": len(vocabulary),
        "epochs_completed": state["epoch"],
        "wall_time_s": state["wall_time_s"],
        "history": state["history"],
        "config": asdict(config),
    }
    losses = {}
    for split in ("valid", "test"):
        losses[split] = _stream_loss(model, *arrays[split], config.batch_size)
        metrics[f"{split}_perplexity"] = math.exp(losses[split])
    if state["history"]:
        metrics["train_perplexity"] = state["history"][-1]["train_perplexity"]
        losses["train"] = math.log(metrics["train_perplexity"])
    if config.level == "char":
        for split, loss in losses.items():
            metrics[f"{split}_bits_per_character"] = loss / math.log(2)
    stateless = model.stateless_copy()
    _save_model(stateless, os.path.join(out_dir, MODEL))
    _write_json(os.path.join(out_dir, METRICS), metrics)
    return metrics
