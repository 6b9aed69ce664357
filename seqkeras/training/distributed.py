"""seqkeras' own synchronous data-parallel training step (any ``tf.distribute`` strategy).

Why not ``fit``: Keras 3.15 ``fit`` fails under ``MultiWorkerMirroredStrategy``
("Attempt to convert a value (PerReplica…)", see SPEC.md "Facts"). This loop is the
documented ``tf.distribute`` pattern: ``strategy.experimental_distribute_dataset``,
``strategy.run`` of a step with a ``GradientTape``, ``optimizer.apply_gradients``,
``strategy.reduce`` of the loss. It works for the default, mirrored and multi-worker
strategies alike.

Gradients are clipped as on one device: each replica's gradient is summed over all
replicas first (``all_reduce``), the global norm of that full-batch gradient is
measured (logged as ``grad_norm``) and the optimizer's clipping rule (``clipnorm``,
``global_clipnorm`` or ``clipvalue``) is applied to it; each replica then hands an
equal 1/N share to ``apply_gradients``, whose own all-reduce adds the shares back up
(and whose own clipping is then a no-op, the shares being N times under the limit).
That costs a second gradient all-reduce per step, which is negligible at this
project's model sizes; ``fit`` under ``MirroredStrategy`` instead clips each replica's
partial gradient, which is not what one device would do.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

import keras

from .gradient_norm import global_norm
from .nan_guard import TrainingDivergedError, diverged_message
from .resume import (
    ResumeState,
    add_metric_state,
    delete_checkpoint,
    metric_state,
    restore_checkpoint,
    save_checkpoint,
)


def is_chief(strategy: Any) -> bool:
    """True on the worker that writes checkpoints and outputs (task 0, or not multi-worker)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not getattr(resolver, "task_type", None):
        return True
    return resolver.task_type == "chief" or (
        resolver.task_type == "worker" and resolver.task_id == 0
    )


def _clip(gradients: list[Any], optimizer: Any, norm: Any) -> list[Any]:
    import tensorflow as tf

    if optimizer.clipnorm:
        return [None if g is None else tf.clip_by_norm(g, optimizer.clipnorm) for g in gradients]
    if optimizer.global_clipnorm:
        scale = tf.minimum(1.0, optimizer.global_clipnorm / tf.maximum(norm, 1e-12))
        return [None if g is None else g * tf.cast(scale, g.dtype) for g in gradients]
    if optimizer.clipvalue:
        v = optimizer.clipvalue
        return [None if g is None else tf.clip_by_value(g, -v, v) for g in gradients]
    return gradients


def _per_example(loss: Any, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
    """Unreduced loss, averaged over every axis but the batch axis -> shape (batch,)."""
    import tensorflow as tf

    if isinstance(loss, keras.losses.Loss):
        values = loss.call(y_true, y_pred)
    else:
        values = loss(y_true, y_pred)
    values = tf.convert_to_tensor(values)
    if sample_weight is not None:
        weight = tf.cast(sample_weight, values.dtype)
        while weight.shape.rank is not None and weight.shape.rank > values.shape.rank:
            weight = tf.squeeze(weight, -1)
        values = values * weight
    if values.shape.rank and values.shape.rank > 1:
        values = tf.reduce_mean(values, axis=list(range(1, values.shape.rank)))
    elif values.shape.rank == 0:
        raise ValueError(
            "the loss must return one value per example; give a keras.losses.Loss or a "
            "function such as keras.losses.sparse_categorical_crossentropy"
        )
    return values


def train_distributed(
    model: keras.Model,
    dataset: Any,
    loss: Any = None,
    optimizer: keras.optimizers.Optimizer | None = None,
    epochs: int = 1,
    strategy: Any = None,
    *,
    steps_per_epoch: int | None = None,
    validation_data: Any = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    save_freq: int | str = "epoch",
    config: dict[str, Any] | None = None,
    delete_when_done: bool = False,
    stop_on_nan: bool = True,
    verbose: bool = True,
) -> dict[str, list[Any]]:
    """Trains ``model`` with a custom synchronous data-parallel step under ``strategy``.

    Args:
        model: a built Keras model whose variables were created in ``strategy.scope()``.
            When it is compiled, its compiled loss (loss weights, masks and
            ``sample_weight`` included, exactly as ``fit`` computes it) and metrics are
            used; ``loss`` and ``optimizer`` then default to the compiled ones.
        dataset: a ``tf.data.Dataset`` of ``(x, y)`` or ``(x, y, sample_weight)``
            *global* batches (the strategy splits every batch over the replicas). Its
            order should be the same on every worker (a fixed-seed shuffle or none) so
            that the workers see one dataset.
        loss: for an uncompiled model, a ``keras.losses.Loss`` (its reduction is
            ignored: the step averages over the global batch) or ``loss(y_true, y_pred)``
            returning per-example values.
        optimizer: created in ``strategy.scope()`` (default: ``model.optimizer``); its
            clipping settings are applied to the all-reduced gradient.
        epochs: total epochs of the run.
        strategy: a ``tf.distribute.Strategy`` (default: the model's).
        steps_per_epoch: steps per epoch; default: the dataset's cardinality, or (one
            worker only) until the dataset is exhausted.
        validation_data: a ``tf.data.Dataset`` of batches evaluated after every epoch
            (``val_loss`` and ``val_<metric>`` in the history).
        callbacks: Keras callbacks; they get the same hooks as in ``fit`` (train, epoch,
            train-batch and test begin/end) and may set ``model.stop_training``.
        run_dir: checkpoint directory for resuming (see ``fit_resumable``); written by
            the chief worker only, so with several machines it must be shared storage.
        save_freq: ``"epoch"`` or optimizer steps between checkpoints.
        config: JSON-able run description stored with the checkpoint and checked on resume.
        delete_when_done: remove the checkpoint after the last epoch.
        stop_on_nan: raise ``TrainingDivergedError`` at the first NaN/inf loss.
        verbose: show a progress bar per epoch.

    Returns:
        History ``{"epoch": [...], "loss": [...], <metrics>, "grad_norm": [...],
        "grad_norm_max": [...], "seconds": [...], <val_...>}``: mean training loss, the
        compiled metrics, last and largest global gradient norm (before clipping) of each
        epoch.

    Example::

        strategy = get_strategy("mirrored")
        with strategy.scope():
            model = build_model(); model.compile(make_optimizer(), "mse")
        history = train_distributed(model, ds, epochs=3, strategy=strategy)
    """
    import tensorflow as tf

    strategy = strategy if strategy is not None else model.distribute_strategy
    compiled = bool(getattr(model, "compiled", False)) and loss is None
    optimizer = optimizer if optimizer is not None else getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("give an optimizer, or compile the model with one")
    if loss is None and not compiled:
        raise ValueError("give a loss, or compile the model with one")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
        raise ValueError(f"save_freq must be 'epoch' or a positive int, got {save_freq!r}")
    for name, value in (("dataset", dataset), ("validation_data", validation_data)):
        if value is not None and not isinstance(value, tf.data.Dataset):
            raise ValueError(
                f"{name} must be a tf.data.Dataset of (x, y) batches, got {type(value).__name__}"
            )
    if not model.built or not model.trainable_variables:
        raise ValueError(
            f"model {model.name!r} must be built (give it a keras.Input) and have weights"
        )
    if not strategy.extended.variable_created_in_scope(model.trainable_variables[0].value):
        raise ValueError(
            f"model {model.name!r} was built outside this strategy's scope; create it inside "
            "`with strategy.scope():`"
        )
    if getattr(optimizer, "_distribution_strategy", strategy) is not strategy:
        raise ValueError(
            "the optimizer was created outside this strategy's scope; create it inside `with strategy.scope():`"
        )
    if isinstance(loss, str):
        loss = keras.losses.get(loss)
    if steps_per_epoch is None:
        cardinality = int(dataset.cardinality())
        steps_per_epoch = cardinality if cardinality > 0 else None
    if steps_per_epoch is None and in_multi_worker_mode(strategy):
        raise ValueError(
            "give steps_per_epoch: the dataset's length is unknown and every worker must run the same number of steps"
        )

    chief = is_chief(strategy)
    variables = model.trainable_variables
    with strategy.scope():
        if not optimizer.built:
            optimizer.build(variables)
        state = (restore_checkpoint(model, run_dir, config) if run_dir else None) or ResumeState()
    history: dict[str, list[Any]] = {k: list(v) for k, v in state.history.items()}
    if compiled:
        # Compiled metrics create their variables on first use; that must happen here,
        # in the strategy's scope, not inside the replicated step.
        for batch in dataset.take(1):
            x, y, sample_weight = _unpack(batch)
            with strategy.scope():
                model.compute_metrics(x, y, model(x, training=False), sample_weight=sample_weight)
                model.reset_metrics()
    callback_list = keras.callbacks.CallbackList(
        list(callbacks or []), model=model, epochs=epochs, steps=steps_per_epoch, verbose=0
    )

    def forward_loss(x: Any, y: Any, sample_weight: Any, training: bool) -> tuple[Any, Any]:
        """This replica's share of the global mean loss, and the predictions."""
        y_pred = model(x, training=training)
        if compiled:
            # Keras' own loss, already divided by the number of replicas.
            return model.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
            ), y_pred
        per_example = _per_example(loss, y, y_pred, sample_weight)
        value = tf.nn.compute_average_loss(per_example)
        if model.losses:
            value += tf.nn.scale_regularization_loss(tf.add_n(model.losses))
        return value, y_pred

    def step_fn(x: Any, y: Any, sample_weight: Any) -> tuple[Any, Any]:
        with tf.GradientTape() as tape:
            batch_loss, y_pred = forward_loss(x, y, sample_weight, training=True)
        grads = tape.gradient(batch_loss, [v.value for v in variables])
        # Dense gradients: an Embedding's IndexedSlices cannot be scaled or clipped as a
        # whole, and an unused weight gets a zero gradient so every replica agrees.
        grads = [
            tf.zeros_like(v.value) if g is None else tf.convert_to_tensor(g)
            for g, v in zip(grads, variables, strict=True)
        ]
        context = tf.distribute.get_replica_context()
        replicas = context.num_replicas_in_sync
        if replicas > 1:
            grads = context.all_reduce(tf.distribute.ReduceOp.SUM, grads)
        norm = global_norm(grads)
        grads = _clip(grads, optimizer, norm)
        if replicas > 1:
            grads = [g / replicas for g in grads]
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        if compiled:
            model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        return batch_loss, norm

    def test_fn(x: Any, y: Any, sample_weight: Any) -> tuple[Any, Any]:
        batch_loss, y_pred = forward_loss(x, y, sample_weight, training=False)
        if compiled:
            model.compute_metrics(x, y, y_pred, sample_weight=sample_weight)
        size = tf.cast(tf.shape(tf.nest.flatten(x)[0])[0], batch_loss.dtype)
        replicas = tf.distribute.get_replica_context().num_replicas_in_sync
        # local mean x local size: summed over replicas and batches, then divided by the
        # number of examples, an uneven last batch is weighted exactly.
        return batch_loss * replicas * size, size

    @tf.function
    def train_step(batch: Any) -> tuple[Any, Any]:
        x, y, sample_weight = _unpack(batch)
        losses, norms = strategy.run(step_fn, args=(x, y, sample_weight))
        return (
            strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None),
            strategy.reduce(tf.distribute.ReduceOp.MEAN, norms, axis=None),
        )

    @tf.function
    def test_step(batch: Any) -> tuple[Any, Any]:
        x, y, sample_weight = _unpack(batch)
        weighted, sizes = strategy.run(test_fn, args=(x, y, sample_weight))
        return (
            strategy.reduce(tf.distribute.ReduceOp.SUM, weighted, axis=None),
            strategy.reduce(tf.distribute.ReduceOp.SUM, sizes, axis=None),
        )

    def metric_logs(prefix: str = "") -> dict[str, float]:
        if not compiled:
            return {}
        logs = {}
        for name, value in model.get_metrics_result().items():
            if name != "loss":
                logs[prefix + name] = float(value)
        return logs

    def evaluate() -> dict[str, float]:
        callback_list.on_test_begin()
        model.reset_metrics()
        total, count = 0.0, 0.0
        for batch in strategy.experimental_distribute_dataset(validation_data):
            weighted, sizes = test_step(batch)
            total, count = total + float(weighted), count + float(sizes)
        if not count:
            raise ValueError("validation_data gave no examples")
        logs = {"val_loss": total / count, **metric_logs("val_")}
        callback_list.on_test_end(logs)
        return logs

    # Loss sum and step count of the epoch's steps before a mid-epoch restart.
    earlier = {"loss_sum": 0.0, "steps": 0}

    def save(epoch: int, step: int, running: bool = False) -> None:
        if run_dir is None:
            return
        partial = None
        if running:
            # every worker reads the metrics: a replica-summed variable's value is a
            # collective reduction, which the chief cannot run alone
            partial = {
                "metrics": metric_state(model) if compiled else [],
                "loss_sum": earlier["loss_sum"] + sum(losses),
                "steps": earlier["steps"] + len(losses),
            }
        if chief:
            save_checkpoint(model, run_dir, epoch, step, history, config, running=partial)

    model.stop_training = False
    callback_list.on_train_begin()
    for epoch in range(state.epoch, epochs):
        skip = state.step if epoch == state.epoch else 0
        data = dataset.skip(skip) if skip else dataset
        iterator = iter(strategy.experimental_distribute_dataset(data))
        total = None if steps_per_epoch is None else steps_per_epoch - skip
        bar = (
            keras.utils.Progbar(total, stateful_metrics=["loss", "grad_norm"]) if verbose else None
        )
        started, losses, norm, norm_max, step = time.time(), [], 0.0, 0.0, skip
        if verbose and skip:
            print(f"Resuming epoch {epoch + 1} at step {skip}")
        elif verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
        if compiled:
            model.reset_metrics()
        earlier.update(loss_sum=0.0, steps=0)
        if skip and state.running:
            earlier.update(loss_sum=float(state.running.get("loss_sum", 0.0)),
                           steps=int(state.running.get("steps", 0)))  # fmt: skip
            if compiled:
                add_metric_state(model, state.running.get("metrics"))
        callback_list.on_epoch_begin(epoch)
        while total is None or step < steps_per_epoch:  # type: ignore[operator]
            try:
                batch = next(iterator)
            except StopIteration:
                break
            callback_list.on_train_batch_begin(step)
            loss_value, norm_value = train_step(batch)
            value, norm = float(loss_value), float(norm_value)
            if stop_on_nan and not (math.isfinite(value) and math.isfinite(norm)):
                bad = value if not math.isfinite(value) else norm
                raise TrainingDivergedError(
                    diverged_message(epoch, step, bad, int(optimizer.iterations.numpy()))
                )
            losses.append(value)
            norm_max = max(norm_max, norm)
            step += 1
            if bar is not None:
                bar.update(step - skip, [("loss", sum(losses) / len(losses)), ("grad_norm", norm)])
            callback_list.on_train_batch_end(step - 1, {"loss": value})
            if save_freq != "epoch" and step % int(save_freq) == 0:
                save(epoch, step, running=True)
            if model.stop_training:
                break
        if not losses:
            raise ValueError(f"the dataset gave no batches in epoch {epoch + 1}")
        loss_mean = (earlier["loss_sum"] + sum(losses)) / (earlier["steps"] + len(losses))
        logs: dict[str, Any] = {"loss": loss_mean, **metric_logs()}
        logs.update(grad_norm=norm, grad_norm_max=norm_max)
        if validation_data is not None:
            logs.update(evaluate())
        logs["seconds"] = time.time() - started
        callback_list.on_epoch_end(epoch, logs)
        history.setdefault("epoch", []).append(epoch)
        for key, value in logs.items():
            column = history.setdefault(key, [])
            column.extend([None] * (len(history["epoch"]) - 1 - len(column)))
            column.append(float(value))
        save(epoch + 1, 0)
        if model.stop_training:
            break
    callback_list.on_train_end()
    if run_dir is not None and delete_when_done and chief:
        delete_checkpoint(run_dir)
    return history


def _unpack(batch: Any) -> tuple[Any, Any, Any]:
    if isinstance(batch, tuple | list):
        if len(batch) == 3:
            return batch[0], batch[1], batch[2]
        if len(batch) == 2:
            return batch[0], batch[1], None
    raise ValueError(
        "every batch must be (x, y) or (x, y, sample_weight); got "
        f"{type(batch).__name__} of length {len(batch) if hasattr(batch, '__len__') else '?'}"
    )


def in_multi_worker_mode(strategy: Any) -> bool:
    """Whether ``strategy`` spans several workers (processes or machines).

    ``tf.distribute`` has no public predicate for this; the private
    ``extended._in_multi_worker_mode()`` is what Keras itself calls. A test
    (``tests/seqkeras/training/test_private_apis.py``) fails with a clear message if it
    disappears; the public fallback counts the workers in the cluster resolver.
    """
    extended = strategy.extended
    if hasattr(extended, "_in_multi_worker_mode"):
        return bool(extended._in_multi_worker_mode())
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None:
        return False
    # Only the tasks that train count (an evaluator or parameter server does not).
    spec = resolver.cluster_spec().as_dict()
    return sum(len(spec.get(job, ())) for job in ("chief", "worker")) > 1
