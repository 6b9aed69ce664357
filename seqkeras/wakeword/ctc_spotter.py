"""Keyword spotting with a CTC speech recognizer: any keyword, no keyword training.

A recognizer trained with CTC on many speakers (``seqkeras asr train``) gives, for
every 30 ms step, log-probabilities of the characters and the blank. A keyword is found
where its characters explain a stretch of audio almost as well as the best unconstrained
reading of that stretch: the spotter's score is the **log-likelihood ratio** between the
best CTC alignment of the keyword's characters over some segment ``[s, t]`` and the best
path over the same steps (the best class at each step, a free "filler" loop), divided by
the keyword's length in characters:

    llr(t) = max_s [ max_{alignment of keyword over s..t} Σ log y - Σ_{s..t} max_k log y ] / L

``llr <= 0``; it is 0 where the recognizer's own best reading of ``s..t`` *is* the
keyword. It is computed by a Viterbi pass over the keyword's CTC states (characters with
optional blanks between them; repeated characters need a blank in between) in which the
first character may start at any step. A word boundary may be required on both sides
(``boundary=True``): the keyword must be preceded and followed by a space, a blank or
the window's edge, so that "computer" is not found inside "computers" or "minicomputer"
— each boundary costs the log-probability of the space-or-blank step it uses.

Streaming (:class:`CtcSpotter`): every ``hop_seconds`` the recognizer reads the last
``window_seconds`` of log-mel frames (the front end of the recognizer's
``feature_config``), and the step's score is ``exp(max_t llr(t))`` over the window — a
number in ``(0, 1]`` that the device's decision code (``seqkeras_edge.decision``)
thresholds like any wake-word score. A keyword is reported at most ``hop_seconds`` after
it ends (plus compute); the recognizer is bidirectional, so it reads each window whole.

Example::

    spotter = CtcSpotter.from_run("runs/asr", "computer")
    scores = spotter.stream_scores(audio)       # one per hop, 16 kHz float audio
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
NEG_INF = -1e30


def keyword_tokens(keyword: str, vocabulary: str) -> list[int]:
    """Token ids (class ``i + 1`` is ``vocabulary[i]``) of the normalized keyword.

    Raises ``ValueError`` naming the characters the recognizer cannot write."""
    from seqkeras.speech.text import CharVocabulary, normalize_transcript

    text = normalize_transcript(keyword)
    if not text:
        raise ValueError(f"keyword {keyword!r} has no letters the recognizer can spell")
    try:
        return CharVocabulary(vocabulary).encode(text)
    except ValueError:
        missing = sorted({c for c in text if c not in vocabulary})
        raise ValueError(
            f"keyword {keyword!r}: characters {missing} are not in the recognizer's vocabulary"
        ) from None


def keyword_llr(
    log_probs: np.ndarray,
    tokens: list[int],
    blank: int = 0,
    boundary: int | None = None,
) -> np.ndarray:
    """The keyword's log-likelihood ratio ending at each step (see the module docstring).

    Args:
        log_probs: ``(steps, classes)`` or ``(batch, steps, classes)`` log-probabilities.
        tokens: the keyword's token ids (no blanks).
        blank: the blank's class.
        boundary: the space's class: require a space/blank step (or the window's edge)
            before and after the keyword. ``None``: no boundary.

    Returns:
        ``(steps,)`` or ``(batch, steps)`` ratios per character, ``<= 0``; at step ``t``
        the best keyword segment ending exactly at ``t`` (its last character or a blank
        after it), ``-inf``-like (``NEG_INF``) where none fits.
    """
    lp = np.asarray(log_probs, np.float64)
    single = lp.ndim == 2
    if single:
        lp = lp[None]
    if lp.ndim != 3:
        raise ValueError(f"log_probs must be (steps, classes) or (batch, steps, classes), got {lp.shape}")
    if not tokens:
        raise ValueError("tokens is empty")
    batch, steps, classes = lp.shape
    if not all(0 <= t < classes and t != blank for t in tokens):
        raise ValueError(f"tokens {tokens} must be non-blank classes below {classes}")
    ratio = lp - lp.max(axis=2, keepdims=True)  # <= 0, 0 on the best class
    length = len(tokens)
    # states: for each character, its state and then the optional blank after it (no
    # leading blank: the segment starts on the first character; boundaries are handled
    # outside the states, by the step before the start and the step after the end)
    labels: list[int] = []
    for token in tokens:
        labels += [token, blank]
    chars = np.array(labels)
    count = len(labels)
    skip = np.zeros(count, bool)  # may jump from state s - 2 (a different character)
    for s in range(2, count, 2):
        skip[s] = labels[s] != labels[s - 2]
    emit = ratio[:, :, chars]  # (batch, steps, count)
    if boundary is not None:
        sep = np.maximum(ratio[:, :, blank], ratio[:, :, boundary])  # a space or a blank step
    out = np.full((batch, steps), NEG_INF)
    score = np.full((batch, count), NEG_INF)
    before = np.full(batch, NEG_INF)  # best "boundary before" path ending at t - 1
    for t in range(steps):
        prev = score
        stay = prev
        step1 = np.concatenate([np.full((batch, 1), NEG_INF), prev[:, :-1]], axis=1)
        step2 = np.concatenate([np.full((batch, 2), NEG_INF), prev[:, :-2]], axis=1)
        step2[:, ~skip] = NEG_INF
        best = np.maximum(np.maximum(stay, step1), step2)
        # the first character starts here: free without a boundary; with one, after the
        # window's start (t = 0) or after a space/blank step
        start = np.zeros(batch) if boundary is None or t == 0 else before
        best[:, 0] = np.maximum(best[:, 0], start)
        score = best + emit[:, t]
        if boundary is not None:
            # "before" = a path of any steps ending in one space/blank step at t (free filler,
            # then the boundary step costs its ratio)
            before = sep[:, t]
        # ends: the last character, or a blank after it
        end = np.maximum(score[:, count - 2], score[:, count - 1])
        out[:, t] = end
    if boundary is not None:
        # the step after the end must be a space/blank (or the window ends there)
        after = np.concatenate([sep[:, 1:], np.zeros((batch, 1))], axis=1)
        out = np.where(out > NEG_INF / 2, out + after, NEG_INF)
    out = np.where(out > NEG_INF / 2, out / length, NEG_INF)
    return out[0] if single else out


@dataclasses.dataclass(frozen=True)
class SpotterConfig:
    """How :class:`CtcSpotter` reads a stream.

    Args:
        window_seconds: audio the recognizer reads at each decision.
        hop_seconds: time between decisions (a multiple of the 10 ms frame hop).
        boundary: require word boundaries around the keyword.
        batch_windows: windows per recognizer call (memory vs speed).
    """

    window_seconds: float = 2.0
    hop_seconds: float = 0.25
    boundary: bool = True
    batch_windows: int = 256

    def __post_init__(self) -> None:
        if not self.window_seconds > 0 or not self.hop_seconds > 0:
            raise ValueError(
                f"window_seconds and hop_seconds must be > 0, got {self.window_seconds}, {self.hop_seconds}"
            )
        if self.hop_seconds > self.window_seconds:
            raise ValueError(f"hop_seconds {self.hop_seconds} exceeds window_seconds {self.window_seconds}")
        if self.batch_windows < 1:
            raise ValueError(f"batch_windows must be >= 1, got {self.batch_windows}")


class CtcSpotter:
    """Scores a stream for one keyword with a CTC recognizer (see the module docstring).

    Args:
        model: a ``seqkeras.models.CTCRecognizer`` with a ``vocabulary`` and a
            ``feature_config`` (as ``seqkeras asr train`` saves it).
        keyword: one or more words.
        config: windows and hops.
    """

    def __init__(self, model: Any, keyword: str, config: SpotterConfig | None = None) -> None:
        from seqkeras_edge.features import FeatureConfig

        if getattr(model, "vocabulary", None) is None or getattr(model, "feature_config", None) is None:
            raise ValueError(
                "the recognizer has no vocabulary or feature_config: train it with seqkeras asr train"
            )
        self.model = model
        self.keyword = keyword
        self.config = config or SpotterConfig()
        self.features = FeatureConfig.from_dict(dict(model.feature_config))
        self.tokens = keyword_tokens(keyword, model.vocabulary)
        self.space = model.vocabulary.index(" ") + 1 if " " in model.vocabulary else None
        hop = self.features.hop_length
        hop_frames = self.config.hop_seconds * SAMPLE_RATE / hop
        if abs(hop_frames - round(hop_frames)) > 1e-6:
            raise ValueError(
                f"hop_seconds {self.config.hop_seconds} is not a multiple of the {hop / SAMPLE_RATE:g} s frame hop"
            )
        self.hop_frames = int(round(hop_frames))
        self.window_frames = int(round(self.config.window_seconds * SAMPLE_RATE / hop))

    @classmethod
    def from_run(
        cls, run_dir: str | os.PathLike[str], keyword: str, config: SpotterConfig | None = None
    ) -> CtcSpotter:
        """The spotter of an ``seqkeras asr train`` run (its ``model.keras``)."""
        from seqkeras.speech.recipe import MODEL_FILE, load_recognizer

        return cls(load_recognizer(Path(run_dir) / MODEL_FILE), keyword, config)

    @property
    def step_seconds(self) -> float:
        return self.config.hop_seconds

    def window_log_probs(self, windows: np.ndarray) -> np.ndarray:
        """Log-probabilities ``(n, steps, classes)`` of feature windows ``(n, frames, bins)``."""
        from seqkeras.speech.ctc_decoding import log_softmax

        x = np.asarray(windows, np.float32)
        lengths = np.full(len(x), x.shape[1], np.int32)
        # the compiled predict function: ~30x faster than an eager call for one window
        logits = self.model.predict_on_batch({"features": x, "feature_lengths": lengths})
        return log_softmax(np.asarray(logits))

    def window_scores(self, windows: np.ndarray) -> np.ndarray:
        """``exp(max llr)`` of each feature window ``(n, frames, bins)``."""
        llr = keyword_llr(self.window_log_probs(windows), self.tokens, boundary=self.space if self.config.boundary else None)
        return np.exp(llr.max(axis=1))

    def frames(self, audio: np.ndarray) -> np.ndarray:
        """Log-mel frames ``(frames, bins)`` of 16 kHz ``audio`` (the recognizer's front end)."""
        from seqkeras_edge.features import log_mel_spectrogram

        return log_mel_spectrogram(np.asarray(audio, np.float32), self.features).astype(np.float32)

    def window_latency_us(self, frames: np.ndarray, count: int = 20) -> list[float]:
        """Wall time (µs) of ``count`` single-window recognizer calls with scoring, on
        windows of a stream's ``frames`` (:meth:`frames`) — what a device pays once per hop."""
        import time

        if len(frames) < self.window_frames:
            frames = np.pad(frames, ((0, self.window_frames - len(frames)), (0, 0)))
        starts = np.linspace(0, len(frames) - self.window_frames, count + 1).astype(int)
        self.window_scores(frames[None, : self.window_frames])  # warm up (tracing)
        out = []
        for start in starts[1:]:
            began = time.perf_counter()
            self.window_scores(frames[None, start : start + self.window_frames])
            out.append((time.perf_counter() - began) * 1e6)
        return out

    def stream_scores(self, audio: np.ndarray, progress: bool = False) -> np.ndarray:
        """One score per hop of 16 kHz ``audio``: ``scores[k]`` is the window ending at
        ``k * hop_seconds`` (the first windows are shorter: the stream's start)."""
        return self.frame_scores(self.frames(audio), progress)

    def frame_scores(self, frames: np.ndarray, progress: bool = False) -> np.ndarray:
        """:meth:`stream_scores` of a stream's log-mel ``frames`` (:meth:`frames`)."""
        count = len(frames) // self.hop_frames + 1
        scores = np.zeros(count)
        ends = np.arange(1, count) * self.hop_frames
        full = ends[ends >= self.window_frames]
        partial = ends[ends < self.window_frames]
        for end in partial:  # the stream's first second or so: one short window each
            scores[end // self.hop_frames] = self.window_scores(frames[None, :end])[0]
        batches = range(0, len(full), self.config.batch_windows)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc=f"spotting {self.keyword!r}", unit="batch")
        index = np.arange(-self.window_frames, 0)
        for first in batches:
            chunk = full[first : first + self.config.batch_windows]
            windows = frames[chunk[:, None] + index[None, :]]
            scores[chunk // self.hop_frames] = self.window_scores(windows)
        return scores
