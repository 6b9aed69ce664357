"""The ``seqkeras`` command line: a registry of subcommands."""

from .registry import list_commands as list_commands
from .registry import register_command as register_command
