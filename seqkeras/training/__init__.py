"""seqkeras.training: strategies, resumable runs, clipping and gradient monitoring.

``get_strategy`` / ``add_strategy_argument`` give every recipe a ``--strategy`` flag.
"""

from .strategy import add_strategy_argument as add_strategy_argument
from .strategy import get_strategy as get_strategy
from .strategy import list_strategies as list_strategies
from .strategy import parse_tf_config as parse_tf_config
from .strategy import register_strategy as register_strategy
