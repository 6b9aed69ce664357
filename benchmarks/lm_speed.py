"""Training speed of the seqkeras LM recipe against a plain Keras model of the same shape.

Both models are Zaremba's "small" PTB LM by default: a stateful
``Embedding(V, 200) -> LSTM(200) -> LSTM(200) -> Dense(V, softmax)`` over batches of
20 lanes x 20 steps, SGD with a global clip norm, the loss weighted by the window length
(as the recipe does). The candidate is ``seqkeras.lm.LanguageModel`` trained through
``seqkeras.training.train`` with the recipe's callbacks (carried-state resets, the
learning-rate schedule, the gradient-norm probe and mid-epoch checkpoints every
``--checkpoint-every`` steps); the reference is ``keras.Sequential`` trained with plain
``model.fit``. Each "epoch" is ``--steps`` batches of the same random token stream (the
speed does not depend on the words). Each run is one training call of ``--epochs``
epochs, as in the recipe; the first epoch (tracing, compilation) is not timed.
Candidate and reference runs alternate (A B, B A, ...) so that load from other
processes affects both alike; the ratio is median epoch time over median epoch time
(> 1: seqkeras is slower). Prints one JSON document.

With ``--backends tensorflow,jax`` the same measurement runs once per Keras backend, each
in its own process (the backend is fixed at import), the backends alternating round by
round, and the JSON adds each backend's ms/step and the ratio to the first backend's.

Usage::

    python benchmarks/lm_speed.py                    # 2 rounds x 4 epochs x 500 steps
    python benchmarks/lm_speed.py --rounds 1 --epochs 3 --steps 100
    python benchmarks/lm_speed.py --backends tensorflow,jax --rounds 2 --epochs 2 --steps 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

import keras
import numpy as np


def _stream(vocabulary_size: int, steps: int, batch: int, seq_len: int) -> tuple[Any, Any]:
    from seqkeras.lm.streams import stream_arrays

    rng = np.random.default_rng(0)
    ids = rng.integers(3, vocabulary_size, size=steps * batch * seq_len + batch + 1)
    return stream_arrays(ids.astype("int32"), batch, seq_len)


def _optimizer() -> Any:
    from seqkeras.training import make_optimizer

    return make_optimizer("sgd", 1.0, clipnorm=None, global_clipnorm=5.0)


def _seqkeras_model(vocabulary_size: int, units: int, batch: int, seq_len: int) -> Any:
    from seqkeras.lm import LanguageModel
    from seqkeras.text import WordVocabulary

    vocabulary = WordVocabulary(tokens=[f"w{i}" for i in range(vocabulary_size - 3)])
    model = LanguageModel(
        vocabulary, units=units, depth=2, kind="lstm", embedding_dim=units,
        init_scale=0.1, stateful=True,
    )  # fmt: skip
    model.compile(
        optimizer=_optimizer(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        loss_weights=[float(seq_len)],
    )
    model(np.zeros((batch, seq_len), dtype="int32"))
    return model


def _keras_model(vocabulary_size: int, units: int, batch: int, seq_len: int) -> Any:
    init = keras.initializers.RandomUniform(-0.1, 0.1)
    model = keras.Sequential(
        [
            keras.Input((seq_len,), batch_size=batch, dtype="int32"),
            keras.layers.Embedding(vocabulary_size, units, embeddings_initializer=init),
            keras.layers.LSTM(units, return_sequences=True, stateful=True,
                              kernel_initializer=init, recurrent_initializer=init),
            keras.layers.LSTM(units, return_sequences=True, stateful=True,
                              kernel_initializer=init, recurrent_initializer=init),
            keras.layers.Dense(vocabulary_size, activation="softmax", kernel_initializer=init),
        ]
    )  # fmt: skip
    model.compile(
        optimizer=_optimizer(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        loss_weights=[float(seq_len)],
    )
    return model


def _epochs_seqkeras(model: Any, x: Any, y: Any, args: Any, run_dir: str) -> list[float]:
    """Per-epoch seconds of one ``train`` call of ``--epochs`` epochs (the recipe's way)."""
    from seqkeras.lm.recipe import LMTrainConfig, StreamStates, learning_rate
    from seqkeras.training import train

    config = LMTrainConfig()
    callbacks = [
        StreamStates(),
        keras.callbacks.LearningRateScheduler(lambda epoch, _: learning_rate(config, epoch)),
    ]
    history = train(model, (x, y), batch_size=args.batch_size, shuffle=False,
                    epochs=args.epochs, run_dir=run_dir, save_freq=args.checkpoint_every,
                    grad_norm_every=args.checkpoint_every, callbacks=callbacks, verbose=0,
                    delete_when_done=True)  # fmt: skip
    return [float(s) for s in history["seconds"]]


class _EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs: Any = None) -> None:
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.seconds.append(time.perf_counter() - self._started)


def _epochs_keras(model: Any, x: Any, y: Any, args: Any) -> list[float]:
    timer = _EpochTimer()
    model.fit(x, y, batch_size=args.batch_size, shuffle=False, epochs=args.epochs, verbose=0,
              callbacks=[timer])  # fmt: skip
    return timer.seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="A B, B A, ... training runs")
    parser.add_argument("--epochs", type=int, default=4, help="epochs per run (first untimed)")
    parser.add_argument("--steps", type=int, default=500, help="batches per timed epoch")
    parser.add_argument("--vocabulary", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--seq-len", type=int, default=20)
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument(
        "--backends", default="", help="comma-separated Keras backends to compare, one process each"
    )
    args = parser.parse_args(argv)
    if args.backends:
        return _compare_backends(args)
    keras.utils.set_random_seed(0)
    x, y = _stream(args.vocabulary, args.steps, args.batch_size, args.seq_len)
    shape = (args.vocabulary, args.units, args.batch_size, args.seq_len)
    runs: dict[str, list[float]] = {"seqkeras": [], "keras": []}
    with tempfile.TemporaryDirectory() as tmp:
        # A B B A ...: each run is one training call of --epochs epochs; its first epoch
        # (tracing, compilation) is left out of the per-epoch times.
        for r in range(args.rounds):
            order = ("seqkeras", "keras") if r % 2 == 0 else ("keras", "seqkeras")
            for name in order:
                keras.utils.set_random_seed(r)
                if name == "seqkeras":
                    model = _seqkeras_model(*shape)
                    seconds = _epochs_seqkeras(model, x, y, args, os.path.join(tmp, f"r{r}"))
                else:
                    seconds = _epochs_keras(_keras_model(*shape), x, y, args)
                runs[name].extend(seconds[1:])
    full_epoch_steps = 929_589 // (args.batch_size * args.seq_len)  # PTB train tokens
    ours_s, theirs_s = statistics.median(runs["seqkeras"]), statistics.median(runs["keras"])
    print(
        json.dumps(
            {
                "benchmark": "lm_speed",
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                "load_average": os.getloadavg(),
                "backend": keras.backend.backend(),
                "settings": vars(args),
                "seqkeras_epoch_s": [round(v, 2) for v in runs["seqkeras"]],
                "keras_epoch_s": [round(v, 2) for v in runs["keras"]],
                "seqkeras_ms_per_step": round(1000 * ours_s / args.steps, 2),
                "keras_ms_per_step": round(1000 * theirs_s / args.steps, 2),
                "ratio_seqkeras_to_keras": round(ours_s / theirs_s, 3),
                "ptb_epoch_estimate_s": {
                    "seqkeras": round(ours_s / args.steps * full_epoch_steps),
                    "keras": round(theirs_s / args.steps * full_epoch_steps),
                },
            },
            indent=2,
        )
    )
    return 0


def _compare_backends(args: Any) -> int:
    """One process per backend and round (orders alternate), merged into one JSON."""
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    # The same settings, one round per process.
    passed = [item for key, value in vars(args).items() if key not in ("rounds", "backends")
              for item in (f"--{key.replace('_', '-')}", str(value))]  # fmt: skip
    runs: dict[str, list[dict[str, Any]]] = {b: [] for b in backends}
    for r in range(args.rounds):
        for backend in backends if r % 2 == 0 else backends[::-1]:
            env = {**os.environ, "KERAS_BACKEND": backend}
            done = subprocess.run(
                [sys.executable, __file__, "--rounds", "1", *passed],
                env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                sys.stderr.write(done.stderr[-4000:])
                raise SystemExit(f"the {backend} run failed (exit {done.returncode})")
            runs[backend].append(json.loads(done.stdout[done.stdout.index("{") :]))
    first = backends[0]

    def median_ms(backend: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[backend])

    summary = {
        b: {
            "seqkeras_ms_per_step": median_ms(b, "seqkeras_ms_per_step"),
            "keras_ms_per_step": median_ms(b, "keras_ms_per_step"),
            "seqkeras_vs_" + first: round(
                median_ms(b, "seqkeras_ms_per_step") / median_ms(first, "seqkeras_ms_per_step"), 3
            ),
            "seqkeras_to_keras": round(
                median_ms(b, "seqkeras_ms_per_step") / median_ms(b, "keras_ms_per_step"), 3
            ),
        }
        for b in backends
    }
    print(
        json.dumps(
            {"benchmark": "lm_speed_backends", "machine": f"{platform.machine()}, "
             f"{os.cpu_count()} CPUs", "load_average": os.getloadavg(), "settings": vars(args),
             "backends": summary, "runs": runs},
            indent=2,
        )
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
