"""seqkeras.wakeword: trigger-word detection (course 3.10).

Data synthesis lives in ``data`` (clips, labels, manifests, negative streams) with its
helpers ``labels``, ``background``, ``bank``, ``clips``, ``vocabulary`` and ``data_config``.
"""

from .background import BackgroundBank as BackgroundBank
from .bank import UtteranceBank as UtteranceBank
from .clips import Clip as Clip
from .clips import Segment as Segment
from .clips import place_segments as place_segments
from .clips import synthesize_clip as synthesize_clip
from .data import StreamChunk as StreamChunk
from .data import WakewordDataset as WakewordDataset
from .data import build_dataset as build_dataset
from .data import negative_stream as negative_stream
from .data import negative_stream_audio as negative_stream_audio
from .data_config import WakewordDataConfig as WakewordDataConfig
from .data_config import voices_for_split as voices_for_split
from .labels import LabelConfig as LabelConfig
from .labels import make_labels as make_labels
from .vocabulary import DEFAULT_KEYWORD as DEFAULT_KEYWORD
from .vocabulary import hard_negatives_for as hard_negatives_for
