"""Subcommand registry for the ``seqkeras`` CLI.

A task module in ``seqkeras/tasks/`` registers its subcommand with
:func:`register_command`; the CLI imports every task module and builds its parser
from the registry, so adding a command never touches an if-chain.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

Configure = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Configure


_COMMANDS: dict[str, Command] = {}


def command_modules() -> list[str]:
    """Every module of ``seqkeras.tasks``: each registers its commands on import."""
    import pkgutil

    from .. import tasks

    return [f"{tasks.__name__}.{m.name}" for m in pkgutil.iter_modules(tasks.__path__)]


def register_command(name: str, help: str) -> Callable[[Configure], Configure]:
    """Decorator: ``configure(parser)`` adds arguments and sets ``func``.

    ``func(args) -> int`` is stored with ``parser.set_defaults(func=...)``.
    """

    def decorator(configure: Configure) -> Configure:
        if name in _COMMANDS and _COMMANDS[name].configure is not configure:
            raise ValueError(f"seqkeras command {name!r} is registered twice")
        _COMMANDS[name] = Command(name, help, configure)
        return configure

    return decorator


def list_commands() -> list[str]:
    return sorted(_COMMANDS)


def get_command(name: str) -> Command:
    return _COMMANDS[name]
