"""Wake-word training features: the float32 TensorFlow path vs the numpy twin, one run.

Featurizes the same 10-second clips (speech recordings placed over white/pink/brown
noise at 0-25 dB SNR, like training clips) with

- the numpy twin ``seqkeras_edge.features.log_mel_spectrogram`` in batches of 8 (float64;
  what training data preparation used before, and what the device runs), and
- ``seqkeras.wakeword.features.log_mel_batches`` (TensorFlow float32 on the pre-emphasized
  frame, XLA-compiled, frames with a quiet band recomputed in float64, batches of 4 two
  at a time),

and prints one JSON object: clips/s of both, the ratio, and the largest difference
between them (the parity bound is 1e-4).

    flock /tmp/seqkeras-heavy.lock nice -n 5 .venv/bin/python benchmarks/wakeword_features.py --write

``--write`` puts the figures into BENCHMARKS.md (between the ``wakeword-features`` markers).
"""

from __future__ import annotations

import argparse
import datetime
import glob
import json
import platform
import time
from pathlib import Path

import numpy as np

CLIP_SAMPLES = 160000
BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"
START, END = "<!-- wakeword-features:start -->", "<!-- wakeword-features:end -->"
NUMPY_BATCH = 8
ASTERISK = "/usr/share/asterisk/sounds/en_US_f_Allison/*.wav"


def speech_sources() -> list[np.ndarray]:
    """Real recordings when installed (shared real speech, Asterisk prompts), else espeak."""
    from seqkeras.audio import read_audio
    from seqkeras.wakeword.real_speech import find_real_speech_root

    paths = []
    root = find_real_speech_root()
    if root is not None:
        paths += sorted(glob.glob(str(root / "wake-word-benchmark" / "*" / "*.flac")))[::20]
    paths += sorted(glob.glob(ASTERISK))[::20]
    if not paths:
        raise FileNotFoundError(
            "no speech recordings: apt-get install asterisk-core-sounds-en-wav, or set "
            "SEQKERAS_REAL_SPEECH"
        )
    return [read_audio(p) for p in paths]


def training_like_clips(count: int, seed: int) -> np.ndarray:
    from seqkeras.audio.synth import NOISE_COLOURS, coloured_noise

    rng = np.random.default_rng(seed)
    speech = speech_sources()
    clips = np.zeros((count, CLIP_SAMPLES), np.float32)
    for row in range(count):
        for _ in range(3):
            piece = speech[int(rng.integers(len(speech)))][: CLIP_SAMPLES // 4]
            start = int(rng.integers(0, CLIP_SAMPLES - piece.size))
            clips[row, start : start + piece.size] += piece
        noise = coloured_noise(NOISE_COLOURS[row % 3], CLIP_SAMPLES, rng)
        level = np.sqrt(np.mean(clips[row] ** 2)) * 10 ** (-rng.uniform(0, 25) / 20)
        clips[row] += noise * level
    return clips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=96)
    parser.add_argument("--repeats", type=int, default=3, help="best of N timings each")
    parser.add_argument("--write", action="store_true", help="write the figures into BENCHMARKS.md")
    args = parser.parse_args()

    from seqkeras_edge.features import log_mel_spectrogram

    from seqkeras.wakeword.features import log_mel_batches

    clips = training_like_clips(args.clips, seed=0)
    log_mel_batches(clips[:16])  # trace the graph once, outside the timing

    def numpy_twin() -> np.ndarray:
        return np.concatenate(
            [
                log_mel_spectrogram(clips[start : start + NUMPY_BATCH])
                for start in range(0, len(clips), NUMPY_BATCH)
            ]
        )

    runs = {"numpy_twin": numpy_twin, "tf_float32": lambda: log_mel_batches(clips)}
    best = dict.fromkeys(runs, float("inf"))
    cpu = dict.fromkeys(runs, float("inf"))
    outputs: dict[str, np.ndarray] = {}
    # Round-robin, so that both see the same load on a shared machine; the process CPU time
    # (all threads) is less sensitive to that load than the wall clock.
    for _ in range(args.repeats):
        for name, run in runs.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            outputs[name] = run()
            best[name] = min(best[name], time.perf_counter() - started)
            cpu[name] = min(cpu[name], time.process_time() - cpu_started)
    timings = {name: len(clips) / seconds for name, seconds in best.items()}
    result = {
        "clips": len(clips),
        "clip_seconds": CLIP_SAMPLES / 16000,
        "numpy_twin_clips_per_s": round(timings["numpy_twin"], 1),
        "tf_float32_clips_per_s": round(timings["tf_float32"], 1),
        "speedup": round(timings["tf_float32"] / timings["numpy_twin"], 2),
        "numpy_twin_cpu_ms_per_clip": round(1000 * cpu["numpy_twin"] / len(clips), 2),
        "tf_float32_cpu_ms_per_clip": round(1000 * cpu["tf_float32"] / len(clips), 2),
        "cpu_time_ratio": round(cpu["numpy_twin"] / cpu["tf_float32"], 2),
        "max_abs_difference": float(np.abs(outputs["tf_float32"] - outputs["numpy_twin"]).max()),
        "machine": platform.machine(),
    }
    print(json.dumps(result))
    if args.write:
        write_benchmarks_md(result, args)


def write_benchmarks_md(result: dict, args: argparse.Namespace) -> None:
    today = datetime.date.today().isoformat()
    body = (
        f"{today}, 2-core CPU box (shared), `flock /tmp/seqkeras-heavy.lock nice -n 5 "
        f".venv/bin/python benchmarks/wakeword_features.py --clips {args.clips} --repeats {args.repeats} --write` "
        f"(best of {args.repeats}, timed round-robin; {result['clips']} clips of 10 s, real speech "
        "over noise):\n\n"
        "| features | clips/s | ratio | CPU ms/clip (all threads) | CPU-time ratio "
        "| max difference to the numpy twin |\n|---|---|---|---|---|---|\n"
        f"| numpy twin (float64, batches of {NUMPY_BATCH}; before) | "
        f"{result['numpy_twin_clips_per_s']} | 1 | {result['numpy_twin_cpu_ms_per_clip']} | 1 | — |\n"
        f"| TensorFlow float32, pre-emphasized, XLA (`wakeword.features`; after) | "
        f"{result['tf_float32_clips_per_s']} | {result['speedup']}x | "
        f"{result['tf_float32_cpu_ms_per_clip']} | {result['cpu_time_ratio']}x | "
        f"{result['max_abs_difference']:.1e} |"
    )
    text = BENCHMARKS_MD.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    BENCHMARKS_MD.write_text(f"{head}{START}\n{body}\n{END}{tail}")


if __name__ == "__main__":
    main()
