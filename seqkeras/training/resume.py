"""Checkpoint-and-resume for training runs.

A run directory holds ``state.json`` (epochs completed, steps done inside the current
epoch, the history so far, the run's configuration) and the weights file it names
(model weights *and* optimizer state, Keras ``.weights.h5``). Both are replaced
atomically: a new weights file is written under a new name, then ``state.json`` is
swapped to point at it, then the old weights file is removed — a run killed at any
moment leaves a consistent checkpoint.

:func:`fit_resumable` is ``model.fit`` with that checkpoint: run it again after a crash
(or a kill) with the same arguments and it restores the weights and the optimizer and
goes on from the saved epoch — and, with ``save_freq=N`` steps, from the saved step
inside the epoch (the already-trained batches of that epoch are skipped for numpy and
``tf.data`` input). :func:`~seqkeras.training.train_distributed` uses the same files.
A mid-epoch checkpoint also stores the running state of the epoch's metrics (the loss
average included), so the resumed epoch's logged loss and metrics cover the whole epoch,
not only the steps after the restart.

Keras's own ``BackupAndRestore`` is the model for this; seqkeras keeps its own because
Keras 3.15 resumes only at epoch boundaries (the batch it records is never used, and a
mid-epoch save of a resumed run records epoch 0) and writes its files non-atomically.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from .json_io import write_json_atomic

STATE_FILE = "state.json"
STATE_FORMAT = 1
WEIGHTS_SUFFIX = ".weights.h5"


@dataclass
class ResumeState:
    """What a run directory says about an interrupted run.

    Attributes:
        epoch: epochs completed.
        step: optimizer steps already done inside epoch ``epoch`` (0 at a boundary).
        history: per-epoch logs of the completed epochs (``{"epoch": [...], "loss": [...]}``).
        config: the run's configuration as given to :func:`save_checkpoint`.
        weights: file name (inside the run directory) of the weights.
        running: the epoch's metric state at a mid-epoch save (``{"metrics": [values of
            ``model.metrics_variables``], ...}``), restored by the resuming loop.
    """

    epoch: int = 0
    step: int = 0
    history: dict[str, list[Any]] = field(default_factory=dict)
    config: dict[str, Any] | None = None
    weights: str | None = None
    running: dict[str, Any] | None = None


def read_resume_state(run_dir: str | os.PathLike[str]) -> ResumeState | None:
    """The checkpoint state in ``run_dir``, or ``None`` if there is none."""
    path = os.path.join(os.fspath(run_dir), STATE_FILE)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
        return ResumeState(
            epoch=int(raw["epoch"]),
            step=int(raw["step"]),
            history={k: list(v) for k, v in raw.get("history", {}).items()},
            config=raw.get("config"),
            weights=raw["weights"],
            running=raw.get("running"),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise ValueError(
            f"{path} is not a seqkeras checkpoint state ({err}); delete the run directory "
            "to start over"
        ) from None


def check_config(state: ResumeState, config: dict[str, Any] | None, run_dir: str) -> None:
    """Raises ``ValueError`` if ``run_dir`` holds a checkpoint of a different run."""
    if config is None or state.config is None:
        return
    saved = json.loads(json.dumps(state.config))
    wanted = json.loads(json.dumps(config, default=str))
    if saved != wanted:
        keys = sorted(set(saved) | set(wanted))
        diffs = [
            f"{k}: {saved.get(k)!r} -> {wanted.get(k)!r}"
            for k in keys
            if saved.get(k) != wanted.get(k)
        ]
        raise ValueError(
            f"{run_dir} holds a checkpoint of a different run ({'; '.join(diffs)}); "
            "delete it or choose another output directory"
        )


def restore_checkpoint(
    model: keras.Model, run_dir: str | os.PathLike[str], config: dict[str, Any] | None = None
) -> ResumeState | None:
    """Loads the weights and optimizer state saved in ``run_dir`` into ``model``.

    Args:
        model: a built model (compiled, or with ``model.optimizer`` set, to restore the
            optimizer too).
        run_dir: the run directory.
        config: if given, must equal the configuration stored with the checkpoint.

    Returns:
        The :class:`ResumeState`, or ``None`` when ``run_dir`` holds no checkpoint.
    """
    run_dir = os.fspath(run_dir)
    state = read_resume_state(run_dir)
    if state is None:
        return None
    check_config(state, config, run_dir)
    if not model.built:
        raise ValueError(
            f"model {model.name!r} must be built before resuming from {run_dir}: give it a "
            "keras.Input or call it on one batch first"
        )
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        # Optimizer slots must be created in the strategy the model was built under
        # (mirrored variables), whether or not the caller is inside its scope now.
        strategy = getattr(model, "distribute_strategy", None)
        if strategy is not None:
            with strategy.scope():
                optimizer.build(model.trainable_variables)
        else:
            optimizer.build(model.trainable_variables)
    assert state.weights is not None
    weights = os.path.join(run_dir, state.weights)
    if not os.path.exists(weights):
        raise FileNotFoundError(f"{run_dir}/{STATE_FILE} names {state.weights}, which is missing")
    model.load_weights(weights)
    return state


def save_checkpoint(
    model: keras.Model,
    run_dir: str | os.PathLike[str],
    epoch: int,
    step: int,
    history: dict[str, list[Any]],
    config: dict[str, Any] | None = None,
    running: dict[str, Any] | None = None,
) -> str:
    """Writes weights (with optimizer state) and ``state.json`` atomically.

    ``running`` (mid-epoch saves) is the epoch's metric state so far, see
    :func:`metric_state`.

    Returns:
        The path of the new weights file.
    """
    run_dir = os.fspath(run_dir)
    os.makedirs(run_dir, exist_ok=True)
    name = f"ckpt-e{epoch:05d}-s{step:08d}{WEIGHTS_SUFFIX}"
    model.save_weights(os.path.join(run_dir, name), overwrite=True)
    write_json_atomic(
        os.path.join(run_dir, STATE_FILE),
        {
            "format": STATE_FORMAT,
            "epoch": int(epoch),
            "step": int(step),
            "weights": name,
            "history": history,
            "config": config,
            "running": running if step else None,
        },
    )
    for old in os.listdir(run_dir):
        if old.endswith(WEIGHTS_SUFFIX) and old.startswith("ckpt-") and old != name:
            os.remove(os.path.join(run_dir, old))
    return os.path.join(run_dir, name)


def delete_checkpoint(run_dir: str | os.PathLike[str]) -> None:
    """Removes the checkpoint files (only those) from ``run_dir``."""
    run_dir = os.fspath(run_dir)
    if not os.path.isdir(run_dir):
        return
    for name in os.listdir(run_dir):
        if name == STATE_FILE or (name.startswith("ckpt-") and name.endswith(WEIGHTS_SUFFIX)):
            os.remove(os.path.join(run_dir, name))


def metric_state(model: keras.Model) -> list[Any]:
    """Values of ``model.metrics_variables`` (the loss tracker's total and count, the
    compiled metrics' accumulators) as JSON-able lists, for a mid-epoch checkpoint."""
    return [keras.ops.convert_to_numpy(v).tolist() for v in model.metrics_variables]


def add_metric_state(model: keras.Model, saved: list[Any] | None) -> bool:
    """Adds a saved :func:`metric_state` to the model's metric variables.

    Keras metrics accumulate additive state (sums and counts; confusion counts), so
    "state before the restart + state since" is the state of the whole epoch. Call it
    once the metrics are built (after the first step of the resumed epoch, or after
    ``reset_metrics`` when they were built beforehand). Returns ``False`` (changes nothing
    and says so) when the saved state does not fit the model's metrics, e.g. after the
    metrics were changed between the runs.
    """
    variables = model.metrics_variables
    values = [np.asarray(v, dtype="float64") for v in saved or []]
    if not values or len(values) != len(variables) or any(
        tuple(v.shape) != tuple(var.shape) for v, var in zip(values, variables, strict=True)
    ):
        print("Resumed epoch: its metrics changed since the checkpoint; the epoch's logged "
              "metrics cover only the steps after the restart")  # fmt: skip
        return False
    for var, value in zip(variables, values, strict=True):
        current = keras.ops.convert_to_numpy(var).astype("float64")
        # assign (not assign_add): a replica-summed variable under a tf.distribute
        # strategy takes a cross-replica assign of its summed value
        var.assign((current + value).astype(var.dtype))
    return True


def _plain(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


class ResumeCheckpoint(keras.callbacks.Callback):
    """Saves a resumable checkpoint at every epoch end and every ``save_freq`` steps.

    Used by :func:`fit_resumable`, which also restores from it; on its own it only
    saves. Put it after callbacks that may stop a run (a NaN check must see a bad
    step before it is checkpointed).

    Args:
        run_dir: directory for ``state.json`` and the weights.
        save_freq: ``"epoch"`` or a number of optimizer steps between saves.
        config: JSON-able description of the run, stored and checked on resume.
        history: per-epoch logs of epochs completed before this ``fit`` call.
        initial_step: steps already done inside the first epoch of this ``fit`` call.
        running: metric state of those ``initial_step`` steps (:func:`metric_state`),
            added to the metrics after the first step of this ``fit`` call.
    """

    def __init__(
        self,
        run_dir: str,
        save_freq: int | str = "epoch",
        config: dict[str, Any] | None = None,
        history: dict[str, list[Any]] | None = None,
        initial_step: int = 0,
        running: list[Any] | None = None,
    ) -> None:
        super().__init__()
        if save_freq != "epoch" and not (
            isinstance(save_freq, int) and not isinstance(save_freq, bool) and save_freq > 0
        ):
            raise ValueError(f"save_freq must be 'epoch' or a positive int, got {save_freq!r}")
        if initial_step < 0:
            raise ValueError(f"initial_step must be >= 0, got {initial_step}")
        self.run_dir = os.fspath(run_dir)
        self.save_freq = save_freq
        self.config = config
        self.history: dict[str, list[Any]] = {k: list(v) for k, v in (history or {}).items()}
        self.initial_step = initial_step
        self.running = running
        self._offset = initial_step
        self._epoch = 0
        self._step = 0
        self._since_save = 0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._step = self._offset
        self._since_save = 0

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.running is not None and self._offset:
            # compiled metrics are built by the first step; the epoch's earlier steps join now
            add_metric_state(self.model, self.running)
            self.running = None
        done = self._offset + batch + 1
        self._since_save += done - self._step
        self._step = done
        if self.save_freq != "epoch" and self._since_save >= int(self.save_freq):
            self._since_save = 0
            save_checkpoint(
                self.model,
                self.run_dir,
                self._epoch,
                self._step,
                self.history,
                self.config,
                running={"metrics": metric_state(self.model)},
            )

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._offset = 0
        self.running = None
        self.history.setdefault("epoch", []).append(epoch)
        for key, value in (logs or {}).items():
            column = self.history.setdefault(key, [])
            column.extend([None] * (len(self.history["epoch"]) - 1 - len(column)))
            column.append(_plain(value))
        save_checkpoint(self.model, self.run_dir, epoch + 1, 0, self.history, self.config)


def _steps_per_epoch(x: Any, batch_size: int | None, steps_per_epoch: int | None) -> int | None:
    if steps_per_epoch is not None:
        return int(steps_per_epoch)
    rows = _num_rows(x)
    if rows is not None:
        return math.ceil(rows / (batch_size or 32))
    cardinality = getattr(x, "cardinality", None)
    if callable(cardinality):
        n = int(cardinality())
        return n if n >= 0 else None
    return None


def _num_rows(x: Any) -> int | None:
    leaves = keras.tree.flatten(x) if x is not None else []
    if leaves and all(hasattr(leaf, "shape") and hasattr(leaf, "__getitem__") for leaf in leaves):
        if type(leaves[0]).__module__.startswith("numpy"):
            return int(leaves[0].shape[0])
    return None


def _skip(data: Any, rows: int) -> Any:
    return keras.tree.map_structure(lambda a: a[rows:], data) if data is not None else None


def fit_resumable(
    model: keras.Model,
    x: Any = None,
    y: Any = None,
    *,
    run_dir: str | os.PathLike[str],
    epochs: int = 1,
    batch_size: int | None = None,
    save_freq: int | str = "epoch",
    callbacks: list[keras.callbacks.Callback] | None = None,
    config: dict[str, Any] | None = None,
    stop_on_nan: bool = True,
    delete_when_done: bool = False,
    verbose: Any = "auto",
    **fit_kwargs: Any,
) -> dict[str, list[Any]]:
    """``model.fit`` that survives being killed: run it again and it goes on.

    On start it restores weights and optimizer state from ``run_dir`` if a checkpoint
    is there, then trains the epochs still missing. With ``save_freq=N`` a run killed
    mid-epoch restarts at the saved step of that epoch: for numpy input the rows of the
    batches already trained are skipped (exact with ``shuffle=False``; with shuffling
    the rest of the epoch is that many fresh batches), for a ``tf.data.Dataset`` the
    first batches are skipped with ``Dataset.skip`` (exact when its order does not
    change between epochs); other input types redo the interrupted epoch from its first
    batch (still with the restored weights).

    Args:
        model: a compiled, built model.
        x, y: training data, as for ``fit``.
        run_dir: checkpoint directory (created).
        epochs: total epochs of the run (not "more epochs").
        batch_size: as for ``fit``.
        save_freq: ``"epoch"`` or optimizer steps between checkpoints.
        callbacks: more callbacks; a NaN check (``stop_on_nan``) runs before them and
            the checkpoint after them.
        config: JSON-able run description stored with the checkpoint; resuming with a
            different one raises ``ValueError`` (a reused output directory).
        stop_on_nan: add :class:`~seqkeras.training.TerminateOnNaN`.
        delete_when_done: remove the checkpoint after the last epoch (otherwise a rerun
            finds the run complete and returns its history without training).
        verbose: as for ``fit``.
        **fit_kwargs: passed to ``fit`` (``validation_data``, ``shuffle``, ...).

    Returns:
        The history of every epoch of the run, including those before a restart:
        ``{"epoch": [0, 1, ...], "loss": [...], ...}``.

    Example:
        >>> history = fit_resumable(model, x, y, run_dir="runs/a", epochs=10,
        ...                         save_freq=100)  # doctest: +SKIP
    """
    from .nan_guard import TerminateOnNaN

    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    for reserved in ("initial_epoch",):
        if reserved in fit_kwargs:
            raise ValueError(f"fit_resumable sets {reserved} itself from the checkpoint")
    run_dir = os.fspath(run_dir)
    state = restore_checkpoint(model, run_dir, config) or ResumeState()
    if state.epoch or state.step:
        where = f"epoch {state.epoch + 1}" + (f", step {state.step}" if state.step else "")
        print(f"Resuming from {run_dir}: {state.epoch} epoch(s) done, continuing at {where}")
    running = (state.running or {}).get("metrics")  # used only by a mid-epoch restart
    checkpoint = ResumeCheckpoint(run_dir, save_freq, config, state.history, running=running)
    extra = list(callbacks or [])
    all_callbacks = ([TerminateOnNaN()] if stop_on_nan else []) + extra + [checkpoint]
    common = dict(batch_size=batch_size, callbacks=all_callbacks, verbose=verbose, **fit_kwargs)

    start = state.epoch
    if state.step and start < epochs:
        n_steps = _steps_per_epoch(x, batch_size, fit_kwargs.get("steps_per_epoch"))
        skippable = "validation_split" not in fit_kwargs
        if n_steps is not None and state.step >= n_steps:
            start += 1  # the save came from the epoch's last step; only epoch end was lost
        elif skippable and _num_rows(x) is not None:
            rows = state.step * (batch_size or 32)
            part = dict(common)
            if fit_kwargs.get("sample_weight") is not None:
                part["sample_weight"] = _skip(fit_kwargs["sample_weight"], rows)
            if "steps_per_epoch" in part and part["steps_per_epoch"] is not None:
                part["steps_per_epoch"] = n_steps - state.step  # type: ignore[operator]
            checkpoint.initial_step = checkpoint._offset = state.step
            model.fit(_skip(x, rows), _skip(y, rows), initial_epoch=start, epochs=start + 1, **part)
            start += 1
        elif skippable and hasattr(x, "skip") and hasattr(x, "cardinality"):
            part = dict(common)
            if n_steps is not None and part.get("steps_per_epoch") is not None:
                part["steps_per_epoch"] = n_steps - state.step
            checkpoint.initial_step = checkpoint._offset = state.step
            model.fit(x.skip(state.step), y, initial_epoch=start, epochs=start + 1, **part)
            start += 1
    if start < epochs and not model.stop_training:
        model.fit(x, y, initial_epoch=start, epochs=epochs, **common)
    if delete_when_done:
        delete_checkpoint(run_dir)
    return checkpoint.history
