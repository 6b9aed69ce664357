"""Real non-speech background audio from Debian packages, cached at 16 kHz.

Sources (``BACKGROUND_SOURCES``; see ``shared/DATA.md``): Colobot game music and sound
effects, Asterisk music-on-hold, the Oxygen and freedesktop sound themes. ALSA's test
sounds are left out on purpose: they are spoken words ("front left").

The first use reads every file (ogg/oga/wav via soundfile), keeps at most
``max_seconds_per_file`` of each, resamples to 16 kHz and caches one int16 array plus a
JSON index under ``<cache>/wakeword/background-<key>/``. Files are assigned to the
``"train"`` or ``"test"`` split deterministically (every ``TEST_EVERY``-th file of each
source, sorted by path, is test), so evaluation streams use backgrounds never heard in
training.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqkeras.audio.io import read_audio
from seqkeras.wakeword.cache import INT16_SCALE, cache_root, write_audio_folder

BACKGROUND_SOURCES: dict[str, tuple[tuple[str, ...], str]] = {
    "colobot": (
        ("/usr/share/games/colobot/music/*.ogg", "/usr/share/games/colobot/sounds/*.wav"),
        "apt-get install colobot-common-sounds",
    ),
    "asterisk-moh": (
        ("/usr/share/asterisk/moh/*.wav",),
        "apt-get install asterisk-moh-opsound-wav",
    ),
    "oxygen": (("/usr/share/sounds/Oxygen-*.ogg",), "apt-get install oxygen-sounds"),
    "freedesktop": (
        ("/usr/share/sounds/freedesktop/stereo/*.oga",),
        "apt-get install sound-theme-freedesktop",
    ),
}
SPLITS = ("train", "test")
TEST_EVERY = 5
MAX_SECONDS_PER_FILE = 60.0
_FORMAT_VERSION = 1


@dataclasses.dataclass(frozen=True)
class BackgroundFile:
    """One source file's place in the bank."""

    path: str
    source: str
    split: str
    start: int
    length: int


def find_background_files(sources: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """``(source, path)`` for every installed background file of ``sources`` (default: all).

    Raises ``FileNotFoundError`` naming the install commands when none is installed.
    """
    names = list(BACKGROUND_SOURCES) if sources is None else list(sources)
    found: list[tuple[str, str]] = []
    for name in names:
        if name not in BACKGROUND_SOURCES:
            raise ValueError(
                f"unknown background source {name!r}; choose from {sorted(BACKGROUND_SOURCES)}"
            )
        patterns, _ = BACKGROUND_SOURCES[name]
        for pattern in patterns:
            found.extend((name, path) for path in sorted(glob.glob(pattern)))
    if not found:
        commands = "; ".join(BACKGROUND_SOURCES[name][1] for name in names)
        raise FileNotFoundError(f"no background audio installed for sources {names}: {commands}")
    return found


class BackgroundBank:
    """Concatenated background audio with a per-file index and train/test split.

    Build with :meth:`load` (cached) or :meth:`from_files` (explicit files, no cache).
    """

    def __init__(self, audio: np.ndarray, files: list[BackgroundFile], sample_rate: int) -> None:
        self.audio = audio
        self.files = files
        self.sample_rate = sample_rate

    @classmethod
    def from_files(
        cls,
        files: Sequence[tuple[str, str]],
        sample_rate: int = 16000,
        max_seconds_per_file: float | None = MAX_SECONDS_PER_FILE,
        test_every: int = TEST_EVERY,
        progress: bool = False,
    ) -> BackgroundBank:
        """Read ``(source, path)`` files into a bank (int16 in memory)."""
        from seqkeras.wakeword.bank import _progress

        pieces, index, position = [], [], 0
        per_source: dict[str, int] = {}
        bar = _progress(len(files), "reading background audio", progress)
        for source, path in files:
            with warnings.catch_warnings():
                # Music on hold is 8 kHz telephone audio: band-limited noise is wanted.
                warnings.simplefilter("ignore")
                audio = read_audio(path, sample_rate)
            bar.update(1)
            if max_seconds_per_file is not None:
                audio = audio[: int(max_seconds_per_file * sample_rate)]
            peak = float(np.max(np.abs(audio)))
            if peak == 0.0:
                continue
            count = per_source.get(source, 0)
            per_source[source] = count + 1
            split = "test" if test_every > 0 and count % test_every == test_every - 1 else "train"
            pieces.append(np.round(np.clip(audio, -1.0, 1.0) * INT16_SCALE).astype(np.int16))
            index.append(BackgroundFile(str(path), source, split, position, audio.size))
            position += audio.size
        bar.close()
        if not pieces:
            raise ValueError("no non-silent background audio in the given files")
        return cls(np.concatenate(pieces), index, sample_rate)

    @classmethod
    def load(
        cls,
        sources: Sequence[str] | None = None,
        sample_rate: int = 16000,
        max_seconds_per_file: float | None = MAX_SECONDS_PER_FILE,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = False,
    ) -> BackgroundBank:
        """The cached bank of installed ``sources`` (built on first use)."""
        files = find_background_files(sources)
        key_data = json.dumps(
            [_FORMAT_VERSION, sample_rate, max_seconds_per_file, TEST_EVERY, files], sort_keys=True
        )
        key = hashlib.sha256(key_data.encode()).hexdigest()[:16]
        folder = Path(cache_dir or cache_root()) / "wakeword" / f"background-{key}"
        if not (folder / "index.json").exists():
            bank = cls.from_files(files, sample_rate, max_seconds_per_file, progress=progress)
            bank.save(folder)
        return cls.open(folder)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``audio.npy`` + ``index.json`` atomically (temp folder, then rename)."""
        index = {
            "version": _FORMAT_VERSION,
            "sample_rate": self.sample_rate,
            "files": [dataclasses.asdict(entry) for entry in self.files],
        }
        return write_audio_folder(folder, self.audio, index)

    @classmethod
    def open(cls, folder: str | os.PathLike[str]) -> BackgroundBank:
        """Open a saved bank (the audio is memory-mapped)."""
        folder = Path(folder)
        index = json.loads((folder / "index.json").read_text())
        files = [BackgroundFile(**entry) for entry in index["files"]]
        return cls(np.load(folder / "audio.npy", mmap_mode="r"), files, int(index["sample_rate"]))

    def seconds(self, split: str | None = None) -> float:
        """Total duration of the files of ``split`` (all when ``None``)."""
        return sum(f.length for f in self._files(split)) / self.sample_rate

    def _files(self, split: str | None) -> list[BackgroundFile]:
        if split is not None and split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        chosen = [f for f in self.files if split is None or f.split == split]
        return chosen or list(self.files)

    def sample(
        self, num_samples: int, rng: np.random.Generator, split: str | None = None
    ) -> np.ndarray:
        """``num_samples`` of background (float32), cropped at random from files of ``split``.

        Longer files are picked more often (by length); short files are followed by
        further random files until the clip is full.
        """
        files = self._files(split)
        weights = np.array([f.length for f in files], dtype=np.float64)
        weights /= weights.sum()
        out = np.empty(num_samples, dtype=np.float32)
        filled = 0
        while filled < num_samples:
            entry = files[int(rng.choice(len(files), p=weights))]
            need = num_samples - filled
            offset = int(rng.integers(0, max(1, entry.length - need + 1)))
            take = min(need, entry.length - offset)
            piece = self.audio[entry.start + offset : entry.start + offset + take]
            out[filled : filled + take] = piece.astype(np.float32) / INT16_SCALE
            filled += take
        return out

    def describe(self) -> dict[str, Any]:
        """Minutes per source and split (for manifests and reports)."""
        summary: dict[str, Any] = {}
        for entry in self.files:
            key = f"{entry.source}/{entry.split}"
            summary[key] = round(summary.get(key, 0.0) + entry.length / self.sample_rate / 60.0, 2)
        return summary
