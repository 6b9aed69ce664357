"""seqkeras.training: strategies, resumable runs, clipping and gradient monitoring.

- ``get_strategy`` / ``add_strategy_argument``: every recipe's ``--strategy`` flag.
- ``fit_resumable``: ``fit`` that resumes a killed run from its checkpoint.
- ``train_distributed``: seqkeras' own data-parallel step (multi-worker included).
- ``make_optimizer``: optimizers with gradient clipping on by default.
- ``TerminateOnNaN`` / ``GradientNormLogger``: exploding-gradient watch.
- ``write_json_atomic``: metrics files that are never half written.
"""

from .distributed import is_chief as is_chief
from .distributed import train_distributed as train_distributed
from .gradient_norm import GradientNormLogger as GradientNormLogger
from .gradient_norm import global_norm as global_norm
from .json_io import write_json_atomic as write_json_atomic
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
from .strategy import add_strategy_argument as add_strategy_argument
from .strategy import get_strategy as get_strategy
from .strategy import list_strategies as list_strategies
from .strategy import parse_tf_config as parse_tf_config
from .strategy import register_strategy as register_strategy
