"""The synthesized evaluation protocol of a training run, as named steps.

:func:`evaluate_run` measures a run's Keras model (and its export, run by the device
runner) on clips of TTS engines never used in training and on an hour of keyword-free
stream; each step below returns data, so a caller can run them separately:

1. :func:`load_run_model` — the run's configuration and Keras feature model;
2. :func:`build_test_set` — test clips, their keyword windows and voices;
3. :func:`build_negative_stream` — the negative stream's audio and features;
4. :func:`keras_negative_scores` / :func:`quantized_scores` — score streams;
5. :func:`model_report` — DET curve, the operating point meeting the target FA/h and
   FRR per voice;
6. :func:`near_miss_report` — real recordings of near misses (they must not fire);
7. :func:`evaluate_run` writes ``eval.json`` and ``det.png``.

These are **synthesized-protocol** numbers; the real-speech benchmark is
``seqkeras.wakeword.benchmark``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.decision import DecisionConfig

from seqkeras.wakeword.data_config import WakewordDataConfig
from seqkeras.wakeword.labels import LabelConfig
from seqkeras.wakeword.scorers import keras_scores, keras_stream_scores, tflite_scores
from seqkeras.wakeword.scoring import (
    DEFAULT_THRESHOLDS,
    SECONDS_PER_HOUR,
    OperatingPoint,
    det_curve,
    detection_steps,
    frr_by_voice,
    keyword_windows,
    threshold_for,
    voice_name,
)

EVAL_FILE = "eval.json"
DET_FILE = "det.png"
TEST_SEED = 104729
STREAM_SEED = 130363
STREAM_CHUNK_SECONDS = 10.0
# A faint noise floor (-60 dBFS) under real recordings: a microphone never delivers zeros.
NEAR_MISS_NOISE_RMS = 1e-3
# Half a second of that floor either side of a tightly cut recording.
NEAR_MISS_PAD_SAMPLES = 8000
# Carrier sentences per test voice in the keywords-in-sentences test set.
SENTENCE_TEST_PER_VOICE = 2


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
            (during its last syllable) still hits it (``seqkeras.wakeword.scoring``).
        thresholds: thresholds of the DET curve.
        seed: offsets the test-set and stream seeds.
        sentence_clips: clips whose keywords are spoken inside carrier sentences
            ("please activate the camera") by the test engines that report word timings
            (flite), scored against the same negative stream: FRR in running speech. 0
            skips it.
        near_miss_recordings: real recordings of words close to the keyword that must not
            fire; ``None`` = the keyword's own (``vocabulary.near_miss_recordings``:
            Asterisk prompts saying one of its near misses, e.g. "activated" for
            "activate"); ``()`` = none.
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
    near_miss_recordings: tuple[str, ...] | None = None

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
        if self.near_miss_recordings is not None:
            self.near_miss_recordings = tuple(str(p) for p in self.near_miss_recordings)

    def early_steps(self, labels: LabelConfig) -> int:
        """The early tolerance in output steps of ``labels``' grid."""
        return int(round(self.early_tolerance_seconds / labels.step_seconds()))

    def decision(
        self, labels: LabelConfig, threshold: float = 0.5, keyword: str | None = None
    ) -> DecisionConfig:
        """The runner's decision config on ``labels``' output grid."""
        return DecisionConfig(
            threshold=threshold,
            smoothing_steps=self.smoothing_steps,
            refractory_seconds=self.refractory_seconds,
            step_seconds=labels.step_seconds(),
            keyword=keyword,
        )


def decision_for(
    labels: LabelConfig, settings: EvalSettings, threshold: float = 0.5, keyword: str | None = None
) -> DecisionConfig:
    """``settings.decision(labels, threshold, keyword)``."""
    return settings.decision(labels, threshold, keyword)


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


# ------------------------------------------------------------------ 1. the run's model


@dataclasses.dataclass
class RunModel:
    """A training run's configuration and its Keras model on features."""

    run_dir: Path
    config: Any  # TrainConfig
    data_config: WakewordDataConfig
    model: Any  # keras.Model, (batch, frames, bins) -> (batch, steps, 1)
    feature_config: Any  # seqkeras_edge.features.FeatureConfig

    @property
    def labels(self) -> LabelConfig:
        return self.data_config.labels


def load_run_model(run_dir: str | Path) -> RunModel:
    """The run in ``run_dir``: ``train.json`` and ``model.keras`` (clear errors when missing)."""
    import keras

    from seqkeras.wakeword.models import feature_model, model_feature_config
    from seqkeras.wakeword.train import MODEL_FILE, read_train_config

    run_dir = Path(run_dir)
    config = read_train_config(run_dir)
    model_path = run_dir / MODEL_FILE
    if not model_path.is_file():
        raise FileNotFoundError(
            f"{model_path} does not exist: train first (seqkeras wakeword train --out {run_dir})"
        )
    audio_model = keras.saving.load_model(model_path, compile=False)
    return RunModel(
        run_dir,
        config,
        config.data_config(),
        feature_model(audio_model),
        model_feature_config(audio_model),
    )


# ------------------------------------------------------------------ 2. test clips


@dataclasses.dataclass
class TestSet:
    """A test split's clips, their features, keyword windows and keyword voices."""

    dataset: Any  # WakewordDataset
    features: np.ndarray
    windows: list[list[tuple[int, int]]]
    voices: list[list[str]]

    @property
    def keywords(self) -> int:
        return sum(len(w) for w in self.windows)


def build_test_set(
    clips: int,
    config: WakewordDataConfig,
    feature_config: Any,
    seed: int,
    early_steps: int,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> TestSet:
    """``clips`` clips of the ``test`` split of ``config`` (cached) with their windows."""
    from seqkeras.wakeword.data import build_dataset

    dataset = build_dataset(clips, "test", config, seed, cache_dir, progress)
    keywords = [[s for s in clip if s.kind == "keyword"] for clip in dataset.segments]
    return TestSet(
        dataset,
        dataset.features(feature_config, progress=progress),
        [
            keyword_windows([s.end for s in clip], config.labels, config.clip_samples, early_steps)
            for clip in keywords
        ],
        [[voice_name(s.voice) for s in clip] for clip in keywords],
    )


# ------------------------------------------------------------------ 3. negative stream


@dataclasses.dataclass
class NegativeStream:
    """A keyword-free stream: its audio in chunks and its features (one continuous stream)."""

    chunks: list[np.ndarray]
    features: np.ndarray
    seconds: float


def build_negative_stream(
    hours: float,
    config: WakewordDataConfig,
    feature_config: Any,
    seed: int,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> NegativeStream:
    """``hours`` of the ``test`` split's negative stream (``data.negative_stream``)."""
    from seqkeras_edge.features import StreamingFeatures

    from seqkeras.wakeword.data import negative_stream

    seconds = hours * SECONDS_PER_HOUR
    stream_features = StreamingFeatures(feature_config)
    chunks, pieces = [], []
    total = int(np.ceil(seconds / STREAM_CHUNK_SECONDS))
    stream = negative_stream(seconds, config, split="test", seed=seed, cache_dir=cache_dir)
    for piece in _progress(stream, total, "negative stream", progress):
        chunks.append(piece.audio.astype(np.float32))
        pieces.append(stream_features.push(piece.audio))
    return NegativeStream(chunks, np.concatenate(pieces), seconds)


# ------------------------------------------------------------------ 4. score streams


def keras_negative_scores(model: Any, stream: NegativeStream) -> list[np.ndarray]:
    """The Keras model's scores over the negative stream (one stream)."""
    return [keras_stream_scores(model, stream.features)]


@dataclasses.dataclass
class QuantizedScores:
    """The exported model's scores (via ``seqkeras_edge.runner.WakeRunner``) and latencies."""

    positive: list[np.ndarray]
    negative: list[np.ndarray]
    hop_latency_us: list[float]


def quantized_scores(
    model_path: Path, test_set: TestSet, stream: NegativeStream, progress: bool = True
) -> QuantizedScores:
    """Run the exported step model hop by hop on every test clip and on the whole stream."""
    from seqkeras_edge.runner import WakeRunner

    latency: list[float] = []
    positive = []
    clips = test_set.dataset
    for index in _progress(range(len(clips)), len(clips), "exported model on test clips", progress):
        scores, hop_us = tflite_scores(model_path, clips.audio(index))
        positive.append(scores)
        latency += hop_us
    runner = WakeRunner(model_path)
    runner.reset()
    channel = runner.decision_config.output_index
    stream_scores = []
    for piece in _progress(stream.chunks, len(stream.chunks), "exported model on negative stream", progress):
        for prediction, _event, hop_us in runner.process([piece]):
            stream_scores.append(float(prediction[channel]))
            latency.append(hop_us)
    return QuantizedScores(positive, [np.asarray(stream_scores)], latency)


def latency_summary(latency: Sequence[float]) -> dict[str, float]:
    """Median, p90 and p99 of per-hop latencies (µs)."""
    return {
        "p50": float(np.percentile(latency, 50)),
        "p90": float(np.percentile(latency, 90)),
        "p99": float(np.percentile(latency, 99)),
        "hops": len(latency),
    }


# ------------------------------------------------------------------ 5. one model's report


def model_report(
    positive: Sequence[np.ndarray],
    test_set: TestSet,
    negative: Sequence[np.ndarray],
    seconds: float,
    base: DecisionConfig,
    settings: EvalSettings,
    early_steps: int,
) -> tuple[list[OperatingPoint], OperatingPoint | None, dict[str, Any]]:
    """``(DET curve, point meeting the target FA/h, report dict)`` of one model's scores."""
    curve = det_curve(
        positive, test_set.windows, negative, seconds, base, settings.thresholds, early_steps
    )
    point = threshold_for(curve, settings.target_fa_per_hour)
    report = {
        "at_target": point.to_dict() if point else None,
        "frr_by_voice_at_target": frr_by_voice(
            positive,
            test_set.voices,
            test_set.windows,
            dataclasses.replace(base, threshold=point.threshold),
        )
        if point
        else None,
        "det": [p.to_dict() for p in curve],
    }
    return curve, point, report


def sentence_report(
    model: Any,
    sentences: TestSet,
    negative: Sequence[np.ndarray],
    seconds: float,
    base: DecisionConfig,
    settings: EvalSettings,
    early_steps: int,
    keras_threshold: float,
) -> tuple[list[OperatingPoint], dict[str, Any]]:
    """The Keras model on keywords spoken inside sentences (same negatives and decision)."""
    positive = list(keras_scores(model, sentences.features))
    curve = det_curve(
        positive, sentences.windows, negative, seconds, base, settings.thresholds, early_steps
    )
    same = [p for p in curve if p.threshold == keras_threshold]
    report = {
        "clips": len(sentences.dataset),
        "keywords": sentences.keywords,
        "engines": list(sentences.dataset.config.test_engines),
        "folder": str(sentences.dataset.folder),
        "at_keras_target_threshold": same[0].to_dict() if same else None,
        "frr_by_voice_at_keras_target_threshold": frr_by_voice(
            positive,
            sentences.voices,
            sentences.windows,
            dataclasses.replace(base, threshold=keras_threshold),
        ),
        "det": [p.to_dict() for p in curve],
    }
    return curve, report


# ------------------------------------------------------------------ 6. real near misses


def near_miss_report(
    model: Any,
    recordings: Sequence[str | Path],
    decision: DecisionConfig,
    quantized_path: Path | None = None,
    quantized_decision: DecisionConfig | None = None,
) -> list[dict[str, Any]]:
    """Max score and detections of each real near-miss recording (must be 0 detections).

    A missing file is reported with the install command rather than failing the run.
    """
    from seqkeras_edge.features import log_mel_spectrogram

    from seqkeras.audio import read_audio
    from seqkeras.wakeword.vocabulary import ASTERISK_INSTALL

    rows: list[dict[str, Any]] = []
    for path in recordings:
        if not Path(path).is_file():
            rows.append({"file": str(path), "missing": ASTERISK_INSTALL})
            continue
        with warnings.catch_warnings():  # Asterisk prompts are 8 kHz: band-limited on purpose
            warnings.simplefilter("ignore")
            audio = read_audio(path)
        pad = np.zeros(NEAR_MISS_PAD_SAMPLES, np.float32)
        padded = np.concatenate([pad, audio, pad])
        floor = np.random.default_rng(0).standard_normal(padded.size).astype(np.float32)
        padded = padded + NEAR_MISS_NOISE_RMS * floor
        scores = keras_scores(model, log_mel_spectrogram(padded)[None])[0]
        row: dict[str, Any] = {
            "file": str(path),
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


def near_miss_recordings_for(settings: EvalSettings, keyword: str) -> tuple[str, ...]:
    """The settings' recordings, or the keyword's own (``vocabulary.near_miss_recordings``)."""
    if settings.near_miss_recordings is not None:
        return settings.near_miss_recordings
    from seqkeras.wakeword.vocabulary import near_miss_recordings

    return tuple(str(p) for p in near_miss_recordings(keyword))


# ------------------------------------------------------------------ 7. the whole protocol


def exported_model_report(model_path: Path, scored: QuantizedScores) -> dict[str, Any]:
    """What the report says about the exported model itself: file, mode, size, latency."""
    from seqkeras_edge.metadata import read_metadata

    exported = read_metadata(model_path) or {}
    return {
        "quantized_model": str(model_path),
        "quantized_mode": " ".join(
            str(exported[k]) for k in ("quantize", "weights") if exported.get(k)
        ),
        "quantized_model_bytes": model_path.stat().st_size,
        "runner_hop_latency_us": latency_summary(scored.hop_latency_us),
    }


def exported_vs_keras(
    curves: dict[str, list[OperatingPoint]], chosen: dict[str, OperatingPoint | None]
) -> dict[str, Any] | None:
    """FRR points of the exported model minus Keras at their operating points, and the
    exported model at the Keras model's threshold."""
    keras_point, quantized_point = chosen.get("keras"), chosen.get("quantized")
    if keras_point is None or quantized_point is None:
        return None
    same = next(p for p in curves["quantized"] if p.threshold == keras_point.threshold)
    return {
        "frr_points_at_target_fa": 100 * (quantized_point.frr - keras_point.frr),
        "quantized_at_keras_threshold": same.to_dict(),
    }


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
    from seqkeras.training import write_json_atomic
    from seqkeras.wakeword.det_plot import plot_det

    settings = settings or EvalSettings()
    run = load_run_model(run_dir)
    if run.config.uses_speech_embedding:
        raise ValueError(
            f"{run_dir} holds a speech-embedding model; the synthesized-speech protocol scores "
            f"log-mel models only: measure it on real speech with "
            f"seqkeras wakeword benchmark {run_dir}"
        )
    quantized = Path(quantized_path) if quantized_path is not None else None
    if quantized is not None and not quantized.is_file():
        raise FileNotFoundError(
            f"exported model {quantized} does not exist: run seqkeras wakeword export {run_dir}"
        )
    early = settings.early_steps(run.labels)
    seed = TEST_SEED + settings.seed
    test_set = build_test_set(
        settings.test_clips, run.data_config, run.feature_config, seed, early, cache_dir, progress
    )
    stream = build_negative_stream(
        settings.negative_hours, run.data_config, run.feature_config,
        STREAM_SEED + settings.seed, cache_dir, progress,
    )  # fmt: skip
    base = settings.decision(run.labels, keyword=run.config.keyword)
    positives = {"keras": list(keras_scores(run.model, test_set.features))}
    negatives = {"keras": keras_negative_scores(run.model, stream)}
    report: dict[str, Any] = {
        "protocol": "synthesized (TTS keyword/negatives over real non-speech background); not real-speech numbers",
        "run_dir": str(run.run_dir),
        "keyword": run.config.keyword,
        "test_split": {
            "clips": settings.test_clips,
            "keywords": test_set.keywords,
            "engines": list(run.data_config.test_engines),
            "train_engines": list(run.data_config.train_engines),
            "folder": str(test_set.dataset.folder),
        },
        "negative_hours": settings.negative_hours,
        "early_tolerance_seconds": settings.early_tolerance_seconds,
        "decision": {k: v for k, v in base.to_dict().items() if k != "threshold"},
        "target_fa_per_hour": settings.target_fa_per_hour,
    }
    if quantized is not None:
        scored = quantized_scores(quantized, test_set, stream, progress)
        positives["quantized"], negatives["quantized"] = scored.positive, scored.negative
        report.update(exported_model_report(quantized, scored))
    curves: dict[str, list[OperatingPoint]] = {}
    chosen: dict[str, OperatingPoint | None] = {}
    for name in positives:
        curves[name], chosen[name], report[name] = model_report(
            positives[name], test_set, negatives[name], stream.seconds, base, settings, early
        )
    comparison = exported_vs_keras(curves, chosen)
    if comparison is not None:
        report["quantized_vs_keras"] = comparison
    keras_threshold = chosen["keras"].threshold if chosen["keras"] else 0.5
    sentence_config = sentence_test_config(run.data_config) if settings.sentence_clips else None
    if sentence_config is not None:
        sentences = build_test_set(
            settings.sentence_clips, sentence_config, run.feature_config, seed, early,
            cache_dir, progress,
        )  # fmt: skip
        curves["keras, keywords in sentences"], report["keras_in_sentences"] = sentence_report(
            run.model, sentences, negatives["keras"], stream.seconds, base, settings, early,
            keras_threshold,
        )  # fmt: skip
    quantized_threshold = chosen["quantized"].threshold if chosen.get("quantized") else keras_threshold
    report["real_near_misses"] = near_miss_report(
        run.model,
        near_miss_recordings_for(settings, run.config.keyword),
        dataclasses.replace(base, threshold=keras_threshold),
        quantized,
        dataclasses.replace(base, threshold=quantized_threshold) if quantized else None,
    )
    report["det_png"] = str(plot_det(curves, run.run_dir / DET_FILE, settings.target_fa_per_hour))
    write_json_atomic(run.run_dir / EVAL_FILE, report)
    return report


def evaluate_with_settings(
    run_dir: str | Path,
    settings: EvalSettings,
    use_export: bool = True,
    progress: bool = True,
    cache_dir: str | Path | None = None,
) -> dict[str, Any]:
    """``evaluate_run`` (exporting ``EXPORT_FILE`` first when missing) and store the
    threshold that meets the target FA/h in the exported model's metadata."""
    from seqkeras.wakeword.export import EXPORT_FILE, export_run, set_threshold
    from seqkeras.wakeword.train import read_train_config

    run_dir = Path(run_dir)
    exported = None
    if use_export and read_train_config(run_dir).model == "streaming":
        exported = run_dir / EXPORT_FILE
        if not exported.is_file():
            export_run(
                run_dir,
                smoothing_steps=settings.smoothing_steps,
                refractory_seconds=settings.refractory_seconds,
                cache_dir=cache_dir,
            )
    report = evaluate_run(run_dir, settings, exported, progress=progress, cache_dir=cache_dir)
    chosen = (report.get("quantized") or {}).get("at_target")
    if exported is not None and chosen is not None:
        set_threshold(exported, chosen["threshold"])
        report["quantized_metadata_threshold"] = chosen["threshold"]
    return report


def summarize(report: dict[str, Any]) -> str:
    """Human-readable lines of an evaluation report."""
    lines = [f"evaluation ({report['protocol']})"]
    target = report["target_fa_per_hour"]
    for key in ("keras", "quantized"):
        if key not in report:
            continue
        name = "keras" if key == "keras" else report.get("quantized_mode") or key
        point = report[key]["at_target"]
        if point is None:
            lines.append(f"  {name}: no threshold reaches {target} FA/h")
            continue
        inside = point["inside_fraction"]
        lines.append(
            f"  {name}: threshold {point['threshold']:.3f}  FRR {100 * point['frr']:.1f}% "
            f"({point['misses']}/{point['keywords']})  FA/h {point['fa_per_hour']:.2f} "
            f"({point['false_accepts']} in {report['negative_hours']} h)  detections inside window "
            f"{'n/a' if inside is None else f'{100 * inside:.1f}%'}"
        )
        by_voice = report[key].get("frr_by_voice_at_target") or {}
        if by_voice:
            lines.append(
                "         FRR by voice: "
                + ", ".join(f"{v} {100 * r['frr']:.0f}% of {r['keywords']}" for v, r in by_voice.items())
            )
    in_sentences = report.get("keras_in_sentences")
    if in_sentences and in_sentences["at_keras_target_threshold"]:
        point = in_sentences["at_keras_target_threshold"]
        lines.append(
            f"  keras, keywords inside sentences ({', '.join(in_sentences['engines'])}): "
            f"FRR {100 * point['frr']:.1f}% ({point['misses']}/{point['keywords']}) at the "
            "same threshold"
        )
    for row in report.get("real_near_misses", []):
        if "missing" in row:
            lines.append(f"  real recording {row['file']}: not installed ({row['missing']})")
        else:
            lines.append(
                f"  real near miss {row['text']!r}: keras {row['keras_detections']} detection(s)"
                + (f", {report.get('quantized_mode') or 'quantized'} {row['quantized_detections']}" if "quantized_detections" in row else "")
                + " (must be 0)"
            )
    if "runner_hop_latency_us" in report:
        lat = report["runner_hop_latency_us"]
        lines.append(
            f"  runner per-hop latency: median {lat['p50']:.1f} us, p99 {lat['p99']:.1f} us"
        )
    return "\n".join(lines)


def _progress(iterable: Any, total: int, desc: str, enabled: bool) -> Any:
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit="chunk")
