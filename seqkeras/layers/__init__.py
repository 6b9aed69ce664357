"""seqkeras.layers: the recurrent building blocks of course sections 1.3-1.12."""

from .bahdanau_attention import BahdanauAttention as BahdanauAttention
from .basic_rnn_cell import BasicRNNCell as BasicRNNCell
from .gru_cell import GRUCell as GRUCell
from .lstm_cell import LSTMCell as LSTMCell
from .recurrent import Recurrent as Recurrent
from .rnn import RNN as RNN
from .time_distributed_head import TimeDistributedHead as TimeDistributedHead
from .weight_conversion import gru_weights_from_keras as gru_weights_from_keras
from .weight_conversion import gru_weights_to_keras as gru_weights_to_keras

__all__ = [
    "BahdanauAttention",
    "BasicRNNCell",
    "GRUCell",
    "LSTMCell",
    "Recurrent",
    "RNN",
    "TimeDistributedHead",
    "gru_weights_from_keras",
    "gru_weights_to_keras",
]
