"""seqkeras.audio: reading audio, spectrogram / log-mel layers, TTS and mixing helpers.

The feature layers have a numpy twin in ``seqkeras_edge.features`` that the device
uses; both share the mel matrix and the default constants re-exported here. Importing
this package registers the Keras layers, so ``.keras`` files that contain them reload
without ``custom_objects``.
"""

from .dsp import coloured_noise as coloured_noise
from .dsp import mix_at_snr as mix_at_snr
from .dsp import trim_silence as trim_silence
from .io import read_audio as read_audio
from .io import read_audio_with_rate as read_audio_with_rate
from .io import resample as resample
from .io import write_audio as write_audio
from .mel import FFT_SIZE as FFT_SIZE
from .mel import FRAME_MS as FRAME_MS
from .mel import HOP_MS as HOP_MS
from .mel import LOG_FLOOR as LOG_FLOOR
from .mel import LOWER_EDGE_HZ as LOWER_EDGE_HZ
from .mel import NUM_MEL_BINS as NUM_MEL_BINS
from .mel import SAMPLE_RATE as SAMPLE_RATE
from .mel import UPPER_EDGE_HZ as UPPER_EDGE_HZ
from .mel import FeatureConfig as FeatureConfig
from .mel import hz_to_mel as hz_to_mel
from .mel import mel_to_hz as mel_to_hz
from .mel import mel_weight_matrix as mel_weight_matrix
from .mel import num_frames as num_frames
from .spectrogram import LogMelSpectrogram as LogMelSpectrogram
from .spectrogram import Spectrogram as Spectrogram
from .tts import EngineNotAvailableError as EngineNotAvailableError
from .tts import Voice as Voice
from .tts import available_engines as available_engines
from .tts import synthesize as synthesize
