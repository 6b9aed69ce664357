"""Mel-scale helpers shared by the Keras layers and the numpy edge twin.

The single implementation lives in ``seqkeras_edge.features`` (numpy only), so the
training features and the device features use the very same filterbank matrix and
default constants.
"""

from seqkeras_edge.features import FFT_SIZE as FFT_SIZE
from seqkeras_edge.features import FRAME_MS as FRAME_MS
from seqkeras_edge.features import HOP_MS as HOP_MS
from seqkeras_edge.features import LOG_FLOOR as LOG_FLOOR
from seqkeras_edge.features import LOWER_EDGE_HZ as LOWER_EDGE_HZ
from seqkeras_edge.features import NUM_MEL_BINS as NUM_MEL_BINS
from seqkeras_edge.features import SAMPLE_RATE as SAMPLE_RATE
from seqkeras_edge.features import UPPER_EDGE_HZ as UPPER_EDGE_HZ
from seqkeras_edge.features import FeatureConfig as FeatureConfig
from seqkeras_edge.features import hann_window as hann_window
from seqkeras_edge.features import hz_to_mel as hz_to_mel
from seqkeras_edge.features import mel_to_hz as mel_to_hz
from seqkeras_edge.features import mel_weight_matrix as mel_weight_matrix
from seqkeras_edge.features import ms_to_samples as ms_to_samples
from seqkeras_edge.features import num_frames as num_frames

__all__ = [
    "FFT_SIZE",
    "FRAME_MS",
    "HOP_MS",
    "LOG_FLOOR",
    "LOWER_EDGE_HZ",
    "NUM_MEL_BINS",
    "SAMPLE_RATE",
    "UPPER_EDGE_HZ",
    "FeatureConfig",
    "hann_window",
    "hz_to_mel",
    "mel_to_hz",
    "mel_weight_matrix",
    "ms_to_samples",
    "num_frames",
]
