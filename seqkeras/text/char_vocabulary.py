"""``CharVocabulary``: the character layout of the language models, as a :class:`Vocabulary`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .vocabulary import LM_RESERVED_TOKENS, Vocabulary
from .word_vocabulary import _check_max_tokens


class CharVocabulary:
    """Builds a character-level :class:`~seqkeras.text.Vocabulary` with ids 0 = padding
    (``""``), 1 = ``<unk>``, 2 = ``<eos>``.

    Every character (spaces and newlines included) is a token; ``decode`` joins them
    without a separator. Calling it returns a ``Vocabulary`` (the name is kept for
    existing code and saved ``{"class": "CharVocabulary"}`` payloads, which still load).

    Args:
        max_tokens: size cap including the 3 reserved ids (``None`` = every character).
        lowercase: lowercase text first.
        tokens: an existing character list, instead of ``adapt``.

    Example:
        >>> v = CharVocabulary().adapt("abca")
        >>> v.decode(v.encode("cab"))
        'cab'
    """

    def __new__(  # type: ignore[misc]
        cls,
        max_tokens: int | None = None,
        lowercase: bool = False,
        tokens: Sequence[str] | None = None,
    ) -> Vocabulary:
        _check_max_tokens(max_tokens)
        return Vocabulary(
            tokens, split="chars", lowercase=lowercase, max_size=max_tokens, **LM_RESERVED_TOKENS
        )

    @staticmethod
    def from_config(config: dict[str, Any]) -> Vocabulary:
        """Reads an old ``CharVocabulary.get_config()`` (or a current config)."""
        from .vocabulary import vocabulary_from_dict

        if "max_tokens" in config:
            return vocabulary_from_dict({"class": "CharVocabulary", "config": config})
        return Vocabulary.from_config(config)
