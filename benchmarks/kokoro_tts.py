"""Kokoro TTS throughput: seqkeras's engine against kokoro-onnx used as documented.

Synthesizes the same utterances (short commands and longer sentences, voices and blends
sampled from the training split, speeds 0.8-1.25) three ways, in this one run:

- **seqkeras**: ``KokoroEngine(processes=P)``: P worker processes, each a single-thread
  onnxruntime session, writing into a fresh utterance cache;
- **reference**: kokoro-onnx as its README shows it, ``Kokoro(model, voices).create(...)``
  in one process with onnxruntime's default threads (one per core);
- **rerun**: the seqkeras call again on the filled cache (must synthesize nothing).

    flock /tmp/seqkeras-heavy.lock .venv/bin/python benchmarks/kokoro_tts.py --processes 2

Prints one JSON object: seconds of audio per wall-clock second and per CPU-second for
both, the ratio seqkeras / reference, and the rerun's time and count of new utterances.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import tempfile
import time

TEXTS = (
    "activate",
    "computer",
    "hey jarvis",
    "turn on the lights",
    "please set a timer for ten minutes",
    "the weather is nice today, so we went for a long walk by the river.",
    "could you read me the last message again, a little more slowly?",
    "she sells sea shells by the sea shore.",
)


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=48)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import numpy as np

    from seqkeras.audio.tts import KokoroEngine, sample_kokoro_voices
    from seqkeras.audio.tts.kokoro import KokoroVoice, read_manifest

    voices = sample_kokoro_voices(args.utterances, args.seed, split="train")
    items = [(TEXTS[i % len(TEXTS)], voice) for i, voice in enumerate(voices)]
    result: dict = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "utterances": len(items),
        "blends": sum(v.name.startswith("blend:") for v in voices),
        "load_average_before": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="kokoro-bench-") as folder:
        engine = KokoroEngine(cache_dir=folder, processes=args.processes)
        model, _ = engine.model()
        cpu, start = _cpu_seconds(), time.perf_counter()
        audio = engine.synthesize_items(items)
        wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        seconds = sum(a.size for a in audio) / 16000
        result["seqkeras"] = {
            "processes": args.processes,
            "threads_per_process": 1,
            "audio_seconds": round(seconds, 2),
            "wall_seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "audio_s_per_wall_s": round(seconds / wall, 3),
            "audio_s_per_cpu_s": round(seconds / cpu, 3),
        }

        lines = len(read_manifest(folder))
        start = time.perf_counter()
        again = engine.synthesize_items(items)
        result["rerun"] = {
            "wall_seconds": round(time.perf_counter() - start, 3),
            "new_utterances": len(read_manifest(folder)) - lines,
            "identical": all(np.array_equal(a, b) for a, b in zip(audio, again, strict=True)),
        }

        from kokoro_onnx import Kokoro

        voices_path, _ = engine._voices_file()
        reference = Kokoro(str(model), str(voices_path))
        styles = [engine.style(voice) for _, voice in items]
        cpu, start = _cpu_seconds(), time.perf_counter()
        samples = 0
        for (text, voice), style in zip(items, styles, strict=True):
            out, rate = reference.create(
                text, voice=style, speed=voice.speed, lang=KokoroVoice.parse(voice.name).language
            )
            samples += out.size
        wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
        seconds = samples / rate
        result["reference_kokoro_onnx"] = {
            "processes": 1,
            "threads_per_process": "onnxruntime default",
            "audio_seconds": round(seconds, 2),
            "wall_seconds": round(wall, 2),
            "cpu_seconds": round(cpu, 2),
            "audio_s_per_wall_s": round(seconds / wall, 3),
            "audio_s_per_cpu_s": round(seconds / cpu, 3),
        }
    ours, theirs = result["seqkeras"], result["reference_kokoro_onnx"]
    result["ratio_wall_throughput"] = round(
        ours["audio_s_per_wall_s"] / theirs["audio_s_per_wall_s"], 3
    )
    result["load_average_after"] = os.getloadavg()[0]
    result["command"] = (
        "flock /tmp/seqkeras-heavy.lock .venv/bin/python benchmarks/kokoro_tts.py "
        f"--utterances {args.utterances} --processes {args.processes} --seed {args.seed}"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
