"""seqkeras_edge: the ``seqkeras-wake`` on-device runner (numpy + LiteRT, no TensorFlow).

- :class:`WakeRunner` — features -> one LiteRT invoke per hop -> decisions.
- :class:`DecisionConfig`, :class:`StreamingDecision`, :func:`detect` — the decision
  logic shared with the wake-word evaluation.
- :func:`read_metadata` — the seqkeras metadata stored in a ``.tflite`` file.
"""

from .decision import DecisionConfig as DecisionConfig
from .decision import Detection as Detection
from .decision import StreamingDecision as StreamingDecision
from .decision import detect as detect
from .metadata import read_metadata as read_metadata
from .runner import WakeRunner as WakeRunner

__version__ = "0.1.0"
