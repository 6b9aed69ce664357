"""``CharVocabulary``: one token per Unicode character."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._lookup import LookupVocabulary


class CharVocabulary(LookupVocabulary):
    """Character vocabulary on Keras ``StringLookup``: 0 = padding, 1 = ``<unk>``, 2 = ``<eos>``.

    Every character (spaces and newlines included) is a token; ``decode`` joins them
    without a separator.

    Args:
        max_tokens: size cap including the 3 reserved ids (``None`` = every character).
        lowercase: lowercase text first.
        tokens: an existing character list, instead of ``adapt``.

    Example:
        >>> v = CharVocabulary().adapt("abca")
        >>> v.decode(v.encode("cab"))
        'cab'
    """

    separator = ""

    def __init__(
        self,
        max_tokens: int | None = None,
        lowercase: bool = False,
        tokens: Sequence[str] | None = None,
    ):
        self.lowercase = bool(lowercase)
        if tokens is not None and any(len(t) != 1 for t in tokens):
            raise ValueError("CharVocabulary tokens must be single characters")
        super().__init__(max_tokens=max_tokens, tokens=tokens)

    def tokenize(self, text: str) -> list[str]:
        if not isinstance(text, str):
            raise ValueError(f"expected text as str, got {type(text).__name__}")
        return list(text.lower() if self.lowercase else text)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "lowercase": self.lowercase}
