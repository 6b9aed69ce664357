"""The sequence-to-sequence id layout, as a :class:`seqkeras.text.Vocabulary`.

Ids 0..3 are reserved: ``0`` padding (``<pad>``), ``1`` unknown (``<unk>``), ``2``
start of sequence (``<s>``), ``3`` end of sequence (``</s>``). ``level="char"`` splits
every character (``"chars"``), ``level="word"`` splits off punctuation
(``"split_punctuation"``); both tokenize identically in a SavedModel
(``Vocabulary.tf_split``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from seqkeras.text.splitters import PUNCTUATION as PUNCTUATION
from seqkeras.text.vocabulary import SEQ2SEQ_RESERVED_TOKENS, TOKEN_LEVEL_SPLITS, Vocabulary

PAD, UNK, BOS, EOS = 0, 1, 2, 3
SPECIAL_TOKENS = ("<pad>", "<unk>", "<s>", "</s>")
LEVELS = tuple(TOKEN_LEVEL_SPLITS)


def _split_for(level: str) -> str:
    if level not in TOKEN_LEVEL_SPLITS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return TOKEN_LEVEL_SPLITS[level]


class TokenVocabulary:
    """Builds a :class:`~seqkeras.text.Vocabulary` with the seq2seq layout
    ``<pad> <unk> <s> </s>`` = 0..3, at character or word level.

    Calling it returns a ``Vocabulary`` (the name is kept for existing code; the
    ``{"tokens", "level", "lowercase"}`` configs stored in older models still load).

    Args:
        tokens: the regular tokens (characters or words); ids start at 4.
        level: ``"char"`` (every character a token) or ``"word"`` (whitespace-separated
            words, with punctuation split off).
        lowercase: lower-case text before splitting.

    Example:
        >>> vocab = TokenVocabulary(list("0123456789-"), level="char")
        >>> vocab.encode("2024-01-31")[:4].tolist()
        [6, 4, 6, 8]
        >>> vocab.decode(vocab.encode("2024-01-31"))
        '2024-01-31'
    """

    def __new__(  # type: ignore[misc]
        cls, tokens: Sequence[str], level: str = "char", lowercase: bool = False
    ) -> Vocabulary:
        return Vocabulary(
            list(tokens), split=_split_for(level), lowercase=lowercase, **SEQ2SEQ_RESERVED_TOKENS
        )

    @staticmethod
    def build(
        texts: Iterable[str],
        level: str = "char",
        lowercase: bool = False,
        max_size: int | None = None,
        min_count: int = 1,
    ) -> Vocabulary:
        """Vocabulary of the tokens of ``texts`` (most frequent first, ties by text)."""
        return Vocabulary.build(
            texts,
            split=_split_for(level),
            lowercase=lowercase,
            max_size=max_size,
            min_count=min_count,
            **SEQ2SEQ_RESERVED_TOKENS,
        )

    @staticmethod
    def from_config(config: dict[str, Any]) -> Vocabulary:
        """Reads a ``{"tokens", "level", "lowercase"}`` config (or a current one)."""
        return Vocabulary.from_config(config)


def model_vocabulary(
    name: str,
    value: Vocabulary | dict[str, Any] | None,
    size_name: str,
    size: int,
    target: bool,
) -> Vocabulary | None:
    """The vocabulary a model was given as ``name`` (a ``Vocabulary``, its
    ``get_config()`` dict, or ``None``), checked against the model's id count (argument
    ``size_name`` = ``size``); a ``target`` vocabulary must have the start and end ids
    the decoder uses (2 and 3)."""
    if value is None:
        return None
    if isinstance(value, Vocabulary):
        vocab = value
    elif isinstance(value, dict):
        vocab = Vocabulary.from_config(value)
    else:
        raise ValueError(
            f"{name} must be a seqkeras.text.Vocabulary or its get_config() dict, "
            f"got {type(value).__name__}"
        )
    if len(vocab) != size:
        raise ValueError(f"{name} has {len(vocab)} ids but {size_name} is {size}")
    if target and (vocab.bos_id != BOS or vocab.eos_id != EOS):
        raise ValueError(
            f"{name} needs a start token with id {BOS} and an end token with id {EOS} "
            f"(the seq2seq layout, e.g. TokenVocabulary); got reserved tokens "
            f"{list(vocab.reserved)}"
        )
    return vocab
