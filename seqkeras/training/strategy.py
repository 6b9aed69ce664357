"""Distribution strategies by name: ``get_strategy("mirrored")`` and ``--strategy``.

Every ``seqkeras ... train`` command takes ``--strategy`` (added with
:func:`add_strategy_argument`); the names come from a registry, so a new strategy is one
``@register_strategy`` function, not another branch in every recipe.

TensorFlow is imported inside the factories: building a CLI parser stays cheap.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from typing import Any

StrategyFactory = Callable[[], Any]

_STRATEGIES: dict[str, StrategyFactory] = {}
_HELP: dict[str, str] = {}

DEFAULT_STRATEGY = "default"
_INSTANCES: dict[str, Any] = {}


def register_strategy(name: str, help: str) -> Callable[[StrategyFactory], StrategyFactory]:
    """Decorator: registers ``factory() -> tf.distribute.Strategy`` under ``name``."""

    def decorator(factory: StrategyFactory) -> StrategyFactory:
        if name in _STRATEGIES and _STRATEGIES[name] is not factory:
            raise ValueError(f"strategy {name!r} is registered twice")
        _STRATEGIES[name] = factory
        _INSTANCES.pop(name, None)
        _HELP[name] = help
        return factory

    return decorator


def list_strategies() -> list[str]:
    """Registered strategy names, ``"default"`` first."""
    names = sorted(_STRATEGIES)
    if DEFAULT_STRATEGY in names:
        names.remove(DEFAULT_STRATEGY)
        names.insert(0, DEFAULT_STRATEGY)
    return names


def get_strategy(name: str) -> Any:
    """Returns the ``tf.distribute.Strategy`` registered as ``name``.

    Args:
        name: one of :func:`list_strategies` — ``"default"`` (no distribution, the
            current default strategy), ``"mirrored"`` (synchronous data parallelism
            over every local GPU, or the CPU), ``"multiworker"`` (synchronous data
            parallelism over the workers listed in the ``TF_CONFIG`` environment
            variable).

    Returns:
        A ``tf.distribute.Strategy``. It is created once per process and name: a
        multi-worker strategy cannot be created twice (its collectives are configured at
        start-up), so every recipe run in one process shares it.

    Raises:
        ValueError: ``name`` is not registered, or ``TF_CONFIG`` is missing or invalid
            for ``"multiworker"``.

    Example:
        >>> strategy = get_strategy("default")
        >>> strategy.num_replicas_in_sync
        1
    """
    if not isinstance(name, str) or name not in _STRATEGIES:
        raise ValueError(
            f"unknown strategy {name!r}; expected one of {', '.join(list_strategies())}"
        )
    if name not in _INSTANCES:
        _INSTANCES[name] = _STRATEGIES[name]()
    return _INSTANCES[name]


def add_strategy_argument(
    parser: argparse.ArgumentParser, default: str = DEFAULT_STRATEGY
) -> argparse.ArgumentParser:
    """Adds ``--strategy NAME`` (choices from the registry) to ``parser``.

    Turn the parsed value into a strategy with ``get_strategy(args.strategy)``.
    """
    if default not in _STRATEGIES:
        raise ValueError(f"unknown default strategy {default!r}")
    described = "; ".join(f"{n}: {_HELP[n]}" for n in list_strategies())
    parser.add_argument(
        "--strategy",
        choices=list_strategies(),
        default=default,
        help=f"tf.distribute strategy (default {default}) — {described}",
    )
    return parser


def parse_tf_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Parses and checks ``TF_CONFIG`` for multi-worker training.

    Expected form: ``{"cluster": {"worker": ["host:port", ...]},
    "task": {"type": "worker", "index": i}}`` (a ``"chief"`` list is accepted too).

    Raises:
        ValueError: naming what is missing or malformed.
    """
    env = os.environ if environ is None else environ
    raw = env.get("TF_CONFIG")
    if not raw:
        raise ValueError(
            "strategy 'multiworker' needs the TF_CONFIG environment variable, e.g. "
            'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}\''
        )
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ValueError(f"TF_CONFIG is not valid JSON ({err.msg} at char {err.pos})") from None
    if not isinstance(config, dict):
        raise ValueError(f"TF_CONFIG must be a JSON object, got {type(config).__name__}")
    cluster = config.get("cluster")
    if not isinstance(cluster, dict) or not cluster:
        raise ValueError('TF_CONFIG has no "cluster" object listing the workers')
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not addresses:
            raise ValueError(
                f'TF_CONFIG cluster job {job!r} must be a non-empty list of "host:port"'
            )
        for address in addresses:
            if not isinstance(address, str) or ":" not in address:
                raise ValueError(
                    f'TF_CONFIG cluster job {job!r} has address {address!r}; expected "host:port"'
                )
    if "worker" not in cluster and "chief" not in cluster:
        raise ValueError('TF_CONFIG cluster needs a "worker" (or "chief") list')
    task = config.get("task")
    if not isinstance(task, dict):
        raise ValueError('TF_CONFIG has no "task" object, e.g. {"type": "worker", "index": 0}')
    task_type, index = task.get("type"), task.get("index")
    if task_type not in cluster:
        raise ValueError(
            f"TF_CONFIG task type {task_type!r} is not a job of the cluster ({', '.join(cluster)})"
        )
    if not isinstance(index, int) or not 0 <= index < len(cluster[task_type]):
        raise ValueError(
            f"TF_CONFIG task index {index!r} is out of range for job {task_type!r} "
            f"with {len(cluster[task_type])} address(es)"
        )
    return config


@register_strategy("default", help="one device, no distribution")
def _default_strategy() -> Any:
    import tensorflow as tf

    return tf.distribute.get_strategy()


@register_strategy("mirrored", help="all local GPUs (else all logical CPUs), synchronous")
def _mirrored_strategy() -> Any:
    import tensorflow as tf

    # MirroredStrategy() alone uses the GPUs or CPU:0; on a CPU-only machine whose CPU
    # was split into logical devices (tf.config.set_logical_device_configuration),
    # mirror over all of them.
    devices = [d.name for d in tf.config.list_logical_devices("GPU")] or [
        d.name for d in tf.config.list_logical_devices("CPU")
    ]
    return tf.distribute.MirroredStrategy(devices=devices)


@register_strategy("multiworker", help="several machines listed in TF_CONFIG, synchronous")
def _multiworker_strategy() -> Any:
    parse_tf_config()
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy()
