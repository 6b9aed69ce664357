"""Entry point of the ``seqkeras`` console script."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from . import registry


class UsageError(Exception):
    """A user mistake the CLI reports in one line with exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    for module in registry.command_modules():
        importlib.import_module(module)
    parser = argparse.ArgumentParser(
        prog="seqkeras",
        description="Sequence models for Keras: recipes that train, evaluate and sample.",
    )
    parser.add_argument("--version", action="version", version=f"seqkeras {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in registry.list_commands():
        command = registry.get_command(name)
        command.configure(sub.add_parser(name, help=command.help, description=command.help))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    from .. import register_keras_objects

    register_keras_objects()
    try:
        return int(args.func(args) or 0)
    except (UsageError, FileNotFoundError, ValueError) as err:
        print(f"seqkeras {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
