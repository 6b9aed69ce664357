"""Kokoro-82M neural TTS: 28 English voices, and blends of them as new speakers.

Voice names (``Voice("kokoro", name, speed)``):

* a base voice: ``"af_bella"`` (``af_*``/``am_*``: US English, ``bf_*``/``bm_*``: UK
  English; ``f``/``m`` female/male);
* a blend: ``"blend:af_bella*0.6+am_adam*0.4"``, the weighted sum of the voices' style
  arrays (weights are divided by their sum), a new speaker;
* either with a language override: ``"bf_emma@en-us"``. Otherwise the language follows
  the voice (a blend's: that of its heaviest voice).

Synthesis runs one single-thread onnxruntime process per core, shows a progress bar, and
keeps every utterance in an on-disk cache with a manifest (``KokoroEngine``), so a rerun
synthesizes nothing. A fixed set of base voices (``KOKORO_TEST_VOICES``) and every blend
that uses one of them are held out of training (``kokoro_voices``,
``sample_kokoro_voices``). Files: ``kokoro_setup.py``; docs: ``docs/audio.md``.

Example::

    from seqkeras.audio.tts import Voice, synthesize
    audio = synthesize("activate", Voice("kokoro", "blend:af_bella*0.6+am_adam*0.4", 1.1))
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.io import read_audio_with_rate, resample
from seqkeras.audio.tts import _kokoro_child as child
from seqkeras.audio.tts import kokoro_setup as setup
from seqkeras.audio.tts.base import EngineNotAvailableError, TTSEngine, Voice

KOKORO_ENGINE = "kokoro"
KOKORO_SAMPLE_RATE = child.SAMPLE_RATE
KOKORO_VOICES = setup.ENGLISH_VOICES
# The language a base voice speaks, from the first letter of its name.
KOKORO_LANGUAGES = {"a": "en-us", "b": "en-gb"}
# Held out of training: one US woman, one US man, one UK woman, one UK man (and every
# blend that uses any of them). Picked among the mid-quality voices of Kokoro's own
# grading, so the test is neither the best nor the worst speakers.
KOKORO_TEST_VOICES = ("af_sarah", "am_michael", "bf_isabella", "bm_george")
KOKORO_SPLITS = ("train", "test", "all")
# What the model accepts (kokoro-onnx's check), and the range voices are sampled from.
KOKORO_SPEED_LIMITS = (0.5, 2.0)
KOKORO_SPEED_RANGE = (0.8, 1.25)
BLEND_PREFIX = "blend:"
LANGUAGE_SEPARATOR = "@"
# Blends mix 2 or 3 voices; every voice keeps at least this weight (else it is just the
# other voice) and weights are written with 3 decimals, summing to exactly 1.
BLEND_SIZES = (2, 3)
MIN_BLEND_WEIGHT = 0.1
BLEND_WEIGHT_STEPS = 1000
# Fewer jobs than this per process are not worth a worker's start-up (~2 s: import
# kokoro-onnx, load the model); they run in this process instead.
MIN_JOBS_PER_WORKER = 4
# Bump when the stored audio would change for the same text/voice/speed/lang/model.
CACHE_VERSION = 1
WORKER_TIMEOUT_S = 24 * 3600

_VOICE_NAME = re.compile(r"[a-z]{2}_[a-z0-9]+")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]+)*")


@dataclasses.dataclass(frozen=True)
class KokoroVoice:
    """A Kokoro speaker: one base voice or a weighted blend, and an optional language.

    ``KokoroVoice.parse(name).name == name`` for every name this class writes; the name is
    what goes into ``Voice("kokoro", name, speed)``.
    """

    components: tuple[tuple[str, float], ...]
    lang: str | None = None

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError("a Kokoro voice needs at least one base voice")
        names = [name for name, _ in self.components]
        for name in names:
            if not _VOICE_NAME.fullmatch(name):
                raise ValueError(f"Kokoro voice name {name!r} is not like 'af_bella'")
        if len(set(names)) != len(names):
            raise ValueError(f"a Kokoro blend names a voice twice: {names}")
        weights = [weight for _, weight in self.components]
        if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"Kokoro blend weights must be >= 0 with a positive sum: {weights}")
        if self.lang is not None and not _LANGUAGE.fullmatch(self.lang):
            raise ValueError(f"Kokoro language {self.lang!r} is not like 'en-us'")
        if self.lang is None and self._prefix_language() is None:
            raise ValueError(
                f"the language of Kokoro voice {self.name!r} is unknown (voice names starting "
                f"with {sorted(KOKORO_LANGUAGES)} have one); add e.g. '@en-us'"
            )

    @classmethod
    def parse(cls, name: str) -> KokoroVoice:
        """``"af_bella"``, ``"blend:af_bella*0.6+am_adam*0.4"``, either + ``"@en-gb"``."""
        body, separator, lang = name.partition(LANGUAGE_SEPARATOR)
        if separator and not lang:
            raise ValueError(f"Kokoro voice {name!r}: nothing after {LANGUAGE_SEPARATOR!r}")
        if not body.startswith(BLEND_PREFIX):
            return cls(((body, 1.0),), lang or None)
        components = []
        for part in body[len(BLEND_PREFIX) :].split("+"):
            voice, star, weight = part.partition("*")
            try:
                value = float(weight)
            except ValueError:
                value = math.nan
            if not star or not math.isfinite(value):
                raise ValueError(
                    f"Kokoro blend {name!r}: {part!r} is not 'voice*weight' (e.g. af_bella*0.6)"
                )
            components.append((voice, value))
        return cls(tuple(components), lang or None)

    @property
    def is_blend(self) -> bool:
        return len(self.components) > 1

    @property
    def name(self) -> str:
        if self.is_blend:
            body = BLEND_PREFIX + "+".join(f"{n}*{w:g}" for n, w in self.components)
        else:
            body = self.components[0][0]
        return body + (f"{LANGUAGE_SEPARATOR}{self.lang}" if self.lang else "")

    @property
    def base_voices(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.components)

    def _prefix_language(self) -> str | None:
        heaviest = max(self.components, key=lambda item: item[1])[0]
        return KOKORO_LANGUAGES.get(heaviest[0])

    @property
    def language(self) -> str:
        """The override, else the language of the (heaviest) base voice."""
        return self.lang or str(self._prefix_language())

    def voice(self, speed: float = 1.0) -> Voice:
        return Voice(KOKORO_ENGINE, self.name, speed)


def kokoro_voices(split: str = "all") -> list[str]:
    """Base voice names of a split: ``"test"`` the held-out ``KOKORO_TEST_VOICES``,
    ``"train"`` the other 24, ``"all"`` all 28."""
    if split not in KOKORO_SPLITS:
        raise ValueError(f"split must be one of {KOKORO_SPLITS}, got {split!r}")
    if split == "all":
        return list(KOKORO_VOICES)
    held_out = split == "test"
    return [name for name in KOKORO_VOICES if (name in KOKORO_TEST_VOICES) == held_out]


def kokoro_voice_split(name: str) -> str | None:
    """``"test"`` when every base voice of ``name`` is held out, ``"train"`` when none is,
    ``None`` for a blend of both (it belongs to neither split)."""
    held_out = {base in KOKORO_TEST_VOICES for base in KokoroVoice.parse(name).base_voices}
    if held_out == {True}:
        return "test"
    return "train" if held_out == {False} else None


def random_blend(
    names: Sequence[str], rng: np.random.Generator, sizes: Sequence[int] = BLEND_SIZES
) -> KokoroVoice:
    """A blend of 2-3 (``sizes``) distinct voices of ``names`` with random weights: each at
    least ``MIN_BLEND_WEIGHT``, written with 3 decimals, summing to exactly 1."""
    size = int(rng.choice(list(sizes)))
    if size < 2 or size > len(names):
        raise ValueError(f"cannot blend {size} voices out of {len(names)}: {list(names)}")
    chosen = [names[i] for i in rng.choice(len(names), size=size, replace=False)]
    spare = BLEND_WEIGHT_STEPS - round(MIN_BLEND_WEIGHT * BLEND_WEIGHT_STEPS) * size
    shares = rng.dirichlet(np.ones(size)) * spare
    steps = np.floor(shares).astype(int)
    # Largest remainders get the steps that flooring lost, so the weights sum to 1.
    for index in np.argsort(steps - shares)[: spare - int(steps.sum())]:
        steps[index] += 1
    steps += round(MIN_BLEND_WEIGHT * BLEND_WEIGHT_STEPS)
    return KokoroVoice(
        tuple((n, int(s) / BLEND_WEIGHT_STEPS) for n, s in zip(chosen, steps, strict=True))
    )


def sample_kokoro_voices(
    count: int,
    rng: np.random.Generator | int | None = None,
    split: str = "train",
    blend_fraction: float = 0.5,
    speed_range: tuple[float, float] = KOKORO_SPEED_RANGE,
    sizes: Sequence[int] = BLEND_SIZES,
) -> list[Voice]:
    """``count`` Kokoro voices of ``split``: ``round(count * blend_fraction)`` random blends
    of the split's base voices, the rest its base voices cycled in random order; speeds
    uniform in ``speed_range`` (2 decimals). Seeded: the same ``rng`` seed gives the same
    voices. No ``"train"`` voice uses a held-out base voice, and no ``"test"`` voice uses
    a training one."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if not 0.0 <= blend_fraction <= 1.0:
        raise ValueError(f"blend_fraction must be in [0, 1], got {blend_fraction}")
    low, high = speed_range
    if not KOKORO_SPEED_LIMITS[0] <= low <= high <= KOKORO_SPEED_LIMITS[1]:
        raise ValueError(f"speed_range must lie within {KOKORO_SPEED_LIMITS}, got {speed_range}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    names = kokoro_voices(split)
    blends = round(count * blend_fraction)
    order = list(rng.permutation(len(names)))
    voices = []
    for index in range(count):
        if index < blends:
            speaker = random_blend(names, rng, sizes)
        else:
            speaker = KokoroVoice(((names[order[(index - blends) % len(names)]], 1.0),))
        voices.append(speaker.voice(round(float(rng.uniform(low, high)), 2)))
    return voices


# -- files -----------------------------------------------------------------------------

_DIGESTS: dict[tuple[str, int, int], str] = {}
_DIGEST_LOCK = threading.Lock()


def _stat_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


def _model_digest(path: Path) -> str:
    """sha256 of the model file, computed once per process per file version."""
    key = _stat_key(path)
    with _DIGEST_LOCK:
        if key not in _DIGESTS:
            _DIGESTS[key] = setup.file_sha256(path)
        return _DIGESTS[key]


class KokoroEngine(TTSEngine):
    """Kokoro-82M through kokoro-onnx (``pip install kokoro-onnx==0.6.1``).

    Args:
        model_path: a ``kokoro-v1.0*.onnx``; default ``$SEQKERAS_KOKORO_MODEL`` or the
            cache's ``kokoro-v1.0.int8.onnx`` (built by ``kokoro_setup``; its sha256 is
            checked, and it is rebuilt from the installed model wheels when damaged).
        voices_path: an ``.npz`` of ``[510, 1, 256]`` style arrays (kokoro-onnx's
            ``voices-v1.0.bin`` is one) or a folder of kokoro-js ``<name>.bin`` files;
            default ``$SEQKERAS_KOKORO_VOICES`` or the cache's English voices.
        cache_dir: where utterances are kept (default ``$SEQKERAS_CACHE/kokoro/utterances``);
            ``None`` there and ``cache=False`` synthesize into a temporary folder.
        cache: keep utterances on disk (a rerun with the same text, voice, speed, language
            and model reads them back instead of synthesizing).
        processes: worker processes for a batch (default: one per CPU core).
        progress: show a progress bar for batches of more than one utterance.
    """

    name = KOKORO_ENGINE
    install = (
        f"pip install kokoro-onnx==0.6.1, then `{setup.INSTALL_COMMAND}` "
        "(or `make setup` in a seqkeras checkout)"
    )
    word_timings = True
    parallel = False

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        voices_path: str | os.PathLike[str] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        cache: bool = True,
        processes: int | None = None,
        progress: bool = True,
    ) -> None:
        if processes is not None and processes < 1:
            raise ValueError(f"processes must be >= 1, got {processes}")
        self.model_path = None if model_path is None else Path(model_path)
        self.voices_path = None if voices_path is None else Path(voices_path)
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.cache = cache
        self.processes = processes
        self.progress = progress
        self._voices: tuple[tuple[str, int, int], dict[str, np.ndarray]] | None = None
        self._session: tuple[str, Any] | None = None
        self._lock = threading.Lock()

    # -- where things are ------------------------------------------------------------

    def _model_file(self) -> tuple[Path, bool]:
        """``(path, managed)``: managed files are the cache's, checked and rebuilt here."""
        if self.model_path is not None:
            return self.model_path, False
        return setup.default_model_path(), setup.MODEL_ENV not in os.environ

    def _voices_file(self) -> tuple[Path, bool]:
        if self.voices_path is not None:
            return self.voices_path, False
        return setup.default_voices_path(), setup.VOICES_ENV not in os.environ

    def utterance_dir(self) -> Path:
        """Where utterances and ``manifest.jsonl`` are kept."""
        return self.cache_dir or setup.cache_dir() / "utterances"

    def is_available(self) -> bool:
        if importlib.util.find_spec("kokoro_onnx") is None:
            return False
        model, managed = self._model_file()
        voices, _ = self._voices_file()
        model_ok = model.is_file() or (managed and setup.installed_model_parts() is not None)
        return model_ok and voices.exists()

    def require(self) -> None:
        if importlib.util.find_spec("kokoro_onnx") is None:
            raise EngineNotAvailableError(
                f"TTS engine 'kokoro' needs the kokoro-onnx package: {self.install}"
            )

    def model(self) -> tuple[Path, str]:
        """The model file and its sha256, checked (and built from the installed model
        wheels when the cache's copy is missing or damaged)."""
        path, managed = self._model_file()
        try:
            if managed:
                if not (path.is_file() and _model_digest(path) == setup.MODEL_SHA256):
                    path = setup.ensure_model(path.parent, download=False)
                return path, setup.MODEL_SHA256
            if not path.is_file():
                source = "model_path" if self.model_path is not None else f"${setup.MODEL_ENV}"
                raise setup.KokoroFilesError(
                    f"Kokoro model {path} (from {source}) does not exist; point it at a "
                    f"kokoro-v1.0*.onnx file, or unset it and {setup.INSTALL_HINT}"
                )
            return path, _model_digest(path)
        except setup.KokoroFilesError as error:
            raise EngineNotAvailableError(str(error)) from error

    def voice_arrays(self) -> dict[str, np.ndarray]:
        """Every voice of the voices file as float32 ``[510, 1, 256]`` (checked, loaded once
        per file version)."""
        path, managed = self._voices_file()
        with self._lock:
            try:
                key = _stat_key(path) if path.exists() else None
                if self._voices is not None and key is not None and self._voices[0] == key:
                    return self._voices[1]
                if managed:
                    if key is None or not setup.voices_are_valid(path):
                        path = setup.ensure_voices(path.parent, download=False)
                    key = _stat_key(path)
                elif key is None:
                    source = (
                        "voices_path" if self.voices_path is not None else f"${setup.VOICES_ENV}"
                    )
                    raise setup.KokoroFilesError(
                        f"Kokoro voices {path} (from {source}) do not exist; point it at a "
                        f"voices .npz, or unset it and {setup.INSTALL_HINT}"
                    )
                self._voices = (key, setup.load_voice_file(path))
                return self._voices[1]
            except setup.KokoroFilesError as error:
                raise EngineNotAvailableError(str(error)) from error

    def voices(self) -> list[str]:
        """The base voices (those of the voices file when it is there)."""
        try:
            return sorted(self.voice_arrays())
        except EngineNotAvailableError:
            return list(KOKORO_VOICES)

    def style(self, voice: Voice | str) -> np.ndarray:
        """The style array (float32 ``[510, 1, 256]``) a voice speaks with: a base voice's
        own, or a blend's weighted sum divided by the sum of the weights."""
        speaker = KokoroVoice.parse(voice.name if isinstance(voice, Voice) else voice)
        arrays = self.voice_arrays()
        missing = [name for name in speaker.base_voices if name not in arrays]
        if missing:
            raise ValueError(
                f"Kokoro voice(s) {missing} not in the voices file; found {sorted(arrays)}"
            )
        if not speaker.is_blend:
            return arrays[speaker.base_voices[0]]
        total = sum(weight for _, weight in speaker.components)
        mixed = sum(arrays[name].astype(np.float64) * weight for name, weight in speaker.components)
        return (np.asarray(mixed) / total).astype(np.float32)

    # -- synthesis --------------------------------------------------------------------

    def _check(self, voice: Voice) -> KokoroVoice:
        if voice.pitch is not None:
            raise ValueError("kokoro has no pitch control; use pitch=None")
        low, high = KOKORO_SPEED_LIMITS
        if not low <= voice.speed <= high:
            raise ValueError(f"kokoro speed must be in {low}..{high}, got {voice.speed}")
        return KokoroVoice.parse(voice.name)

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        import soundfile

        ((_, audio),) = self._load([(text, voice)])
        assert audio is not None
        soundfile.write(path, audio, KOKORO_SAMPLE_RATE, subtype="PCM_16", format="WAV")

    def synthesize_items(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        return [audio for audio, _ in self.synthesize_word_ends(items, sample_rate)]

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """Kokoro predicts every phoneme's duration; a word ends where its last phoneme
        does (``None`` for an item whose words espeak joined or split)."""
        return [
            (resample(audio, KOKORO_SAMPLE_RATE, sample_rate), entry.get("word_ends"))
            for entry, audio in self._load(items)
            if audio is not None
        ]

    def manifest_entries(self, items: Sequence[tuple[str, Voice]]) -> list[dict[str, Any]]:
        """The manifest entry of each item, synthesizing the ones not cached, without
        reading any audio (for corpora larger than memory): ``entry["path"]`` is relative
        to ``utterance_dir()``. Needs the cache (``cache=True``)."""
        if not self.cache:
            raise ValueError("manifest_entries needs KokoroEngine(cache=True)")
        return [entry for entry, _ in self._load(items, read=False)]

    def _load(
        self, items: Sequence[tuple[str, Voice]], read: bool = True
    ) -> list[tuple[dict[str, Any], np.ndarray | None]]:
        """``(manifest entry, 24 kHz float32 audio)`` per item, synthesizing the ones not
        in the cache. The audio is always what the cache holds, so a rerun returns the
        very same samples."""
        if not items:
            return []
        self._checked_items(items)
        speakers = [self._check(voice) for _, voice in items]
        if self.cache:
            return self._load_from(items, speakers, self.utterance_dir(), read)
        with tempfile.TemporaryDirectory(prefix="seqkeras-kokoro-") as folder:
            return self._load_from(items, speakers, Path(folder), read)

    def _load_from(
        self,
        items: Sequence[tuple[str, Voice]],
        speakers: Sequence[KokoroVoice],
        root: Path,
        read: bool,
    ) -> list[tuple[dict[str, Any], np.ndarray | None]]:
        model, model_digest = self.model()
        styles: dict[str, np.ndarray] = {}
        jobs: dict[str, dict[str, Any]] = {}
        paths = []
        for (text, voice), speaker in zip(items, speakers, strict=True):
            style = self.style(voice)
            style_id = hashlib.sha256(style.tobytes()).hexdigest()
            styles[style_id] = style
            source = {
                "version": CACHE_VERSION,
                "model": model_digest,
                "style": style_id,
                "text": text,
                "speed": float(voice.speed),
                "lang": speaker.language,
            }
            key = hashlib.sha256(json.dumps(source, sort_keys=True).encode()).hexdigest()[:32]
            wav = root / key[:2] / f"{key}.wav"
            paths.append(wav)
            if key not in jobs and not (wav.is_file() and wav.with_suffix(".json").is_file()):
                meta = {
                    "key": key,
                    "engine": KOKORO_ENGINE,
                    "text": text,
                    "voice": voice.name,
                    "speed": float(voice.speed),
                    "lang": speaker.language,
                }
                jobs[key] = {
                    "id": key, "text": text, "style": style_id, "speed": float(voice.speed),
                    "lang": speaker.language, "wav": str(wav), "root": str(root), "meta": meta,
                }  # fmt: skip
        if jobs:
            self._render(model, styles, list(jobs.values()))
        results: list[tuple[dict[str, Any], np.ndarray | None]] = []
        for wav in paths:
            entry = json.loads(wav.with_suffix(".json").read_text(encoding="utf-8"))
            if not read:
                results.append((entry, None))
                continue
            audio, rate = read_audio_with_rate(wav)
            if rate != KOKORO_SAMPLE_RATE:
                raise ValueError(f"{wav}: cached Kokoro audio at {rate} Hz, expected 24000")
            results.append((entry, audio))
        return results

    def _worker_count(self, jobs: int) -> int:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        wanted = self.processes or cores or 1
        return max(1, min(wanted, jobs // MIN_JOBS_PER_WORKER))

    def _render(
        self, model: Path, styles: dict[str, np.ndarray], jobs: list[dict[str, Any]]
    ) -> None:
        """Synthesize ``jobs`` into the cache: here for a few, else one worker per core."""
        from tqdm.auto import tqdm

        used = {job["style"] for job in jobs}
        bar = tqdm(
            total=len(jobs),
            desc="kokoro",
            unit="utt",
            disable=not self.progress or len(jobs) < 2,
            leave=False,
        )
        with bar, tempfile.TemporaryDirectory(prefix="seqkeras-kokoro-") as folder:
            styles_path = os.path.join(folder, "styles.npz")
            np.savez(styles_path, **{name: styles[name] for name in used})  # type: ignore[arg-type]
            workers = self._worker_count(len(jobs))
            if workers == 1:
                renderer = child.Renderer(self._in_process_session(model), styles_path)
                child.run_jobs(renderer, styles, jobs, lambda _: bar.update(1))
            else:
                self._run_workers(model, styles_path, jobs, workers, bar)

    def _in_process_session(self, model: Path) -> Any:
        with self._lock:
            if self._session is None or self._session[0] != str(model):
                try:
                    self._session = (str(model), child.make_session(str(model)))
                except Exception as error:  # noqa: BLE001 - onnxruntime raises its own types
                    raise EngineNotAvailableError(
                        f"Kokoro model {model} does not load ({error}); {setup.INSTALL_HINT}"
                    ) from error
            return self._session[1]

    def _run_workers(
        self, model: Path, styles_path: str, jobs: list[dict[str, Any]], workers: int, bar: Any
    ) -> None:
        # Longest texts first, each to the least loaded worker: the workers finish together.
        shares: list[list[dict[str, Any]]] = [[] for _ in range(workers)]
        loads = [0] * workers
        for job in sorted(jobs, key=lambda job: -len(job["text"])):
            lightest = loads.index(min(loads))
            shares[lightest].append(job)
            loads[lightest] += len(job["text"])
        script = os.path.abspath(child.__file__)
        errors: list[str] = []

        def run(share: list[dict[str, Any]]) -> None:
            request = json.dumps({"model": str(model), "styles": styles_path, "jobs": share})
            # stderr to a file, not a pipe: a chatty worker cannot fill it and stall.
            log = tempfile.TemporaryFile("w+")
            process = subprocess.Popen(
                [sys.executable, script],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(request)
            process.stdin.close()
            for line in process.stdout:
                message = json.loads(line)
                if "done" in message:
                    bar.update(1)
                else:
                    errors.append(message.get("error", line))
            code = process.wait(timeout=WORKER_TIMEOUT_S)
            log.seek(0)
            stderr = log.read()
            log.close()
            if code != 0 and not errors:
                errors.append(f"Kokoro worker exited with {code}: {stderr[-800:]}")

        threads = [threading.Thread(target=run, args=(share,)) for share in shares if share]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError("; ".join(errors))


def read_manifest(directory: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Entries of a Kokoro utterance cache's ``manifest.jsonl`` (text, voice, speed, lang,
    path relative to the folder, duration in seconds, word_ends), one per utterance."""
    folder = Path(directory) if directory is not None else setup.cache_dir() / "utterances"
    path = folder / "manifest.jsonl"
    if not path.exists():
        return []
    entries: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not a JSON line ({error})") from error
        # The same utterance made by two processes at once is listed twice.
        entries.setdefault(entry["key"], entry)
    return list(entries.values())


__all__ = [
    "KOKORO_LANGUAGES",
    "KOKORO_SPEED_LIMITS",
    "KOKORO_SPEED_RANGE",
    "KOKORO_TEST_VOICES",
    "KOKORO_VOICES",
    "KokoroEngine",
    "KokoroVoice",
    "kokoro_voice_split",
    "kokoro_voices",
    "random_blend",
    "read_manifest",
    "sample_kokoro_voices",
]
