"""``seqkeras-wake``: detect the keyword in a WAV file or from the microphone.

Exit codes: 0 success; 2 bad arguments or unusable audio (missing, empty, truncated,
not a WAV); 3 bad model (missing, not a TFLite model, no seqkeras metadata, wrong
signature); 4 a runtime dependency is missing (ai-edge-litert, or sounddevice for --mic).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from . import __version__

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_MODEL = 3
EXIT_DEPENDENCY = 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqkeras-wake",
        description=(
            "Streaming wake-word detection with a seqkeras step model (.tflite): numpy "
            "features, one LiteRT invoke per hop, smoothing/threshold/refractory decisions "
            "from the model's metadata."
        ),
    )
    parser.add_argument("model", help="a .tflite exported with seqkeras-export --streaming")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--wav", help="WAV file to scan (any sample rate, mono or stereo)")
    source.add_argument("--mic", action="store_true", help="listen to the default microphone (needs sounddevice)")
    parser.add_argument("--threshold", type=float, help="override the threshold stored in the model")
    parser.add_argument("--json", action="store_true", help="print JSON lines (detections, then a summary)")
    parser.add_argument("--seconds", type=float, help="with --mic: stop after this many seconds")
    parser.add_argument("--version", action="version", version=f"seqkeras-wake {__version__}")
    return parser


def _print_detection(event, as_json: bool, out: TextIO) -> None:
    if as_json:
        print(json.dumps(event.to_dict()), file=out, flush=True)
    else:
        print(f"detection at {event.time:8.3f} s  score {event.score:.3f}", file=out, flush=True)


def _print_summary(summary: dict, as_json: bool, out: TextIO) -> None:
    if as_json:
        print(json.dumps({"summary": summary}), file=out, flush=True)
        return
    lat = summary["hop_latency_us"]
    latency = ", ".join(f"{k} {v:.1f} us" for k, v in lat.items()) or "n/a"
    print(
        f"{summary['detections']} detection(s) in {summary['audio_seconds']:.2f} s of audio "
        f"({summary['frames']} frames, runtime {summary['runtime']}); per-hop latency "
        f"(features + invoke): {latency}",
        file=out,
    )


def _run_mic(runner, args, out: TextIO) -> int:
    """Listen until ``--seconds`` of audio were processed (or Ctrl-C), then print the summary.

    Audio arrives from sounddevice's thread in hop-sized blocks at the model's rate;
    detections are printed as they happen, exactly as for ``--wav``.
    """
    try:
        import sounddevice  # optional dependency
    except (ImportError, OSError) as err:
        print(f"seqkeras-wake: error: --mic needs sounddevice: pip install sounddevice ({err})", file=sys.stderr)
        return EXIT_DEPENDENCY
    import queue

    import numpy as np

    blocks: queue.Queue = queue.Queue()
    rate = runner.feature_config.sample_rate
    limit = None if args.seconds is None else int(args.seconds * rate)

    def callback(indata, frames, time_info, status):  # runs in the audio thread
        blocks.put(np.asarray(indata)[:, 0].astype(np.float32).copy())

    def listened():
        received = 0
        while limit is None or received < limit:
            block = blocks.get()
            if limit is not None:
                block = block[: limit - received]
            received += len(block)
            yield block

    try:
        stream = sounddevice.InputStream(
            samplerate=rate, channels=1, blocksize=runner.hop_length, callback=callback
        )
    except Exception as err:  # PortAudioError and friends: no device, unsupported rate
        print(f"seqkeras-wake: error: cannot open the microphone at {rate} Hz: {err}", file=sys.stderr)
        return EXIT_DEPENDENCY
    with stream:
        result = runner.run_chunks(
            listened(), lambda event: _print_detection(event, args.json, out), interruptible=True
        )
    result.source_rate = rate
    _print_summary(result.summary("microphone", runner.runtime_name), args.json, out)
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    from .metadata import MetadataError
    from .runner import ModelError, WakeRunner
    from .runtime import RuntimeMissingError
    from .wav import AudioError

    try:
        runner = WakeRunner(args.model, threshold=args.threshold)
    except (ModelError, MetadataError) as err:
        print(f"seqkeras-wake: error: {err}", file=sys.stderr)
        return EXIT_MODEL
    except RuntimeMissingError as err:
        print(f"seqkeras-wake: error: {err}", file=sys.stderr)
        return EXIT_DEPENDENCY
    except ValueError as err:  # the runtime refused the file
        print(f"seqkeras-wake: error: {err}", file=sys.stderr)
        return EXIT_MODEL
    if args.mic:
        return _run_mic(runner, args, out)
    try:
        result = runner.run_file(args.wav)
    except (AudioError, FileNotFoundError) as err:
        print(f"seqkeras-wake: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    for event in result.detections:
        _print_detection(event, args.json, out)
    _print_summary(result.summary(args.model, runner.runtime_name), args.json, out)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
