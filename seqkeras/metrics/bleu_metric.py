"""A streaming Keras metric that accumulates corpus-BLEU statistics across batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from .bleu import (
    MAX_NGRAM_ORDER,
    SMOOTH_DEFAULTS,
    TOKENIZERS,
    BLEUResult,
    bleu_from_statistics,
    bleu_signature,
    segment_statistics,
)

_NUM_STATS = 2 + 2 * MAX_NGRAM_ORDER
# sacrebleu's floor for log(0).
_LOG_ZERO = -9999999999.0


@keras.saving.register_keras_serializable(package="seqkeras")
class CorpusBLEU(keras.metrics.Metric):
    """Corpus BLEU over every batch seen since the last ``reset_state()``.

    Each ``update_state`` adds the sacrebleu segment statistics (hypothesis and
    closest-reference lengths, clipped n-gram matches and totals) of its batch;
    ``result()`` is the BLEU of the summed statistics — the corpus BLEU of all
    batches together, not an average of batch scores.

    Args:
        detokenizer: ``detokenizer(list[int]) -> str``, needed when
            ``update_state`` gets token ids (or logits, argmax taken) instead
            of strings. Not serialized: pass it again after loading.
        end_token: with token ids, cut each row at its first ``end_token``.
        pad_token: with token ids, drop this id everywhere.
        lowercase, tokenize ("13a" | "none"), smooth_method: as `corpus_bleu`.
        name, dtype: Keras metric arguments.

    Call arguments (``update_state(y_true, y_pred)``):
        y_true: the references: strings ``(batch,)``, a string tensor
            ``(batch, R)`` or a list of lists of strings for several references
            (empty strings are dropped), or token ids ``(batch, T)``.
        y_pred: the hypotheses: strings ``(batch,)``, token ids ``(batch, T)``,
            or logits ``(batch, T, V)``.

    Returns:
        ``result()``: BLEU in 0..100 (float32, computed with ``keras.ops``);
        ``result_details()``: the exact float64 `BLEUResult` (eager only).

    String handling runs in Python: eagerly, or under the TensorFlow backend
    inside ``tf.function`` / ``compile(metrics=...)`` through
    ``tf.numpy_function``. Under JAX use it eagerly (e.g. in a callback).

    Example:
        >>> m = CorpusBLEU()
        >>> m.update_state(["the cat sat on the mat"], ["the cat sat on the mat"])
        >>> round(float(m.result()), 3)
        100.0
    """

    def __init__(
        self,
        detokenizer: Callable[[Sequence[int]], str] | None = None,
        end_token: int | None = None,
        pad_token: int | None = None,
        lowercase: bool = False,
        tokenize: str = "13a",
        smooth_method: str = "exp",
        name: str = "bleu",
        dtype: Any = None,
        **kwargs,
    ):
        super().__init__(name=name, dtype=dtype, **kwargs)
        if detokenizer is not None and not callable(detokenizer):
            raise ValueError(f"detokenizer must be callable or None, got {detokenizer!r}")
        if tokenize not in TOKENIZERS:
            raise ValueError(f"tokenize must be one of {sorted(TOKENIZERS)}, got {tokenize!r}")
        if smooth_method not in SMOOTH_DEFAULTS:
            raise ValueError(
                f"smooth_method must be one of {sorted(SMOOTH_DEFAULTS)}, got {smooth_method!r}"
            )
        self.detokenizer = detokenizer
        self.end_token = end_token
        self.pad_token = pad_token
        self.lowercase = lowercase
        self.tokenize = tokenize
        self.smooth_method = smooth_method
        # Counts are exact in float32 up to 2**24 n-grams per order.
        self.stats = self.add_variable(
            shape=(_NUM_STATS,), initializer="zeros", name="stats", dtype="float32"
        )
        self._num_refs: set[int] = set()

    # ---- conversion of one side of a batch to Python strings ----------------
    def _rows_to_text(self, ids: np.ndarray, role: str) -> list[str]:
        if self.detokenizer is None:
            raise ValueError(
                f"{role} holds token ids; pass detokenizer=... to CorpusBLEU to turn them "
                "into strings"
            )
        texts = []
        for row in ids:
            row = [int(v) for v in row]
            if self.end_token is not None and self.end_token in row:
                row = row[: row.index(self.end_token)]
            if self.pad_token is not None:
                row = [v for v in row if v != self.pad_token]
            texts.append(str(self.detokenizer(row)))
        return texts

    def _to_texts(self, value: Any, role: str) -> list:
        if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (str, bytes, list, tuple)) for v in value
        ):
            return [_decode(v) if not isinstance(v, (list, tuple)) else [_decode(x) for x in v]
                    for v in value]
        array = np.asarray(value if isinstance(value, np.ndarray) else _to_numpy(value))
        if array.dtype.kind in "OSU":
            if array.ndim == 1:
                return [_decode(v) for v in array]
            if array.ndim == 2:
                return [[_decode(v) for v in row] for row in array]
            raise ValueError(f"{role} strings must have shape (batch,) or (batch, R)")
        if array.dtype.kind == "f":
            if array.ndim != 3:
                raise ValueError(
                    f"{role} floats must be logits (batch, T, V), got shape {array.shape}"
                )
            array = array.argmax(axis=-1)
        if array.dtype.kind in "iu" and array.ndim == 2:
            return self._rows_to_text(array, role)
        raise ValueError(
            f"{role} must be strings (batch,) / (batch, R), token ids (batch, T) or logits "
            f"(batch, T, V); got dtype {array.dtype} and shape {array.shape}"
        )

    def batch_statistics(self, y_true: Any, y_pred: Any) -> np.ndarray:
        """The summed sacrebleu statistics of one batch (float32 ``(10,)``)."""
        hyps = self._to_texts(y_pred, "y_pred")
        refs = self._to_texts(y_true, "y_true")
        if len(hyps) != len(refs):
            raise ValueError(f"y_pred has {len(hyps)} rows but y_true has {len(refs)}")
        total = np.zeros(_NUM_STATS, dtype="float64")
        for hyp, ref in zip(hyps, refs, strict=True):
            ref_list = [ref] if isinstance(ref, str) else [r for r in ref if r]
            if isinstance(hyp, list):
                raise ValueError("y_pred must hold one hypothesis per row")
            self._num_refs.add(len(ref_list))
            total += segment_statistics(hyp, ref_list, self.lowercase, self.tokenize)
        return total.astype("float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError("CorpusBLEU does not support sample_weight")
        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            if not tf.executing_eagerly():
                stats = tf.numpy_function(self.batch_statistics, [y_true, y_pred], tf.float32)
                stats = tf.ensure_shape(stats, (_NUM_STATS,))
                self.stats.assign_add(stats)
                return
        self.stats.assign_add(ops.convert_to_tensor(self.batch_statistics(y_true, y_pred)))

    def result(self):
        return _bleu_ops(self.stats, self.smooth_method)

    def result_details(self) -> BLEUResult:
        """The exact `BLEUResult` (float64, sacrebleu arithmetic) of the statistics."""
        stats = np.asarray(ops.convert_to_numpy(self.stats)).astype("int64").tolist()
        if len(self._num_refs) == 1:
            num_refs: int | str = next(iter(self._num_refs))
        else:
            num_refs = "var" if self._num_refs else 1
        signature = bleu_signature(num_refs, self.lowercase, False, self.tokenize,
                                   self.smooth_method)
        return bleu_from_statistics(stats, self.smooth_method, signature=signature)

    def reset_state(self):
        self.stats.assign(ops.zeros((_NUM_STATS,), dtype="float32"))
        self._num_refs = set()

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "end_token": self.end_token,
                "pad_token": self.pad_token,
                "lowercase": self.lowercase,
                "tokenize": self.tokenize,
                "smooth_method": self.smooth_method,
            }
        )
        return config


def _decode(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        return _decode(value.item())
    raise ValueError(f"expected a string, got {type(value).__name__}")


def _to_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "numpy"):
        return value.numpy()
    return np.asarray(ops.convert_to_numpy(value))


def _bleu_ops(stats: Any, smooth_method: str) -> Any:
    """Corpus BLEU (no effective order) from statistics, in keras.ops."""
    stats = ops.cast(stats, "float32")
    sys_len, ref_len = stats[0], stats[1]
    correct = stats[2 : 2 + MAX_NGRAM_ORDER]
    total = stats[2 + MAX_NGRAM_ORDER :]
    bp = ops.where(
        ops.less(sys_len, ref_len),
        ops.where(
            ops.greater(sys_len, 0.0), ops.exp(1.0 - ref_len / ops.maximum(sys_len, 1.0)), 0.0
        ),
        1.0,
    )
    if smooth_method == "add-k":
        k = float(SMOOTH_DEFAULTS["add-k"])
        bump = ops.convert_to_tensor([0.0] + [k] * (MAX_NGRAM_ORDER - 1))
        correct, total = correct + bump, total + bump
    has = ops.greater(total, 0.0)
    safe_total = ops.maximum(total, 1.0)
    if smooth_method == "exp":
        misses = ops.cumsum(ops.cast(ops.logical_and(ops.equal(correct, 0.0), has), "float32"))
        zero_precision = 100.0 / (ops.power(2.0, misses) * safe_total)
    elif smooth_method == "floor":
        zero_precision = 100.0 * float(SMOOTH_DEFAULTS["floor"]) / safe_total
    else:
        zero_precision = ops.zeros_like(total)
    precision = ops.where(ops.greater(correct, 0.0), 100.0 * correct / safe_total, zero_precision)
    precision = ops.where(has, precision, 0.0)
    log_p = ops.where(
        ops.greater(precision, 0.0), ops.log(ops.maximum(precision, 1e-30)), _LOG_ZERO
    )
    score = bp * ops.exp(ops.mean(log_p))
    return ops.where(ops.greater(ops.sum(stats[2 : 2 + MAX_NGRAM_ORDER]), 0.0), score, 0.0)
