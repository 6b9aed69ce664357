"""seqkeras-export --to savedmodel delegates to the model's serving function: a tiny
seq2seq (attention, beam search in the graph) reloads with tf.saved_model.load and
translates like the Python model with the same beam settings."""

import inspect

import keras
import pytest
import tensorflow as tf
from seqkeras_export.cli import main

from seqkeras.models import Seq2Seq, TokenVocabulary
from seqkeras.models.seq2seq_serving import export_seq2seq_savedmodel

pytestmark = pytest.mark.slow
TEXTS = ["3 May 1999", "Sep 4, 2024", "12.10.1950", "2001-01-31"]


def test_seq2seq_savedmodel_round_trip(tmp_path):
    source = TokenVocabulary.build(TEXTS, level="char", lowercase=True)
    target = TokenVocabulary(list("0123456789-"))
    keras.utils.set_random_seed(5)
    model = Seq2Seq(len(source), len(target), units=8, attention="bahdanau",
                    source_vocabulary=source.get_config(), target_vocabulary=target.get_config(),
                    max_source_length=16, max_target_length=11)
    model.translate(TEXTS[:1], method="greedy")  # builds the weights
    path = tmp_path / "s2s.keras"
    model.save(path)
    out = tmp_path / "s2s_server"
    assert main([str(path), "--to", "savedmodel", "--output", str(out), "--report", str(tmp_path / "r.json")]) == 0
    defaults = inspect.signature(export_seq2seq_savedmodel).parameters
    expected = model.translate(TEXTS, method="beam", beam_width=defaults["beam_width"].default,
                               alpha=defaults["alpha"].default)
    server = tf.saved_model.load(str(out))
    got = server.signatures["serving_default"](text=tf.constant(TEXTS))["translation"].numpy()
    assert [t.decode() for t in got] == expected
