"""Beam-search throughput: sentences/second for B = 1, 3, 10 at batch 64, vs greedy and KerasHub.

The decoder is a GRU-sized step function with fixed random weights (embedding
E x H, one GRU cell of H units, output projection H x V) written in keras.ops,
so the numbers measure the search plus a realistic per-step cost. Each example
gets a target length drawn uniformly from [max_length / 3, max_length]; from
then on the end token's logit is high (before it, low), so lengths vary as in
translation. Each search is compiled once
(``tf.function`` / ``jax.jit``), warmed up, and timed over ``--repeats`` runs,
round-robin.

The same step function also drives KerasHub's ``keras_hub.samplers.BeamSampler``
(when ``keras-hub`` is installed), so the ratio ``vs_keras_hub`` compares the
two searches on the same model in the same run. KerasHub's sampler does less
work: no length normalization, no pool of finished hypotheses (a beam that
emitted the end token keeps being extended), and it returns the beam with the
best plain Σ log P. ``model_only`` times the step function alone on
``batch * B`` rows for as many steps as the searches ran — the part of a beam
search's time that no search can save.

    python benchmarks/beam_search.py [--batch 64] [--vocab 8000] [--units 256] [--xla]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import keras
import numpy as np
from keras import ops

from seqkeras.decoding import beam_search, greedy_search

END = 1
START = 2
END_HIGH = 10.0  # end-token logit once an example reaches its target length (else -10)


def make_decoder(vocab: int, embed: int, units: int, seed: int = 0):
    rng = np.random.default_rng(seed)

    def w(*shape, scale=None):
        scale = scale or 1.0 / np.sqrt(shape[0])
        return (rng.normal(size=shape) * scale).astype("float32")

    emb = w(vocab, embed, scale=1.0)
    wx, wh, b = w(embed, 3 * units), w(units, 3 * units), np.zeros(3 * units, "float32")
    wo, bo = w(units, vocab), np.zeros(vocab, "float32")
    weights = [ops.convert_to_tensor(x) for x in (emb, wx, wh, b, wo, bo)]
    end_column = ops.convert_to_tensor(np.eye(vocab, dtype="float32")[END])

    def next_fn(tokens, state):
        emb_t, wx_t, wh_t, b_t, wo_t, bo_t = weights
        h = state["h"]
        x = ops.take(emb_t, tokens, axis=0)
        gx = ops.matmul(x, wx_t) + b_t
        gh = ops.matmul(h, wh_t)
        z = ops.sigmoid(gx[:, :units] + gh[:, :units])
        r = ops.sigmoid(gx[:, units : 2 * units] + gh[:, units : 2 * units])
        c = ops.tanh(gx[:, 2 * units :] + r * gh[:, 2 * units :])
        h = z * h + (1.0 - z) * c
        end_logit = ops.where(ops.greater_equal(state["t"], state["end_at"]), END_HIGH, -END_HIGH)
        logits = ops.matmul(h, wo_t) + bo_t + end_logit[:, None] * end_column
        return logits, {"h": h, "t": state["t"] + 1, "end_at": state["end_at"]}

    return next_fn


def compile_fn(fn, xla: bool = False):
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=xla)
    if backend == "jax":
        import jax

        return jax.jit(fn)
    return fn


def _run(fn, state):
    out = fn(state)
    np.asarray(ops.convert_to_numpy(out[0]))  # wait for the result
    return out


def keras_hub_beam(next_fn, width: int, max_length: int):
    """``state -> (tokens (batch, 1, max_length), lengths (batch, 1))`` via KerasHub's BeamSampler.

    KerasHub's ``next(prompt, cache, index)`` reads the last token from the prompt
    (start token at position 0, generated tokens after it) and returns
    ``(logits, hidden_states, cache)``; the cache is our state.
    """
    from keras_hub.samplers import BeamSampler

    sampler = BeamSampler(num_beams=width)

    def hub_next(prompt, cache, index):
        tokens = ops.take(prompt, index - 1, axis=1)
        logits, new_state = next_fn(tokens, cache)
        return logits, None, new_state

    def search(state):
        batch = ops.shape(state["h"])[0]
        prompt = ops.concatenate(
            [ops.full((batch, 1), START, dtype="int32"),
             ops.zeros((batch, max_length), dtype="int32")], axis=1,
        )
        mask = ops.broadcast_to(ops.arange(max_length + 1) == 0, ops.shape(prompt))
        out = sampler(hub_next, prompt, cache=state, index=1, mask=mask, stop_token_ids=(END,))
        tokens = out[:, 1:]
        is_end = ops.cast(ops.equal(tokens, END), "int32")
        # Ty with the end token, like DecodeResult.lengths (max_length when none).
        first_end = ops.argmax(is_end, axis=-1) + 1
        lengths = ops.where(ops.any(is_end > 0, axis=-1), first_end, max_length)
        return tokens[:, None, :], lengths[:, None]

    return search


def model_only(next_fn, width: int, steps: int):
    """``state -> max logit``: ``steps`` calls of ``next_fn`` on ``batch * width`` rows.

    The step function alone, as a beam search of width ``width`` runs it; the
    row maximum keeps the logits alive without another (N, V) output.
    """

    def run(state):
        state = {k: ops.repeat(v, width, axis=0) for k, v in state.items()}
        tokens = ops.full((ops.shape(state["h"])[0],), START, dtype="int32")

        def body(i, carry):
            s, acc = carry
            logits, s = next_fn(tokens, s)
            return s, ops.maximum(acc, ops.max(logits, axis=-1))

        _, acc = ops.fori_loop(0, steps, body, (state, ops.zeros_like(tokens, dtype="float32")))
        return acc, acc

    return run


def time_interleaved(fns: dict, state, repeats: int) -> tuple[dict, dict]:
    """Median seconds per call for each function, measured round-robin.

    The machines are shared, so the searches are timed in alternation (round r
    runs every search once) to expose them all to the same background load.
    """
    outputs = {name: _run(fn, state) for name, fn in fns.items()}  # compile + warm up
    times: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            _run(fn, state)
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}, outputs


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--vocab", type=int, default=8000)
    parser.add_argument("--embed", type=int, default=128)
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--max-length", type=int, default=30)
    parser.add_argument("--widths", type=int, nargs="+", default=[1, 3, 10])
    parser.add_argument("--alpha", type=float, default=0.7)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--xla", action="store_true",
                        help="TensorFlow backend: tf.function(jit_compile=True)")
    parser.add_argument("--no-keras-hub", action="store_true",
                        help="skip KerasHub's BeamSampler (measured when keras-hub is installed)")
    parser.add_argument("--no-model-only", action="store_true",
                        help="skip timing the step function alone")
    args = parser.parse_args(argv)

    next_fn = make_decoder(args.vocab, args.embed, args.units)
    rng = np.random.default_rng(1)
    state = {
        "h": ops.convert_to_tensor(rng.normal(size=(args.batch, args.units)).astype("float32")),
        "t": ops.zeros((args.batch,), dtype="int32"),
        "end_at": ops.convert_to_tensor(
            rng.integers(args.max_length // 3, args.max_length, size=args.batch).astype("int32")
        ),
    }

    def greedy(s):
        r = greedy_search(next_fn, s, START, END, max_length=args.max_length)
        return r.tokens, r.lengths

    def make_beam(width):
        def beam(s):
            r = beam_search(next_fn, s, START, END, beam_width=width,
                            max_length=args.max_length, alpha=args.alpha)
            return r.tokens, r.lengths

        return beam

    keras_hub_version = None
    if not args.no_keras_hub:
        try:
            import keras_hub

            keras_hub_version = keras_hub.__version__
        except ImportError:
            pass
    # Every search below stops once all its hypotheses have ended, i.e. after
    # the longest example (end_at + 1 tokens): the model-only loops run as long.
    steps = min(args.max_length, int(np.max(ops.convert_to_numpy(state["end_at"]))) + 1)
    fns = {"greedy": compile_fn(greedy, args.xla)}
    if not args.no_model_only:
        fns["model_only_1"] = compile_fn(model_only(next_fn, 1, steps), args.xla)
    for width in args.widths:
        fns[f"beam_{width}"] = compile_fn(make_beam(width), args.xla)
        if keras_hub_version is not None:
            fns[f"keras_hub_beam_{width}"] = compile_fn(
                keras_hub_beam(next_fn, width, args.max_length), args.xla
            )
        if not args.no_model_only and width > 1:
            fns[f"model_only_{width}"] = compile_fn(model_only(next_fn, width, steps), args.xla)
    seconds, outputs = time_interleaved(fns, state, args.repeats)
    greedy_rate = args.batch / seconds["greedy"]
    results = {}
    for name in fns:
        rate = args.batch / seconds[name]
        results[name] = {
            "seconds_per_batch": round(seconds[name], 4),
            "sentences_per_second": round(rate, 2),
            "ratio_vs_greedy": round(rate / greedy_rate, 4),
        }
        if not name.startswith("model_only"):
            results[name]["mean_length"] = float(
                np.mean(ops.convert_to_numpy(outputs[name][1])[..., 0]
                        if name != "greedy" else ops.convert_to_numpy(outputs[name][1]))
            )
    for width in args.widths:
        hub = f"keras_hub_beam_{width}"
        if hub in results:
            results[f"beam_{width}"]["ratio_vs_keras_hub"] = round(
                seconds[hub] / seconds[f"beam_{width}"], 4
            )
            # Same best hypothesis (KerasHub ranks by plain Σ log P, seqkeras by
            # the length-normalized objective, so some disagreement is expected).
            ours = ops.convert_to_numpy(outputs[f"beam_{width}"][0])[:, 0]
            theirs = ops.convert_to_numpy(outputs[hub][0])[:, 0]
            n_ours = ops.convert_to_numpy(outputs[f"beam_{width}"][1])[:, 0]
            n_theirs = ops.convert_to_numpy(outputs[hub][1])[:, 0]
            same = [
                n_ours[i] == n_theirs[i] and np.array_equal(ours[i, : n_ours[i]],
                                                             theirs[i, : n_theirs[i]])
                for i in range(args.batch)
            ]
            results[hub]["same_best_hypothesis_as_seqkeras"] = float(np.mean(same))
        model = f"model_only_{width}"
        if model in results:
            # The fastest a width-B search could be: its model calls and nothing else.
            results[f"beam_{width}"]["ceiling_ratio_vs_greedy"] = round(
                seconds["greedy"] / seconds[model], 4
            )
    if "beam_1" in outputs:
        results["beam_1"]["equals_greedy"] = bool(
            np.array_equal(ops.convert_to_numpy(outputs["beam_1"][0])[:, 0],
                           ops.convert_to_numpy(outputs["greedy"][0]))
        )
    report = {
        "benchmark": "beam_search_throughput",
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
        "settings": vars(args),
        "keras_version": keras.__version__,
        "keras_hub_version": keras_hub_version,
        "model_only_steps": steps,
        "results": results,
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
