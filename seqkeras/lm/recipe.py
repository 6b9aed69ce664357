"""The ``seqkeras lm train`` recipe: stateful truncated BPTT over a continuous stream
(Zaremba et al. 2014), resumable checkpoints, metrics JSON with perplexities."""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

CHECKPOINT = "checkpoint.keras"
STATE = "train_state.json"
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


def learning_rate(config: LMTrainConfig, epoch: int) -> float:
    """Zaremba's schedule: constant for ``decay_after`` epochs, then × ``lr_decay`` per epoch."""
    return config.lr * config.lr_decay ** max(0, epoch + 1 - config.decay_after)


def _write_json(path: str, payload: dict[str, Any]) -> None:
    from ..training import write_json_atomic

    write_json_atomic(path, payload)


def _save_model(model: Any, path: str) -> None:
    tmp = path[: -len(".keras")] + ".tmp.keras"
    model.save(tmp)
    os.replace(tmp, path)


def _stream_loss(model: Any, x: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    """Mean cross-entropy (nats/token) of a stateful model over a whole stream."""
    model.reset_states()
    loss = float(model.evaluate(x, y, batch_size=batch_size, verbose=0, return_dict=True)["loss"])
    model.reset_states()
    return loss / x.shape[1]  # undo the seq_len loss weight


def train_language_model(
    config: LMTrainConfig, out_dir: str, resume: bool = True
) -> dict[str, Any]:
    """Trains (or resumes) a word/char LM and writes model, checkpoints and metrics to ``out_dir``."""
    import keras

    from ..training import GradientNormLogger, TerminateOnNaN, get_strategy, make_optimizer
    from .corpora import encode_stream, load_corpus, make_vocabulary, stream_start_id
    from .language_model import LanguageModel
    from .streams import stream_arrays

    config.validate()
    os.makedirs(out_dir, exist_ok=True)
    state_path = os.path.join(out_dir, STATE)
    checkpoint_path = os.path.join(out_dir, CHECKPOINT)
    state: dict[str, Any] = {"epoch": 0, "batch": 0, "history": [], "wall_time_s": 0.0}
    if resume and os.path.exists(state_path) and os.path.exists(checkpoint_path):
        with open(state_path, encoding="utf-8") as f:
            state = json.load(f)
        saved = state.get("config", {})
        for key in ("corpus", "level", "kind", "units", "depth", "batch_size", "seq_len"):
            if key in saved and saved[key] != getattr(config, key):
                raise ValueError(
                    f"{out_dir} holds a run with {key}={saved[key]!r}, not {getattr(config, key)!r}; "
                    "use another --out or --no-resume"
                )
        print(
            f"resuming from {checkpoint_path}: epoch {state['epoch'] + 1}, batch {state['batch']}"
        )

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
        if os.path.exists(checkpoint_path) and state["epoch"] + state["batch"] > 0:
            model = keras.saving.load_model(checkpoint_path)
        else:
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

    run_state = state

    class _BatchCheckpoint(keras.callbacks.Callback):
        """Saves model + optimizer every ``checkpoint_every`` batches for mid-epoch resume."""

        def __init__(self, epoch: int, offset: int, started: float):
            super().__init__()
            self.epoch, self.offset, self.started = epoch, offset, started

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            done = self.offset + batch + 1
            if done % config.checkpoint_every == 0 and done < batches:
                _save_model(self.model, checkpoint_path)
                run_state.update(
                    epoch=self.epoch,
                    batch=done,
                    wall_time_s=run_state["wall_time_s"] + time.time() - self.started,
                    config=asdict(config),
                )
                self.started = time.time()
                _write_json(state_path, run_state)

    class _GradientNorm(GradientNormLogger):
        """The probe forward pass must not disturb the state carried along the stream."""

        def measure(self) -> float:
            saved = [keras.ops.convert_to_numpy(v) for v in model._state_variables]
            try:
                return super().measure()
            finally:
                for variable, value in zip(model._state_variables, saved, strict=True):
                    variable.assign(value)

    grad_norm = _GradientNorm(
        (x_train[: config.batch_size], y_train[: config.batch_size]),
        every=config.checkpoint_every,
        print_fn=print if config.verbose != 0 else None,
    )

    for epoch in range(state["epoch"], config.epochs):
        lr = learning_rate(config, epoch) if config.optimizer == "sgd" else config.lr
        model.optimizer.learning_rate.assign(lr)
        offset = state["batch"] if epoch == state["epoch"] else 0
        model.reset_states()
        checkpointer = _BatchCheckpoint(epoch, offset, time.time())
        history = model.fit(
            x_train[offset * config.batch_size :],
            y_train[offset * config.batch_size :],
            batch_size=config.batch_size,
            shuffle=False,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=config.verbose,
            callbacks=[TerminateOnNaN(), grad_norm, checkpointer],
        )
        train_loss = float(history.history["loss"][-1]) / config.seq_len
        valid_loss = _stream_loss(model, *arrays["valid"], config.batch_size)
        # Mid-epoch checkpoints already added the time up to their own save.
        state["wall_time_s"] = state["wall_time_s"] + time.time() - checkpointer.started
        state["history"].append(
            {
                "epoch": epoch + 1,
                "lr": lr,
                "train_perplexity": math.exp(train_loss),
                "valid_perplexity": math.exp(valid_loss),
                "grad_norm_max": history.history.get("grad_norm_max", [None])[-1],
                "wall_time_s": state["wall_time_s"],
            }
        )
        print(
            f"epoch {epoch + 1}/{config.epochs}: lr {lr:.4g}  train ppl {math.exp(train_loss):.2f}  "
            f"valid ppl {math.exp(valid_loss):.2f}  ({state['wall_time_s']:.0f} s so far)"
        )
        state.update(epoch=epoch + 1, batch=0, config=asdict(config))
        _save_model(model, checkpoint_path)
        _write_json(state_path, state)

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
