"""Trigger-word evaluation: FRR, false accepts per hour, DET curve, operating threshold.

Detections are made by ``seqkeras_edge.decision`` — the very code the device runner
(``seqkeras-wake``) uses: moving-average smoothing, threshold, refractory period. Scores
are scored against the labelled windows of the synthesized clips:

- every keyword utterance has a window: the output steps its label is 1 on (the
  ``ones_steps`` steps right after it ends, ``seqkeras.wakeword.labels``), opened
  ``early_steps`` earlier (``EvalSettings.early_tolerance_seconds``, 0.2 s): a detection
  during the keyword's last syllable is a hit, not a false accept plus a miss — a word
  ending in a stop consonant ("activate") has its closure silence and release burst
  inside the utterance, and voices differ in where a model is sure (measured: flite's awb
  voice is detected ~130 ms before the trimmed end, espeak's ~25 ms);
- the first detection inside a window is a **hit**; an utterance without a hit is a
  **false reject**; FRR = false rejects / keyword utterances;
- every other detection — outside every window, or a second detection inside an
  already hit window — is a **false accept**; FA/h = false accepts on the long
  negative streams (speech without the keyword over background) / their hours;
- ``inside_fraction`` = detections inside some **labelled** window (without the early
  tolerance) / all detections on the positive clips (the "fires where the label says"
  check).

:func:`det_curve` sweeps thresholds, :func:`threshold_for` picks the operating point that
meets a target FA/h, :func:`plot_det` draws FRR vs FA/h (PNG).

Example::

    windows = keyword_windows([16000], label_config)          # keyword ends at 1.0 s
    counts = score_detections([d.step for d in detect(scores, decision)], windows)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.decision import DecisionConfig, detect

from seqkeras.wakeword.data_config import WakewordDataConfig
from seqkeras.wakeword.labels import LabelConfig

# Fine enough that "FRR at the same FA/h" of two models is not a grid artefact.
DEFAULT_THRESHOLDS = tuple(
    [round(t, 3) for t in np.arange(0.02, 0.981, 0.02)]
    + [0.985, 0.99, 0.995, 0.998, 0.999, 0.9995, 0.9998, 0.9999]
)
SECONDS_PER_HOUR = 3600.0


def keyword_windows(
    keyword_ends: Iterable[int],
    labels: LabelConfig,
    num_samples: int | None = None,
    early_steps: int = 0,
) -> list[tuple[int, int]]:
    """``[start, stop)`` output steps of the label window after each keyword end (samples),
    opened ``early_steps`` before the label's first step (never before step 0).

    Windows are clipped to the clip's steps when ``num_samples`` is given.
    """
    if early_steps < 0:
        raise ValueError(f"early_steps must be >= 0, got {early_steps}")
    limit = labels.num_steps(num_samples) if num_samples is not None else None
    windows = []
    for end in keyword_ends:
        first = labels.first_step_after(int(end))
        stop = first + labels.ones_steps
        if limit is not None:
            stop = min(stop, limit)
        windows.append((max(0, first - early_steps), stop))
    return windows


@dataclasses.dataclass
class DetectionCounts:
    """Hits, misses and false accepts of one or many score streams (add with ``+``)."""

    keywords: int = 0
    hits: int = 0
    false_accepts: int = 0
    detections: int = 0
    inside: int = 0

    @property
    def misses(self) -> int:
        return self.keywords - self.hits

    def __add__(self, other: DetectionCounts) -> DetectionCounts:
        return DetectionCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self))
        )


def score_detections(
    detection_steps: Sequence[int], windows: Sequence[tuple[int, int]], early_steps: int = 0
) -> DetectionCounts:
    """Match detections (output steps) to keyword windows.

    The first detection in a window hits it; a detection outside every window, or in
    windows that are all already hit, is a false accept. ``inside`` counts detections in
    the labelled part of a window (its first ``early_steps`` steps are the early tolerance
    of :func:`keyword_windows`).
    """
    hit = [False] * len(windows)
    counts = DetectionCounts(keywords=len(windows), detections=len(detection_steps))
    for step in detection_steps:
        containing = [i for i, (a, b) in enumerate(windows) if a <= step < b]
        if any(windows[i][0] + early_steps <= step for i in containing):
            counts.inside += 1
        fresh = [i for i in containing if not hit[i]]
        if fresh:
            hit[fresh[0]] = True
            counts.hits += 1
        else:
            counts.false_accepts += 1
    return counts


def detection_steps(scores: np.ndarray, decision: DecisionConfig) -> list[int]:
    """Steps at which the runner's decision logic fires on ``scores`` (1-D)."""
    return [d.step for d in detect(np.asarray(scores, np.float64).ravel().tolist(), decision)]


@dataclasses.dataclass
class OperatingPoint:
    """FRR and FA/h at one threshold."""

    threshold: float
    frr: float
    fa_per_hour: float
    false_accepts: int
    misses: int
    keywords: int
    clip_false_accepts: int
    inside_fraction: float | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def operating_point(
    positive_scores: Sequence[np.ndarray],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    negative_scores: Sequence[np.ndarray],
    negative_seconds: float,
    decision: DecisionConfig,
    early_steps: int = 0,
) -> OperatingPoint:
    """FRR on the positive clips and FA/h on the negative streams at ``decision``.

    Args:
        positive_scores: per clip, the 1-D score stream (one value per output step).
        positive_windows: per clip, its keyword windows (:func:`keyword_windows`).
        negative_scores: the negative streams' 1-D scores (each decided from a fresh start).
        negative_seconds: total duration of the negative streams.
        decision: smoothing, threshold, refractory (the runner's ``DecisionConfig``).
        early_steps: the windows' early tolerance (for ``inside_fraction``).
    """
    if len(positive_scores) != len(positive_windows):
        raise ValueError(
            f"{len(positive_scores)} positive score streams but {len(positive_windows)} window lists"
        )
    if not negative_seconds > 0:
        raise ValueError(f"negative_seconds must be > 0, got {negative_seconds!r}")
    clips = DetectionCounts()
    for scores, windows in zip(positive_scores, positive_windows, strict=True):
        clips = clips + score_detections(detection_steps(scores, decision), windows, early_steps)
    negatives = DetectionCounts()
    for scores in negative_scores:
        negatives = negatives + score_detections(detection_steps(scores, decision), [])
    return OperatingPoint(
        threshold=float(decision.threshold),
        frr=clips.misses / clips.keywords if clips.keywords else 0.0,
        fa_per_hour=negatives.false_accepts / (negative_seconds / SECONDS_PER_HOUR),
        false_accepts=negatives.false_accepts,
        misses=clips.misses,
        keywords=clips.keywords,
        clip_false_accepts=clips.false_accepts,
        inside_fraction=clips.inside / clips.detections if clips.detections else None,
    )


def frr_by_voice(
    positive_scores: Sequence[np.ndarray],
    keyword_voices: Sequence[Sequence[str]],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    decision: DecisionConfig,
) -> dict[str, dict[str, float]]:
    """Misses per voice at ``decision``: ``{voice: {"keywords", "misses", "frr"}}``.

    ``keyword_voices[i][k]`` names the voice of clip ``i``'s ``k``-th keyword (window
    ``positive_windows[i][k]``); a keyword is missed when no detection falls in its window.
    """
    table: dict[str, dict[str, float]] = {}
    for scores, voices, windows in zip(positive_scores, keyword_voices, positive_windows, strict=True):
        if len(voices) != len(windows):
            raise ValueError(f"{len(voices)} keyword voices but {len(windows)} windows in a clip")
        steps = detection_steps(scores, decision)
        for voice, (start, stop) in zip(voices, windows, strict=True):
            row = table.setdefault(voice, {"keywords": 0, "misses": 0})
            row["keywords"] += 1
            row["misses"] += not any(start <= step < stop for step in steps)
    for row in table.values():
        row["frr"] = row["misses"] / row["keywords"]
    return dict(sorted(table.items()))


def voice_name(voice: str) -> str:
    """``"flite:awb:s0.82:pdefault"`` -> ``"flite:awb"`` (engine and voice, no variant)."""
    return ":".join(voice.split(":")[:2])


def det_curve(
    positive_scores: Sequence[np.ndarray],
    positive_windows: Sequence[Sequence[tuple[int, int]]],
    negative_scores: Sequence[np.ndarray],
    negative_seconds: float,
    decision: DecisionConfig,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    early_steps: int = 0,
) -> list[OperatingPoint]:
    """:func:`operating_point` at every threshold (smoothing and refractory from ``decision``)."""
    return [
        operating_point(
            positive_scores,
            positive_windows,
            negative_scores,
            negative_seconds,
            dataclasses.replace(decision, threshold=float(t)),
            early_steps,
        )
        for t in thresholds
    ]


def threshold_for(
    curve: Sequence[OperatingPoint], target_fa_per_hour: float
) -> OperatingPoint | None:
    """The point with FA/h <= target and the lowest FRR (ties: fewer false accepts, then
    the higher threshold); ``None`` when no threshold meets the target."""
    meeting = [p for p in curve if p.fa_per_hour <= target_fa_per_hour]
    if not meeting:
        return None
    return min(meeting, key=lambda p: (p.frr, p.fa_per_hour, -p.threshold))


def plot_det(
    curves: Mapping[str, Sequence[OperatingPoint]],
    path: str | Path,
    target_fa_per_hour: float | None = None,
) -> Path:
    """DET picture: FRR (%) against false accepts per hour, one line per model (PNG, atomic)."""
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, curve in curves.items():
        points = sorted(curve, key=lambda p: p.fa_per_hour)
        ax.plot(
            [p.fa_per_hour for p in points],
            [100 * p.frr for p in points],
            marker="o",
            markersize=3,
            label=name,
        )
    if target_fa_per_hour is not None:
        ax.axvline(
            target_fa_per_hour,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"{target_fa_per_hour} FA/h",
        )
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlim(left=0.0)
    ax.set_xlabel("false accepts per hour (negative streams)")
    ax.set_ylabel("false reject rate (%)")
    ax.set_title("Trigger word DET curve (synthesized protocol)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    temp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    fig.savefig(temp, format="png", dpi=110)
    plt.close(fig)
    os.replace(temp, path)
    return path


# ------------------------------------------------------------------ scoring models


def keras_scores(model: Any, features: np.ndarray, batch_size: int = 16) -> np.ndarray:
    """Scores ``(n, steps)`` of a feature-input Keras model on clips ``(n, frames, bins)``."""
    out = model.predict(np.asarray(features, np.float32), batch_size=batch_size, verbose=0)
    return np.asarray(out)[..., 0]


def keras_stream_scores(
    model: Any, features: np.ndarray, chunk_frames: int = 6000, warmup_frames: int = 500
) -> np.ndarray:
    """Scores of one long stream ``(frames, bins)`` by a causal Keras model, in parallel chunks.

    The stream is cut into ``chunk_frames`` pieces, each preceded by ``warmup_frames``
    of the stream before it (its outputs dropped) so the recurrent state has settled —
    the batch runs at once instead of one 360 000-step loop. The device runs the whole
    stream; the difference is the state beyond ``warmup_frames`` (5 s) of the past.
    """
    features = np.asarray(features, np.float32)
    total = len(features)
    starts = list(range(0, total, chunk_frames))
    width = chunk_frames + warmup_frames
    batch = np.zeros((len(starts), width, features.shape[1]), np.float32)
    valid = []
    for row, start in enumerate(starts):
        begin = max(0, start - warmup_frames)
        piece = features[begin : start + chunk_frames]
        batch[row, : len(piece)] = piece
        valid.append((start - begin, min(chunk_frames, total - start)))
    scores = keras_scores(model, batch, batch_size=len(starts))
    return np.concatenate(
        [scores[row, skip : skip + count] for row, (skip, count) in enumerate(valid)]
    )


def tflite_scores(model_path: str | Path, audio: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Scores of the exported step model over ``audio`` via the device runner itself.

    Returns ``(scores (frames,), per-hop latencies in µs)``.
    """
    from seqkeras_edge.runner import WakeRunner

    runner = WakeRunner(model_path)
    result = runner.run_samples(np.asarray(audio, np.float32))
    channel = runner.decision_config.output_index
    return np.asarray(result.scores)[:, channel], list(result.hop_latency_us)


# ------------------------------------------------------------------ a whole run

EVAL_FILE = "eval.json"
DET_FILE = "det.png"
TEST_SEED = 104729
STREAM_SEED = 130363
REAL_NEAR_MISSES = (
    "/usr/share/asterisk/sounds/en_US_f_Allison/activated.wav",
    "/usr/share/asterisk/sounds/en_US_f_Allison/de-activated.wav",
)
REAL_SOUNDS_INSTALL = "apt-get install asterisk-core-sounds-en-wav"
NEAR_MISS_NOISE_RMS = 1e-3


@dataclasses.dataclass
class EvalSettings:
    """What :func:`evaluate_run` measures.

    Args:
        test_clips: synthesized clips of the ``test`` split (TTS engines not used in
            training, held-out background files) for the FRR.
        negative_hours: hours of negative stream for the FA/h.
        target_fa_per_hour: the operating point to report (threshold chosen to meet it).
        smoothing_steps, refractory_seconds: the runner's decision settings.
        early_tolerance_seconds: a detection this long before a keyword's labelled window
            (during its last syllable) still hits it (see the module docstring).
        thresholds: thresholds of the DET curve.
        seed: offsets the test-set and stream seeds.
        sentence_clips: clips whose keywords are spoken inside carrier sentences
            ("please activate the camera") by the test engines that report word timings
            (flite), scored against the same negative stream: FRR in running speech. 0
            skips it.
    """

    test_clips: int = 200
    negative_hours: float = 1.0
    target_fa_per_hour: float = 0.5
    smoothing_steps: int = 5
    refractory_seconds: float = 1.0
    early_tolerance_seconds: float = 0.2
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    seed: int = 0
    sentence_clips: int = 100

    def __post_init__(self) -> None:
        if self.test_clips < 1:
            raise ValueError(f"test_clips must be >= 1, got {self.test_clips}")
        if self.sentence_clips < 0:
            raise ValueError(f"sentence_clips must be >= 0, got {self.sentence_clips}")
        if not self.negative_hours > 0:
            raise ValueError(f"negative_hours must be > 0, got {self.negative_hours}")
        if not self.early_tolerance_seconds >= 0:
            raise ValueError(
                f"early_tolerance_seconds must be >= 0, got {self.early_tolerance_seconds}"
            )
        if not self.target_fa_per_hour >= 0:
            raise ValueError(f"target_fa_per_hour must be >= 0, got {self.target_fa_per_hour}")


# Carrier sentences per test voice in the keywords-in-sentences test set.
SENTENCE_TEST_PER_VOICE = 2


def sentence_test_config(config: WakewordDataConfig) -> WakewordDataConfig | None:
    """The protocol's test data with every keyword inside a carrier sentence, spoken by
    the test engines that report word timings; ``None`` when none of them does."""
    from seqkeras.audio.synth import available_engines, get_engine

    installed = set(available_engines())
    engines = tuple(
        e for e in config.test_engines if e in installed and get_engine(e).word_timings
    )
    if not engines:
        return None
    return dataclasses.replace(
        config,
        test_engines=engines,
        sentences_per_voice=SENTENCE_TEST_PER_VOICE,
        sentence_fraction=1.0,
    )


@dataclasses.dataclass
class _TestSet:
    """A test split's clips, their keyword windows and keyword voices."""

    dataset: Any
    features: np.ndarray
    windows: list[list[tuple[int, int]]]
    voices: list[list[str]]

    @property
    def keywords(self) -> int:
        return sum(len(w) for w in self.windows)


def _test_set(
    clips: int,
    config: WakewordDataConfig,
    feature_config: Any,
    seed: int,
    early_steps: int,
    cache_dir: str | Path | None,
    progress: bool,
) -> _TestSet:
    from seqkeras.wakeword.data import build_dataset

    dataset = build_dataset(clips, "test", config, seed, cache_dir, progress)
    keywords = [[s for s in clip if s.kind == "keyword"] for clip in dataset.segments]
    return _TestSet(
        dataset,
        dataset.features(feature_config, progress=progress),
        [
            keyword_windows([s.end for s in clip], config.labels, config.clip_samples, early_steps)
            for clip in keywords
        ],
        [[voice_name(s.voice) for s in clip] for clip in keywords],
    )


def decision_for(
    labels: LabelConfig, settings: EvalSettings, threshold: float = 0.5, keyword: str | None = None
) -> DecisionConfig:
    """The runner's decision config on ``labels``' output grid."""
    return DecisionConfig(
        threshold=threshold,
        smoothing_steps=settings.smoothing_steps,
        refractory_seconds=settings.refractory_seconds,
        step_seconds=labels.step_seconds(),
        keyword=keyword,
    )


def _progress(iterable: Any, total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="chunk")


def _near_miss_report(
    model: Any,
    quantized_path: Path | None,
    decision: DecisionConfig,
    quantized_decision: DecisionConfig | None,
) -> list[dict[str, Any]]:
    from seqkeras_edge.features import log_mel_spectrogram

    from seqkeras.audio import read_audio

    rows = []
    for path in REAL_NEAR_MISSES:
        if not Path(path).is_file():
            rows.append({"file": path, "missing": REAL_SOUNDS_INSTALL})
            continue
        audio = read_audio(path)
        # Half a second either side (the recording is cut tight), and a faint noise floor
        # (-60 dBFS) everywhere: a microphone never delivers digital zeros.
        padded = np.concatenate([np.zeros(8000, np.float32), audio, np.zeros(8000, np.float32)])
        floor = np.random.default_rng(0).standard_normal(padded.size).astype(np.float32)
        padded = padded + NEAR_MISS_NOISE_RMS * floor
        scores = keras_scores(model, log_mel_spectrogram(padded)[None])[0]
        row: dict[str, Any] = {
            "file": path,
            "text": Path(path).stem,
            "keras_max_score": float(scores.max()),
            "keras_detections": len(detection_steps(scores, decision)),
        }
        if quantized_path is not None and quantized_decision is not None:
            quantized, _ = tflite_scores(quantized_path, padded)
            row["quantized_max_score"] = float(quantized.max())
            row["quantized_detections"] = len(detection_steps(quantized, quantized_decision))
        rows.append(row)
    return rows


def evaluate_run(
    run_dir: str | Path,
    settings: EvalSettings | None = None,
    quantized_path: str | Path | None = None,
    progress: bool = True,
    cache_dir: str | Path | None = None,
) -> dict[str, Any]:
    """Evaluate the model of a training run (``run_dir/model.keras``), and its export.

    FRR on ``test_clips`` held-out clips, FA/h on ``negative_hours`` of negative stream,
    both with the runner's decision logic, for the Keras model and (when ``quantized_path``
    is given) for the exported step model run by ``seqkeras_edge.runner.WakeRunner``
    itself. Writes ``eval.json`` and ``det.png`` into ``run_dir`` and returns the report.
    """
    import keras
    from seqkeras_edge.features import StreamingFeatures

    from seqkeras.training import write_json_atomic
    from seqkeras.wakeword.data import negative_stream
    from seqkeras.wakeword.train import (
        MODEL_FILE,
        TrainConfig,
        feature_model,
        model_feature_config,
        read_train_json,
    )

    settings = settings or EvalSettings()
    run_dir = Path(run_dir)
    info = read_train_json(run_dir)
    config = TrainConfig.from_dict(info["config"])
    data_config = config.data_config()
    labels = data_config.labels
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"{model_path} does not exist: train first (seqkeras wakeword train --out {run_dir})"
        )
    audio_model = keras.saving.load_model(model_path, compile=False)
    model = feature_model(audio_model)
    feature_config = model_feature_config(audio_model)
    quantized = Path(quantized_path) if quantized_path is not None else None
    if quantized is not None and not quantized.is_file():
        raise FileNotFoundError(
            f"exported model {quantized} does not exist: run seqkeras wakeword export {run_dir}"
        )

    early_steps = int(round(settings.early_tolerance_seconds / labels.step_seconds()))
    test_set = _test_set(
        settings.test_clips,
        data_config,
        feature_config,
        TEST_SEED + settings.seed,
        early_steps,
        cache_dir,
        progress,
    )
    test, windows, keyword_voices = test_set.dataset, test_set.windows, test_set.voices
    keras_positive = list(keras_scores(model, test_set.features))

    seconds = settings.negative_hours * SECONDS_PER_HOUR
    chunks = []
    stream_features = StreamingFeatures(feature_config)
    feature_pieces = []
    total_chunks = int(np.ceil(seconds / 10.0))
    stream = negative_stream(
        seconds, data_config, split="test", seed=STREAM_SEED + settings.seed, cache_dir=cache_dir
    )
    for piece in _progress(stream, total_chunks, "negative stream", progress):
        chunks.append(piece.audio.astype(np.float32))
        feature_pieces.append(stream_features.push(piece.audio))
    negative_features = np.concatenate(feature_pieces)
    keras_negative = [keras_stream_scores(model, negative_features)]

    base = decision_for(labels, settings, keyword=config.keyword)
    curves: dict[str, list[OperatingPoint]] = {}
    curves["keras"] = det_curve(
        keras_positive, windows, keras_negative, seconds, base, settings.thresholds, early_steps
    )
    report: dict[str, Any] = {
        "protocol": "synthesized (TTS keyword/negatives over real non-speech background); not real-speech numbers",
        "run_dir": str(run_dir),
        "keyword": config.keyword,
        "test_split": {
            "clips": settings.test_clips,
            "keywords": sum(len(w) for w in windows),
            "engines": list(data_config.test_engines),
            "train_engines": list(data_config.train_engines),
            "folder": str(test.folder),
        },
        "negative_hours": settings.negative_hours,
        "early_tolerance_seconds": settings.early_tolerance_seconds,
        "decision": {k: v for k, v in base.to_dict().items() if k != "threshold"},
        "target_fa_per_hour": settings.target_fa_per_hour,
    }
    latency: list[float] = []
    quantized_positive: list[np.ndarray] = []
    if quantized is not None:
        for index in _progress(range(len(test)), len(test), "quantized model (runner) on test clips", progress):
            scores, hop_us = tflite_scores(quantized, test.audio(index))
            quantized_positive.append(scores)
            latency += hop_us
        from seqkeras_edge.runner import WakeRunner

        runner = WakeRunner(quantized)
        runner.reset()
        stream_scores = []
        for piece in _progress(chunks, len(chunks), "quantized model (runner) on negative stream", progress):
            for prediction, _event, hop_us in runner.process([piece]):
                stream_scores.append(float(prediction[runner.decision_config.output_index]))
                latency.append(hop_us)
        curves["quantized"] = det_curve(
            quantized_positive,
            windows,
            [np.asarray(stream_scores)],
            seconds,
            base,
            settings.thresholds,
            early_steps,
        )
        from seqkeras_edge.metadata import read_metadata

        exported = read_metadata(quantized) or {}
        report["quantized_model"] = str(quantized)
        report["quantized_mode"] = " ".join(
            str(exported[k]) for k in ("quantize", "weights") if exported.get(k)
        )
        report["quantized_model_bytes"] = quantized.stat().st_size
        report["runner_hop_latency_us"] = {
            "p50": float(np.percentile(latency, 50)),
            "p90": float(np.percentile(latency, 90)),
            "p99": float(np.percentile(latency, 99)),
            "hops": len(latency),
        }
    chosen: dict[str, OperatingPoint | None] = {}
    positives = {"keras": keras_positive, "quantized": quantized_positive}
    for name, curve in curves.items():
        point = threshold_for(curve, settings.target_fa_per_hour)
        chosen[name] = point
        report[name] = {
            "at_target": point.to_dict() if point else None,
            "frr_by_voice_at_target": frr_by_voice(
                positives[name],
                keyword_voices,
                windows,
                dataclasses.replace(base, threshold=point.threshold),
            )
            if point
            else None,
            "det": [p.to_dict() for p in curve],
        }
    if "quantized" in curves and chosen["keras"] is not None and chosen["quantized"] is not None:
        keras_point, quantized_point = chosen["keras"], chosen["quantized"]
        same = next(p for p in curves["quantized"] if p.threshold == keras_point.threshold)
        report["quantized_vs_keras"] = {
            "frr_points_at_target_fa": 100 * (quantized_point.frr - keras_point.frr),
            "quantized_at_keras_threshold": same.to_dict(),
        }
    keras_threshold = chosen["keras"].threshold if chosen["keras"] else 0.5
    sentence_config = sentence_test_config(data_config) if settings.sentence_clips else None
    if sentence_config is not None:
        sentences = _test_set(
            settings.sentence_clips,
            sentence_config,
            feature_config,
            TEST_SEED + settings.seed,
            early_steps,
            cache_dir,
            progress,
        )
        sentence_positive = list(keras_scores(model, sentences.features))
        name = "keras, keywords in sentences"
        curves[name] = det_curve(
            sentence_positive,
            sentences.windows,
            keras_negative,
            seconds,
            base,
            settings.thresholds,
            early_steps,
        )
        at_threshold = dataclasses.replace(base, threshold=keras_threshold)
        report["keras_in_sentences"] = {
            "clips": settings.sentence_clips,
            "keywords": sentences.keywords,
            "engines": list(sentence_config.test_engines),
            "folder": str(sentences.dataset.folder),
            "at_keras_target_threshold": next(
                p for p in curves[name] if p.threshold == keras_threshold
            ).to_dict()
            if keras_threshold in settings.thresholds
            else None,
            "frr_by_voice_at_keras_target_threshold": frr_by_voice(
                sentence_positive, sentences.voices, sentences.windows, at_threshold
            ),
            "det": [p.to_dict() for p in curves[name]],
        }
    quantized_point = chosen.get("quantized")
    report["real_near_misses"] = _near_miss_report(
        model,
        quantized,
        dataclasses.replace(base, threshold=keras_threshold),
        dataclasses.replace(base, threshold=quantized_point.threshold if quantized_point else keras_threshold)
        if quantized
        else None,
    )
    plot_det(curves, run_dir / DET_FILE, settings.target_fa_per_hour)
    report["det_png"] = str(run_dir / DET_FILE)
    write_json_atomic(run_dir / EVAL_FILE, report)
    return report
