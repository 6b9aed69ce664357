"""Training-time augmentation of log-mel clips: SpecAugment masks and frequency warping.

:class:`AugmentedClips` serves batches with a fresh view of every clip each epoch; the
views of epoch ``e`` depend only on ``(seed, e)``, so a resumed run sees the same data.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def spec_augment_numpy(
    features: np.ndarray,
    rng: np.random.Generator,
    time_masks: int,
    time_mask_frames: int,
    freq_masks: int,
    freq_mask_bins: int,
) -> np.ndarray:
    """SpecAugment-style masking of one clip ``(frames, bins)`` (a copy is returned).

    ``time_masks`` bands of 0..``time_mask_frames`` whole frames and ``freq_masks`` bands
    of 0..``freq_mask_bins`` mel bins are set to the clip's mean log-mel value (a
    neutral level: 0 would be a loud sound in log space). Band starts are uniform.
    """
    out = np.array(features, dtype=np.float32, copy=True)
    frames, bins = out.shape
    fill = float(out.mean())
    for _ in range(time_masks):
        width = int(rng.integers(0, time_mask_frames + 1))
        start = int(rng.integers(0, max(1, frames - width + 1)))
        out[start : start + width, :] = fill
    for _ in range(freq_masks):
        width = int(rng.integers(0, freq_mask_bins + 1))
        start = int(rng.integers(0, max(1, bins - width + 1)))
        out[:, start : start + width] = fill
    return out


def mel_center_frequencies(feature_config: Any) -> np.ndarray:
    """Centre frequencies in Hz of the mel filters of ``feature_config`` (a ``FeatureConfig``)."""
    from seqkeras_edge.features import hz_to_mel, mel_to_hz

    edges = np.linspace(
        hz_to_mel(feature_config.lower_edge_hz),
        hz_to_mel(feature_config.upper_edge_hz),
        feature_config.num_mel_bins + 2,
    )
    return np.asarray(mel_to_hz(edges[1:-1]), dtype=np.float64)


def warp_frequency_numpy(features: np.ndarray, factor: float, feature_config: Any) -> np.ndarray:
    """Log-mel ``features (frames, bins)`` of the same sound with every frequency times ``factor``.

    Filter ``k`` (centre ``f_k``) takes the value the input has at ``f_k / factor``, read by
    linear interpolation between the neighbouring filters' centres (held constant beyond the
    first and last one). ``factor > 1`` moves formants up (a shorter vocal tract), ``< 1``
    down; 1 returns the input.
    """
    from seqkeras_edge.features import hz_to_mel

    features = np.asarray(features, dtype=np.float32)
    bins = features.shape[-1]
    if bins != feature_config.num_mel_bins:
        raise ValueError(
            f"features have {bins} mel bins, the feature config {feature_config.num_mel_bins}"
        )
    if not factor > 0:
        raise ValueError(f"factor must be > 0, got {factor!r}")
    centres = mel_center_frequencies(feature_config)
    mels = hz_to_mel(centres)
    source = np.interp(hz_to_mel(centres / factor), mels, np.arange(bins, dtype=np.float64))
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, bins - 1)
    fraction = (source - low).astype(np.float32)
    return features[:, low] * (1.0 - fraction) + features[:, high] * fraction


def augment_clip(
    features: np.ndarray, rng: np.random.Generator, config: Any, feature_config: Any
) -> np.ndarray:
    """One training view of a clip: frequency warp (``config.frequency_warp``), then
    SpecAugment masks (none for a speech-embedding model: both act on log-mel frames)."""
    if getattr(config, "uses_speech_embedding", False):
        return features
    if config.frequency_warp > 0:
        factor = float(rng.uniform(1.0 - config.frequency_warp, 1.0 + config.frequency_warp))
        features = warp_frequency_numpy(features, factor, feature_config)
    return spec_augment_numpy(
        features,
        rng,
        config.time_masks,
        config.time_mask_frames,
        config.freq_masks,
        config.freq_mask_bins,
    )


class AugmentedClips(keras.utils.PyDataset):
    """Batches of ``(features, labels)`` with a fresh :func:`augment_clip` view every epoch.

    The order, warps and masks of epoch ``e`` depend only on ``(seed, e)``, so a resumed
    run sees the same data as an uninterrupted one.
    """

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        config: Any,
        shuffle: bool = True,
        initial_epoch: int = 0,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.x = x
        self.y = y
        self.config = config
        self.shuffle = shuffle
        self.epoch = initial_epoch
        self._order = self._make_order()
        from seqkeras_edge.features import FeatureConfig

        self.feature_config = FeatureConfig(num_mel_bins=int(x.shape[-1]))

    def _make_order(self) -> np.ndarray:
        if not self.shuffle:
            return np.arange(len(self.x))
        return np.random.default_rng([self.config.seed, self.epoch, 3]).permutation(len(self.x))

    def __len__(self) -> int:
        return -(-len(self.x) // self.config.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        size = self.config.batch_size
        rows = self._order[index * size : (index + 1) * size]
        c = self.config
        batch = np.stack(
            [
                augment_clip(
                    self.x[row],
                    np.random.default_rng([c.seed, self.epoch, int(row), 5]),
                    c,
                    self.feature_config,
                )
                for row in rows
            ]
        )
        return batch, self.y[rows]

    def on_epoch_end(self) -> None:
        self.epoch += 1
        self._order = self._make_order()


