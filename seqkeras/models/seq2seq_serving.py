"""Server export of a :class:`~seqkeras.models.Seq2Seq`: raw strings in, translations out.

The SavedModel holds the model's variables, the vocabularies (as lookup tables) and
one ``tf.function`` that tokenizes with ``tf.strings`` (the graph twin of the source
:class:`~seqkeras.text.Vocabulary`'s splitter, tested equal to it), runs beam search (the graph of
:func:`seqkeras.decoding.beam_search`) and joins the best hypothesis back into text.
It is loaded with plain ``tf.saved_model.load``; seqkeras need not be installed::

    server = tf.saved_model.load("dates_server")
    out = server.signatures["serving_default"](text=tf.constant(["3 May 1999"]))
    out["translation"]  # [b"1999-05-03"]

Serving input rules (graph code cannot raise the Python errors of
``Seq2Seq.translate``): unknown tokens map to ``<unk>``; a source longer than
``max_source_length`` tokens is truncated to its first ``max_source_length``; an
empty source (no tokens) gives the empty translation ``""`` with score ``-inf``.

Every server-model class in seqkeras implements ``export_savedmodel(path, **options)``;
``seqkeras-export --to savedmodel`` calls it.
"""

from __future__ import annotations

import os
from typing import Any

SIGNATURE = "serving_default"


def _build_module(model: Any, beam_width: int, alpha: float, max_length: int) -> Any:
    import tensorflow as tf

    from seqkeras.decoding import beam_search
    from seqkeras.models.token_vocabulary import BOS, EOS, PAD

    source_vocab, target_vocab = model._require_vocabularies()
    # Fails here, before anything is traced, for a splitter without a graph version.
    for vocab in (source_vocab, target_vocab):
        vocab.graph_splitter()
    max_source = model.max_source_length

    class Seq2SeqServer(tf.Module):
        def __init__(self):
            super().__init__(name="seq2seq_server")
            self.model = model
            self.source_table = source_vocab.tf_lookup_table()
            self.target_tokens = tf.constant(target_vocab.tokens)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="text")])
        def serve(self, text):
            pieces = source_vocab.tf_split(text)
            ids = tf.cast(self.source_table.lookup(pieces), tf.int32)
            ids = ids[:, :max_source]
            source_lengths = tf.cast(ids.row_lengths(), tf.int32)
            dense = ids.to_tensor(default_value=PAD, shape=[None, max_source])
            state = self.model.encode(dense)
            result = beam_search(
                self.model.next_fn,
                state,
                start_token=BOS,
                end_token=EOS,
                beam_width=beam_width,
                max_length=max_length,
                alpha=alpha,
            )
            best = result.tokens[:, 0, :]
            lengths = result.lengths[:, 0]
            keep = lengths - tf.cast(result.finished[:, 0], tf.int32)
            ids = tf.RaggedTensor.from_tensor(best, lengths=keep)
            # like Vocabulary.decode: padding and start tokens are not text
            ids = tf.ragged.boolean_mask(ids, (ids != PAD) & (ids != BOS))
            words = tf.gather(self.target_tokens, ids)
            translation = target_vocab.tf_join(words)
            empty = tf.equal(source_lengths, 0)
            translation = tf.where(empty, tf.constant(""), translation)
            score = tf.where(empty, tf.constant(float("-inf")), result.normalized_scores[:, 0])
            return {
                "translation": translation,
                "score": score,
                "token_ids": tf.where(empty[:, None], tf.constant(EOS), best),
                "length": tf.where(empty, 0, keep),
            }

    return Seq2SeqServer()


def export_seq2seq_savedmodel(
    model: Any,
    path: str | os.PathLike[str],
    beam_width: int = 3,
    alpha: float = 0.7,
    max_length: int | None = None,
) -> str:
    """Writes ``model`` as a serving SavedModel at ``path`` (a directory).

    Args:
        model: a :class:`~seqkeras.models.Seq2Seq` built with vocabularies.
        path: output directory (replaced if it exists).
        beam_width: beam width B of the in-graph search.
        alpha: length-normalization exponent (course ``1/Ty^α``).
        max_length: generated tokens, end included (default ``model.max_target_length``).

    Returns:
        ``path``. The signature ``serving_default`` takes ``text`` (string ``(batch,)``)
        and returns ``translation`` (string), ``score`` (the length-normalized log
        probability), ``token_ids`` (int32 ``(batch, max_length)``) and ``length``
        (output tokens, end token excluded).
    """
    import shutil

    import tensorflow as tf

    if not isinstance(beam_width, int) or beam_width < 1:
        raise ValueError(f"beam_width must be an int >= 1, got {beam_width!r}")
    if float(alpha) < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha!r}")
    max_length = int(max_length or model.max_target_length)
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length}")
    if not model.built:
        model.build()
    module = _build_module(model, beam_width, float(alpha), max_length)
    path = os.fspath(path)
    tmp = path.rstrip("/\\") + f".tmp-{os.getpid()}"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)
    tf.saved_model.save(module, tmp, signatures={SIGNATURE: module.serve})
    if os.path.exists(path):
        shutil.rmtree(path)
    os.replace(tmp, path)
    return path
