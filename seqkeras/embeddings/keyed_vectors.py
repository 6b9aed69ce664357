"""``KeyedVectors``: a table of word vectors with similarity, analogies, file formats and
Keras ``Embedding`` transfer (course 2.1–2.3).

One vector API for every source: the trainers of this package, the word2vec text and
binary formats (gensim, the original C tool), GloVe text files and
``seqkeras.datasets.glove_6b_50d()``. Only numpy is needed; Keras is imported when an
``Embedding`` layer is asked for.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..atomic import atomic_path

OOV_MODES = ("random", "zeros")
# Vocabulary entries that mean "no word" (padding): their rows of an embedding matrix are
# zeros so that a padded position contributes nothing (and stays zero when frozen).
PADDING_TOKENS = frozenset({"", "[PAD]", "<pad>", "<PAD>"})
_EPSILON = 1e-12  # guards the division by a zero vector's norm


class KeyedVectors:
    """Word vectors: one float32 row per word.

    Args:
        words: the words, in row order; must be unique non-empty strings.
        vectors: array ``(len(words), d)``; stored as float32 (read-only).

    Attributes:
        vectors: float32 ``(V, d)``.
        index_to_key: list of the ``V`` words in row order.
        key_to_index: dict word -> row.

    Example:
        >>> import numpy as np
        >>> kv = KeyedVectors(["man", "woman", "king", "queen"],
        ...                   np.array([[1, 0], [0, 1], [1, 1], [0, 2]], float))
        >>> kv.analogy("man", "king", "woman")   # king - man + woman
        'queen'
    """

    def __init__(self, words: Sequence[str], vectors: Any) -> None:
        array = np.array(vectors, dtype=np.float32)  # always a private copy
        if array.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array (words, dim); got shape {array.shape}")
        words = list(words)
        if len(words) != array.shape[0]:
            raise ValueError(
                f"{len(words)} words but {array.shape[0]} vectors; they must match one to one"
            )
        key_to_index: dict[str, int] = {}
        for i, word in enumerate(words):
            if not isinstance(word, str) or not word:
                raise ValueError(f"word {i} is {word!r}; words must be non-empty strings")
            if word in key_to_index:
                raise ValueError(f"word {word!r} appears twice (rows {key_to_index[word]} and {i})")
            key_to_index[word] = i
        array.flags.writeable = False  # cached unit vectors stay valid
        self.vectors: np.ndarray = array
        self.index_to_key: list[str] = words
        self.key_to_index: dict[str, int] = key_to_index
        self._unit: np.ndarray | None = None

    # ----------------------------------------------------------------- lookup
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __repr__(self) -> str:
        return f"KeyedVectors({len(self)} words, dim {self.vector_size})"

    @property
    def vector_size(self) -> int:
        """The dimension ``d`` of every vector."""
        return int(self.vectors.shape[1])

    def index(self, word: str) -> int:
        """The row of ``word``; ``KeyError`` naming the word when it is unknown."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} is not in the vocabulary ({len(self)} words)") from None

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (unit length when ``norm``)."""
        row = self.index(word)
        return self.unit_vectors[row] if norm else self.vectors[row]

    def __getitem__(self, words: str | Sequence[str]) -> np.ndarray:
        """``kv["king"]`` -> ``(d,)``; ``kv[["king", "queen"]]`` -> ``(2, d)``."""
        if isinstance(words, str):
            return self.get_vector(words)
        return (
            np.stack([self.get_vector(w) for w in words])
            if len(words)
            else np.zeros((0, self.vector_size), np.float32)
        )

    @property
    def unit_vectors(self) -> np.ndarray:
        """Every vector scaled to unit length (zero vectors stay zero); cached."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
            unit = self.vectors / np.maximum(norms, _EPSILON)
            unit.flags.writeable = False
            self._unit = unit
        return self._unit

    # ------------------------------------------------------------- similarity
    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of the vectors of ``a`` and ``b``."""
        return float(np.dot(self.get_vector(a, norm=True), self.get_vector(b, norm=True)))

    def similar_by_vector(
        self,
        vector: Any,
        topn: int = 10,
        exclude: Iterable[str] = (),
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """The ``topn`` words whose vectors have the highest cosine with ``vector``.

        Args:
            vector: array ``(d,)``.
            topn: how many words to return.
            exclude: words never returned.
            restrict_vocab: search only the first rows (the most frequent words when the
                table is sorted by frequency, as word2vec and GloVe files are).
        """
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.vector_size:
            raise ValueError(f"vector has {query.shape[0]} values; expected {self.vector_size}")
        if topn < 1:
            raise ValueError(f"topn must be >= 1, got {topn}")
        limit = len(self) if restrict_vocab is None else min(int(restrict_vocab), len(self))
        scores = self.unit_vectors[:limit] @ (query / max(float(np.linalg.norm(query)), _EPSILON))
        excluded = [
            self.key_to_index[w] for w in exclude if self.key_to_index.get(w, limit) < limit
        ]
        scores[excluded] = -np.inf
        count = min(topn, limit - len(excluded))
        if count <= 0:
            return []
        best = np.argpartition(-scores, count - 1)[:count]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def most_similar(
        self,
        positive: str | Sequence[str] = (),
        negative: str | Sequence[str] = (),
        topn: int = 10,
        restrict_vocab: int | None = None,
    ) -> list[tuple[str, float]]:
        """Words nearest (cosine) to the mean of the unit vectors of ``positive`` minus
        those of ``negative``, excluding the query words (gensim's ``most_similar``).

        ``most_similar(positive=["king", "woman"], negative=["man"])`` answers the analogy
        man : king :: woman : ?.
        """
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative)
        if not positive and not negative:
            raise ValueError("most_similar needs at least one positive or negative word")
        query = np.zeros(self.vector_size, np.float32)
        for word in positive:
            query += self.get_vector(word, norm=True)
        for word in negative:
            query -= self.get_vector(word, norm=True)
        query /= len(positive) + len(negative)
        return self.similar_by_vector(
            query, topn=topn, exclude=positive + negative, restrict_vocab=restrict_vocab
        )

    def analogy(
        self,
        a: str,
        b: str,
        c: str,
        *,
        topn: int | None = None,
        normalize: bool = True,
        restrict_vocab: int | None = None,
    ) -> Any:
        """``a`` is to ``b`` as ``c`` is to ?: argmax over w of cos(e_w, e_b − e_a + e_c),
        excluding a, b and c (course 2.3).

        Args:
            a, b, c: the words ("man", "king", "woman" → "queen").
            topn: ``None`` returns the best word; an integer returns that many
                ``(word, cosine)`` pairs.
            normalize: scale e_a, e_b, e_c to unit length first (word2vec's and gensim's
                convention, used by ``evaluate_analogies``); ``False`` uses the raw
                vectors exactly as in the course formula.
            restrict_vocab: search only the first rows.

        Raises:
            KeyError: a word is unknown (the message names it).
        """
        vectors = [self.get_vector(w, norm=normalize) for w in (a, b, c)]
        query = vectors[1] - vectors[0] + vectors[2]
        found = self.similar_by_vector(
            query, topn=topn or 1, exclude=(a, b, c), restrict_vocab=restrict_vocab
        )
        if topn is None:
            if not found:
                raise ValueError("no candidate word is left after excluding a, b and c")
            return found[0][0]
        return found

    # ------------------------------------------------------- Keras transfer
    def embedding_matrix(
        self,
        vocabulary: Sequence[str],
        oov: str = "random",
        seed: int = 0,
        lowercase_lookup: bool = True,
    ) -> np.ndarray:
        """A float32 ``(len(vocabulary), d)`` matrix whose row i is the vector of
        ``vocabulary[i]`` — ready to initialise an ``Embedding`` over that vocabulary.

        Args:
            vocabulary: the model's tokens in id order (e.g. a ``TextVectorization``
                layer's ``get_vocabulary()``).
            oov: rows of words without a vector: ``"random"`` (normal, with the standard
                deviation of the known vectors, reproducible with ``seed``) or ``"zeros"``.
            seed: seed of the random rows.
            lowercase_lookup: a word not found as written is looked up in lower case
                ("Paris" uses the vector of "paris" when only that exists).

        Padding entries (``""``, ``"[PAD]"``, ``"<pad>"``) always get zero rows.
        """
        if oov not in OOV_MODES:
            raise ValueError(f"oov must be one of {OOV_MODES}; got {oov!r}")
        vocabulary = list(vocabulary)
        matrix = np.zeros((len(vocabulary), self.vector_size), np.float32)
        missing = []
        for i, word in enumerate(vocabulary):
            if word in PADDING_TOKENS:
                continue
            row = self.key_to_index.get(word)
            if row is None and lowercase_lookup:
                row = self.key_to_index.get(word.lower())
            if row is None:
                missing.append(i)
            else:
                matrix[i] = self.vectors[row]
        if missing and oov == "random":
            scale = float(self.vectors.std()) if len(self) else 1.0
            rng = np.random.default_rng(seed)
            matrix[missing] = rng.normal(0.0, scale, (len(missing), self.vector_size))
        return matrix

    def coverage(self, vocabulary: Sequence[str], lowercase_lookup: bool = True) -> float:
        """Fraction of the non-padding ``vocabulary`` entries that have a vector."""
        words = [w for w in vocabulary if w not in PADDING_TOKENS]
        if not words:
            return 0.0
        found = sum(
            1 for w in words if w in self.key_to_index or (lowercase_lookup and w.lower() in self)
        )
        return found / len(words)

    def as_embedding_layer(
        self,
        vocabulary: Sequence[str] | None = None,
        trainable: bool = False,
        mask_zero: bool = False,
        oov: str = "random",
        seed: int = 0,
        lowercase_lookup: bool = True,
        **kwargs: Any,
    ) -> Any:
        """A ``keras.layers.Embedding`` initialised with these vectors.

        Args:
            vocabulary: the model's tokens in id order (see ``embedding_matrix``);
                ``None`` uses this table's own order (id i = ``index_to_key[i]``).
            trainable: ``False`` freezes the vectors (transfer as-is); ``True`` fine-tunes.
            mask_zero: id 0 is padding (then ``vocabulary[0]`` must be a padding token).
            oov, seed, lowercase_lookup: as in ``embedding_matrix``.
            **kwargs: passed to ``keras.layers.Embedding`` (e.g. ``name``).
        """
        import keras

        if vocabulary is None:
            if mask_zero:
                raise ValueError(
                    "mask_zero=True would mask this table's first word "
                    f"{self.index_to_key[0] if len(self) else ''!r}; pass a vocabulary whose "
                    "entry 0 is a padding token such as ''"
                )
            matrix = np.array(self.vectors)
        else:
            vocabulary = list(vocabulary)
            if mask_zero and (not vocabulary or vocabulary[0] not in PADDING_TOKENS):
                first = vocabulary[0] if vocabulary else None
                raise ValueError(
                    f"mask_zero=True needs vocabulary[0] to be a padding token "
                    f"{sorted(PADDING_TOKENS)}; got {first!r}"
                )
            matrix = self.embedding_matrix(vocabulary, oov, seed, lowercase_lookup)
        if matrix.shape[0] == 0:
            raise ValueError("cannot build an Embedding over an empty vocabulary")
        layer = keras.layers.Embedding(
            matrix.shape[0],
            matrix.shape[1],
            mask_zero=mask_zero,
            trainable=trainable,
            weights=[matrix],
            **kwargs,
        )
        return layer

    # ----------------------------------------------------------- file formats
    def save_word2vec_format(self, path: str | os.PathLike[str], binary: bool = False) -> str:
        """Writes the word2vec format (header ``V d``; text by default, or the C tool's
        binary layout), atomically. Returns the path."""
        for word in self.index_to_key:
            if any(ch.isspace() for ch in word):
                raise ValueError(
                    f"word {word!r} contains whitespace, which the word2vec format cannot store"
                )
        path = os.fspath(path)
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            f.write(f"{len(self)} {self.vector_size}\n".encode())
            if binary:
                little = self.vectors.astype("<f4")
                for word, row in zip(self.index_to_key, little, strict=True):
                    f.write(word.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                # 9 significant digits round-trip every float32 exactly
                row_format = " ".join(["%.9g"] * self.vector_size)
                for word, row in zip(self.index_to_key, self.vectors.tolist(), strict=True):
                    f.write(f"{word} {row_format % tuple(row)}\n".encode())
        return path

    @classmethod
    def load_word2vec_format(
        cls, path: str | os.PathLike[str], binary: bool = False, limit: int | None = None
    ) -> KeyedVectors:
        """Reads the word2vec text (or ``binary``) format; ``limit`` keeps the first rows.

        Raises:
            FileNotFoundError: no such file.
            ValueError: malformed header or a line with the wrong number of values (the
                message names the file and line).
        """
        path = os.fspath(path)
        with open(path, "rb") as f:
            header = f.readline().decode("utf-8", errors="replace").split()
            if len(header) != 2 or not all(h.isdigit() for h in header):
                raise ValueError(
                    f"{path}:1: expected a word2vec header 'VOCAB_SIZE DIM', got {' '.join(header)!r}"
                    " (GloVe files have no header: use load_glove)"
                )
            count, dim = int(header[0]), int(header[1])
            if limit is not None:
                count = min(count, int(limit))
            if binary:
                words, vectors = _read_binary_rows(f, path, count, dim)
            else:
                words, vectors = _read_text_rows(
                    f, path, dim, first_line=2, limit=count, spaced_words=False
                )
                if len(words) < count:
                    raise ValueError(
                        f"{path}: header promises {count} vectors but the file has {len(words)}"
                    )
        return cls(words, vectors)

    @classmethod
    def load_glove(cls, path: str | os.PathLike[str], limit: int | None = None) -> KeyedVectors:
        """Reads a GloVe text file (``word v1 ... vd`` per line, no header; the dimension
        comes from the first line; words may contain spaces, as in GloVe 840B).

        Raises:
            ValueError: a line with a different number of values (names file and line), or
                a word2vec header on the first line.
        """
        path = os.fspath(path)
        with open(path, "rb") as f:
            first = f.readline()
            if not first:
                raise ValueError(f"{path}: the file is empty")
            parts = first.decode("utf-8", errors="replace").rstrip("\r\n").rstrip(" ").split(" ")
            if len(parts) == 2 and all(p.isdigit() for p in parts):
                raise ValueError(
                    f"{path}:1: looks like a word2vec header {' '.join(parts)!r}; use "
                    "KeyedVectors.load_word2vec_format"
                )
            dim = len(parts) - 1
            if dim < 1:
                raise ValueError(f"{path}:1: expected 'word v1 ... vd', got {first[:80]!r}")
            f.seek(0)
            words, vectors = _read_text_rows(
                f, path, dim, first_line=1, limit=limit, spaced_words=True
            )
        return cls(words, vectors)


def _read_text_rows(
    f: Any, path: str, dim: int, first_line: int, limit: int | None, spaced_words: bool
) -> tuple[list[str], np.ndarray]:
    words: list[str] = []
    rows: list[np.ndarray] = []
    for number, raw in enumerate(f, start=first_line):
        if limit is not None and len(words) >= limit:
            break
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n").rstrip(" ")
        if not line:
            continue
        parts = line.rsplit(" ", dim)
        if len(parts) != dim + 1 or not parts[0]:
            raise ValueError(
                f"{path}:{number}: expected a word and {dim} values, got {len(parts) - 1} values"
            )
        try:
            rows.append(np.array(parts[1:], dtype=np.float32))
        except ValueError:
            raise ValueError(
                f"{path}:{number}: a value of word {parts[0]!r} is not a number"
            ) from None
        if " " in parts[0] and (not spaced_words or _is_number(parts[0].rsplit(" ", 1)[-1])):
            # more numbers than ``dim``: the line holds a longer vector, not a spaced word
            raise ValueError(f"{path}:{number}: expected a word and {dim} values, got more values")
        words.append(parts[0])
    return words, (np.stack(rows) if rows else np.zeros((0, dim), np.float32))


def _read_binary_rows(f: Any, path: str, count: int, dim: int) -> tuple[list[str], np.ndarray]:
    words: list[str] = []
    vectors = np.empty((count, dim), np.float32)
    width = 4 * dim
    for i in range(count):
        word = bytearray()
        while True:
            ch = f.read(1)
            if not ch:
                raise ValueError(f"{path}: ends after {i} of {count} vectors")
            if ch == b" ":
                break
            if ch != b"\n":  # the C tool ends each row with a newline before the next word
                word.extend(ch)
        data = f.read(width)
        if len(data) != width:
            raise ValueError(
                f"{path}: vector {i + 1} ({word.decode(errors='replace')!r}) is cut short"
            )
        vectors[i] = np.frombuffer(data, dtype="<f4")
        words.append(word.decode("utf-8", errors="replace"))
    return words, vectors


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_glove(path: str | os.PathLike[str], limit: int | None = None) -> KeyedVectors:
    """``KeyedVectors.load_glove``: a GloVe text file as ``KeyedVectors``."""
    return KeyedVectors.load_glove(path, limit=limit)
