"""The one way seqkeras recipes train: :func:`train`.

A recipe says *what* to train (a compiled model, its data, the epochs, the callbacks it
needs); :func:`train` decides *how*:

- one replica (``strategy.num_replicas_in_sync == 1``): Keras ``fit`` through
  :func:`~seqkeras.training.fit_resumable`, with a gradient-norm log on a probe batch;
- more replicas (``MirroredStrategy`` over several devices, ``MultiWorkerMirroredStrategy``
  over several machines): seqkeras' own step, :func:`~seqkeras.training.train_distributed`.
  Keras 3.15 ``fit`` fails there for models with an ``Embedding`` and under every
  multi-worker strategy (SPEC.md "Facts"), so the dispatch is on the replica count,
  never on the strategy's name.

Both paths write the same checkpoint (``state.json`` + weights with optimizer state,
replaced atomically), resume mid-epoch, stop at the first NaN/inf with seqkeras's
message, log the global gradient norm (``grad_norm``/``grad_norm_max`` in the history)
and call the same Keras callbacks. The epoch count is not part of a run's identity:
``epochs`` is the total, so asking a finished 10-epoch run for 20 trains 10 more.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any

import keras

#: Optimizer steps between two gradient-norm measurements on the one-replica path.
GRAD_NORM_EVERY = 100


class _EpochSeconds(keras.callbacks.Callback):
    """Adds the epoch's wall time to the logs (``seconds``), as the multi-replica path does."""

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._started = time.time()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is not None:
            logs["seconds"] = time.time() - self._started


def _is_dataset(data: Any) -> bool:
    import tensorflow as tf

    return isinstance(data, tf.data.Dataset)


def _is_pydataset(data: Any) -> bool:
    return isinstance(data, keras.utils.PyDataset)


def _split_arrays(data: Any) -> tuple[Any, Any, Any]:
    if not isinstance(data, tuple | list) or len(data) not in (2, 3):
        raise ValueError(
            "data must be a tf.data.Dataset of batches, a keras.utils.PyDataset, or a tuple "
            f"(x, y) / (x, y, sample_weight) of arrays; got {type(data).__name__}"
        )
    x, y = data[0], data[1]
    weight = data[2] if len(data) == 3 else None
    return x, y, weight


def as_dataset(
    data: Any,
    batch_size: int | None = None,
    *,
    shuffle: bool = False,
    seed: int = 0,
    drop_remainder: bool = False,
) -> Any:
    """``data`` as a ``tf.data.Dataset`` of batches.

    Args:
        data: a dataset (returned as is: it must already be batched), a
            ``keras.utils.PyDataset`` (its batches, in order, then ``on_epoch_end``), or
            a tuple ``(x, y)`` / ``(x, y, sample_weight)`` of arrays (nested structures
            allowed), batched here.
        batch_size: the global batch size for arrays.
        shuffle: shuffle arrays every epoch with a fixed seed (the same order on every
            worker of a multi-worker run).
        seed: the shuffle seed.
        drop_remainder: drop a last, smaller batch (every replica then gets equal work).
    """
    import tensorflow as tf

    if _is_dataset(data):
        return data
    if _is_pydataset(data):
        return _pydataset_to_dataset(data)
    x, y, weight = _split_arrays(data)
    if not batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int for array data, got {batch_size!r}")
    parts = (x, y) if weight is None else (x, y, weight)
    rows = len(keras.tree.flatten(x)[0])
    dataset = tf.data.Dataset.from_tensor_slices(parts)
    if shuffle:
        dataset = dataset.shuffle(rows, seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size, drop_remainder=drop_remainder)


def _pydataset_to_dataset(data: Any) -> Any:
    import numpy as np
    import tensorflow as tf

    if len(data) < 1:
        raise ValueError(f"{type(data).__name__} has no batches")
    first = data[0]

    def spec(value: Any) -> Any:
        array = np.asarray(value)
        return tf.TensorSpec((None,) * array.ndim, tf.as_dtype(array.dtype))

    signature = keras.tree.map_structure(spec, tuple(first))

    def generate() -> Any:
        for i in range(len(data)):
            yield tuple(data[i])
        data.on_epoch_end()

    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(len(data)))


def _shard_by_data(dataset: Any) -> Any:
    """Multi-worker input: every worker reads the same batches and keeps its share.

    In-memory and generated datasets have no files to shard by, which tf.data's AUTO
    policy would discover with a warning on every run; DATA is what it falls back to.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _probe(data: Any, batch_size: int | None) -> tuple[Any, ...] | None:
    """One batch of ``data`` for the gradient-norm log, or ``None`` if none is cheap."""
    if _is_dataset(data):
        for batch in data.take(1):
            return tuple(batch) if isinstance(batch, tuple | list) else None
        return None
    if _is_pydataset(data):
        return tuple(data[0]) if len(data) else None
    x, y, weight = _split_arrays(data)
    n = batch_size or 32
    parts = (x, y) if weight is None else (x, y, weight)
    return tuple(keras.tree.map_structure(lambda a: a[:n], p) for p in parts)


def train(
    model: keras.Model,
    data: Any,
    *,
    epochs: int,
    strategy: Any = None,
    run_dir: str | os.PathLike[str] | None = None,
    config: dict[str, Any] | None = None,
    batch_size: int | None = None,
    validation_data: Any = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    shuffle: bool = True,
    seed: int = 0,
    save_freq: int | str = "epoch",
    grad_norm_every: int | None = GRAD_NORM_EVERY,
    delete_when_done: bool = False,
    verbose: Any = "auto",
) -> dict[str, list[Any]]:
    """Trains a compiled model, resumably, on one device or many.

    Args:
        model: a built, compiled model (loss and optimizer) created inside
            ``strategy.scope()``.
        data: training data: a ``tf.data.Dataset`` of ``(x, y[, sample_weight])`` batches,
            a ``keras.utils.PyDataset``, or a tuple ``(x, y)`` / ``(x, y,
            sample_weight)`` of arrays (then give ``batch_size``).
        epochs: the total number of epochs of the run (not "more epochs"): a rerun with
            a larger number continues a finished run.
        strategy: the ``tf.distribute`` strategy the model was built under (default: the
            model's own). On another Keras backend (JAX, PyTorch) leave it ``None``: the
            run uses ``fit`` on one device, resumable all the same.
        run_dir: checkpoint directory; a rerun resumes from it (``None``: no checkpoint).
        config: JSON-able description of *what* is trained, stored with the checkpoint;
            resuming with a different one raises ``ValueError`` (a reused directory). Any
            ``epochs`` key is ignored: the epoch count is not part of a run's identity.
        batch_size: global batch size for array data.
        validation_data: evaluated after every epoch (``val_*`` in the history); same
            forms as ``data``.
        callbacks: Keras callbacks, called on both paths (``EarlyStopping``,
            ``LearningRateScheduler``, recipe-specific ones).
        shuffle: shuffle array data every epoch (seeded on the multi-replica path).
        seed: shuffle seed for the multi-replica path.
        save_freq: ``"epoch"`` or optimizer steps between mid-epoch checkpoints.
        grad_norm_every: optimizer steps between gradient-norm measurements on the
            one-replica path (the multi-replica path measures every step); ``None`` or 0
            turns the probe off. TensorFlow backend only (on JAX or PyTorch the run
            trains without it).
        delete_when_done: remove the checkpoint at the end (a rerun then trains anew).
        verbose: Keras verbosity (``"auto"``, 0, 1, 2); the multi-replica path shows a
            progress bar unless it is 0 or 2.

    Returns:
        The history of every epoch of the run, before and after any restart:
        ``{"epoch": [...], "loss": [...], "grad_norm": [...], ...}``.

    Example::

        strategy = get_strategy(args.strategy)
        with strategy.scope():
            model = build(); model.compile(make_optimizer(), "mse")
        history = train(model, (x, y), batch_size=32, epochs=10, strategy=strategy,
                        run_dir="runs/x/checkpoint", config={"units": 64})
    """
    from .distributed import train_distributed
    from .gradient_norm import GradientNormLogger
    from .resume import fit_resumable

    if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
        raise ValueError(
            f"model {model.name!r} must be compiled with a loss and an optimizer before train()"
        )
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if config is not None:
        config = {k: v for k, v in config.items() if k != "epochs"}
    on_tensorflow = keras.backend.backend() == "tensorflow"
    if not on_tensorflow and strategy is not None:
        raise ValueError(
            f"tf.distribute strategies need the TensorFlow backend; this is Keras on "
            f"{keras.backend.backend()!r}: train without a strategy (one device)"
        )
    if on_tensorflow:
        strategy = strategy if strategy is not None else model.distribute_strategy
    extra = list(callbacks or [])

    if strategy is None or strategy.num_replicas_in_sync == 1:
        extra.append(_EpochSeconds())
        if grad_norm_every and on_tensorflow:
            probe = _probe(data, batch_size)
            if probe is not None:
                extra.insert(0, GradientNormLogger(probe, every=int(grad_norm_every)))
        if _is_dataset(data) or _is_pydataset(data):
            x, y, weight, fit_batch = data, None, None, None
        else:
            x, y, weight = _split_arrays(data)
            fit_batch = batch_size
        if validation_data is not None and _is_pydataset(validation_data):
            validation_data = as_dataset(validation_data)
        kwargs: dict[str, Any] = {}
        if weight is not None:
            kwargs["sample_weight"] = weight
        if validation_data is not None:
            kwargs["validation_data"] = (
                tuple(validation_data) if isinstance(validation_data, list) else validation_data
            )
        if x is not None and not (_is_dataset(x) or _is_pydataset(x)):
            kwargs["shuffle"] = shuffle
        scratch = tempfile.mkdtemp(prefix="seqkeras-run-") if run_dir is None else None
        checkpoint_dir: str | os.PathLike[str] = run_dir if run_dir is not None else str(scratch)
        try:
            return fit_resumable(
                model,
                x,
                y,
                run_dir=checkpoint_dir,
                epochs=epochs,
                batch_size=fit_batch,
                save_freq=save_freq,
                callbacks=extra,
                config=config,
                delete_when_done=delete_when_done,
                verbose=verbose,
                **kwargs,
            )
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    dataset = _shard_by_data(
        as_dataset(data, batch_size, shuffle=shuffle, seed=seed, drop_remainder=True)
    )
    validation = (
        None
        if validation_data is None
        else _shard_by_data(as_dataset(validation_data, batch_size or 32))
    )
    return train_distributed(
        model,
        dataset,
        epochs=epochs,
        strategy=strategy,
        validation_data=validation,
        callbacks=extra,
        run_dir=run_dir,
        save_freq=save_freq,
        config=config,
        delete_when_done=delete_when_done,
        verbose=verbose not in (0, 2),
    )
