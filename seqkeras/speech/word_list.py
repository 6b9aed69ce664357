"""A word-list constraint for CTC prefix beam search: only listed words may be spelled."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .text import CHARACTERS


class WordList:
    """Allows a prefix only while each finished word is in the list and the unfinished
    one begins a listed word; words are separated by one space.

    Args:
        words: the allowed words (characters from ``characters``, no spaces).
        characters: the recognizer's alphabet (class ``i + 1`` is ``characters[i]``);
            it must contain the space.

    Example:
        >>> allowed = WordList(["yes", "no"])
        >>> allowed.allows("yes no"), allowed.allows("yes n")
        (True, False)
        >>> mask = allowed.next_mask("yes n")  # what may follow: "o" of "no", not "a"
        >>> bool(mask[allowed.characters.index("o")] == 0), bool(mask[allowed.characters.index("a")] == 0)
        (True, False)
    """

    def __init__(self, words: Iterable[str], characters: str = CHARACTERS) -> None:
        if " " not in characters:
            raise ValueError("WordList: the alphabet has no space to separate words")
        self.characters = characters
        self.words = frozenset(words)
        if not self.words:
            raise ValueError("WordList: no words")
        allowed = set(characters) - {" "}
        for word in self.words:
            if not word or set(word) - allowed:
                raise ValueError(
                    f"WordList: word {word!r} is empty or has characters outside {characters!r} (or a space)"
                )
        self.prefixes = frozenset(w[:i] for w in self.words for i in range(len(w) + 1))
        self._space = characters.index(" ")
        self._masks: dict[tuple[str, bool], np.ndarray] = {}

    def next_mask(self, text: str) -> np.ndarray:
        """Log-scores (0 or ``-inf``) for each character, then the end of the text, after
        ``text`` (only its unfinished last word matters, and whether it is empty)."""
        partial = text.rsplit(" ", 1)[-1]
        key = (partial, text == "")
        mask = self._masks.get(key)
        if mask is not None:
            return mask
        mask = np.full(len(self.characters) + 1, -np.inf)
        if partial in self.prefixes:
            for i, c in enumerate(self.characters):
                if c != " " and partial + c in self.prefixes:
                    mask[i] = 0.0
        complete = partial in self.words
        if complete:
            mask[self._space] = 0.0
        if complete or text == "":
            mask[-1] = 0.0  # the text may end after a whole word (or be empty)
        self._masks[key] = mask
        return mask

    def allows(self, text: str) -> bool:
        """Whether ``text`` is a (possibly empty) sequence of listed words."""
        return text == "" or all(w in self.words for w in text.split(" "))
