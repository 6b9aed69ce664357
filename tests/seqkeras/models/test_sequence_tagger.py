"""SequenceTagger: Tx = Ty, padding independence (with and without character
features), the character CNN against a numpy oracle, .keras round trip on raw text."""

import keras
import numpy as np
import pytest

from seqkeras.models import SequenceTagger, TextVectorizer

pytestmark = pytest.mark.backend_agnostic  # keras.ops only: also runs under JAX

SENTENCES = [["Obama", "visits", "Paris", "today"], ["@bob", "loves", "NYC"], ["ok"]]
TAGS = ["O", "B-person", "I-person", "B-geo-loc", "I-geo-loc"]


def _vectorizer(chars=False):
    return TextVectorizer.build(SENTENCES, split="whitespace", char_features=chars, max_chars=5)


def _tagger(chars=False, **kw):
    v = _vectorizer(chars)
    keras.utils.set_random_seed(3)
    matrix = np.random.default_rng(0).normal(size=(len(v), 4)).astype("float32")
    return SequenceTagger(matrix, len(TAGS), units=5, labels=TAGS, vectorizer=v,
                          char_vocab_size=v.num_chars, char_embedding_dim=3, char_filters=4, **kw)


@pytest.mark.parametrize("chars", [False, True])
@pytest.mark.parametrize("kw", [{}, {"bidirectional": False, "kind": "gru", "depth": 2}])
def test_output_length_equals_input_length_and_padding_is_ignored(chars, kw):
    model = _tagger(chars, **kw)
    inputs = model.inputs_for_tokens(SENTENCES)
    out = np.asarray(model(inputs))
    words = inputs[0] if chars else inputs
    assert out.shape == (*words.shape, len(TAGS))
    np.testing.assert_allclose(out.sum(-1), 1.0, atol=1e-5)
    longer = model.inputs_for_tokens(SENTENCES)
    if chars:
        longer = (np.pad(longer[0], [(0, 0), (0, 6)]), np.pad(longer[1], [(0, 0), (0, 6), (0, 0)]))
    else:
        longer = np.pad(longer, [(0, 0), (0, 6)])
    out_long = np.asarray(model(longer))
    for row, sentence in enumerate(SENTENCES):
        n = len(sentence)
        np.testing.assert_allclose(out_long[row, :n], out[row, :n], atol=1e-6)
        alone = np.asarray(model(model.inputs_for_tokens([sentence])))[0]
        np.testing.assert_allclose(alone, out[row, :n], atol=1e-6)
    tokens, tags = model.predict_tags(SENTENCES)
    assert tokens == SENTENCES and [len(t) for t in tags] == [len(s) for s in SENTENCES]


def test_char_features_equal_a_numpy_cnn_with_masked_max():
    model = _tagger(chars=True)
    _, chars = model.inputs_for_tokens(SENTENCES)
    got = np.asarray(model.char_features(chars))
    table = np.asarray(model.char_embedding.embeddings)
    kernel, bias = (np.asarray(w) for w in model.char_conv.weights)  # (k, in, out), (out,)
    k = kernel.shape[0]
    for b in range(chars.shape[0]):
        for t in range(chars.shape[1]):
            ids = chars[b, t]
            if not ids.any():
                np.testing.assert_array_equal(got[b, t], 0.0)
                continue
            x = np.pad(table[ids], [((k - 1) // 2, k // 2), (0, 0)])  # 'same' padding
            conv = np.tanh(np.stack([np.einsum("ki,kio->o", x[i : i + k], kernel) for i in range(len(ids))]) + bias)
            np.testing.assert_allclose(got[b, t], conv[ids != 0].max(axis=0), atol=1e-5)


def test_keras_file_round_trip_on_raw_text(tmp_path):
    model = _tagger(chars=True)
    texts = ["Obama visits NYC", "nobody knows Zork"]
    tokens, tags, scores = model.predict_tags(texts, return_scores=True)
    model.save(tmp_path / "t.keras")
    loaded = keras.saving.load_model(tmp_path / "t.keras")
    again = loaded.predict_tags(texts, return_scores=True)
    assert again[0] == tokens == [t.split() for t in texts] and again[1] == tags
    for a, b in zip(again[2], scores, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_character_features_need_character_ids():
    model = _tagger(chars=True)
    with pytest.raises(ValueError, match=r"\(word_ids, char_ids\)"):
        model(np.ones((1, 3), "int32"))
    with pytest.raises(ValueError, match="character ids"):
        SequenceTagger(np.zeros((len(_vectorizer()), 2)), 3, vectorizer=_vectorizer(), char_vocab_size=9)
