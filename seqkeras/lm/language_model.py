"""``LanguageModel``: an RNN language model with log-probabilities, perplexity and sampling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
from keras import ops

from ..layers import Recurrent
from ..layers.recurrent import KINDS as RECURRENT_KINDS
from ..text import PAD_ID, UNK_ID, Vocabulary, vocabulary_from_dict, vocabulary_to_dict
from .sampler import sample_tokens


@dataclass(frozen=True)
class LogProb:
    """Result of :meth:`LanguageModel.log_prob` (natural logarithms).

    Attributes:
        total: (n,) log P(sentence) = Σ_t log P(y<t> | y<1>..y<t-1>).
        token_log_probs: n arrays, log P of each token (the final ``<eos>`` included).
        tokens: n lists of the scored tokens (unseen words appear as ``<unk>``).
        oov: n lists of the words that are not in the vocabulary and were scored as
            ``<unk>`` (in order, one per such ``<unk>``; empty when every word is known).
    """

    total: np.ndarray
    token_log_probs: list[np.ndarray]
    tokens: list[list[str]]
    oov: list[list[str]] = field(default_factory=list)

    @property
    def num_tokens(self) -> np.ndarray:
        return np.array([len(t) for t in self.token_log_probs], dtype="int64")


@keras.saving.register_keras_serializable(package="seqkeras")
class LanguageModel(keras.Model):
    """Recurrent language model P(y<t> | y<1>..y<t-1>) with teacher forcing (course 1.6).

    The input at step t is the previous target: x<1> = ``start_id`` (0 = a zero vector
    with one-hot input, or a learned start embedding) and x<t> = y<t-1>. The output is a
    softmax over the vocabulary at every step.

    Args:
        vocabulary: a built :class:`~seqkeras.text.Vocabulary` with an end token (e.g.
            from :class:`~seqkeras.text.WordVocabulary` or
            :class:`~seqkeras.text.CharVocabulary`), or its ``vocabulary_to_dict`` form.
        units: units of each recurrent layer.
        depth: number of stacked recurrent layers.
        kind: ``"lstm"``, ``"gru"`` or ``"rnn"`` (a :class:`seqkeras.layers.Recurrent` stack).
        peephole: LSTM with peephole connections (seqkeras cell instead of the built-in).
        simplified: GRU with the update gate only.
        embedding_dim: size of the learned embedding; ``None`` feeds one-hot vectors.
        dropout: dropout rate on the non-recurrent connections: embedding → level 1,
            between levels, last level → softmax (Zaremba et al.).
        start_id: token id fed at the first step (0 = padding/zero vector; a model
            trained on a continuous stream uses the end token, ``<eos>`` = 2).
        init_scale: if set, every weight starts uniform in ±``init_scale`` (Zaremba).
        stateful: carry the recurrent state from one batch to the next (truncated BPTT
            over a continuous stream); the batch size is fixed by the first call.

    Call arguments:
        inputs: (batch, time) int token ids x<1>..x<T>.
        training: enables dropout.

    Returns:
        (batch, time, vocabulary_size) next-token probabilities.

    Example:
        >>> from seqkeras.text import WordVocabulary
        >>> vocab = WordVocabulary().adapt(["the cat sat", "the dog sat"])
        >>> lm = LanguageModel(vocab, units=16)
        >>> lm.log_prob(["the cat sat"]).total.shape
        (1,)
    """

    def __init__(
        self,
        vocabulary: Vocabulary | dict[str, Any],
        units: int = 128,
        depth: int = 1,
        kind: str = "lstm",
        peephole: bool = False,
        simplified: bool = False,
        embedding_dim: int | None = None,
        dropout: float = 0.0,
        start_id: int = PAD_ID,
        init_scale: float | None = None,
        stateful: bool = False,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if isinstance(vocabulary, dict):
            vocabulary = vocabulary_from_dict(vocabulary)
        if not isinstance(vocabulary, Vocabulary):
            raise ValueError(
                f"vocabulary must be a seqkeras.text.Vocabulary; got {type(vocabulary).__name__}"
            )
        if not vocabulary.is_built:
            raise ValueError("the vocabulary is empty: call vocabulary.adapt(texts) first")
        if vocabulary.eos_id is None:
            raise ValueError(
                "a LanguageModel needs a vocabulary with an end token (eos_token) to end "
                "sentences; got one with the reserved tokens "
                f"{list(vocabulary.reserved)}"
            )
        _check_int("units", units, 1)
        _check_int("depth", depth, 1)
        if kind not in RECURRENT_KINDS:
            raise ValueError(f"kind must be one of {sorted(RECURRENT_KINDS)}; got kind={kind!r}")
        if embedding_dim is not None:
            _check_int("embedding_dim", embedding_dim, 1)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1); got dropout={dropout!r}")
        _check_int("start_id", start_id, 0)
        if start_id >= len(vocabulary):
            raise ValueError(
                f"start_id must be < vocabulary size {len(vocabulary)}; got start_id={start_id}"
            )
        if init_scale is not None and not float(init_scale) > 0:
            raise ValueError(f"init_scale must be > 0 or None; got init_scale={init_scale!r}")
        self.vocabulary = vocabulary
        self.vocabulary_size = len(vocabulary)
        self.units = units
        self.depth = depth
        self.kind = kind
        self.embedding_dim = embedding_dim
        self.dropout = float(dropout)
        self.start_id = start_id
        self.init_scale = None if init_scale is None else float(init_scale)
        self.stateful = bool(stateful)

        self.peephole = bool(peephole)
        self.simplified = bool(simplified)
        if embedding_dim is not None:
            self.embedding = keras.layers.Embedding(
                self.vocabulary_size, embedding_dim, name="embedding"
            )
        else:
            self.embedding = None
        self.recurrent = Recurrent(
            kind,
            units,
            depth=depth,
            dropout=self.dropout,
            return_sequences=True,
            return_state=True,
            peephole=self.peephole,
            simplified=self.simplified,
            name="recurrent",
        )
        self.dropout_layer = keras.layers.Dropout(self.dropout) if self.dropout > 0 else None
        self.head = keras.layers.Dense(self.vocabulary_size, name="softmax")
        self._state_variables: list[Any] = []

    @property
    def num_states(self) -> int:
        """State tensors carried between steps: depth × (2 for LSTM, 1 otherwise)."""
        return self.depth * self.recurrent.states_per_level

    def build(self, input_shape: Any) -> None:
        batch = input_shape[0]
        features = self.vocabulary_size
        if self.embedding is not None:
            self.embedding.build(input_shape)
            features = self.embedding_dim
        self.recurrent.build((batch, input_shape[1], features))
        self.head.build((batch, input_shape[1], self.units))
        if self.stateful:
            if batch is None:
                raise ValueError(
                    "a stateful LanguageModel needs a fixed batch size: call it on a batch first"
                )
            self._state_variables = [
                self.add_weight(
                    shape=(batch, self.units),
                    initializer="zeros",
                    trainable=False,
                    # Under a tf.distribute strategy each replica writes its own lanes
                    # and zeros elsewhere; summing the writes gives the whole state.
                    aggregation="sum",
                    name=f"state_{i}",
                )
                for i in range(self.num_states)
            ]
        if self.init_scale is not None:
            # Zaremba et al.: every parameter uniform in [-init_scale, init_scale].
            for variable in self.trainable_weights:
                variable.assign(
                    keras.random.uniform(
                        variable.shape, -self.init_scale, self.init_scale, dtype=variable.dtype
                    )
                )
        self.built = True

    # -- forward ----------------------------------------------------------------
    def _inputs(self, ids: Any, training: bool | None) -> Any:
        ids = ops.cast(ids, "int32")
        if self.embedding is not None:
            x = self.embedding(ids)
        else:
            # One-hot input; the padding id is the zero vector x<1> = 0 of the course.
            x = ops.one_hot(ids, self.vocabulary_size) * ops.expand_dims(
                ops.cast(ops.not_equal(ids, PAD_ID), "float32"), -1
            )
        if self.dropout_layer is not None:
            x = self.dropout_layer(x, training=training)
        return x

    def logits_and_states(
        self, ids: Any, states: Sequence[Any] | None = None, training: bool | None = None
    ) -> tuple[Any, list[Any]]:
        """Logits (batch, time, V) and the final states (flat list), starting from ``states``.

        A stateful model starts from, and stores back, its carried state.
        """
        x = self._inputs(ids, training)
        carried = states is None and bool(self._state_variables)
        lanes = _replica_lanes(ops.shape(ids)[0]) if carried else None
        if carried:
            states = [ops.convert_to_tensor(v) for v in self._state_variables]
            if lanes is not None:
                states = [s[lanes[0] : lanes[0] + lanes[1]] for s in states]
        outputs = self.recurrent(
            x, initial_state=None if states is None else list(states), training=training
        )
        sequence, new_states = outputs[0], list(outputs[1:])
        if carried:
            for variable, value in zip(self._state_variables, new_states, strict=True):
                value = ops.stop_gradient(value)
                if lanes is not None:
                    value = _place_rows(value, lanes[0], variable.shape[0])
                variable.assign(value)
        if self.dropout_layer is not None:
            sequence = self.dropout_layer(sequence, training=training)
        return self.head(sequence), new_states

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        logits, _ = self.logits_and_states(inputs, training=training)
        return ops.softmax(logits, axis=-1)

    def reset_states(self) -> None:
        """Zeros the carried state of a ``stateful`` model (start of an epoch / stream)."""
        for variable in self._state_variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def stateless_copy(self) -> LanguageModel:
        """The same weights in a model without carried state (for scoring and sampling)."""
        config = self.get_config()
        config["stateful"] = False
        config["init_scale"] = None
        clone = type(self).from_config(config)
        clone(np.zeros((1, 1), dtype="int32"))
        carried = {id(v) for v in self._state_variables}
        source = [v for v in self.weights if id(v) not in carried]
        if len(source) != len(clone.weights):
            raise ValueError("internal error: stateless copy has a different number of weights")
        for target, value in zip(clone.weights, source, strict=True):
            target.assign(value)
        clone.init_scale = self.init_scale
        return clone

    # -- scoring --------------------------------------------------------------
    def _require_stateless(self, what: str) -> None:
        if self.stateful:
            raise ValueError(f"{what} needs a stateless model; call stateless_copy() first")
        if not self.built:
            # Built through __call__ so that .keras files record the input shape.
            self(np.zeros((1, 1), dtype="int32"))

    def _encode_texts(self, texts: Sequence[str] | str, add_eos: bool) -> list[np.ndarray]:
        if isinstance(texts, str):
            texts = [texts]
        if len(texts) == 0:
            raise ValueError("texts is empty: give at least one text to score")
        # A text without any token is an "empty input: ... has no tokens" error.
        return [self.vocabulary.encode(t, add_eos=add_eos) for t in texts]

    def score_ids(self, sequences: Sequence[np.ndarray], batch_size: int = 64) -> list[np.ndarray]:
        """Per-token natural log P of each id sequence (teacher forcing from ``start_id``)."""
        self._require_stateless("score_ids")
        result: list[np.ndarray] = []
        for begin in range(0, len(sequences), batch_size):
            chunk = sequences[begin : begin + batch_size]
            width = max(len(s) for s in chunk)
            y = np.zeros((len(chunk), width), dtype="int32")
            for i, s in enumerate(chunk):
                y[i, : len(s)] = s
            x = np.concatenate(
                [np.full((len(chunk), 1), self.start_id, dtype="int32"), y[:, :-1]], axis=1
            )
            logits, _ = self.logits_and_states(x, training=False)
            log_p = ops.convert_to_numpy(ops.log_softmax(ops.cast(logits, "float32"), axis=-1))
            picked = np.take_along_axis(log_p, y[..., None].astype("int64"), axis=-1)[..., 0]
            result.extend(picked[i, : len(s)].astype("float64") for i, s in enumerate(chunk))
        return result

    def log_prob(
        self, texts: Sequence[str] | str, add_eos: bool = True, batch_size: int = 64
    ) -> LogProb:
        """log P of each text and of each of its tokens (``<eos>`` appended by default).

        Words outside the vocabulary are scored as ``<unk>``; ``LogProb.oov`` lists them.

        Example: compare ``lm.log_prob(["the apple and pear salad",
        "the apple and pair salad"]).total``.
        """
        if isinstance(texts, str):
            texts = [texts]
        encoded = self._encode_texts(texts, add_eos)
        per_token = self.score_ids(encoded, batch_size=batch_size)
        tokens = [self.vocabulary.ids_to_tokens(ids) for ids in encoded]
        total = np.array([lp.sum() for lp in per_token], dtype="float64")
        oov = [self.vocabulary.unknown(text) for text in texts]
        return LogProb(total=total, token_log_probs=per_token, tokens=tokens, oov=oov)

    def perplexity(
        self, texts: Sequence[str] | str, add_eos: bool = True, batch_size: int = 64
    ) -> float:
        """exp(-Σ log P / number of tokens) over all ``texts``."""
        scores = self.log_prob(texts, add_eos=add_eos, batch_size=batch_size)
        return float(np.exp(-scores.total.sum() / scores.num_tokens.sum()))

    # -- sampling -------------------------------------------------------------
    def initial_states(self, batch_size: int) -> list[Any]:
        """Zero states (flat list, level by level) for ``batch_size`` sequences."""
        return [
            ops.zeros((batch_size, self.units), dtype="float32") for _ in range(self.num_states)
        ]

    def step(self, tokens: np.ndarray, states: list[Any]) -> tuple[np.ndarray, list[Any]]:
        """One time step: logits (n, V) for the next token and the new states. O(1) in t."""
        logits, new_states = self.logits_and_states(
            np.asarray(tokens, dtype="int32")[:, None], states, training=False
        )
        return ops.convert_to_numpy(logits[:, 0, :]), new_states

    def sample(
        self,
        n: int = 1,
        max_length: int = 50,
        temperature: float = 1.0,
        top_k: int | None = None,
        stop_at_eos: bool = True,
        reject_unk: bool = True,
        prompt: str | None = None,
        seed: int | None = None,
        greedy: bool = False,
    ) -> list[str]:
        """Samples ``n`` novel texts, feeding each sampled token back in (course 1.7).

        Args:
            n: number of samples.
            max_length: most tokens generated after the prompt.
            temperature: softmax temperature, > 0 (lower = more conservative).
            top_k: sample among the k most probable tokens only.
            stop_at_eos: end a sample at ``<eos>``.
            reject_unk: never emit ``<unk>`` (resampling until the token is not
                ``<unk>`` is the same as zeroing its probability and renormalizing).
            prompt: text the samples continue; it is included in the returned text.
            seed: the same seed gives the same texts.
            greedy: arg-max decoding (the limit temperature → 0).

        Returns:
            ``n`` strings.
        """
        self._require_stateless("sample")
        _check_int("n", n, 1)
        states = self.initial_states(n)
        first = np.full((n,), self.start_id, dtype="int32")
        prompt_ids = np.zeros((0,), dtype="int32")
        if prompt:
            prompt_ids = self.vocabulary.encode(prompt)
            if prompt_ids.size:
                x = np.concatenate([[self.start_id], prompt_ids[:-1]]).astype("int32")
                _, states = self.logits_and_states(
                    np.tile(x, (n, 1)), self.initial_states(n), training=False
                )
                first = np.full((n,), prompt_ids[-1], dtype="int32")
        banned = (PAD_ID, UNK_ID) if reject_unk else (PAD_ID,)
        generated = sample_tokens(
            self.step,
            states,
            first,
            max_length,
            temperature=temperature,
            top_k=top_k,
            greedy=greedy,
            eos_id=self.vocabulary.eos_id,
            stop_at_eos=stop_at_eos,
            banned=banned,
            seed=seed,
        )
        # Generated ids hold no end token when sampling stops at it; without stopping,
        # it is written out as text.
        return [
            self.vocabulary.decode(
                np.concatenate([prompt_ids, np.asarray(g, dtype="int32")]), stop_at_eos=False
            )
            for g in generated
        ]

    # -- serialization ----------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "vocabulary": vocabulary_to_dict(self.vocabulary),
                "units": self.units,
                "depth": self.depth,
                "kind": self.kind,
                "peephole": self.peephole,
                "simplified": self.simplified,
                "embedding_dim": self.embedding_dim,
                "dropout": self.dropout,
                "start_id": self.start_id,
                "init_scale": self.init_scale,
                "stateful": self.stateful,
            }
        )
        return config


def _replica_lanes(batch: Any) -> tuple[Any, Any] | None:
    """(first row, rows) of the carried state that this replica's batch continues.

    ``None`` outside a multi-replica ``tf.distribute`` step (the whole state is this
    batch's). Inside one, every replica always receives the same slice of the global
    batch, i.e. the same lanes of the stream, so replica ``r`` keeps its lanes' state in
    rows ``r * batch`` onwards of the (global-batch sized) state variable.
    """
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context.replica_id_in_sync_group * batch, batch


def _place_rows(value: Any, start: Any, rows: int) -> Any:
    """``value`` written into rows ``start..`` of a zero (rows, units) tensor."""
    import tensorflow as tf

    before = tf.zeros((start, tf.shape(value)[1]), value.dtype)
    after = tf.zeros((rows - start - tf.shape(value)[0], tf.shape(value)[1]), value.dtype)
    return tf.concat([before, value, after], axis=0)


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {name}={value!r}")
