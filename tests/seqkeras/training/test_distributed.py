"""tf.distribute: MirroredStrategy over two logical CPUs equals one device;
MultiWorkerMirroredStrategy with two local worker processes trains in lockstep.

Logical devices and TF_CONFIG must be set before TensorFlow starts, so every case runs
in a fresh interpreter (``sys.executable``) and reports JSON on its last output line.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.distributed, pytest.mark.slow]

# float32 sums over two replicas vs one device differ by rounding only.
RTOL = 1e-5
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}

COMMON = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np
    import tensorflow as tf
    import keras
    from seqkeras.training import get_strategy, make_optimizer, train_distributed

    def data():
        rng = np.random.default_rng(0)
        x = rng.integers(0, 7, size=(64, 5)).astype("int32")
        y = (x.sum(axis=1) > 15).astype("int32")
        return x, y

    def build(strategy, clipnorm, embedding=True):
        with strategy.scope():
            keras.utils.set_random_seed(7)
            # Embedding: its gradient is an IndexedSlices (train_distributed densifies it);
            # Keras fit under MirroredStrategy fails on those (a collective shape
            # mismatch), so fit gets one-hot input and a Dense "embedding" instead.
            if embedding:
                head = [keras.Input((5,), dtype="int32"), keras.layers.Embedding(7, 3)]
            else:
                head = [keras.Input((5, 7)), keras.layers.Dense(3, use_bias=False)]
            model = keras.Sequential(head + [keras.layers.GRU(8), keras.layers.Dense(2)])
            optimizer = make_optimizer("sgd", learning_rate=0.5, clipnorm=clipnorm)
        return model, optimizer

    LOSS = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    """
)

MIRRORED = COMMON + textwrap.dedent(
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    x, y = data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    out = {}
    # clipnorm 0.05 is active here: the custom step clips the all-reduced gradient
    for name in ("default", "mirrored"):
        strategy = get_strategy(name)
        model, optimizer = build(strategy, clipnorm=0.05)
        history = train_distributed(model, ds, LOSS, optimizer, epochs=3, strategy=strategy,
                                    verbose=False)
        out[name] = {"replicas": strategy.num_replicas_in_sync, "loss": history["loss"],
                     "norm": history["grad_norm"],
                     "weights": [w.ravel().tolist() for w in model.get_weights()]}
    # Keras fit under MirroredStrategy (no clipping: fit clips per replica)
    x = np.eye(7, dtype="float32")[x]
    for name in ("default", "mirrored"):
        strategy = get_strategy(name)
        model, optimizer = build(strategy, clipnorm=None, embedding=False)
        with strategy.scope():
            model.compile(optimizer, LOSS)
        h = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        out["fit_" + name] = {"loss": h.history["loss"]}
    # fit_resumable under MirroredStrategy: stop after epoch 1, resume in a new model
    import tempfile
    from seqkeras.training import fit_resumable
    run_dir = tempfile.mkdtemp()
    strategy = get_strategy("mirrored")
    for epochs in (1, 2):
        model, optimizer = build(strategy, clipnorm=None, embedding=False)
        with strategy.scope():
            model.compile(optimizer, LOSS)
        h = fit_resumable(model, x, y, run_dir=run_dir, epochs=epochs, batch_size=16,
                          shuffle=False, verbose=0)
    out["resumed"] = {"loss": h["loss"], "steps": int(model.optimizer.iterations.numpy())}
    # mid-epoch restart under mirrored, both loops, with a compiled metric: killed at
    # step 3 of epoch 1 (saves every 2 steps), resumed in a fresh model; the epoch's
    # logged loss and accuracy must be those of an uninterrupted run (all 4 steps)
    class Kill(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
        def on_train_batch_begin(self, batch, logs=None):
            if self.epoch == 1 and batch == 3:
                raise KeyboardInterrupt
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    for loop in ("fit", "distributed"):
        runs = {}
        for name, kill in (("whole", False), ("killed", True), ("resumed", False)):
            run_dir = runs.setdefault("dir", tempfile.mkdtemp()) if name != "whole" else tempfile.mkdtemp()
            model, optimizer = build(strategy, clipnorm=None, embedding=False)
            with strategy.scope():
                model.compile(optimizer, LOSS, metrics=["sparse_categorical_accuracy"])
            callbacks = [Kill()] if kill else []
            try:
                if loop == "fit":
                    h = fit_resumable(model, x, y, run_dir=run_dir, epochs=2, batch_size=16,
                                      save_freq=2, shuffle=False, verbose=0, callbacks=callbacks)
                else:
                    h = train_distributed(model, ds, epochs=2, strategy=strategy, run_dir=run_dir,
                                          save_freq=2, verbose=False, callbacks=callbacks)
            except KeyboardInterrupt:
                continue
            runs[name] = {k: h[k] for k in ("loss", "sparse_categorical_accuracy")}
        out["midepoch_" + loop] = runs
    print(json.dumps(out))
    """
)

WORKER = COMMON + textwrap.dedent(
    """
    strategy = get_strategy("multiworker")
    x, y = data()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(16).with_options(options)
    model, optimizer = build(strategy, clipnorm=5.0)
    history = train_distributed(model, ds, LOSS, optimizer, epochs=4, strategy=strategy,
                                verbose=False)
    print(json.dumps({"replicas": strategy.num_replicas_in_sync, "loss": history["loss"],
                      "weights": [w.ravel().tolist() for w in model.get_weights()]}))
    """
)


def _last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.timeout(240)
def test_mirrored_two_logical_cpus_matches_one_device():
    done = subprocess.run(
        [sys.executable, "-c", MIRRORED], capture_output=True, text=True, env=ENV, timeout=220
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = _last_json(done.stdout)
    one, two = out["default"], out["mirrored"]
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert two["loss"] == pytest.approx(one["loss"], rel=RTOL)
    assert two["loss"][-1] < two["loss"][0]
    assert two["norm"] == pytest.approx(one["norm"], rel=RTOL)
    for a, b in zip(one["weights"], two["weights"], strict=True):
        assert b == pytest.approx(a, rel=RTOL, abs=1e-6)
    assert out["fit_mirrored"]["loss"] == pytest.approx(out["fit_default"]["loss"], rel=RTOL)
    # resumed after epoch 1 in a fresh model: the same losses as an uninterrupted fit
    assert out["resumed"]["loss"] == pytest.approx(out["fit_default"]["loss"][:2], rel=RTOL)
    assert out["resumed"]["steps"] == 2 * 64 // 16
    for loop in ("fit", "distributed"):
        runs = out["midepoch_" + loop]
        for key in ("loss", "sparse_categorical_accuracy"):
            assert runs["resumed"][key] == pytest.approx(runs["whole"][key], rel=RTOL), (loop, key)
    # the custom step with clipnorm differs from unclipped fit: clipping really was on
    assert one["loss"][-1] != pytest.approx(out["fit_default"]["loss"][-1], rel=1e-3)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.timeout(240)
def test_multiworker_two_local_workers_train_in_lockstep():
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = {**ENV, "TF_CONFIG": json.dumps(config)}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    results = []
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=200)
            assert proc.returncode == 0, stderr[-3000:]
            results.append(_last_json(stdout))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [r["replicas"] for r in results] == [2, 2]
    assert results[0]["loss"] == results[1]["loss"]
    assert results[0]["weights"] == results[1]["weights"]
    assert results[0]["loss"][-1] < results[0]["loss"][0]
