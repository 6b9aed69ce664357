"""Training a trigger-word model on synthesized clips (course 3.10).

The recipe: synthesize ``train_clips`` clips (and ``val_clips`` clips of held-out voices)
with ``seqkeras.wakeword.data``, compute log-mel features once (``wakeword.features``,
float32, XLA-compiled), train a :func:`~seqkeras.wakeword.models.streaming_model` (or the
course's model) on the frame labels with a loss that copes with the imbalance
(``wakeword.losses``) and SpecAugment-style masking (``wakeword.augment``), checkpoint
every epoch (a killed run resumes; a finished run given more epochs goes on), and save
the model behind its ``LogMelSpectrogram`` layer so the exported file carries its
feature configuration.

Example::

    config = TrainConfig(keyword="activate", train_clips=2000, epochs=10)
    result = train(config, "runs/activate")       # runs/activate/model.keras, train.json
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import keras
import numpy as np

from seqkeras.atomic import atomic_path
from seqkeras.wakeword.augment import AugmentedClips as AugmentedClips
from seqkeras.wakeword.augment import augment_clip as augment_clip
from seqkeras.wakeword.augment import mel_center_frequencies as mel_center_frequencies
from seqkeras.wakeword.augment import spec_augment_numpy as spec_augment_numpy
from seqkeras.wakeword.augment import warp_frequency_numpy as warp_frequency_numpy
from seqkeras.wakeword.losses import LOSSES as LOSSES
from seqkeras.wakeword.losses import WeightedBinaryCrossentropy as WeightedBinaryCrossentropy
from seqkeras.wakeword.losses import list_losses as list_losses
from seqkeras.wakeword.losses import make_loss
from seqkeras.wakeword.models import build_model, with_features
from seqkeras.wakeword.models import feature_model as feature_model
from seqkeras.wakeword.models import model_feature_config as model_feature_config
from seqkeras.wakeword.train_config import VAL_SEED_OFFSET
from seqkeras.wakeword.train_config import TrainConfig as TrainConfig

MODEL_FILE = "model.keras"
TRAIN_FILE = "train.json"
CHECKPOINT_DIR = "checkpoint"


def learning_rate_for(config: TrainConfig, steps_per_epoch: int) -> Any:
    """The step size of ``config``: a float, or a cosine decay over ``epochs`` epochs."""
    from seqkeras.training import learning_rate_schedule

    return learning_rate_schedule(
        config.lr_schedule, config.learning_rate, max(1, config.epochs * steps_per_epoch),
        config.final_lr_fraction,
    )  # fmt: skip


@dataclasses.dataclass
class TrainResult:
    model_path: Path
    history: dict[str, list[Any]]
    seconds: float


TrainingData = tuple[np.ndarray, np.ndarray, "np.ndarray | None", "np.ndarray | None"]


def load_training_data(
    config: TrainConfig, progress: bool = True, cache_dir: str | os.PathLike[str] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None, dict[str, Any]]:
    """``(x_train, y_train, x_val, y_val, info)`` from the (cached) synthesized datasets."""
    from seqkeras.wakeword.data import build_dataset

    data_config = config.training_data_config()
    train_set = build_dataset(
        config.train_clips, "train", data_config, config.seed, cache_dir, progress
    )
    grid = config.label_grid()

    def arrays(dataset: Any) -> tuple[np.ndarray, np.ndarray]:
        if config.uses_speech_embedding:
            return dataset.embeddings(progress=progress), dataset.labels(grid)
        return dataset.features(progress=progress), dataset.labels()

    x, y = arrays(train_set)
    info: dict[str, Any] = {"train_folder": str(train_set.folder)}
    if config.negative_datasets:
        x, y, info["negative_datasets"] = add_negative_datasets(
            x, y, config, lambda dataset: arrays(dataset)[0]
        )
    info["train_positive_fraction"] = float(y.mean())
    xv = yv = None
    if config.val_clips:
        val_set = build_dataset(
            config.val_clips, "val", data_config, config.seed + VAL_SEED_OFFSET, cache_dir, progress
        )
        xv, yv = arrays(val_set)
        info["val_folder"] = str(val_set.folder)
    return x, y, xv, yv, info


def add_negative_datasets(
    x: np.ndarray, y: np.ndarray, config: TrainConfig, inputs: Any
) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """``(x, y)`` with the clips of ``config.negative_datasets`` appended as negatives
    (``inputs(dataset)`` gives a dataset's model inputs); clips with a segment that
    mentions ``config.keyword`` are dropped. Returns the arrays and, per folder, how many
    clips it had and how many were used."""
    from seqkeras.wakeword.data import WakewordDataset

    keyword = config.keyword.lower()
    parts, report = [x], []
    for folder in config.negative_datasets:
        dataset = WakewordDataset(Path(folder).expanduser())
        own = str(dataset.manifest["config"].get("keyword", "")).lower()
        if own == keyword:
            raise ValueError(
                f"negative dataset {folder} was built for the keyword {keyword!r} itself; "
                "give datasets of other keywords"
            )
        keep = [
            i
            for i, clip in enumerate(dataset.segments)
            if not any(keyword in s.text.lower() for s in clip)
        ]
        values = inputs(dataset)
        if values.shape[1:] != x.shape[1:]:
            raise ValueError(
                f"negative dataset {folder}: its clips give inputs of shape {values.shape[1:]}, "
                f"this run's {x.shape[1:]} (same clip length and features needed)"
            )
        parts.append(values[keep])
        report.append({"folder": str(folder), "clips": len(dataset), "used": len(keep)})
    negatives = sum(len(p) for p in parts[1:])
    zeros = np.zeros((negatives, *y.shape[1:]), y.dtype)
    return np.concatenate(parts), np.concatenate([y, zeros]), report


def fit_model(
    model: keras.Model,
    data: TrainingData,
    config: TrainConfig,
    strategy: Any,
    run_dir: Path,
    progress: bool = True,
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> dict[str, list[Any]]:
    """The run's one call of the project's training path, ``seqkeras.training.train``.

    It picks ``fit`` for one replica and seqkeras' distributed step for more, resumes,
    stops on NaN; ``config.epochs`` is the run's total (a finished run given more epochs
    goes on). The data is :class:`AugmentedClips`: fresh masks every epoch, the same
    after a resume. ``model`` is compiled, inside ``strategy.scope()``.
    """
    from seqkeras.training import read_resume_state
    from seqkeras.training import train as train_model

    x, y, xv, yv = data
    state = read_resume_state(run_dir)
    return train_model(
        model,
        AugmentedClips(x, y, config, initial_epoch=state.epoch if state else 0),
        epochs=config.epochs,
        strategy=strategy,
        run_dir=run_dir,
        config=config.identity(),
        batch_size=config.batch_size,
        validation_data=(xv, yv) if xv is not None and len(xv) else None,
        callbacks=callbacks,
        seed=config.seed,
        verbose="auto" if progress else 0,
    )


def save_audio_model(model: keras.Model, config: TrainConfig, num_mel_bins: int, path: Path) -> Path:
    """Save ``model``'s weights behind a ``LogMelSpectrogram`` (raw audio in), uncompiled
    (a speech-embedding head: the head alone, embeddings in).

    Uncompiled so that the file loads without this package's loss class (the exporter's
    converter child loads it with ``compile=False``, but nested models keep their
    compile configuration).
    """
    from seqkeras_edge.features import FeatureConfig

    core = build_model(config.model, num_mel_bins=num_mel_bins, **config.model_kwargs())
    core.set_weights(model.get_weights())
    if config.uses_speech_embedding:  # its front end is not a Keras layer: the head alone
        with atomic_path(path) as temp:
            core.save(temp)
        return path
    audio_model = with_features(core, FeatureConfig(num_mel_bins=num_mel_bins))
    with atomic_path(path) as temp:
        audio_model.save(temp)
    return path


def train(
    config: TrainConfig,
    out_dir: str | os.PathLike[str],
    strategy: str = "default",
    progress: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    data: TrainingData | None = None,
) -> TrainResult:
    """Train ``config`` into ``out_dir`` (resuming a checkpoint there), save ``model.keras``.

    Args:
        config: the run.
        out_dir: output directory: ``model.keras`` (raw-audio input), ``train.json``
            (config, history, data folders), ``checkpoint/`` (kept: running the same
            command again finds the run finished, a larger ``epochs`` continues it, a
            killed run resumes from its last epoch).
        strategy: a ``seqkeras.training`` strategy name.
        progress: progress bars (data synthesis and Keras).
        cache_dir: data cache root.
        data: ``(x, y, x_val, y_val)`` features/labels instead of synthesizing (tests).

    Returns:
        A :class:`TrainResult`.
    """
    from seqkeras.training import get_strategy, make_optimizer, write_json_atomic

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    start = time.time()
    if data is None:
        x, y, xv, yv, info = load_training_data(config, progress, cache_dir)
    else:
        x, y, xv, yv = data
        info = {"train_positive_fraction": float(np.mean(y))}
    keras.utils.set_random_seed(config.seed)
    tf_strategy = get_strategy(strategy)
    num_mel_bins = int(x.shape[-1])
    with tf_strategy.scope():
        model = build_model(config.model, num_mel_bins=num_mel_bins, **config.model_kwargs())
        steps_per_epoch = -(-len(x) // config.batch_size)
        optimizer = make_optimizer("adam", learning_rate=learning_rate_for(config, steps_per_epoch))
        model.compile(optimizer=optimizer, loss=make_loss(config))
    averaging = None
    if config.average_from_epoch:
        from seqkeras.training import WeightAveraging
        from seqkeras.training.averaging import AVERAGE_FILE

        averaging = WeightAveraging(out / CHECKPOINT_DIR / AVERAGE_FILE, config.average_from_epoch)
    history = fit_model(
        model,
        (x, y, xv, yv),
        config,
        tf_strategy,
        out / CHECKPOINT_DIR,
        progress,
        callbacks=[averaging] if averaging else None,
    )
    # The checkpoint keeps the last weights (training can go on); the saved model is the
    # average when there is one.
    averaged = averaging.apply(model) if averaging else False
    if averaging and not averaged:
        print(
            f"average_from_epoch={config.average_from_epoch} > epochs={config.epochs}: "
            "no epoch averaged, the saved model has the last weights"
        )
    model_path = save_audio_model(model, config, num_mel_bins, out / MODEL_FILE)
    seconds = time.time() - start
    write_json_atomic(
        out / TRAIN_FILE,
        {
            "config": config.to_dict(),
            "strategy": strategy,
            "history": _jsonable(history),
            "parameters": int(model.count_params()),
            "averaged_epochs": averaging.count if averaged and averaging else 0,
            "seconds": round(seconds, 1),
            "data": info,
            "labels": config.label_grid().to_dict(),
        },
    )
    return TrainResult(model_path, history, seconds)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: float(v) if np.isscalar(v) else str(v)))


def read_train_json(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``train.json`` of a run directory (``FileNotFoundError`` naming it when absent)."""
    path = Path(out_dir) / TRAIN_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: train a model first (seqkeras wakeword train --out {out_dir})"
        )
    return json.loads(path.read_text())


def read_train_config(out_dir: str | os.PathLike[str]) -> TrainConfig:
    """The ``TrainConfig`` a run directory was trained with."""
    return TrainConfig.from_dict(read_train_json(out_dir)["config"])
