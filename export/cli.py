"""``seqkeras-export``: turn a ``.keras`` model into a ``.tflite`` file or a server SavedModel.

Exit codes: 0 success; 2 user error (missing file, wrong extension, bad representative
data, unsupported layer) or a seqkeras module the model needs does not import; 3 the
converter failed, crashed or hung (in its child process).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .convert import WEIGHT_GRANULARITIES
from .exporters import ExportRequest, get_exporter, list_exporters
from .quantization import get_mode, list_modes
from .representative import list_recipes

EXIT_USAGE = 2
EXIT_CONVERSION = 3
MODEL_SUFFIX = ".keras"


def build_parser() -> argparse.ArgumentParser:
    modes = "; ".join(f"{m}: {get_mode(m).help}" for m in list_modes())
    parser = argparse.ArgumentParser(
        prog="seqkeras-export",
        description="Export a Keras model to TFLite/LiteRT (with a parity report) or a SavedModel.",
    )
    parser.add_argument("model", help="the trained model, a .keras file")
    parser.add_argument("--to", choices=list_exporters(), default="tflite", help="export target")
    parser.add_argument("--quantize", choices=list_modes(), default="float32", help=modes)
    rep = parser.add_mutually_exclusive_group()
    rep.add_argument(
        "--representative",
        metavar="DATA.npz",
        help="one array per model input, named after the input, batch first (int8 "
        "calibration and the parity report)",
    )
    rep.add_argument(
        "--representative-from",
        metavar="RECIPE",
        help=f"a named recipe ({', '.join(list_recipes())}) or package.module:function",
    )
    parser.add_argument(
        "--streaming",
        action="store_true",
        help="export the one-step graph (frame + states in, prediction + new states out)",
    )
    parser.add_argument(
        "--no-unroll",
        dest="unroll",
        action="store_false",
        help="whole-sequence int8: use the standard converter instead of unrolling the "
        "recurrent loop (it crashes on Keras 3 LSTM/GRU; for diagnosis)",
    )
    parser.add_argument(
        "--weights",
        choices=list(WEIGHT_GRANULARITIES),
        default="per-channel",
        help="int8 weight scales: per output channel (TFLite's default) or one per tensor "
        "(~12 bytes less per channel: ~12 KB less for a 64-unit GRU; check the parity report)",
    )
    parser.add_argument("--features", metavar="FEATURES.json", help="feature config to store in the model")
    parser.add_argument("--decision", metavar="DECISION.json", help="decision config to store in the model")
    parser.add_argument("--output", "-o", help="output path (default: next to the model)")
    parser.add_argument("--report", metavar="REPORT.json", help="write the parity report as JSON")
    parser.add_argument("--timeout", type=float, default=600.0, help="converter time limit, seconds")
    parser.add_argument("--version", action="version", version=f"seqkeras-export {__version__}")
    return parser


def _read_json(path: str | None, what: str) -> dict | None:
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"{what} file {path!r} does not exist")
    try:
        value = json.loads(file.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(f"{what} file {path!r} is not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise ValueError(f"{what} file {path!r} must hold a JSON object")
    return value


def default_output(model: Path, args: argparse.Namespace) -> Path:
    suffix = get_exporter(args.to).suffix
    if args.to == "savedmodel":
        return model.with_name(f"{model.stem}_savedmodel")
    stream = ".stream" if args.streaming else ""
    return model.with_name(f"{model.stem}.{args.quantize}{stream}{suffix}")


def run(args: argparse.Namespace) -> int:
    from .convert import ConversionError, load_keras_model, write_atomic
    from .parity import summary
    from .representative import check_representative, load_representative, resolve_recipe
    from .streaming import UnsupportedLayerError

    model_path = Path(args.model)
    if model_path.suffix != MODEL_SUFFIX:
        raise ValueError(f"model {args.model!r} must be a Keras {MODEL_SUFFIX} file")
    if not model_path.is_file():
        raise FileNotFoundError(f"model file {args.model!r} does not exist")
    exporter = get_exporter(args.to)
    output = Path(args.output) if args.output else default_output(model_path, args)
    if exporter.suffix and output.suffix != exporter.suffix:
        raise ValueError(f"--output {str(output)!r} must end with {exporter.suffix} for --to {args.to}")
    features = _read_json(args.features, "--features")
    decision = _read_json(args.decision, "--decision")
    recipe = resolve_recipe(args.representative_from) if args.representative_from else None
    try:
        model = load_keras_model(str(model_path))
    except (ValueError, TypeError, OSError) as err:
        raise ValueError(f"cannot load model {args.model!r}: {err}") from None
    data = None
    if args.representative:
        data = load_representative(args.representative, model)
    elif recipe is not None:
        data = check_representative(recipe(model), model, source=f"recipe {args.representative_from!r}")
    request = ExportRequest(
        model_path=str(model_path),
        output=str(output),
        quantize=args.quantize,
        streaming=args.streaming,
        representative=data,
        unroll=args.unroll,
        features=features,
        decision=decision,
        timeout_s=args.timeout,
        weights=args.weights,
        model=model,
    )
    try:
        report = exporter.run(request)
    except UnsupportedLayerError as err:
        raise ValueError(str(err)) from None
    except ConversionError as err:
        print(f"seqkeras-export: error: {err}", file=sys.stderr)
        return EXIT_CONVERSION
    if args.report:
        write_atomic(args.report, (json.dumps(report, indent=2) + "\n").encode())
    print(summary(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (FileNotFoundError, ValueError, ImportError) as err:
        # ImportError: a seqkeras module the model needs does not import (its message
        # names the module and the missing dependency).
        print(f"seqkeras-export: error: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
