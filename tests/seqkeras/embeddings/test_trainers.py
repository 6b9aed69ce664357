"""Every trainer learns, on a small corpus with planted word groups, vectors whose
nearest neighbours recover the groups; the models keep the Keras contract."""

import keras
import numpy as np
import pytest

from seqkeras.embeddings import (
    CBOW,
    GloVe,
    NeuralLanguageModelEmbedding,
    SkipGram,
    Vocabulary,
    count_cooccurrences,
    encode_corpus,
    example_dataset,
    glove_dataset,
)
from seqkeras.embeddings.recipe import fit_model
from seqkeras.embeddings.sparse_adagrad import SparseAdagrad
from seqkeras.training import get_strategy

CHANCE_MARGIN = 0.5  # learned precision must beat the untrained model's by this much


def _train(model, dataset, tmp_path, epochs=6, rate=0.1, accumulator=0.1):
    fit_model(
        model, dataset, loss=model.training_loss(), optimizer=SparseAdagrad(rate, initial_accumulator_value=accumulator),
        epochs=epochs, strategy=get_strategy("default"), run_dir=str(tmp_path / "run"),
        config={"test": 1}, verbose=0,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(
    "make, negatives",
    [
        (lambda v: SkipGram(v, 16, loss="negative"), 5),
        (lambda v: SkipGram(v, 16, loss="negative", negatives_shared_by=2), 5),
        (lambda v: SkipGram(v, 16, loss="softmax"), 0),
        (lambda v: CBOW(v, 16, loss="negative"), 5),
        (lambda v: CBOW(v, 16, loss="softmax"), 0),
        (lambda v: NeuralLanguageModelEmbedding(v, 16, hidden_units=32), 0),
        (lambda v: NeuralLanguageModelEmbedding(v, 16, hidden_units=32, loss="negative"), 5),
    ],
    ids=[
        "sgns",
        "sgns-shared-2",
        "skipgram-softmax",
        "cbow-negative",
        "cbow-softmax",
        "nplm",
        "nplm-negative",
    ],
)
def test_context_trainers_recover_planted_groups(
    planted, group_precision, tmp_path, make, negatives
):
    sentences, groups = planted
    vocabulary = Vocabulary.build(sentences, min_count=1)
    corpus = encode_corpus(sentences, vocabulary, tmp_path / "c.ids", record_tokens=256)
    keras.utils.set_random_seed(0)
    model = make(len(vocabulary))
    size = 4 if model.context_type == "last_n" else 3
    stream = example_dataset(
        corpus, vocabulary, context=model.context_type, size=size, sample=0,
        negatives=negatives, batch_size=256, chunk_records=8, pack=model.context_is_set,
    )  # fmt: skip
    dataset = stream.dataset.map(model.examples)
    model(next(iter(dataset))[0])
    before = group_precision(model.keyed_vectors(vocabulary.words), groups)
    _train(model, dataset, tmp_path)
    after = group_precision(model.keyed_vectors(vocabulary.words), groups)
    assert after > 0.9 and after > before + CHANCE_MARGIN, (before, after)


@pytest.mark.slow
def test_glove_recovers_planted_groups(planted, group_precision, tmp_path):
    sentences, groups = planted
    vocabulary = Vocabulary.build(sentences, min_count=1)
    corpus = encode_corpus(sentences, vocabulary, tmp_path / "c.ids")
    counts = count_cooccurrences(corpus, len(vocabulary), window=5)
    dataset, _ = glove_dataset(counts.save_shuffled(tmp_path / "x.bin"), 64, x_max=10.0)
    keras.utils.set_random_seed(0)
    model = GloVe(len(vocabulary), 16, x_max=10.0)
    model(next(iter(dataset))[0])
    before = group_precision(model.keyed_vectors(vocabulary.words), groups)
    _train(model, dataset, tmp_path, epochs=40, rate=0.05, accumulator=1.0)
    after = group_precision(model.keyed_vectors(vocabulary.words), groups)
    assert after > 0.9 and after > before + CHANCE_MARGIN, (before, after)
    # the final vectors are (e + θ)/2
    e = keras.ops.convert_to_numpy(model.embedding.embeddings)
    theta = keras.ops.convert_to_numpy(model.context_embedding.embeddings)
    np.testing.assert_allclose(model.embedding_matrix, (e + theta) / 2, rtol=1e-6)


def test_glove_prediction_is_the_course_formula():
    model = GloVe(6, 3)
    rows, cols = np.array([0, 2, 5]), np.array([1, 2, 3])
    prediction = keras.ops.convert_to_numpy(model({"row": rows, "column": cols}))
    theta = keras.ops.convert_to_numpy(model.context_embedding.embeddings)
    e = keras.ops.convert_to_numpy(model.embedding.embeddings)
    b = keras.ops.convert_to_numpy(model.bias.embeddings)[:, 0]
    b2 = keras.ops.convert_to_numpy(model.context_bias.embeddings)[:, 0]
    expected = (theta[rows] * e[cols]).sum(1) + b[rows] + b2[cols]
    np.testing.assert_allclose(prediction, expected, rtol=1e-5, atol=1e-7)


def _inputs(model):
    context = np.array([[1, 2, -1, 4], [3, -1, -1, 0]])
    x = {"context": context, "target": np.array([5, 6]), "negatives": np.array([[7, 8], [9, 1]])}
    if isinstance(model, GloVe):
        return {"row": np.array([1, 2]), "column": np.array([3, 4])}
    if getattr(model, "loss_kind", "") == "softmax" and isinstance(model, SkipGram):
        return {"target": np.array([5, 6])}
    return x


@pytest.mark.parametrize(
    "model",
    [
        SkipGram(12, 4),
        SkipGram(12, 4, negatives_shared_by=2),
        SkipGram(12, 4, loss="softmax"),
        CBOW(12, 4),
        CBOW(12, 4, loss="softmax"),
        NeuralLanguageModelEmbedding(12, 4, context_size=4, hidden_units=8),
        NeuralLanguageModelEmbedding(12, 4, context_size=4, hidden_units=8, loss="negative"),
        GloVe(12, 4, x_max=50.0, alpha=0.5),
    ],
    ids=lambda m: (
        f"{type(m).__name__}-{getattr(m, 'loss_kind', '')}-{getattr(m, 'negatives_shared_by', '')}"
    ),
)
def test_keras_save_and_load_round_trip(tmp_path, model):
    x = _inputs(model)
    out = keras.ops.convert_to_numpy(model(x))
    path = tmp_path / "m.keras"
    model.save(path)
    back = keras.saving.load_model(path)
    assert type(back) is type(model) and back.get_config() == model.get_config()
    np.testing.assert_allclose(keras.ops.convert_to_numpy(back(x)), out, rtol=1e-6)
    np.testing.assert_array_equal(back.embedding_matrix, model.embedding_matrix)


@pytest.mark.parametrize("shared_by", [1, 2, 3])
def test_sgns_logits_and_updated_rows_match_numpy(shared_by):
    import tensorflow as tf

    rng = np.random.default_rng(0)
    vocabulary, dim, batch, negatives = 20, 4, 5, 3
    model = SkipGram(vocabulary, dim, negatives_shared_by=shared_by)
    x = {
        "context": np.array([[1, 2, -1], [3, -1, -1], [4, 5, 6], [7, -1, -1], [8, 9, -1]]),
        "target": rng.integers(0, vocabulary, batch),
        "negatives": rng.integers(0, vocabulary, (batch, negatives)),
    }
    model(x)
    E = rng.normal(size=(vocabulary, dim)).astype(np.float32)
    T = rng.normal(size=(vocabulary, dim)).astype(np.float32)
    model.embedding.embeddings.assign(E)
    model.output_embedding.embeddings.assign(T)
    # oracle: centre b scores its target and the noise words of row (b // s) * s
    expected = np.zeros((batch, 3, 1 + negatives), np.float32)
    for b in range(batch):
        noise = x["negatives"][(b // shared_by) * shared_by]
        for i, c in enumerate(x["context"][b]):
            vector = E[max(c, 0)]
            expected[b, i, 0] = vector @ T[x["target"][b]]
            expected[b, i, 1:] = [vector @ T[n] for n in noise]
    with tf.GradientTape() as tape:
        logits = model(x)
        loss = tf.reduce_sum(logits)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(logits), expected, rtol=1e-5)
    gradient = tape.gradient(loss, model.output_embedding.embeddings.value)
    # one output row per target and K per draw actually read: what the update touches
    assert gradient.indices.shape[0] == batch + negatives * -(-batch // shared_by)


def test_empty_slots_do_not_change_the_cbow_mean():
    model = CBOW(10, 4, loss="softmax")
    with_pad = model({"context": np.array([[1, 2, -1, -1]])})
    without = model({"context": np.array([[1, 2]])})
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(with_pad), keras.ops.convert_to_numpy(without), rtol=1e-6
    )


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: SkipGram(10, 4, loss="hierarchical"), "loss must be one of"),
        (lambda: SkipGram(0, 4), "vocabulary_size"),
        (lambda: CBOW(10, -1), "embedding_dim"),
        (lambda: NeuralLanguageModelEmbedding(10, 4, context_size=0), "context_size"),
        (lambda: GloVe(10, 4, x_max=0), "x_max"),
        (lambda: SkipGram(10, 4, negatives_shared_by=0), "negatives_shared_by"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()
