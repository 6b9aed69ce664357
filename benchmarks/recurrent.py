"""Speed of seqkeras recurrent layers against the Keras built-ins, measured in one run.

Two groups of (candidate, reference) pairs, each a model ``Input -> layer -> Dense(1)``:

* ``recurrent``: ``seqkeras.layers.Recurrent(kind=...)`` against the Keras built-in with
  the same maths (``Recurrent`` should wrap that built-in, so the ratio should be ~1).
* ``cell``: each seqkeras cell in ``keras.layers.RNN`` against the closest built-in.

For every pair the script times training steps (``train_on_batch``) and inference steps
(``predict_on_batch``) after warm-up steps (compilation excluded). Candidate and reference
are measured in short alternating rounds (the order flips every round) so that load from
other processes affects both alike; the ratio is the median over rounds of the paired
candidate/reference ratio, and ms/step figures are medians over rounds. Prints one JSON
document (> 1 means the candidate is slower).

Usage::

    nice -n 10 python benchmarks/recurrent.py            # full: 20 rounds x 1 step
    python benchmarks/recurrent.py --quick               # 3 rounds x 1 step
    python benchmarks/recurrent.py --only lstm_cell --only recurrent_lstm
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time

import keras
import numpy as np

from seqkeras.layers import BasicRNNCell, GRUCell, LSTMCell, Recurrent

BATCH, TIMESTEPS, FEATURES, UNITS = 64, 100, 40, 128


def _pairs(units):
    """name -> (group, candidate factory, reference factory, description)."""
    L = keras.layers
    return {
        "recurrent_rnn": (
            "recurrent",
            lambda: Recurrent("rnn", units),
            lambda: L.SimpleRNN(units),
            "Recurrent('rnn') vs SimpleRNN",
        ),
        "recurrent_gru": (
            "recurrent",
            lambda: Recurrent("gru", units),
            lambda: L.GRU(units),
            "Recurrent('gru') vs GRU",
        ),
        "recurrent_gru_reset_before": (
            "recurrent",
            lambda: Recurrent("gru", units, reset_after=False),
            lambda: L.GRU(units, reset_after=False),
            "Recurrent('gru', reset_after=False) vs GRU(reset_after=False)",
        ),
        "recurrent_lstm": (
            "recurrent",
            lambda: Recurrent("lstm", units),
            lambda: L.LSTM(units),
            "Recurrent('lstm') vs LSTM",
        ),
        "basic_rnn_cell": (
            "cell",
            lambda: L.RNN(BasicRNNCell(units)),
            lambda: L.SimpleRNN(units),
            "RNN(BasicRNNCell) vs SimpleRNN",
        ),
        "gru_cell": (
            "cell",
            lambda: L.RNN(GRUCell(units)),
            lambda: L.GRU(units, reset_after=False),
            "RNN(GRUCell) vs GRU(reset_after=False)",
        ),
        "gru_cell_reset_after": (
            "cell",
            lambda: L.RNN(GRUCell(units, reset_after=True)),
            lambda: L.GRU(units),
            "RNN(GRUCell(reset_after=True)) vs GRU",
        ),
        "gru_cell_simplified": (
            "cell",
            lambda: L.RNN(GRUCell(units, simplified=True)),
            lambda: L.GRU(units),
            "RNN(GRUCell(simplified=True)) vs GRU",
        ),
        "lstm_cell": (
            "cell",
            lambda: L.RNN(LSTMCell(units)),
            lambda: L.LSTM(units),
            "RNN(LSTMCell) vs LSTM",
        ),
        "lstm_cell_peephole": (
            "cell",
            lambda: L.RNN(LSTMCell(units, peephole=True)),
            lambda: L.LSTM(units),
            "RNN(LSTMCell(peephole=True)) vs LSTM",
        ),
    }


def _model(make_layer, batch, timesteps, features):
    inputs = keras.Input(batch_shape=(batch, timesteps, features))
    outputs = keras.layers.Dense(1)(make_layer()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    return model


def _time_steps(fn, steps):
    """Returns (wall ms/step, process CPU ms/step) over ``steps`` calls of ``fn``.

    Process CPU time (all threads of this process) is far less sensitive than wall time
    to other processes competing for the cores, so both are reported.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        fn()
    return (
        1000.0 * (time.perf_counter() - wall) / steps,
        1000.0 * (time.process_time() - cpu) / steps,
    )


def _measure_pair(candidate, reference, x, y, warmup, rounds, steps):
    """Times both models in alternating rounds; returns ms/step and ratios.

    Each round runs ``steps`` training steps of one model then of the other (the order
    flips every round), then the same for inference. The ratio is the median over rounds
    of the paired ratio candidate/reference, so load that drifts over minutes cancels;
    the ms/step figures are medians over rounds. Wall-clock and process-CPU times are
    both reported (``ratio`` and ``ratio_cpu``).
    """
    models = {"candidate": candidate, "reference": reference}
    for model in models.values():
        for _ in range(warmup):
            model.train_on_batch(x, y)
            model.predict_on_batch(x)
    clocks = ("wall", "cpu")
    samples = {
        (role, kind, clock): []
        for role in models
        for kind in ("train", "infer")
        for clock in clocks
    }
    actions = {
        "train": lambda m: m.train_on_batch(x, y),
        "infer": lambda m: m.predict_on_batch(x),
    }
    for round_index in range(rounds):
        order = ["candidate", "reference"] if round_index % 2 == 0 else ["reference", "candidate"]
        for kind, action in actions.items():
            for role in order:
                model = models[role]
                times = _time_steps(lambda m=model, a=action: a(m), steps)
                for clock, value in zip(clocks, times, strict=True):
                    samples[role, kind, clock].append(value)
    result = {}
    for kind in ("train", "infer"):
        entry = {}
        for clock in clocks:
            cand = samples["candidate", kind, clock]
            ref = samples["reference", kind, clock]
            paired = [c / r for c, r in zip(cand, ref, strict=True)]
            quartiles = statistics.quantiles(paired, n=4) if len(paired) > 1 else paired * 3
            suffix = "" if clock == "wall" else "_cpu"
            entry[f"candidate{suffix}"] = round(statistics.median(cand), 2)
            entry[f"reference{suffix}"] = round(statistics.median(ref), 2)
            entry[f"ratio{suffix}"] = round(statistics.median(paired), 3)
            entry[f"ratio{suffix}_quartiles"] = [round(q, 3) for q in quartiles]
        result[f"{kind}_ms_per_step"] = entry
    return result


def _accelerator() -> str | None:
    """The device the backend computes on when it is not the CPU (e.g. "jax: NVIDIA H200")."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return None if device.platform == "cpu" else f"jax: {device.device_kind}"
    if backend == "torch":
        import torch

        return f"torch: {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else None
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"tensorflow: {gpus[0].name}" if gpus else None
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds x 1 step, 1 warm-up")
    parser.add_argument("--rounds", type=int, default=20, help="alternating rounds per pair")
    parser.add_argument("--steps", type=int, default=1, help="timed steps per round")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per model")
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--timesteps", type=int, default=TIMESTEPS)
    parser.add_argument("--features", type=int, default=FEATURES)
    parser.add_argument("--units", type=int, default=UNITS)
    parser.add_argument(
        "--only", action="append", default=None, help="run only this pair (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.steps, args.warmup = 3, 1, 1
    pairs = _pairs(args.units)
    names = args.only or list(pairs)
    unknown = [n for n in names if n not in pairs]
    if unknown:
        parser.error(f"unknown pair(s) {unknown}; choose from {list(pairs)}")
    for name, value in (
        ("rounds", args.rounds),
        ("steps", args.steps),
        ("batch", args.batch),
        ("timesteps", args.timesteps),
    ):
        if value <= 0:
            parser.error(f"--{name} must be positive, got {value}")

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, args.timesteps, args.features)).astype("float32")
    y = rng.standard_normal((args.batch, 1)).astype("float32")
    results = []
    for name in names:
        group, make_candidate, make_reference, description = pairs[name]
        print(f"[recurrent bench] {name}: {description}", file=sys.stderr, flush=True)
        keras.utils.set_random_seed(0)
        candidate = _model(make_candidate, args.batch, args.timesteps, args.features)
        reference = _model(make_reference, args.batch, args.timesteps, args.features)
        measured = _measure_pair(candidate, reference, x, y, args.warmup, args.rounds, args.steps)
        results.append({"name": name, "group": group, "pair": description, **measured})
        train, infer = measured["train_ms_per_step"], measured["infer_ms_per_step"]
        print(
            f"  train ratio {train['ratio']} (cpu {train['ratio_cpu']}), "
            f"infer ratio {infer['ratio']} (cpu {infer['ratio_cpu']})",
            file=sys.stderr,
            flush=True,
        )
        keras.backend.clear_session()

    report = {
        "benchmark": "recurrent",
        "backend": keras.backend.backend(),
        "keras": keras.__version__,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "accelerator": _accelerator(),
        },
        "shape": {
            "batch": args.batch,
            "timesteps": args.timesteps,
            "features": args.features,
            "units": args.units,
        },
        "protocol": {
            "rounds": args.rounds,
            "steps_per_round": args.steps,
            "warmup_steps": args.warmup,
            "statistic": "ratio = median of per-round paired ratios; ms = median of round means",
            "clocks": "wall (perf_counter) and process CPU time of all threads (_cpu)",
            "order": "candidate/reference alternate, order flips each round",
        },
        "results": results,
        "max_ratio": {
            group: {
                f"{kind}{suffix}": max(
                    r[f"{kind}_ms_per_step"][f"ratio{suffix}"]
                    for r in results
                    if r["group"] == group
                )
                for kind in ("train", "infer")
                for suffix in ("", "_cpu")
            }
            for group in sorted({r["group"] for r in results})
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
