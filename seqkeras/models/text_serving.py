"""Server export of the text models: raw strings in, labels (or tags) with scores out.

The SavedModel holds the model's variables, the vectorizer's vocabularies (lookup
tables) and one ``tf.function`` that splits the text with ``tf.strings`` — the same
rules as :meth:`TextVectorizer.split` — so it needs nothing but TensorFlow:
``tf.saved_model.load(path).signatures["serving_default"](text=tf.constant([...]))``.

Signatures (``serving_default``, input ``text``: string ``(batch,)``):

- classifiers (:class:`AverageEmbeddingClassifier`, :class:`RNNClassifier`): ``label``
  string ``(batch,)``, ``score`` float ``(batch,)`` (probability of that label),
  ``scores`` float ``(batch, num_classes)`` in the order of ``model.labels``.
- :class:`SequenceTagger`: ``tokens`` and ``tags`` string ``(batch, T)`` (padded with
  ``""``), ``scores`` float ``(batch, T)`` (probability of each tag, 0 on padding),
  ``length`` int32 ``(batch,)`` (tokens per text).

A text with no token gives label ``""`` and score 0 (classifiers) or length 0 (tagger);
the Python methods raise ``ValueError`` for it instead. Every seqkeras server model
implements ``export_savedmodel(path)``; ``seqkeras-export --to savedmodel`` calls it.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

SIGNATURE = "serving_default"


def _build_module(model: Any) -> Any:
    import tensorflow as tf

    from seqkeras.models.text_vectorizer import PAD

    vectorizer = model.require_vectorizer()
    tagger = hasattr(model, "predict_tags")
    uses_chars = bool(getattr(model, "uses_chars", False))

    class TextServer(tf.Module):
        def __init__(self):
            super().__init__(name="text_server")
            self.model = model
            tables = vectorizer.tf_tables()
            self.token_table = tables["tokens"]
            self.char_table = tables.get("chars")
            self.labels = tf.constant(model.labels)

        def _inputs(self, tokens):
            tables = {"tokens": self.token_table, "chars": self.char_table}
            ids = vectorizer.tf_token_ids(tokens, tables)
            dense = ids.to_tensor(default_value=PAD)
            # at least one time step, so a batch of empty texts still runs the model
            extra = tf.maximum(1 - tf.shape(dense)[1], 0)
            dense = tf.pad(dense, [[0, 0], [0, extra]])
            if not uses_chars:
                return dense
            chars = vectorizer.tf_char_ids(tokens, tables)
            return dense, tf.pad(chars, [[0, 0], [0, extra], [0, 0]])

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, text):
            tokens = vectorizer.tf_split(text)
            lengths = tf.cast(tokens.row_lengths(), tf.int32)
            probabilities = self.model(self._inputs(tokens), training=False)
            best = tf.argmax(probabilities, axis=-1, output_type=tf.int32)
            score = tf.reduce_max(probabilities, axis=-1)
            names = tf.gather(self.labels, best)
            if not tagger:
                empty = tf.equal(lengths, 0)
                return {
                    "label": tf.where(empty, tf.constant(""), names),
                    "score": tf.where(empty, tf.zeros_like(score), score),
                    "scores": tf.where(empty[:, None], tf.zeros_like(probabilities), probabilities),
                }
            steps = tf.shape(probabilities)[1]
            real = tf.sequence_mask(lengths, steps)
            dense_tokens = tokens.to_tensor(default_value="")
            dense_tokens = tf.pad(dense_tokens, [[0, 0], [0, steps - tf.shape(dense_tokens)[1]]])
            return {
                "tokens": dense_tokens,
                "tags": tf.where(real, names, tf.constant("")),
                "scores": tf.where(real, score, tf.zeros_like(score)),
                "length": lengths,
            }

    return TextServer()


def export_text_savedmodel(model: Any, path: str | os.PathLike[str]) -> str:
    """Writes ``model`` (a classifier or tagger built with a vectorizer) as a serving
    SavedModel at ``path`` (a directory, replaced if it exists); returns ``path``."""
    import tensorflow as tf

    if not model.built:
        model.build()
    module = _build_module(model)
    path = os.fspath(path)
    tmp = path.rstrip("/\\") + f".tmp-{os.getpid()}"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    tf.saved_model.save(module, tmp, signatures={SIGNATURE: module.serve})
    if os.path.exists(path):
        shutil.rmtree(path)
    os.replace(tmp, path)
    return path
