"""Log-mel features of speech banks and test sets, with augmentation, cached on disk.

Augmentation happens here, not in the bank, so one bank serves every data experiment
(``AugmentConfig`` is part of the cache key):

- **level**: a random peak level (``level_db_range``).
- **noise** (``noise_probability``): coloured noise (white, pink, brown) or real
  non-speech background (the training files of ``seqkeras.wakeword.background``) mixed
  at a random SNR in ``snr_db_range``.
- **telephone** (``telephone_probability``): the band of a phone line: down to 8 kHz
  (nothing above 4 kHz survives), 8-bit mu-law companding, and back to 16 kHz.

Features are the project's log-mel front end (``seqkeras_edge.features``, the numpy twin
of ``seqkeras.audio.LogMelSpectrogram``), stored as float16 in one ``.npz`` per set:
``frames`` (all frames stacked), ``offsets`` (start of each utterance), ``texts``, ``ids``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import atomic_path

FORMAT = 1
TELEPHONE_RATE = 8000
MU = 255.0
NOISE_COLOURS = ("white", "pink", "brown")


@dataclasses.dataclass(frozen=True)
class AugmentConfig:
    """Per-utterance augmentation (each utterance gets its own random draw).

    Args:
        noise_probability: share of utterances with noise mixed in.
        snr_db_range: SNR of that noise (dB), uniform.
        background_probability: share of the noisy ones whose noise is real background
            audio instead of coloured noise.
        telephone_probability: share of utterances band-limited to a phone line.
        level_db_range: peak level (dB re full scale), uniform.
        seed: augmentation seed.
    """

    noise_probability: float = 0.5
    snr_db_range: tuple[float, float] = (5.0, 30.0)
    background_probability: float = 0.5
    telephone_probability: float = 0.3
    level_db_range: tuple[float, float] = (-25.0, -1.0)
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("noise_probability", "background_probability", "telephone_probability"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"AugmentConfig: {name} must be in [0, 1], got {value!r}")
        for name in ("snr_db_range", "level_db_range"):
            low, high = getattr(self, name)
            if low > high:
                raise ValueError(f"AugmentConfig: {name} must be (low, high), got {(low, high)!r}")

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self)))


NO_AUGMENT = AugmentConfig(
    noise_probability=0.0, telephone_probability=0.0, level_db_range=(-1.0, -1.0)
)


def telephone_band(audio: np.ndarray, sample_rate: int = 16000) -> np.ndarray:
    """``audio`` as heard through a phone line: 8 kHz, mu-law 8 bit, back to ``sample_rate``."""
    from seqkeras.audio.io import resample

    narrow = resample(np.asarray(audio, np.float32), sample_rate, TELEPHONE_RATE)
    narrow = np.clip(narrow, -1.0, 1.0)
    companded = np.sign(narrow) * np.log1p(MU * np.abs(narrow)) / np.log1p(MU)
    quantized = np.round(companded * 127.0) / 127.0
    expanded = np.sign(quantized) * ((1.0 + MU) ** np.abs(quantized) - 1.0) / MU
    return resample(expanded.astype(np.float32), TELEPHONE_RATE, sample_rate)


def augment(
    audio: np.ndarray,
    config: AugmentConfig,
    rng: np.random.Generator,
    background: Callable[[int, np.random.Generator], np.ndarray] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """One random augmentation of ``audio`` (16 kHz) and what was done (for the manifest)."""
    from seqkeras.audio.dsp import coloured_noise, mix_at_snr

    out = np.asarray(audio, np.float32)
    record: dict[str, Any] = {}
    if rng.random() < config.noise_probability:
        snr = float(rng.uniform(*config.snr_db_range))
        if background is not None and rng.random() < config.background_probability:
            noise = background(out.size, rng)
            record["noise"] = "background"
        else:
            colour = NOISE_COLOURS[int(rng.integers(len(NOISE_COLOURS)))]
            noise = coloured_noise(colour, out.size, int(rng.integers(2**31)))
            record["noise"] = colour
        if np.any(noise):
            out = mix_at_snr(out, noise, snr)
            record["snr_db"] = round(snr, 1)
    if rng.random() < config.telephone_probability:
        out = telephone_band(out)
        record["telephone"] = True
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak > 0:
        level = float(rng.uniform(*config.level_db_range))
        out = out * (10.0 ** (level / 20.0) / peak)
    return out.astype(np.float32), record


@dataclasses.dataclass
class FeatureSet:
    """Variable-length feature sequences with their transcripts."""

    features: list[np.ndarray]
    texts: list[str]
    ids: list[str]

    def __len__(self) -> int:
        return len(self.features)

    def frames(self) -> np.ndarray:
        return np.array([f.shape[0] for f in self.features], np.int64)

    def save(self, path: str | os.PathLike[str]) -> None:
        lengths = self.frames()
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        frames = np.concatenate(self.features) if self.features else np.zeros((0, 1), np.float16)
        # through a file object: given a name, numpy would add ".npz" to one without it
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, format=np.array(FORMAT), frames=frames.astype(np.float16), offsets=offsets,
                     texts=np.array(self.texts), ids=np.array(self.ids))  # fmt: skip

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FeatureSet:
        with np.load(path, allow_pickle=False) as data:
            if int(data["format"]) != FORMAT:
                raise ValueError(
                    f"{path}: feature cache format {int(data['format'])}, expected {FORMAT}"
                )
            frames, offsets = data["frames"], data["offsets"]
            features = [frames[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)]
            return cls(features, [str(t) for t in data["texts"]], [str(i) for i in data["ids"]])

    def __add__(self, other: FeatureSet) -> FeatureSet:
        return FeatureSet(
            self.features + other.features, self.texts + other.texts, self.ids + other.ids
        )


def _key(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _background_sampler() -> Callable[[int, np.random.Generator], np.ndarray] | None:
    try:
        from seqkeras.wakeword.background import BackgroundBank

        bank = BackgroundBank.load()
    except (FileNotFoundError, ValueError):
        return None
    return lambda n, rng: bank.sample(n, rng, split="train")


def compute_features(
    audio_of: Callable[[int], np.ndarray],
    count: int,
    feature_config: Any,
    augment_config: AugmentConfig | None = None,
    seed_key: Sequence[str] | None = None,
    progress: str | None = None,
) -> list[np.ndarray]:
    """Float16 log-mel features of ``count`` utterances (``audio_of(i)`` gives one),
    augmented with ``augment_config`` (random draw seeded by the utterance's ``seed_key``)."""
    from seqkeras_edge.features import log_mel_spectrogram

    background = (
        _background_sampler()
        if augment_config is not None and augment_config.noise_probability > 0
        else None
    )
    items = range(count)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc=progress, unit="utt")
    out = []
    for i in items:
        audio = audio_of(i)
        if augment_config is not None:
            key = seed_key[i] if seed_key is not None else str(i)
            digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
            rng = np.random.default_rng([augment_config.seed, digest])
            audio, _ = augment(audio, augment_config, rng, background)
        minimum = feature_config.frame_length
        if audio.size < minimum:
            audio = np.pad(audio, (0, minimum - audio.size))
        out.append(log_mel_spectrogram(audio, feature_config).astype(np.float16))
    return out


def bank_features(
    folder: str | os.PathLike[str],
    rows: Sequence[dict[str, Any]],
    feature_config: Any,
    augment_config: AugmentConfig | None,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
) -> FeatureSet:
    """Features of bank rows (cached by bank, rows, augmentation and front end)."""
    from seqkeras.audio.io import read_audio

    folder = Path(folder)
    rows = sorted(rows, key=lambda r: r["id"])
    ids = [r["id"] for r in rows]
    key = _key([FORMAT, str(folder.resolve()), ids, feature_config.to_dict(),
                None if augment_config is None else augment_config.to_dict()])  # fmt: skip
    cache = Path(cache_dir) if cache_dir is not None else folder / "features"
    path = cache / f"{key}.npz"
    if path.exists():
        return FeatureSet.load(path)
    features = compute_features(
        lambda i: read_audio(folder / rows[i]["path"]), len(rows), feature_config, augment_config,
        ids, f"features {folder.name}" if progress else None,
    )  # fmt: skip
    result = FeatureSet(features, [r["text"] for r in rows], ids)
    result.save(path)
    return result


def test_set_features(
    test_set: Any,
    feature_config: Any,
    cache_dir: str | os.PathLike[str],
    progress: bool = True,
    augment_config: AugmentConfig | None = None,
) -> FeatureSet:
    """Features of a real-speech :class:`~seqkeras.datasets.real_speech_utterances.SpeechTestSet`
    (augmented with ``augment_config`` when real speech is trained on; ids are the paths)."""
    from seqkeras.audio.io import read_audio

    utterances = test_set.utterances
    paths = [u.path for u in utterances]
    key = _key(
        [FORMAT, test_set.name, [(u.path, u.text) for u in utterances], feature_config.to_dict()]
        + ([] if augment_config is None else [augment_config.to_dict()])
    )
    path = Path(cache_dir) / f"{test_set.name}-{key}.npz"
    if path.exists():
        return FeatureSet.load(path)
    features = compute_features(
        lambda i: read_audio(utterances[i].path), len(utterances), feature_config, augment_config,
        paths, f"features {test_set.name}" if progress else None,
    )  # fmt: skip
    result = FeatureSet(features, [u.text for u in utterances], paths)
    result.save(path)
    return result
