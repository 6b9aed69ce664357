"""The real-speech wake-word benchmark: real keywords, real negative speech, PocketSphinx beside.

Following Picovoice's wake-word benchmark where it applies:

- **positives**: every real recording of the keyword, each mixed with real noise at
  ``snr_db`` (10 dB), embedded one after another in a stream (noise in between). SNR is
  Picovoice's: the speech is scaled so that its loudest 512-sample frame has ``snr_db``
  more energy than the loudest 512-sample frame of the noise under it. A keyword is hit
  by a detection from the recording's start to 0.5 s after its end (for WUW-II
  utterances: from the keyword's time stamp); a keyword without one is a false reject;
- **negatives**: hours of real speech that does not say the keyword (the ``"test"`` side
  of ``real_speech.real_negatives``: WUW-II calls of speakers training never hears, the
  Asterisk prompts training never hears, the other keyword's clips), mixed the same way;
  every detection there is a false accept (FA/h = false accepts / their hours);
- **noise**: the background bank's held-out (``"test"``) files — music, music on hold,
  sound effects — with a faint white floor so that no stretch is digital silence;
- **detections** of the model come from the exported ``.tflite`` run hop by hop by
  ``seqkeras_edge.runner.WakeRunner`` and decided by ``seqkeras_edge.decision`` (the
  device's own code), swept over thresholds; the Keras model is scored beside it;
- **PocketSphinx** (``wakeword.sphinx``) on the same audio in the same run, its
  ``kws_threshold`` swept until it passes every FA/h budget, with the same refractory
  period;
- FRR at ``FA_BUDGETS`` (0.1, 0.5, 1 and 5 FA/h), a DET plot, the recordings missed at
  each budget and the negative recordings that fire at it (``false_accepts_at_budgets``).

Streams are cached (``<cache>/wakeword/realbench-<key>``), and so are PocketSphinx's
detections (they depend on the audio only).

Example::

    report = run_benchmark("runs/computer", BenchmarkSettings())
    report["models"]["seqkeras"]["at_budgets"]["0.5"]["frr"]
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.decision import DecisionConfig, detect
from seqkeras_edge.embedding_features import FEATURE_TYPE as EMBEDDING_FEATURES

from seqkeras.wakeword.real_speech import (
    WAKE_WORD_BENCHMARK,
    Recording,
    keyword_folder_recordings,
    real_negatives,
    real_speech_root,
    wuw_recordings,
)
from seqkeras.wakeword.scoring import (
    DEFAULT_THRESHOLDS,
    SECONDS_PER_HOUR,
    OperatingPoint,
    score_detections,
    threshold_for,
)

SAMPLE_RATE = 16000
SNR_DB = 10.0
# Picovoice's energy frame: the loudest 512-sample frame defines a signal's level.
ENERGY_FRAME = 512
# A hit may come up to this long after the recording (or the time-stamped keyword) ends.
HIT_AFTER_SECONDS = 0.5
FA_BUDGETS = (0.1, 0.5, 1.0, 5.0)
GAP_SECONDS = (0.5, 1.5)
# A white floor this far below the noise's loudest frame: no stretch of digital zeros.
NOISE_FLOOR_DB = -50.0
STREAM_PEAK = 0.9
BENCH_SEED = 2718
_INT16 = 32767.0
# Thresholds for the model: the protocol's grid plus 1 - 10^-k up to 1 - 1e-6 (on real
# speech the low-FA operating points sit very close to 1).
MODEL_THRESHOLDS = tuple(
    sorted(set(DEFAULT_THRESHOLDS) | {round(1 - 10 ** (-k / 4), 8) for k in range(8, 25)})
)
# The CTC spotter's scores are exp(per-character log-likelihood ratio): 0 .. -5 nats.
SPOTTER_THRESHOLDS = tuple(round(float(np.exp(-x)), 8) for x in np.linspace(5.0, 0.0, 201))
_FORMAT_VERSION = 1


# ------------------------------------------------------------------ SNR (Picovoice)


def peak_frame_energy(audio: np.ndarray, frame: int = ENERGY_FRAME) -> float:
    """Energy (sum of squares) of the loudest whole ``frame``-sample frame of ``audio``
    (the whole signal when it is shorter than one frame)."""
    samples = np.asarray(audio, np.float64)
    count = samples.size // frame
    if count == 0:
        return float(np.sum(samples**2))
    frames = samples[: count * frame].reshape(count, frame)
    return float(np.max(np.sum(frames**2, axis=1)))


def snr_db(speech: np.ndarray, noise: np.ndarray) -> float:
    """Picovoice's SNR: loudest-frame energy of ``speech`` over that of ``noise``, in dB."""
    return 10.0 * np.log10(peak_frame_energy(speech) / peak_frame_energy(noise))


def mix_at_peak_snr(speech: np.ndarray, noise: np.ndarray, target_db: float) -> np.ndarray:
    """``noise + g * speech`` with ``g`` such that :func:`snr_db` of the scaled speech over
    ``noise`` is ``target_db`` (same lengths; ``ValueError`` for silent input)."""
    if speech.shape != noise.shape:
        raise ValueError(f"speech {speech.shape} and noise {noise.shape} differ in length")
    speech_energy, noise_energy = peak_frame_energy(speech), peak_frame_energy(noise)
    if speech_energy <= 0 or noise_energy <= 0:
        raise ValueError("speech and noise must not be silent")
    gain = np.sqrt(noise_energy * 10 ** (target_db / 10) / speech_energy)
    return noise + gain * speech


# ------------------------------------------------------------------ streams


@dataclasses.dataclass
class Stream:
    """A benchmark stream: int16 audio at 16 kHz and what is where.

    ``pieces[i] = (file, start, stop, hit_start, hit_stop)`` in samples: the recording
    spans ``[start, stop)``; ``hit_start``/``hit_stop`` is its keyword window (positives)
    or ``-1`` (negatives).
    """

    audio: np.ndarray
    pieces: list[tuple[str, int, int, int, int]]
    folder: Path | None = None

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def float_audio(self) -> np.ndarray:
        return self.audio.astype(np.float32) / _INT16

    def windows(self, step_samples: int) -> list[tuple[int, int]]:
        """Keyword windows on the model's output grid (steps of ``step_samples``)."""
        return [
            (hit_start // step_samples, -(-hit_stop // step_samples))
            for _, _, _, hit_start, hit_stop in self.pieces
            if hit_start >= 0
        ]

    def files(self) -> list[str]:
        return [file for file, *_ in self.pieces]


NoiseSource = Callable[[int, np.random.Generator], np.ndarray]


def background_noise(cache_dir: str | os.PathLike[str] | None = None) -> NoiseSource:
    """Real noise: the background bank's held-out files, each draw peak-normalized."""
    from seqkeras.wakeword.background import BackgroundBank

    bank = BackgroundBank.load(None, SAMPLE_RATE, cache_dir=cache_dir, progress=False)

    def draw(samples: int, rng: np.random.Generator) -> np.ndarray:
        noise = bank.sample(samples, rng, "test").astype(np.float64)
        peak = np.abs(noise).max()
        return noise / peak if peak > 0 else noise

    return draw


def _with_floor(noise: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    level = np.sqrt(max(peak_frame_energy(noise), 1e-12) / ENERGY_FRAME)
    return noise + rng.standard_normal(noise.size) * level * 10 ** (NOISE_FLOOR_DB / 20)


def read_recording(path: Path) -> np.ndarray:
    """A recording at 16 kHz, float64 (8 kHz telephone audio is resampled without a warning:
    the benchmark knows its upper bands are empty)."""
    from seqkeras.audio import read_audio

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_audio(path, SAMPLE_RATE).astype(np.float64)


def build_stream(
    recordings: Sequence[Recording],
    noise: NoiseSource,
    seed: int,
    positive: bool,
    target_db: float = SNR_DB,
    reader: Callable[[Path], np.ndarray] = read_recording,
) -> Stream:
    """Each recording mixed with its own stretch of noise at ``target_db`` (Picovoice's
    SNR), with noise-only gaps of ``GAP_SECONDS`` between them, peak-normalized to
    ``STREAM_PEAK``. Positives get keyword windows: the recording (or its WUW-II keyword
    span) until ``HIT_AFTER_SECONDS`` after it."""
    if not recordings:
        raise ValueError(f"no {'keyword' if positive else 'negative'} recordings to benchmark on")
    rng = np.random.default_rng(seed)
    parts: list[np.ndarray] = []
    pieces = []
    position = 0
    for recording in recordings:
        gap = int(rng.uniform(*GAP_SECONDS) * SAMPLE_RATE)
        parts.append(_with_floor(noise(gap, rng), rng))
        position += gap
        try:
            speech = reader(recording.path)
        except (OSError, RuntimeError, ValueError) as error:
            raise ValueError(f"cannot read recording {recording.path}: {error}") from None
        if speech.size == 0 or not np.any(speech):
            raise ValueError(f"recording {recording.path} is silent")
        bed = _with_floor(noise(speech.size, rng), rng)
        parts.append(mix_at_peak_snr(speech, bed, target_db))
        hit_start = hit_stop = -1
        if positive:
            span = recording.keyword_span
            first, last = (0.0, speech.size / SAMPLE_RATE) if span is None else span
            hit_start = position + int(first * SAMPLE_RATE)
            hit_stop = position + int((last + HIT_AFTER_SECONDS) * SAMPLE_RATE)
        pieces.append((str(recording.path), position, position + speech.size, hit_start, hit_stop))
        position += speech.size
    tail = int(GAP_SECONDS[1] * SAMPLE_RATE)
    parts.append(_with_floor(noise(tail, rng), rng))
    audio = np.concatenate(parts)
    audio *= STREAM_PEAK / np.abs(audio).max()
    return Stream(np.round(audio * _INT16).astype(np.int16), pieces)


def cached_stream(
    recordings: Sequence[Recording],
    seed: int,
    positive: bool,
    target_db: float = SNR_DB,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Stream:
    """:func:`build_stream` over the background bank's held-out noise, cached by its inputs."""
    from seqkeras.wakeword.cache import cache_root, config_hash, write_audio_folder

    key = config_hash(
        [_FORMAT_VERSION, [str(r.path) for r in recordings], [r.keyword_span for r in recordings],
         seed, positive, target_db, GAP_SECONDS, NOISE_FLOOR_DB, STREAM_PEAK]
    )  # fmt: skip
    folder = Path(cache_dir or cache_root()) / "wakeword" / f"realbench-{key}"
    if not (folder / "index.json").exists():
        stream = build_stream(recordings, background_noise(cache_dir), seed, positive, target_db)
        write_audio_folder(folder, stream.audio, {"pieces": stream.pieces})
    index = json.loads((folder / "index.json").read_text())
    audio = np.load(folder / "audio.npy")
    return Stream(audio, [tuple(p) for p in index["pieces"]], folder)


# ------------------------------------------------------------------ which recordings


@dataclasses.dataclass
class BenchmarkSettings:
    """What :func:`run_benchmark` measures.

    Args:
        keyword_dir: folder of real recordings of the keyword (default: the keyword's
            folder of the wake-word benchmark under the real-speech root).
        wuw_utterances: instead of a folder, the WUW-II utterances (``"001"``: the keyword
            alone, ``"006"``..``"010"``: inside a sentence) of held-out speakers whose
            transcript contains the keyword, each with the keyword's time stamps.
        negative_dirs: folders of real speech without the keyword instead of the default
            (WUW-II held-out speakers, Asterisk held-out prompts, other keyword folders).
        snr_db: speech over noise (Picovoice's loudest-frame definition).
        smoothing_steps, refractory_seconds: the runner's decision settings.
        budgets: FA/h budgets to report FRR at.
        pocketsphinx: score PocketSphinx on the same audio.
        keras: score the Keras model too (exported vs Keras at the same thresholds).
        seed: noise and gap draws.
    """

    keyword_dir: str | None = None
    wuw_utterances: tuple[str, ...] | None = None
    negative_dirs: tuple[str, ...] | None = None
    snr_db: float = SNR_DB
    smoothing_steps: int = 5
    refractory_seconds: float = 1.0
    budgets: tuple[float, ...] = FA_BUDGETS
    pocketsphinx: bool = True
    keras: bool = True
    seed: int = BENCH_SEED

    def __post_init__(self) -> None:
        if self.keyword_dir is not None and self.wuw_utterances is not None:
            raise ValueError("give either a keyword folder or WUW-II utterances, not both")
        if self.negative_dirs is not None and not self.negative_dirs:
            raise ValueError("negative_dirs is empty: give at least one folder of negative speech")


def positive_recordings(keyword: str, settings: BenchmarkSettings) -> list[Recording]:
    """The keyword's real recordings the settings name (clear errors naming the path)."""
    if settings.wuw_utterances is not None:
        from seqkeras.wakeword.real_speech import WUW_CORPUS, negative_split, says

        corpus = real_speech_root() / WUW_CORPUS
        chosen = [
            r
            for r in wuw_recordings(str(corpus))
            if r.utterance in settings.wuw_utterances
            and negative_split(r) == "test"
            and says(r, keyword)
            and r.keyword_span is not None
        ]
        if not chosen:
            raise ValueError(
                f"no held-out WUW-II utterance {list(settings.wuw_utterances)} in {corpus} "
                f"says {keyword!r}"
            )
        return chosen
    if settings.keyword_dir is not None:
        folder = Path(settings.keyword_dir)
    else:
        folder = real_speech_root() / WAKE_WORD_BENCHMARK / keyword.lower()
        if not folder.is_dir():
            raise FileNotFoundError(
                f"no recordings of {keyword!r} at {folder}: give --keyword-dir DIR"
            )
    return keyword_folder_recordings(folder, keyword)


def negative_recordings(keyword: str, settings: BenchmarkSettings) -> list[Recording]:
    """Real speech without the keyword that training never heard."""
    if settings.negative_dirs is not None:
        from seqkeras.wakeword.real_speech import Recording as Rec
        from seqkeras.wakeword.real_speech import audio_files

        return [Rec(p, "folder") for d in settings.negative_dirs for p in audio_files(d)]
    found = real_negatives(keyword, "test")
    if not found:
        raise FileNotFoundError(
            "no real negative speech found (shared/data/real-speech, asterisk prompts); "
            "give --negatives DIR"
        )
    return found


# ------------------------------------------------------------------ scoring


def _points(
    decisions: Sequence[tuple[float, list[int], list[int]]],
    windows: Sequence[tuple[int, int]],
    negative_seconds: float,
) -> list[OperatingPoint]:
    """Operating points from ``(threshold, positive-stream steps, negative-stream steps)``."""
    points = []
    for threshold, positive_steps, negative_steps in decisions:
        hits = score_detections(positive_steps, windows)
        false_accepts = len(negative_steps)
        points.append(
            OperatingPoint(
                threshold=float(threshold),
                frr=hits.misses / hits.keywords,
                fa_per_hour=false_accepts / (negative_seconds / SECONDS_PER_HOUR),
                false_accepts=false_accepts,
                misses=hits.misses,
                keywords=hits.keywords,
                clip_false_accepts=hits.false_accepts,
                inside_fraction=None,
            )
        )
    return points


def score_curve(
    positive_scores: np.ndarray,
    negative_scores: np.ndarray,
    windows: Sequence[tuple[int, int]],
    negative_seconds: float,
    decision: DecisionConfig,
    thresholds: Sequence[float],
) -> list[OperatingPoint]:
    """DET points of a score stream pair, decided by ``seqkeras_edge.decision.detect``."""
    decisions = []
    for threshold in thresholds:
        at = dataclasses.replace(decision, threshold=float(threshold))
        decisions.append(
            (
                threshold,
                [d.step for d in detect(positive_scores.tolist(), at)],
                [d.step for d in detect(negative_scores.tolist(), at)],
            )
        )
    return _points(decisions, windows, negative_seconds)


def refractory_filter(times: Sequence[float], refractory_seconds: float) -> list[float]:
    """Detections (s) with any one closer than ``refractory_seconds`` to the last kept dropped."""
    kept: list[float] = []
    for time in sorted(times):
        if not kept or time - kept[-1] >= refractory_seconds:
            kept.append(time)
    return kept


def detection_curve(
    positive: dict[Any, list[float]],
    negative: dict[Any, list[float]],
    windows: Sequence[tuple[int, int]],
    negative_seconds: float,
    step_seconds: float,
    refractory_seconds: float,
) -> list[OperatingPoint]:
    """DET points of an engine that reports detection times per threshold (PocketSphinx)."""

    def steps(times: list[float]) -> list[int]:
        return [int(round(t / step_seconds)) for t in refractory_filter(times, refractory_seconds)]

    decisions = [(key, steps(positive[key]), steps(negative[key])) for key in positive]
    return _points(decisions, windows, negative_seconds)


def missed_files(
    steps: Sequence[int], stream: Stream, step_samples: int
) -> list[str]:
    """Files of the positive stream whose window has no detection."""
    missed = []
    for file, _, _, hit_start, hit_stop in stream.pieces:
        start, stop = hit_start // step_samples, -(-hit_stop // step_samples)
        if not any(start <= s < stop for s in steps):
            missed.append(file)
    return missed


def false_accept_sources(
    steps: Sequence[int], stream: Stream, step_samples: int
) -> list[dict[str, Any]]:
    """Where each detection on the negative stream came from: the recording that started
    last before it (a detection fires at the end of its window, often in the noise gap
    after the speech that set it off), and the seconds from that recording's start.
    ``file`` is ``None`` for a detection before the first recording (noise alone)."""
    starts = [start for _, start, _, _, _ in stream.pieces]
    sources = []
    for step in sorted(steps):
        sample = step * step_samples
        index = bisect.bisect_right(starts, sample) - 1
        if index < 0:
            sources.append({"file": None, "seconds_after_start": round(sample / SAMPLE_RATE, 3),
                            "inside_recording": False})  # fmt: skip
            continue
        file, start, stop, _, _ = stream.pieces[index]
        sources.append({"file": file, "seconds_after_start": round((sample - start) / SAMPLE_RATE, 3),
                        "inside_recording": sample < stop})  # fmt: skip
    return sources


def budget_report(
    curve: Sequence[OperatingPoint], budgets: Sequence[float]
) -> dict[str, dict[str, Any] | None]:
    """The lowest-FRR point under each FA/h budget (``None``: no threshold gets under it)."""
    out: dict[str, dict[str, Any] | None] = {}
    for budget in budgets:
        point = threshold_for(curve, budget)
        out[f"{budget:g}"] = point.to_dict() if point else None
    return out


# ------------------------------------------------------------------ model scores


def tflite_stream_scores(model_path: Path, stream: Stream) -> tuple[np.ndarray, list[float]]:
    """The exported step model over the stream, hop by hop, via the device runner."""
    from seqkeras_edge.runner import WakeRunner

    runner = WakeRunner(model_path)
    result = runner.run_samples(stream.float_audio())
    return np.asarray(result.scores)[:, runner.decision_config.output_index], list(
        result.hop_latency_us
    )


def keras_stream_scores_of(model: Any, feature_config: Any, stream: Stream) -> np.ndarray:
    """The Keras model over the stream (features in float32, ``scorers.keras_stream_scores``)."""
    from seqkeras.wakeword.features import log_mel_stream
    from seqkeras.wakeword.scorers import keras_stream_scores

    features = log_mel_stream(stream.float_audio(), feature_config)
    return keras_stream_scores(model, features)


def speech_embedding_stream_scores_of(model: Any, stream: Stream) -> np.ndarray:
    """A speech-embedding head over the stream (``speech_embedding.on_sample_grid``); the
    stream's embeddings are cached beside its audio."""
    from seqkeras.wakeword import speech_embedding as se
    from seqkeras.wakeword.scorers import keras_stream_scores

    path = stream.folder / se.cache_file_name() if stream.folder else None
    if path is not None and path.is_file():
        vectors = np.load(path).astype(np.float32)
    else:
        vectors = se.SpeechEmbedding(threads=os.cpu_count() or 1).stream(stream.audio)
        if path is not None:
            from seqkeras.atomic import save_npy_atomic

            save_npy_atomic(path, vectors.astype(np.float16))
    return se.on_sample_grid(keras_stream_scores(model, vectors))


@dataclasses.dataclass
class RunScorer:
    """How a run's model is scored on a benchmark stream (:func:`run_scorer`).

    Attributes:
        exported: the ``.tflite`` the device runner scores.
        step_seconds: time between output steps.
        smoothing_steps: the decision's moving average in those steps.
        label: what scores, for progress messages.
        score: ``stream -> (scores per step, per-hop latencies in µs)``.
        speech_embedding: the model runs on the speech-embedding front end.
        thresholds: the DET curve's thresholds.
    """

    exported: Path
    step_seconds: float
    smoothing_steps: int
    label: str
    score: Callable[[Stream], tuple[np.ndarray, list[float]]]
    speech_embedding: bool = False
    thresholds: tuple[float, ...] = MODEL_THRESHOLDS

    @property
    def step_samples(self) -> int:
        return int(round(self.step_seconds * SAMPLE_RATE))

    def decision(self, settings: BenchmarkSettings, keyword: str) -> DecisionConfig:
        """The device's decision settings for this model's output grid."""
        return DecisionConfig(
            smoothing_steps=self.smoothing_steps,
            refractory_seconds=settings.refractory_seconds,
            step_seconds=self.step_seconds,
            keyword=keyword,
        )


def run_scorer(
    run_dir: str | os.PathLike[str],
    settings: BenchmarkSettings,
    model_path: str | os.PathLike[str] | None = None,
) -> RunScorer:
    """The scorer of a run: its exported model (default: the run's default export,
    :func:`~seqkeras.wakeword.export.run_export_file`) through ``seqkeras-wake``'s runner,
    output grid from the model's metadata; a speech-embedding model's scores are placed
    after the audio they heard (``speech_embedding.on_sample_grid``). The smoothing
    window keeps ``settings.smoothing_steps`` 10 ms frames' duration on any grid.
    Raises ``FileNotFoundError`` naming the export command when the run has no export."""
    from seqkeras_edge.metadata import read_metadata

    from seqkeras.wakeword.export import output_steps, run_export_file

    run_dir = Path(run_dir)
    exported = Path(model_path) if model_path is not None else run_export_file(run_dir)
    if not exported.is_file():
        raise FileNotFoundError(
            f"exported model {exported} does not exist: run seqkeras wakeword export {run_dir}"
        )
    metadata = read_metadata(exported) or {}
    step_seconds = float(metadata.get("decision", {}).get("step_seconds", 0.01))
    embedding = (metadata.get("features") or {}).get("type") == EMBEDDING_FEATURES

    def score(stream: Stream) -> tuple[np.ndarray, list[float]]:
        scores, hops = tflite_stream_scores(exported, stream)
        if embedding:
            from seqkeras.wakeword import speech_embedding as se

            scores = se.on_sample_grid(scores)
        return scores, hops

    return RunScorer(
        exported,
        step_seconds,
        output_steps(settings.smoothing_steps, step_seconds),
        "exported model (seqkeras-wake's runner)",
        score,
        embedding,
    )


def is_recognizer_run(run_dir: str | os.PathLike[str]) -> bool:
    """Whether ``run_dir`` is a ``seqkeras asr train`` run (a CTC recognizer, no wake-word
    ``train.json``): the benchmark then scores it as a keyword spotter (``ctc_spotter``)."""
    from seqkeras.speech.recipe import MODEL_FILE
    from seqkeras.wakeword.train import TRAIN_FILE

    run_dir = Path(run_dir)
    return (run_dir / MODEL_FILE).is_file() and not (run_dir / TRAIN_FILE).is_file()


def spotter_scorer(
    run_dir: str | os.PathLike[str], keyword: str, config: Any = None, progress: bool = True
) -> RunScorer:
    """The scorer of a CTC recognizer run used as a keyword spotter for ``keyword``
    (:class:`~seqkeras.wakeword.ctc_spotter.CtcSpotter`, no keyword training); its
    latencies are single-window recognizer calls (one per hop on a device)."""
    from seqkeras.speech.recipe import MODEL_FILE
    from seqkeras.wakeword.ctc_spotter import CtcSpotter

    spotter = CtcSpotter.from_run(run_dir, keyword, config)

    def score(stream: Stream) -> tuple[np.ndarray, list[float]]:
        frames = spotter.frames(stream.float_audio())  # once for both
        return spotter.frame_scores(frames, progress), spotter.window_latency_us(frames)

    return RunScorer(
        Path(run_dir) / MODEL_FILE,
        spotter.step_seconds,
        1,
        f"CTC keyword spotter ({Path(run_dir) / MODEL_FILE})",
        score,
        thresholds=SPOTTER_THRESHOLDS,
    )


def pocketsphinx_detections(
    keyword: str, streams: dict[str, Stream], cache_dir: str | os.PathLike[str] | None = None
) -> dict[str, dict[int, list[float]]]:
    """PocketSphinx's detections per threshold exponent for each stream (cached by audio)."""
    from seqkeras.wakeword import sphinx
    from seqkeras.wakeword.cache import cache_root

    out = {}
    for name, stream in streams.items():
        digest = hashlib.sha256(stream.audio.tobytes()).hexdigest()[:16]
        key = hashlib.sha256(
            json.dumps(
                [digest, keyword.lower(), list(sphinx.PEER_THRESHOLD_EXPONENTS), sphinx.version()]
            ).encode()
        ).hexdigest()[:16]
        path = Path(cache_dir or cache_root()) / "wakeword" / f"pocketsphinx-{key}.json"
        if path.is_file():
            found = {int(k): v for k, v in json.loads(path.read_text()).items()}
        else:
            found = sphinx.keyword_detections(stream.audio, keyword)
            from seqkeras.training import write_json_atomic

            path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(path, {str(k): v for k, v in found.items()})
        out[name] = found
    return out


# ------------------------------------------------------------------ the run


def recipe_run_dir(keyword: str) -> Path:
    """Where ``benchmarks/wakeword_real.py`` keeps the recipe's run for ``keyword``:
    ``<cache>/wakeword-real/<keyword>``."""
    from seqkeras.wakeword.cache import cache_root

    return cache_root() / "wakeword-real" / _slug(keyword)


def _slug(keyword: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in keyword.lower()).split()) or "keyword"


def benchmark_name(settings: BenchmarkSettings, keyword: str | None = None) -> str:
    """File stem of a run's benchmark report: ``benchmark-real`` or ``benchmark-wuw-001-006``,
    with ``-<keyword>`` appended when given (a recognizer run spots any keyword)."""
    if settings.wuw_utterances is not None:
        name = "benchmark-wuw-" + "-".join(settings.wuw_utterances)
    else:
        name = "benchmark-real"
    return name if keyword is None else f"{name}-{_slug(keyword)}"


def run_benchmark(
    run_dir: str | os.PathLike[str],
    settings: BenchmarkSettings | None = None,
    model_path: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    keyword: str | None = None,
    spotter: Any = None,
) -> dict[str, Any]:
    """Benchmark a run's exported model (and Keras model, and PocketSphinx) on real speech.

    A speech recognizer's run (``seqkeras asr train``, :func:`is_recognizer_run`) is
    benchmarked as a keyword spotter for ``keyword`` (required then) with the
    ``spotter`` settings (``ctc_spotter.SpotterConfig``).

    Writes ``<name>.json`` and ``<name>.png`` (:func:`benchmark_name`) into ``run_dir``.
    """
    from seqkeras.training import write_json_atomic
    from seqkeras.wakeword.det_plot import plot_det
    from seqkeras.wakeword.train import read_train_config

    settings = settings or BenchmarkSettings()
    run_dir = Path(run_dir)
    recognizer = is_recognizer_run(run_dir)
    if recognizer:
        if not keyword:
            raise ValueError(f"{run_dir} is a speech recognizer run: name the keyword to spot (--keyword)")
        if model_path is not None:
            raise ValueError("a recognizer run is scored by its model.keras: --model does not apply")
        from seqkeras.wakeword.ctc_spotter import SpotterConfig

        spotter = spotter or SpotterConfig()
        scorer = spotter_scorer(run_dir, keyword, spotter, progress)
        settings = dataclasses.replace(settings, keras=False)  # the scorer is the Keras model
    else:
        trained = read_train_config(run_dir).keyword
        if keyword and keyword.lower() != trained.lower():
            raise ValueError(f"{run_dir} detects {trained!r}, not {keyword!r}")
        keyword = trained
        scorer = run_scorer(run_dir, settings, model_path)
    exported = scorer.exported
    say = _say if progress else (lambda message: None)
    positives = positive_recordings(keyword, settings)
    negatives = negative_recordings(keyword, settings)
    say(f"{len(positives)} keyword recordings, {len(negatives)} negative recordings")
    streams = {
        "positive": cached_stream(positives, settings.seed, True, settings.snr_db, cache_dir),
        "negative": cached_stream(negatives, settings.seed + 1, False, settings.snr_db, cache_dir),
    }
    negative_seconds = streams["negative"].seconds
    say(
        f"streams: {streams['positive'].seconds / 60:.1f} min with keywords, "
        f"{negative_seconds / SECONDS_PER_HOUR:.2f} h of negative speech"
    )
    step_seconds = scorer.step_seconds
    step_samples = scorer.step_samples
    windows = streams["positive"].windows(step_samples)
    decision = scorer.decision(settings, keyword)
    curves: dict[str, list[OperatingPoint]] = {}
    scores: dict[str, dict[str, np.ndarray]] = {"seqkeras": {}}
    latency: list[float] = []
    for name, stream in streams.items():
        say(f"{scorer.label} on the {name} stream")
        scores["seqkeras"][name], hops = scorer.score(stream)
        latency += hops
    # the Keras twin of the exported model (a speech-embedding head: on the ONNX front end
    # it was trained on)
    if settings.keras:
        from seqkeras.wakeword.protocol import load_run_model

        run = load_run_model(run_dir)
        say("Keras model on both streams")
        scores["keras"] = {
            name: speech_embedding_stream_scores_of(run.model, stream)
            if scorer.speech_embedding
            else keras_stream_scores_of(run.model, run.feature_config, stream)
            for name, stream in streams.items()
        }
    for name, pair in scores.items():
        curves[name] = score_curve(
            pair["positive"], pair["negative"], windows, negative_seconds, decision, scorer.thresholds
        )
    models: dict[str, Any] = {}
    for name, curve in curves.items():
        models[name] = {"at_budgets": budget_report(curve, settings.budgets), "det": [p.to_dict() for p in curve]}
        missed, fired = {}, {}
        for budget, point in models[name]["at_budgets"].items():
            if point is not None:
                at = dataclasses.replace(decision, threshold=point["threshold"])
                steps = [d.step for d in detect(scores[name]["positive"].tolist(), at)]
                missed[budget] = missed_files(steps, streams["positive"], step_samples)
                steps = [d.step for d in detect(scores[name]["negative"].tolist(), at)]
                fired[budget] = false_accept_sources(steps, streams["negative"], step_samples)
        models[name]["missed_at_budgets"] = missed
        # at the low budgets one or two negative recordings decide the threshold: name them
        models[name]["false_accepts_at_budgets"] = fired
    if settings.pocketsphinx:
        from seqkeras.wakeword import sphinx

        if not sphinx.available():
            models["pocketsphinx"] = {"missing": sphinx.INSTALL}
        else:
            say("PocketSphinx on both streams (cached by audio)")
            found = pocketsphinx_detections(keyword, streams, cache_dir)
            curve = detection_curve(
                found["positive"],
                found["negative"],
                windows,
                negative_seconds,
                step_seconds,
                settings.refractory_seconds,
            )
            curves["pocketsphinx"] = curve
            models["pocketsphinx"] = {
                "version": sphinx.version(),
                "threshold_is_log10_kws_threshold": True,
                "at_budgets": budget_report(curve, settings.budgets),
                "det": [p.to_dict() for p in curve],
            }
    name = benchmark_name(settings, keyword if recognizer else None)
    png = plot_det(
        {k: v for k, v in curves.items()},
        run_dir / f"{name}.png",
        target_fa_per_hour=0.5,
        title=f"Real speech: {keyword!r}, {len(positives)} recordings, "
        f"{negative_seconds / SECONDS_PER_HOUR:.2f} h negatives, {settings.snr_db:g} dB SNR",
    )
    by_source: dict[str, int] = {}
    for recording in negatives:
        by_source[recording.source] = by_source.get(recording.source, 0) + 1
    report = {
        "protocol": "real speech (Picovoice-style: real keyword recordings and real negative "
        "speech mixed with real noise)",
        "keyword": keyword,
        "run_dir": str(run_dir),
        "front_end": "ctc-recognizer" if recognizer
        else "speech-embedding" if scorer.speech_embedding else "log-mel",
        **({"spotter": dataclasses.asdict(spotter)} if recognizer else {}),
        "exported_model": str(exported),
        "exported_model_bytes": exported.stat().st_size,
        "snr_db": settings.snr_db,
        "positives": {
            "recordings": len(positives),
            "source": settings.keyword_dir
            or (f"wuw-corpus-ii utterances {list(settings.wuw_utterances)}" if settings.wuw_utterances else "wake-word-benchmark"),
            "stream_minutes": streams["positive"].seconds / 60,
        },
        "negatives": {"recordings": len(negatives), "hours": negative_seconds / SECONDS_PER_HOUR, "by_source": by_source},
        "decision": {k: v for k, v in decision.to_dict().items() if k != "threshold"},
        "budgets": list(settings.budgets),
        "models": models,
        # a recognizer's latency: one window's recognizer call (one per hop on a device)
        "window_latency_us_p50" if recognizer else "runner_hop_latency_us_p50": float(
            np.percentile(latency, 50)
        ) if latency else None,
        "det_png": str(png),
    }
    write_json_atomic(run_dir / f"{name}.json", report)
    return report


def summarize_benchmark(report: dict[str, Any]) -> str:
    """FRR at each budget for every scored model, one line per model."""
    budgets = [f"{b:g}" for b in report["budgets"]]
    lines = [
        f"real-speech benchmark {report['keyword']!r}: {report['positives']['recordings']} keyword "
        f"recordings, {report['negatives']['hours']:.2f} h negative speech, {report['snr_db']:g} dB SNR",
        "  FRR at FA/h budgets: " + ", ".join(f"<= {b}" for b in budgets),
    ]
    for name, model in report["models"].items():
        if "missing" in model:
            lines.append(f"  {name}: not installed ({model['missing']})")
            continue
        cells = []
        for budget in budgets:
            point = model["at_budgets"].get(budget)
            cells.append("n/a" if point is None else f"{100 * point['frr']:.1f}%")
        lines.append(f"  {name:>12}: " + "  ".join(cells))
        fired = model.get("false_accepts_at_budgets", {}).get("0.5")
        if fired:
            where = ", ".join(f"{Path(f['file']).name if f['file'] else 'noise'} "
                              f"(+{f['seconds_after_start']:.1f} s)" for f in fired)  # fmt: skip
            lines.append(f"  {'':>12}  false accepts at <= 0.5 FA/h: {where}")
    return "\n".join(lines)


def _say(message: str) -> None:
    print(f"[benchmark] {message}", flush=True)
