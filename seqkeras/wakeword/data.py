"""Synthesized trigger-word data (course 3.10): clips, labels, manifests, negative streams.

A clip (default 10 s at 16 kHz) is background audio (real non-speech audio and/or
coloured noise) with 0-4 keyword utterances and 0-3 negative words or phrases inserted
at random non-overlapping positions, at random levels. Its label is 0 with a run of
ones (default 50 output steps) right after each keyword ends (see ``labels.py``).

Example::

    from seqkeras.wakeword.data import WakewordDataConfig, build_dataset, negative_stream

    train = build_dataset(2000, split="train", seed=0)          # cached under ~/.cache/seqkeras
    x, y = train.as_arrays()                                   # (2000, 998, 40), (2000, 998, 1)
    test = build_dataset(200, split="test", seed=1)             # voices of engines not trained on
    for chunk in negative_stream(3600.0, seed=2):               # 1 h without the keyword
        ...

Everything is deterministic given the config and the seed: clip ``i`` of a dataset is
mixed with ``numpy.random.default_rng([seed, i])``, so it does not depend on how many
clips are built.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.features import FeatureConfig

from seqkeras.atomic import save_npy_atomic
from seqkeras.wakeword.background import BackgroundBank
from seqkeras.wakeword.bank import UtteranceBank, _progress, bank_key
from seqkeras.wakeword.cache import cache_root, write_audio_folder
from seqkeras.wakeword.clips import Clip, Segment, synthesize_clip
from seqkeras.wakeword.data_config import SPLITS, WakewordDataConfig
from seqkeras.wakeword.labels import LabelConfig, make_labels

MANIFEST = "manifest.json"
STREAM_CHUNK_SECONDS = 10.0
STREAM_NEGATIVES_PER_CHUNK = (2, 6)
_INT16_SCALE = 32767.0
_FORMAT_VERSION = 1


def background_split_for(split: str) -> str:
    """Background files for a data split: ``test`` uses the held-out files."""
    return "test" if split == "test" else "train"


def load_background(
    config: WakewordDataConfig,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> BackgroundBank | None:
    """The background bank for ``config`` (``None`` when real background is switched off)."""
    if config.real_background_probability == 0.0:
        return None
    return BackgroundBank.load(
        config.background_sources, config.sample_rate, cache_dir=cache_dir, progress=progress
    )


class WakewordDataset:
    """A built dataset: int16 audio ``(n, samples)``, segments per clip, labels, manifest."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        manifest_path = self.folder / MANIFEST
        if not manifest_path.exists():
            raise FileNotFoundError(f"no wake-word dataset manifest at {manifest_path}")
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        self.config = WakewordDataConfig.from_dict(self.manifest["config"])
        self._audio = np.load(self.folder / "audio.npy", mmap_mode="r")
        self.segments: list[list[Segment]] = [
            [Segment(**s) for s in clip] for clip in self.manifest["segments"]
        ]

    def __len__(self) -> int:
        return int(self._audio.shape[0])

    @property
    def split(self) -> str:
        return str(self.manifest["split"])

    def audio(self, index: int | slice | None = None) -> np.ndarray:
        """float32 audio of one clip, a slice of clips, or all clips."""
        data = self._audio if index is None else self._audio[index]
        return np.asarray(data, dtype=np.float32) / _INT16_SCALE

    def labels(self, label_config: LabelConfig | None = None) -> np.ndarray:
        """Labels ``(n, steps, 1)`` float32 on the grid of ``label_config`` (default: the config's)."""
        grid = label_config or self.config.labels
        rows = [
            make_labels([s.end for s in clip if s.kind == "keyword"], self._audio.shape[1], grid)
            for clip in self.segments
        ]
        return np.stack(rows)[..., None]

    def features(
        self, feature_config: FeatureConfig | None = None, progress: bool = False
    ) -> np.ndarray:
        """Log-mel features ``(n, frames, bins)`` float32, computed in TensorFlow float32
        in batches (``seqkeras.wakeword.features``: within 1e-4 of the numpy twin the
        device runs) and cached per config."""
        from seqkeras.wakeword.features import log_mel_batches

        config = feature_config or self.config.labels.features
        key = json.dumps(config.to_dict(), sort_keys=True)
        path = self.folder / f"features-{hashlib.sha256(key.encode()).hexdigest()[:12]}.npy"
        if path.exists():
            return np.load(path)
        bar = _progress(len(self), "log-mel features", progress)
        out = log_mel_batches(self._audio, config, progress=bar)
        bar.close()
        save_npy_atomic(path, out)
        return out

    def embeddings(self, progress: bool = False, batch_size: int = 16) -> np.ndarray:
        """Speech-embedding vectors ``(n, steps, 96)`` float32 of every clip
        (``seqkeras.wakeword.speech_embedding``, onnxruntime on all cores), cached in the
        folder as float16 (the front end's files' digests are part of the name)."""
        from seqkeras.wakeword import speech_embedding as se

        path = self.folder / se.cache_file_name()
        if path.exists():
            return np.load(path).astype(np.float32)
        front = se.SpeechEmbedding(threads=os.cpu_count() or 1)
        steps = se.num_steps(self._audio.shape[1])
        out = np.empty((len(self), steps, se.EMBEDDING_DIM), np.float16)
        bar = _progress(len(self), "speech embeddings", progress)
        for start in range(0, len(self), batch_size):
            chunk = np.asarray(self._audio[start : start + batch_size])
            out[start : start + len(chunk)] = front.clips(chunk)
            bar.update(len(chunk))
        bar.close()
        save_npy_atomic(path, out)
        return out.astype(np.float32)

    def as_arrays(
        self, features: bool = True, label_config: LabelConfig | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)``: x = features ``(n, frames, bins)`` or audio ``(n, samples)``; y ``(n, steps, 1)``."""
        x = self.features() if features else self.audio()
        return x, self.labels(label_config)

    def to_tf_dataset(
        self,
        batch_size: int = 32,
        features: bool = True,
        label_config: LabelConfig | None = None,
        shuffle: bool = True,
        seed: int = 0,
    ) -> Any:
        """A batched ``tf.data.Dataset`` of ``(x, y)`` (see :meth:`as_arrays`)."""
        import tensorflow as tf

        x, y = self.as_arrays(features, label_config)
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            dataset = dataset.shuffle(len(self), seed=seed, reshuffle_each_iteration=True)
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    def clip(self, index: int) -> Clip:
        """Clip ``index`` with its segments and labels."""
        labels = self.labels()[index, :, 0]
        return Clip(self.audio(index), list(self.segments[index]), labels)


def dataset_folder(
    num_clips: int,
    split: str,
    config: WakewordDataConfig,
    seed: int,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Where :func:`build_dataset` caches these clips: the key covers the config, the
    clip count, split and seed, and what the split's bank holds (``bank_key``)."""
    safe = "".join(c if c.isalnum() else "_" for c in config.keyword.lower())[:32]
    digest = config.digest(_FORMAT_VERSION, num_clips, split, seed, bank_key(config, split))
    return Path(cache_dir or cache_root()) / "wakeword" / f"{safe}-{split}-{num_clips}-{digest}"


def build_dataset(
    num_clips: int,
    split: str = "train",
    config: WakewordDataConfig | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> WakewordDataset:
    """Synthesize ``num_clips`` clips of ``split`` (or open them from the cache).

    Args:
        num_clips: clips to mix.
        split: ``"train"``, ``"val"`` (held-out voices of the train engines) or ``"test"``
            (engines not used in training; held-out background files).
        config: a ``WakewordDataConfig`` (default: keyword "activate", 10 s clips).
        seed: clip ``i`` is mixed with ``default_rng([seed, i])``.
        cache_dir: cache root (default ``$SEQKERAS_CACHE`` or ``~/.cache/seqkeras``).
        progress: show progress bars.

    Returns:
        A :class:`WakewordDataset` whose folder holds ``audio.npy`` (int16) and
        ``manifest.json`` (config, seed, split, segments, bank and background summary).
    """
    config = config or WakewordDataConfig()
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if num_clips < 1:
        raise ValueError(f"num_clips must be >= 1, got {num_clips}")
    folder = dataset_folder(num_clips, split, config, seed, cache_dir)
    if (folder / MANIFEST).exists():
        return WakewordDataset(folder)
    bank = UtteranceBank.load(config, split, cache_dir, progress)
    # Real negative speech goes into training and validation clips only.
    real_fraction = 0.0 if split == "test" else config.real_speech_fraction
    if real_fraction > 0:
        real = UtteranceBank.load_real_speech(config.keyword, config.sample_rate, cache_dir, progress)
        bank = bank.merged(real)
        real_sources = real.info.get("recordings_by_source")
    else:
        real_sources = None
    background = load_background(config, cache_dir, progress)
    audio = np.empty((num_clips, config.clip_samples), dtype=np.int16)
    segments = []
    bar = _progress(num_clips, f"mixing {split} clips", progress)
    for index in range(num_clips):
        clip = synthesize_clip(
            np.random.default_rng([seed, index]),
            bank,
            config,
            background,
            background_split_for(split),
            real_speech_fraction=real_fraction,
        )
        audio[index] = np.round(clip.audio * _INT16_SCALE).astype(np.int16)
        segments.append([s.to_dict() for s in clip.segments])
        bar.update(1)
    bar.close()
    manifest = {
        "version": _FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "split": split,
        "seed": seed,
        "num_clips": num_clips,
        "config": config.to_dict(),
        "bank": {
            "key": bank.info.get("key"),
            "real": bank.info.get("merged"),
            "real_recordings_by_source": real_sources,
            "utterances": bank.count(),
            "voices": bank.voices(),
        },
        "background": None if background is None else background.describe(),
        "segments": segments,
    }
    _write_dataset_atomic(folder, audio, manifest)
    return WakewordDataset(folder)


@dataclasses.dataclass
class StreamChunk:
    """A piece of a long negative stream: audio, its start sample in the stream, segments."""

    audio: np.ndarray
    offset: int
    segments: list[Segment]


def negative_stream(
    total_seconds: float,
    config: WakewordDataConfig | None = None,
    split: str = "test",
    seed: int = 0,
    chunk_seconds: float = STREAM_CHUNK_SECONDS,
    negatives_per_chunk: tuple[int, int] = STREAM_NEGATIVES_PER_CHUNK,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = False,
    real_speech_fraction: float = 0.0,
) -> Iterator[StreamChunk]:
    """Yield consecutive chunks of a long stream with speech but no keyword (for FA/hour).

    Each chunk is mixed like a clip with zero keywords and
    ``negatives_per_chunk[0]..[1]`` negative words/phrases of ``split``'s voices over the
    split's background. Segment positions are relative to the chunk; ``offset`` places
    the chunk in the stream. Chunk ``i`` uses ``default_rng([seed, i, 1])``.
    With ``real_speech_fraction > 0`` that share of the negatives are real recordings
    (Asterisk prompts, one speaker, without the keyword; near misses like "activated"
    included).
    """
    config = config or WakewordDataConfig()
    if total_seconds <= 0 or chunk_seconds <= 0:
        raise ValueError(
            f"total_seconds and chunk_seconds must be > 0, got {total_seconds}, {chunk_seconds}"
        )
    low, high = negatives_per_chunk
    if not 0 <= low <= high:
        raise ValueError(
            f"negatives_per_chunk must be (low, high) with 0 <= low <= high, got {negatives_per_chunk}"
        )
    if not 0.0 <= real_speech_fraction <= 1.0:
        raise ValueError(f"real_speech_fraction must be in [0, 1], got {real_speech_fraction}")
    bank = UtteranceBank.load(config, split, cache_dir, progress)
    if real_speech_fraction > 0:
        real = UtteranceBank.load_real_speech(
            config.keyword, config.sample_rate, cache_dir, progress
        )
        bank = bank.merged(real)
    background = load_background(config, cache_dir, progress)
    total = int(round(total_seconds * config.sample_rate))
    chunk = int(round(chunk_seconds * config.sample_rate))
    offset, index = 0, 0
    while offset < total:
        length = min(chunk, total - offset)
        rng = np.random.default_rng([seed, index, 1])
        clip = synthesize_clip(
            rng,
            bank,
            config,
            background,
            background_split_for(split),
            num_keywords=0,
            num_negatives=int(rng.integers(low, high + 1)),
            num_samples=length,
            real_speech_fraction=real_speech_fraction,
        )
        yield StreamChunk(clip.audio, offset, clip.segments)
        offset += length
        index += 1


def negative_stream_audio(
    total_seconds: float, config: WakewordDataConfig | None = None, **kwargs: Any
) -> tuple[np.ndarray, list[Segment]]:
    """The whole negative stream as one float32 array plus segments in stream samples."""
    audio, segments = [], []
    for piece in negative_stream(total_seconds, config, **kwargs):
        audio.append(piece.audio)
        segments += [
            dataclasses.replace(s, start=s.start + piece.offset, end=s.end + piece.offset)
            for s in piece.segments
        ]
    return np.concatenate(audio), segments


def _write_dataset_atomic(folder: Path, audio: np.ndarray, manifest: dict[str, Any]) -> None:
    write_audio_folder(folder, audio, manifest, index_name=MANIFEST)
