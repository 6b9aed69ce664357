"""SavedModel server export: in-graph tokenization + beam search equal Python decoding."""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from seqkeras.models import Seq2Seq, TokenVocabulary

DATES = ["3 May 1999", "Sep 4, 2024", "mercredi 4 septembre 2024", "12.10.1950", "2001-01-31"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    source = TokenVocabulary.build(DATES, level="char", lowercase=True)
    target = TokenVocabulary(list("0123456789-"))
    keras.utils.set_random_seed(3)
    model = Seq2Seq(
        len(source),
        len(target),
        units=12,
        attention="bahdanau",
        source_vocabulary=source.get_config(),
        target_vocabulary=target.get_config(),
        max_source_length=16,
        max_target_length=11,
    )
    path = os.path.join(tmp_path_factory.mktemp("srv"), "dates_server")
    assert model.export_savedmodel(path, beam_width=3, alpha=0.7) == path
    return model, path


def test_round_trip_equals_python_beam_search(exported):
    model, path = exported
    texts = DATES + ["DATE WITH ÜNKNOWN chars", "x" * 40]  # unknown → <unk>, too long → cut
    expected = model.translate(
        texts, method="beam", beam_width=3, alpha=0.7, on_unknown="unk", on_too_long="truncate"
    )
    ref = model.decode(
        model.encode_texts(texts, on_unknown="unk", on_too_long="truncate"),
        method="beam",
        beam_width=3,
        alpha=0.7,
    )
    server = tf.saved_model.load(path)
    out = server.signatures["serving_default"](text=tf.constant(texts + [""]))
    got = [t.decode("utf-8") for t in out["translation"].numpy()]
    assert got[:-1] == expected
    assert len(set(expected)) > 1  # the random model does depend on its input
    np.testing.assert_allclose(
        out["score"].numpy()[:-1], np.asarray(ref.normalized_scores)[:, 0], atol=1e-4
    )
    # documented: an empty source gives an empty translation with score -inf
    assert got[-1] == "" and out["score"].numpy()[-1] == -np.inf


@pytest.mark.slow
def test_loads_and_runs_without_seqkeras(exported):
    _, path = exported
    code = textwrap.dedent(
        f"""
        import sys
        import tensorflow as tf
        server = tf.saved_model.load({path!r})
        out = server.signatures["serving_default"](text=tf.constant(["3 May 1999"]))
        assert out["translation"].dtype == tf.string
        assert not [m for m in sys.modules if m.startswith("seqkeras")], "seqkeras imported"
        print("OK", out["translation"].numpy()[0].decode())
        """
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH="")
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/", timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("OK")


def test_bad_export_options(exported, tmp_path):
    model, _ = exported
    with pytest.raises(ValueError, match="beam_width"):
        model.export_savedmodel(str(tmp_path / "x"), beam_width=0)
    bare = Seq2Seq(10, 10, units=4)
    with pytest.raises(ValueError, match="vocabulary"):
        bare.export_savedmodel(str(tmp_path / "y"))


def test_word_level_server_tokenizes_like_python(tmp_path):
    """Word level: punctuation split off and joined back in the graph, Unicode spaces
    (no-break, ideographic) read as Python reads them, an empty source gives ""."""
    sources = ["¡Hola, mundo!", "el (gran) mundo.", "hola\xa0mundo", "¿mundo\u3000hola?"]
    source = TokenVocabulary.build(sources, level="word", lowercase=True)
    target = TokenVocabulary.build(["Hello, world!", "(big) «world»."], level="word")
    keras.utils.set_random_seed(4)
    model = Seq2Seq(len(source), len(target), units=8, source_vocabulary=source,
                    target_vocabulary=target, max_source_length=8, max_target_length=6)  # fmt: skip
    path = model.export_savedmodel(str(tmp_path / "words"), beam_width=2, alpha=0.7)
    texts = [*sources, "HOLA , Mundo"]
    expected = model.translate(texts, method="beam", beam_width=2, alpha=0.7, on_unknown="unk")
    out = tf.saved_model.load(path).signatures["serving_default"](text=tf.constant([*texts, " "]))
    got = [t.decode("utf-8") for t in out["translation"].numpy()]
    assert got == [*expected, ""]
    assert int(out["length"].numpy()[-1]) == 0 and out["score"].numpy()[-1] == -np.inf
