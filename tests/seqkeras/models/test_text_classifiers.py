"""AverageEmbeddingClassifier and RNNClassifier: a numpy oracle for the average, padding
independence, the word-order task of course 2.9 (the RNN learns it, the average cannot
beat the order-free bound), .keras round trips on raw strings, argument checks."""

import collections
import itertools

import keras
import numpy as np
import pytest

from seqkeras.embeddings import KeyedVectors
from seqkeras.models import AverageEmbeddingClassifier, RNNClassifier, TextVectorizer

pytestmark = pytest.mark.backend_agnostic  # keras.ops only: also runs under JAX

TEXTS = ["a good film", "not good at all", "bad", "good , not bad"]


def _vectorizer():
    return TextVectorizer.build(TEXTS)


def _matrix(v, dim=6, seed=0):
    return np.random.default_rng(seed).normal(size=(len(v), dim)).astype("float32")


def test_average_equals_numpy_mean_of_vectors_and_softmax():
    v = _vectorizer()
    matrix = _matrix(v)
    model = AverageEmbeddingClassifier(matrix, 3, vectorizer=v)
    ids = v.encode(TEXTS)
    got = np.asarray(model(ids))
    kernel, bias = (np.asarray(w) for w in model.classifier.weights)
    for i, (row, text) in enumerate(zip(ids, TEXTS, strict=True)):
        real = row[row != 0]
        assert len(real) == len(v.split(text))
        logits = matrix[real].mean(axis=0) @ kernel + bias
        expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        np.testing.assert_allclose(got[i], expected, rtol=1e-5)


@pytest.mark.parametrize(
    "make",
    [
        lambda e: AverageEmbeddingClassifier(e, 2),
        lambda e: RNNClassifier(e, 2, kind="lstm", depth=2, units=5),
        lambda e: RNNClassifier(e, 2, kind="gru", depth=1, bidirectional=True, units=4),
    ],
)
def test_padding_does_not_change_the_prediction(make):
    v = _vectorizer()
    keras.utils.set_random_seed(1)
    model = make(_matrix(v))
    ids = v.encode(TEXTS)
    padded = np.pad(ids, [(0, 0), (0, 7)])
    np.testing.assert_allclose(np.asarray(model(padded)), np.asarray(model(ids)), atol=1e-6)
    alone = np.concatenate([np.asarray(model(ids[i : i + 1, : len(v.split(t))])) for i, t in enumerate(TEXTS)])
    np.testing.assert_allclose(alone, np.asarray(model(ids)), atol=1e-6)


def _word_order_data():
    """'[not] w1 [not] w2' and '[not] w': the label is the polarity of the last word,
    flipped by a 'not' right before it. A bag of words with both labels equally often
    gets a duplicate of its first sentence, so no bag's best order-free answer is a tie."""
    polarity = {"good": 1, "bad": 0}
    data = [(["not"] * n + [w], polarity[w] ^ n) for w in polarity for n in (0, 1)]
    for (w1, n1), (w2, n2) in itertools.product(itertools.product(polarity, (0, 1)), repeat=2):
        data.append((["not"] * n1 + [w1] + ["not"] * n2 + [w2], polarity[w2] ^ n2))
    bags = collections.defaultdict(list)
    for tokens, label in data:
        bags[tuple(sorted(tokens))].append((tokens, label))
    for members in list(bags.values()):
        labels = [label for _, label in members]
        if len(members) > 1 and labels.count(0) == labels.count(1):
            data.append(members[0])
            members.append(members[0])
    return data, bags


def _order_free_bounds(bags, n):
    """Best accuracy and lowest cross-entropy any function of the bag of words can reach."""
    accuracy = entropy = 0.0
    for members in bags.values():
        counts = np.bincount([label for _, label in members], minlength=2)
        accuracy += counts.max()
        q = counts[counts > 0] / counts.sum()
        entropy -= counts.sum() * (q * np.log(q)).sum()
    return accuracy / n, entropy / n


def test_rnn_learns_word_order_the_average_cannot_beat_the_order_free_bound():
    data, bags = _word_order_data()
    best_accuracy, least_loss = _order_free_bounds(bags, len(data))
    assert best_accuracy < 0.8  # the task really needs word order
    v = TextVectorizer(["good", "bad", "not"], split="whitespace")
    x = v.encode([" ".join(t) for t, _ in data])
    y = np.array([label for _, label in data])
    steps = 150  # full-batch Adam steps, in one epoch (less per-epoch overhead)
    results = {}
    for name, make in [
        ("average", lambda e: AverageEmbeddingClassifier(e, 2)),
        ("rnn", lambda e: RNNClassifier(e, 2, depth=1, units=16)),
    ]:
        keras.utils.set_random_seed(0)
        model = make(keras.layers.Embedding(len(v), 8))
        model.compile(keras.optimizers.Adam(0.03), "sparse_categorical_crossentropy")
        model.fit(np.tile(x, (steps, 1)), np.tile(y, steps), batch_size=len(x), shuffle=False, verbose=0)
        p = np.asarray(model(x))
        loss = float(-np.log(p[np.arange(len(y)), y]).mean())
        results[name] = ((p.argmax(-1) == y).mean(), loss)
    assert results["rnn"][0] >= 0.99
    assert results["average"][0] <= best_accuracy + 1e-9
    assert results["average"][1] >= least_loss - 1e-4


@pytest.mark.parametrize("cls", [AverageEmbeddingClassifier, RNNClassifier])
def test_keras_file_round_trip_on_raw_strings(tmp_path, cls):
    v = _vectorizer()
    keras.utils.set_random_seed(2)
    model = cls(keras.layers.Embedding(len(v), 4), 2, labels=["neg", "pos"], vectorizer=v)
    labels, scores = model.predict_labels(TEXTS + ["unseen words only"], return_scores=True)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert type(loaded) is cls
    again, again_scores = loaded.predict_labels(TEXTS + ["unseen words only"], return_scores=True)
    assert again == labels and set(labels) <= {"neg", "pos"}
    np.testing.assert_allclose(again_scores, scores, rtol=1e-6)
    assert loaded.vectorizer == v and loaded.get_config()["labels"] == ["neg", "pos"]


def test_frozen_pretrained_vectors_stay_frozen_and_survive_saving(tmp_path):
    v = _vectorizer()
    words = v.tokens
    kv = KeyedVectors(words, np.arange(len(words) * 3, dtype="float32").reshape(-1, 3))
    model = RNNClassifier(kv.as_embedding_layer(v.vocabulary), 2, depth=1, units=3, vectorizer=v)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(v.encode(TEXTS), np.array([1, 0, 0, 1]), epochs=2, verbose=0)
    table = np.asarray(model.embedding.embeddings)
    np.testing.assert_array_equal(table[2:], kv.vectors)  # row i+2 = token i
    assert not table[0].any()  # padding
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert not loaded.embedding.trainable
    np.testing.assert_array_equal(np.asarray(loaded.embedding.embeddings), table)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda e: RNNClassifier(e, 2, kind="transformer"), "kind must be one of"),
        (lambda e: RNNClassifier(e, 2, depth=0), "depth must be a positive int"),
        (lambda e: RNNClassifier(e, 2, bidirectional="yes"), "bidirectional must be a bool"),
        (lambda e: AverageEmbeddingClassifier(e, 0), "num_classes"),
        (lambda e: AverageEmbeddingClassifier(e, 2, dropout=1.5), "dropout"),
        (lambda e: AverageEmbeddingClassifier(e, 2, labels=["a"]), "2 distinct names"),
        (lambda e: AverageEmbeddingClassifier("glove", 2), "keras.layers.Embedding"),
        (lambda e: AverageEmbeddingClassifier(e[:3], 2, vectorizer=_vectorizer()), "rows"),
    ],
)
def test_bad_arguments_name_the_value(make, message):
    with pytest.raises(ValueError, match=message):
        make(_matrix(_vectorizer()))


def test_raw_strings_need_a_vectorizer_and_tokens():
    model = AverageEmbeddingClassifier(_matrix(_vectorizer()), 2)
    with pytest.raises(ValueError, match="no vectorizer"):
        model.predict_labels(["good"])
    model = AverageEmbeddingClassifier(_matrix(_vectorizer()), 2, vectorizer=_vectorizer())
    with pytest.raises(ValueError, match="text 1 is empty"):
        model.predict_labels(["good", "   "])


def test_a_model_saved_before_its_first_call_keeps_its_weights(tmp_path):
    v = _vectorizer()
    matrix = _matrix(v)
    AverageEmbeddingClassifier(matrix, 2, vectorizer=v).save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(np.asarray(loaded.embedding.embeddings), matrix)


def test_build_again_is_harmless():
    model = RNNClassifier(_matrix(_vectorizer()), 2, depth=1, units=3)
    before = [np.asarray(w).copy() for w in model.weights]
    model.build((None, 4))  # e.g. by compile/fit: must neither fail nor add weights
    assert len(model.weights) == len(before)
    for old, new in zip(before, model.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(new), old)
