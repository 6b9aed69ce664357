"""Trigger-word evaluation (FRR, false accepts per hour, DET curve, operating threshold).

The pieces live in their own modules; this one gathers the public names where the docs
show them:

- ``seqkeras.wakeword.scoring``: keyword windows, matching detections to them, operating
  points, DET curves, thresholds for an FA/h budget (pure arithmetic);
- ``seqkeras.wakeword.det_plot``: the DET picture;
- ``seqkeras.wakeword.scorers``: score streams of the Keras model and of the exported
  model through the device runner;
- ``seqkeras.wakeword.protocol``: the synthesized protocol of a run (``evaluate_run``);
- ``seqkeras.wakeword.benchmark``: the real-speech benchmark.

Example::

    windows = keyword_windows([16000], label_config)          # keyword ends at 1.0 s
    counts = score_detections([d.step for d in detect(scores, decision)], windows)
"""

from seqkeras.wakeword.det_plot import plot_det as plot_det
from seqkeras.wakeword.protocol import DET_FILE as DET_FILE
from seqkeras.wakeword.protocol import EVAL_FILE as EVAL_FILE
from seqkeras.wakeword.protocol import SENTENCE_TEST_PER_VOICE as SENTENCE_TEST_PER_VOICE
from seqkeras.wakeword.protocol import STREAM_SEED as STREAM_SEED
from seqkeras.wakeword.protocol import TEST_SEED as TEST_SEED
from seqkeras.wakeword.protocol import EvalSettings as EvalSettings
from seqkeras.wakeword.protocol import decision_for as decision_for
from seqkeras.wakeword.protocol import evaluate_run as evaluate_run
from seqkeras.wakeword.protocol import evaluate_with_settings as evaluate_with_settings
from seqkeras.wakeword.protocol import sentence_test_config as sentence_test_config
from seqkeras.wakeword.protocol import summarize as summarize
from seqkeras.wakeword.scorers import keras_scores as keras_scores
from seqkeras.wakeword.scorers import keras_stream_scores as keras_stream_scores
from seqkeras.wakeword.scorers import tflite_scores as tflite_scores
from seqkeras.wakeword.scoring import DEFAULT_THRESHOLDS as DEFAULT_THRESHOLDS
from seqkeras.wakeword.scoring import SECONDS_PER_HOUR as SECONDS_PER_HOUR
from seqkeras.wakeword.scoring import DetectionCounts as DetectionCounts
from seqkeras.wakeword.scoring import OperatingPoint as OperatingPoint
from seqkeras.wakeword.scoring import det_curve as det_curve
from seqkeras.wakeword.scoring import detection_steps as detection_steps
from seqkeras.wakeword.scoring import frr_at_budgets as frr_at_budgets
from seqkeras.wakeword.scoring import frr_by_voice as frr_by_voice
from seqkeras.wakeword.scoring import keyword_windows as keyword_windows
from seqkeras.wakeword.scoring import operating_point as operating_point
from seqkeras.wakeword.scoring import score_detections as score_detections
from seqkeras.wakeword.scoring import threshold_for as threshold_for
from seqkeras.wakeword.scoring import voice_name as voice_name
