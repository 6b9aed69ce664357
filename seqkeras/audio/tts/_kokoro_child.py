"""Kokoro synthesis that needs only numpy, soundfile, onnxruntime and kokoro-onnx.

``KokoroEngine`` (``kokoro.py``) imports it to synthesize in its own process, and runs it
as a script (not ``-m``, which would import seqkeras and TensorFlow) for one worker
process per core: the script reads ``{"model", "styles", "jobs"}`` as JSON on stdin,
writes every job's utterance into the cache and prints one JSON line per finished job.

Each utterance is written as ``<key>.json`` (what was said, by whom, word end times)
and then ``<key>.wav`` (16-bit PCM at 24 kHz), each atomically; the WAV's existence
marks the utterance done. A line is then appended to the cache's ``manifest.jsonl``
under an exclusive lock, so several processes can fill one cache at once. (The few
lines of atomic writing are its own, not ``seqkeras.atomic``: it must not import seqkeras.)
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 24000
# The int8 v1.0 export has no duration output, but this tensor of its graph holds every
# token's duration in frames (after rounding and clipping, before the frames are
# expanded); exposing it as an output named "duration" lets kokoro-onnx time phonemes.
DURATION_TENSOR = "/encoder/Cast_output_0"
DURATION_OUTPUT = "duration"
# Pauses kokoro-onnx would add after punctuation only when it has timings; left at zero
# the audio is the same with and without timings (tested), so one cache serves both.
NO_PAUSE = 0.0
PUNCTUATION = frozenset(';:,.!?¡¿—…"«»“”()')
_ONNX_INT64 = 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def duration_output_suffix(tensor: str = DURATION_TENSOR) -> bytes:
    """Bytes that, appended to an ONNX model, add an ``Identity(tensor) -> "duration"``
    node and a ``duration`` (int64) graph output.

    A protobuf parser merges a repeated embedded message field (ModelProto.graph = 7)
    into the one before it, appending to its repeated fields (GraphProto.node = 1,
    GraphProto.output = 12), so the model file itself stays untouched.
    """
    node = (
        _field(1, tensor.encode())  # NodeProto.input
        + _field(2, DURATION_OUTPUT.encode())  # NodeProto.output
        + _field(3, b"seqkeras_duration")  # NodeProto.name
        + _field(4, b"Identity")  # NodeProto.op_type
    )
    tensor_type = _varint(1 << 3) + _varint(_ONNX_INT64)  # TypeProto.Tensor.elem_type
    value_info = _field(1, DURATION_OUTPUT.encode()) + _field(2, _field(1, tensor_type))
    return _field(7, _field(1, node) + _field(12, value_info))


def make_session(model_path: str) -> Any:
    """A single-thread onnxruntime session of the model, with a ``duration`` output when
    the model's graph allows one (else the model as it is)."""
    import onnxruntime as rt

    options = rt.SessionOptions()
    # One thread per process: on 2 cores two single-thread processes synthesize more
    # audio per CPU-second than one process with two threads (DATA.md).
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    providers = ["CPUExecutionProvider"]
    data = Path(model_path).read_bytes()
    try:
        session = rt.InferenceSession(data + duration_output_suffix(), options, providers=providers)
    except Exception:  # noqa: BLE001 - another export: no such tensor, or already timed
        session = rt.InferenceSession(data, options, providers=providers)
    # kokoro-onnx 0.6.1's Kokoro.from_session reads the session's model path.
    session._model_path = str(model_path)
    return session


def word_ends(text: str, timings: Sequence[Any]) -> list[float] | None:
    """End (seconds) of each whitespace-separated word of ``text`` from kokoro-onnx's
    phoneme timings: phonemes are grouped at spaces, a group ends with its last
    non-punctuation phoneme. ``None`` when the phonemizer joined or split words (espeak
    says "in the" as one word, "42" as two), so the groups do not match the words."""
    groups: list[list[Any]] = [[]]
    for timing in timings:
        if timing.phoneme == " ":
            groups.append([])
        elif timing.phoneme not in PUNCTUATION:
            groups[-1].append(timing)
    ends = [group[-1].end for group in groups if group]
    return [float(end) for end in ends] if len(ends) == len(text.split()) else None


class Renderer:
    """kokoro-onnx on one session; ``styles_path`` is any voices ``.npz`` (kokoro-onnx
    requires one, but every call here passes the style array itself)."""

    def __init__(self, session: Any, styles_path: str) -> None:
        from kokoro_onnx import Kokoro

        self.kokoro = Kokoro.from_session(session, styles_path)

    @property
    def timed(self) -> bool:
        return bool(self.kokoro.has_timings)

    def render(
        self, text: str, style: np.ndarray, speed: float, lang: str
    ) -> tuple[np.ndarray, list[float] | None]:
        """24 kHz float32 audio (leading/trailing silence trimmed by kokoro-onnx) and
        the word end times (``None`` without timings or when words do not match)."""
        audio, _, timings = self.kokoro.create_timed(
            text,
            voice=style,
            speed=speed,
            lang=lang,
            sentence_pause=NO_PAUSE,
            clause_pause=NO_PAUSE,
        )
        audio = np.asarray(audio, dtype=np.float32)
        if audio.size == 0:
            raise RuntimeError(f"Kokoro produced no audio for {text!r}")
        peak = float(np.abs(audio).max())
        if peak > 1.0:
            audio = audio / np.float32(peak)
        return audio, (word_ends(text, timings) if self.timed else None)


def _write_atomic(path: Path, write: Callable[[str], object], suffix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    try:
        write(temp)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Any]:
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def store(job: dict[str, Any], audio: np.ndarray, ends: list[float] | None) -> dict[str, Any]:
    """Write one finished utterance (sidecar JSON, WAV, manifest line); returns its entry."""
    import soundfile

    wav = Path(job["wav"])
    entry = dict(job["meta"])
    entry.update(
        path=os.path.relpath(wav, job["root"]),
        duration=audio.size / SAMPLE_RATE,
        sample_rate=SAMPLE_RATE,
        word_ends=ends,
    )
    text = json.dumps(entry, ensure_ascii=False)
    _write_atomic(wav.with_suffix(".json"), lambda p: Path(p).write_text(text + "\n"), ".json")
    _write_atomic(
        wav,
        lambda p: soundfile.write(p, audio, SAMPLE_RATE, subtype="PCM_16", format="WAV"),
        ".wav",
    )
    with _locked(Path(job["root"]) / "manifest.jsonl") as manifest:
        manifest.write(text + "\n")
        manifest.flush()
    return entry


def run_jobs(
    renderer: Renderer,
    styles: dict[str, np.ndarray],
    jobs: Sequence[dict[str, Any]],
    done: Callable[[int], None],
) -> None:
    for index, job in enumerate(jobs):
        try:
            audio, ends = renderer.render(
                job["text"], styles[job["style"]], float(job["speed"]), job["lang"]
            )
        except Exception as error:  # noqa: BLE001 - reported with the text that failed
            raise RuntimeError(
                f"Kokoro failed on {job['text']!r} (voice {job['meta']['voice']}): {error}"
            ) from error
        store(job, audio, ends)
        done(index)


def main() -> int:
    request = json.load(sys.stdin)
    with np.load(request["styles"]) as archive:
        styles = {name: archive[name] for name in archive.files}
    renderer = Renderer(make_session(request["model"]), request["styles"])

    def report(index: int) -> None:
        print(json.dumps({"done": request["jobs"][index]["id"]}), flush=True)

    try:
        run_jobs(renderer, styles, request["jobs"], report)
    except RuntimeError as error:
        print(json.dumps({"error": str(error)}), flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
