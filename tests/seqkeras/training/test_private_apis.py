"""Guards for the private tf.distribute API seqkeras.training relies on.

``seqkeras.training.in_multi_worker_mode`` calls ``strategy.extended._in_multi_worker_mode()``
(what Keras itself calls; tf.distribute has no public predicate) and falls back to counting
the tasks of the public ``strategy.cluster_resolver``. These tests fail with a message
naming the private method if TensorFlow renames it or changes its meaning, and check the
public fallback against it.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
import types

import pytest
import tensorflow as tf

from seqkeras.training import get_strategy, in_multi_worker_mode

PRIVATE = "_in_multi_worker_mode"
CHANGED = (
    f"TensorFlow {tf.__version__} changed tf.distribute's private `extended.{PRIVATE}()`, "
    "which seqkeras.training.in_multi_worker_mode calls (train_distributed needs "
    "steps_per_epoch on several workers); switch it to the public fallback "
    "(strategy.cluster_resolver) or the new name"
)


def _private_predicate(strategy):
    method = getattr(strategy.extended, PRIVATE, None)
    assert callable(method), f"{CHANGED}: {type(strategy.extended).__name__} has no {PRIVATE}"
    value = method()
    assert isinstance(value, bool), f"{CHANGED}: it returned {value!r}, not a bool"
    return value


def _without_private(strategy):
    """``strategy`` as in_multi_worker_mode sees it when the private method is gone."""
    return types.SimpleNamespace(
        extended=types.SimpleNamespace(), cluster_resolver=getattr(strategy, "cluster_resolver", None)
    )


@pytest.mark.parametrize("name", ["default", "mirrored"])
def test_single_process_strategies_are_not_multi_worker(name):
    strategy = get_strategy(name)
    assert _private_predicate(strategy) is False, CHANGED
    assert in_multi_worker_mode(strategy) is False
    assert in_multi_worker_mode(_without_private(strategy)) is False


@pytest.mark.parametrize("workers, expected", [(["a:1"], False), (["a:1", "b:2"], True)])
def test_public_fallback_counts_the_cluster_workers(workers, expected):
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        tf.train.ClusterSpec({"worker": workers})
    )
    strategy = types.SimpleNamespace(extended=types.SimpleNamespace(), cluster_resolver=resolver)
    assert in_multi_worker_mode(strategy) is expected


WORKER = textwrap.dedent(
    """
    import json, types
    from seqkeras.training import get_strategy, in_multi_worker_mode
    strategy = get_strategy("multiworker")
    fallback = types.SimpleNamespace(extended=types.SimpleNamespace(),
                                     cluster_resolver=strategy.cluster_resolver)
    method = getattr(strategy.extended, "_in_multi_worker_mode", None)
    print(json.dumps({
        "private": method() if callable(method) else "missing",
        "seqkeras": in_multi_worker_mode(strategy),
        "fallback": in_multi_worker_mode(fallback),
    }))
    """
)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow
@pytest.mark.distributed
@pytest.mark.timeout(180)
def test_two_local_workers_are_multi_worker():
    """MultiWorkerMirroredStrategy waits for every worker, so both processes must start."""
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER],
                env={**env, "TF_CONFIG": json.dumps(config)},
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    results = []
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=150)
            assert proc.returncode == 0, stderr[-3000:]
            results.append(json.loads(stdout.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for result in results:
        assert result["private"] is True, f"{CHANGED}: two workers gave {result['private']!r}"
        assert result["seqkeras"] is True
        assert result["fallback"] is True
