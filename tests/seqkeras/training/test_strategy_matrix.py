"""Every recipe trains under ``--strategy mirrored`` (two logical CPUs) and
``--strategy multiworker`` (two workers on loopback), through the one training path.

The ``default`` column of the matrix is each recipe's own test (tests/seqkeras/tasks/),
which trains its tiny configuration in-process and checks that it learned. Here the
recipes run in fresh interpreters (logical devices and ``TF_CONFIG`` must be set before
TensorFlow starts); the LM, whose stream order is fixed, must give the same losses on
one device, on two replicas and on two workers.
"""

import json
import os
import pathlib
import socket
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.distributed, pytest.mark.slow]

SCRIPT = str(pathlib.Path(__file__).with_name("strategy_matrix_recipes.py"))
RECIPES = "longrange lm music dates translate caption sentiment ner embeddings asr".split()
# float32 sums over two replicas vs one device differ by rounding only.
RTOL = 1e-4


def _env(tmp_path, **extra):
    return {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "CUDA_VISIBLE_DEVICES": "",
        "SEQKERAS_CACHE": str(tmp_path / "cache"),
        **extra,
    }


def _report(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def _check_all_trained(report):
    for name in RECIPES:
        entry = report[name]
        assert entry["rc"] == 0, f"{name}: {entry['stderr']}"
        assert entry["loss"], f"{name} recorded no training loss"
        assert all(v == v and v < float("inf") for v in entry["loss"]), (name, entry["loss"])


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    done = subprocess.run(
        [sys.executable, SCRIPT, "mirrored", str(root / "runs"), *RECIPES, "--also-default"],
        capture_output=True,
        text=True,
        env=_env(root),
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {**_report(done.stdout), "root": str(root)}


@pytest.mark.timeout(960)
def test_every_recipe_trains_on_two_mirrored_replicas(mirrored):
    assert mirrored["replicas"]["loss"] == [2]
    _check_all_trained(mirrored)


@pytest.mark.timeout(960)
def test_lm_on_two_replicas_equals_one_device(mirrored):
    assert mirrored["lm-default"]["rc"] == 0, mirrored["lm-default"]["stderr"]
    assert mirrored["lm"]["loss"] == pytest.approx(mirrored["lm-default"]["loss"], rel=RTOL)


@pytest.mark.timeout(960)
def test_every_recipe_trains_on_two_loopback_workers(tmp_path, mirrored):
    cache = pathlib.Path(mirrored["root"])  # the chorales parsed once already
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        procs.append(
            subprocess.Popen(
                [sys.executable, SCRIPT, "multiworker", str(tmp_path / f"w{index}"), *RECIPES],
                env=_env(cache, TF_CONFIG=json.dumps(config)),
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    reports = []
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=900)
            assert proc.returncode == 0, stderr[-3000:]
            reports.append(_report(stdout))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for report in reports:
        assert report["replicas"]["loss"] == [2]
    _check_all_trained(reports[0])  # the chief writes the outputs
    # Same stream, same global batches: the workers' LM equals the one-device LM.
    assert reports[0]["lm"]["loss"] == pytest.approx(mirrored["lm-default"]["loss"], rel=RTOL)
