"""``WordVocabulary``: the word layout of the language models, as a :class:`Vocabulary`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .vocabulary import LM_RESERVED_TOKENS, Vocabulary


def _check_max_tokens(max_tokens: int | None) -> None:
    # The old classes' argument name, so the error names what the caller wrote.
    smallest = len([t for t in LM_RESERVED_TOKENS.values() if t is not None]) + 1
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < smallest
    ):
        raise ValueError(
            f"max_tokens must be an integer >= {smallest} (padding, <unk>, <eos> and at "
            f"least one token); got max_tokens={max_tokens!r}"
        )


class WordVocabulary:
    """Builds a word-level :class:`~seqkeras.text.Vocabulary` with ids 0 = padding
    (``""``), 1 = ``<unk>``, 2 = ``<eos>`` (the layout of the language models).

    Calling it returns a ``Vocabulary`` (this name is kept for existing code and for the
    ``{"class": "WordVocabulary"}`` payloads in saved models, which still load).

    Args:
        max_tokens: size cap including the 3 reserved ids (``None`` = keep every word).
        lowercase: lowercase text before splitting.
        keep_punctuation: punctuation marks become tokens (``"words_and_punctuation"``);
            otherwise they are dropped (``"words"``).
        split: ``"words"`` or ``"whitespace"`` (keep each whitespace-separated string as
            is — right for pre-tokenized corpora like PTB).
        tokens: an existing token list (most frequent first), instead of ``adapt``.

    Example:
        >>> v = WordVocabulary(max_tokens=10).adapt(["the cat sat", "the dog"])
        >>> v.encode("the zebra")  # unseen word -> 1
        array([3, 1], dtype=int32)
    """

    def __new__(  # type: ignore[misc]
        cls,
        max_tokens: int | None = None,
        lowercase: bool = True,
        keep_punctuation: bool = False,
        split: str = "words",
        tokens: Sequence[str] | None = None,
    ) -> Vocabulary:
        if split not in ("words", "whitespace"):
            raise ValueError(f"split must be 'words' or 'whitespace'; got split={split!r}")
        _check_max_tokens(max_tokens)
        if split == "words" and keep_punctuation:
            split = "words_and_punctuation"
        return Vocabulary(
            tokens, split=split, lowercase=lowercase, max_size=max_tokens, **LM_RESERVED_TOKENS
        )

    @staticmethod
    def from_config(config: dict[str, Any]) -> Vocabulary:
        """Reads an old ``WordVocabulary.get_config()`` (or a current config)."""
        from .vocabulary import vocabulary_from_dict

        if "max_tokens" in config:
            return vocabulary_from_dict({"class": "WordVocabulary", "config": config})
        return Vocabulary.from_config(config)
