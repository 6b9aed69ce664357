"""seqkeras.training: strategies, resumable runs, clipping and gradient monitoring.

- ``train``: the one way recipes train (``fit`` for one replica, seqkeras' own
  distributed step for more; resumable, NaN-guarded, gradient norms logged).
- ``get_strategy`` / ``add_strategy_argument``: every recipe's ``--strategy`` flag.
- ``fit_resumable``: ``fit`` that resumes a killed run from its checkpoint.
- ``train_distributed``: seqkeras' own data-parallel step (multi-worker included).
- ``make_optimizer``: optimizers with gradient clipping on by default.
- ``learning_rate_schedule`` / ``LR_SCHEDULES``: a run's step size by name (constant,
  cosine).
- ``TerminateOnNaN`` / ``GradientNormLogger``: exploding-gradient watch.
- ``write_json_atomic``: metrics files that are never half written.
- ``WeightAveraging``: the mean of the weights over the last epochs (SWA), resumable.

Task modules import this package while the CLI parser is built, so only the strategy
registry (no TensorFlow, no Keras) loads eagerly; every other name is imported from its
module on first use (PEP 562 ``__getattr__``), keeping ``seqkeras --help`` fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .json_io import write_json_atomic as write_json_atomic
from .schedules import LR_SCHEDULES as LR_SCHEDULES
from .schedules import learning_rate_schedule as learning_rate_schedule
from .strategy import add_strategy_argument as add_strategy_argument
from .strategy import get_strategy as get_strategy
from .strategy import list_strategies as list_strategies
from .strategy import parse_tf_config as parse_tf_config
from .strategy import register_strategy as register_strategy

if TYPE_CHECKING:
    from .averaging import WeightAveraging as WeightAveraging
    from .distributed import in_multi_worker_mode as in_multi_worker_mode
    from .distributed import is_chief as is_chief
    from .distributed import train_distributed as train_distributed
    from .gradient_norm import GradientNormLogger as GradientNormLogger
    from .gradient_norm import global_norm as global_norm
    from .loop import as_dataset as as_dataset
    from .loop import train as train
    from .nan_guard import TerminateOnNaN as TerminateOnNaN
    from .nan_guard import TrainingDivergedError as TrainingDivergedError
    from .optimizers import list_optimizers as list_optimizers
    from .optimizers import make_optimizer as make_optimizer
    from .resume import ResumeCheckpoint as ResumeCheckpoint
    from .resume import ResumeState as ResumeState
    from .resume import delete_checkpoint as delete_checkpoint
    from .resume import fit_resumable as fit_resumable
    from .resume import read_resume_state as read_resume_state
    from .resume import restore_checkpoint as restore_checkpoint
    from .resume import save_checkpoint as save_checkpoint

_LAZY = {
    "WeightAveraging": "averaging",
    "is_chief": "distributed",
    "train_distributed": "distributed",
    "in_multi_worker_mode": "distributed",
    "train": "loop",
    "as_dataset": "loop",
    "GradientNormLogger": "gradient_norm",
    "global_norm": "gradient_norm",
    "TerminateOnNaN": "nan_guard",
    "TrainingDivergedError": "nan_guard",
    "list_optimizers": "optimizers",
    "make_optimizer": "optimizers",
    "ResumeCheckpoint": "resume",
    "ResumeState": "resume",
    "delete_checkpoint": "resume",
    "fit_resumable": "resume",
    "read_resume_state": "resume",
    "restore_checkpoint": "resume",
    "save_checkpoint": "resume",
}

__all__ = sorted(
    [
        "LR_SCHEDULES",
        "add_strategy_argument",
        "get_strategy",
        "learning_rate_schedule",
        "list_strategies",
        "parse_tf_config",
        "register_strategy",
        "write_json_atomic",
        *_LAZY,
    ]
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
