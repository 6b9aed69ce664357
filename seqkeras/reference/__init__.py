"""seqkeras.reference: a float64 numpy oracle for the recurrent cells.

Forward passes and backpropagation through time (course sections 1.3, 1.4, 1.9, 1.10)
for the basic RNN, the GRU (full with ``reset_after`` False/True, and simplified) and
the LSTM (with or without peepholes), using exactly the weight layout of
``seqkeras.layers`` / Keras, plus :func:`gradient_check`. Tests use it as an
independent reference for the Keras cells.
"""

from ._scan import SequenceCache as SequenceCache
from .basic_rnn import basic_rnn_backward as basic_rnn_backward
from .basic_rnn import basic_rnn_forward as basic_rnn_forward
from .gradient_check import GradientCheckError as GradientCheckError
from .gradient_check import GradientCheckResult as GradientCheckResult
from .gradient_check import gradient_check as gradient_check
from .gradient_check import relative_error as relative_error
from .gru import gru_backward as gru_backward
from .gru import gru_forward as gru_forward
from .lstm import lstm_backward as lstm_backward
from .lstm import lstm_forward as lstm_forward
from .softmax_output import softmax as softmax
from .softmax_output import softmax_output_loss as softmax_output_loss

__all__ = [
    "GradientCheckError",
    "GradientCheckResult",
    "SequenceCache",
    "basic_rnn_backward",
    "basic_rnn_forward",
    "gradient_check",
    "gru_backward",
    "gru_forward",
    "lstm_backward",
    "lstm_forward",
    "relative_error",
    "softmax",
    "softmax_output_loss",
]
