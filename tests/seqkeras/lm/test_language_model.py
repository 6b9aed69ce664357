import keras
import numpy as np
import pytest

from seqkeras.lm import LanguageModel, sentence_arrays, stream_arrays
from seqkeras.text import EOS_ID, CharVocabulary, WordVocabulary

SENTENCES = [
    "the cat sat on the mat",
    "the dog ate the bone",
    "a bird sang in the tree",
    "the cat ate the fish",
]


@pytest.fixture(scope="module")
def vocab():
    return WordVocabulary().adapt(SENTENCES)


def log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def test_uniform_model_perplexity_equals_vocabulary_size(vocab):
    lm = LanguageModel(vocab, units=8, embedding_dim=4)
    lm(np.zeros((1, 1), dtype="int32"))
    lm.head.kernel.assign(np.zeros(lm.head.kernel.shape, dtype="float32"))
    lm.head.bias.assign(np.zeros(lm.head.bias.shape, dtype="float32"))
    assert lm.perplexity(SENTENCES + ["unseen words here"]) == pytest.approx(len(vocab), rel=1e-5)
    scores = lm.log_prob(["the cat"])
    np.testing.assert_allclose(
        scores.token_log_probs[0], -np.log(len(vocab)) * np.ones(3), rtol=1e-5
    )


@pytest.mark.parametrize(
    "kind, embedding_dim, depth", [("lstm", 6, 2), ("gru", None, 1), ("rnn", 5, 1)]
)
def test_log_prob_is_hand_sum_of_softmax_outputs(vocab, kind, embedding_dim, depth):
    lm = LanguageModel(vocab, units=8, depth=depth, kind=kind, embedding_dim=embedding_dim)
    texts = ["the cat sat", "a zebra ate the fish"]
    scores = lm.log_prob(texts)
    for i, text in enumerate(texts):
        y = vocab.encode(text, add_eos=True)
        x = np.concatenate([[0], y[:-1]])[None, :]
        probs = keras.ops.convert_to_numpy(lm(x))[0]  # softmax outputs of call()
        np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-5)
        by_hand = np.log(probs[np.arange(len(y)), y].astype("float64"))
        np.testing.assert_allclose(scores.token_log_probs[i], by_hand, rtol=1e-4, atol=1e-5)
        assert scores.total[i] == pytest.approx(by_hand.sum(), rel=1e-4)
        assert scores.tokens[i][-1] == "<eos>"
    assert scores.tokens[1][1] == "<unk>"
    assert scores.oov == [[], ["zebra"]]  # the word that was scored as <unk>
    expected_ppl = np.exp(-scores.total.sum() / scores.num_tokens.sum())
    assert lm.perplexity(texts) == pytest.approx(expected_ppl)


def test_log_prob_lists_out_of_vocabulary_words(vocab):
    lm = LanguageModel(vocab, units=4)
    known = {w for s in SENTENCES for w in s.split()}
    texts = ["the apple and pear salad", "the cat sat", "pear pear the"]
    scores = lm.log_prob(texts)
    for text, oov, tokens in zip(texts, scores.oov, scores.tokens, strict=True):
        assert oov == [w for w in text.split() if w not in known]
        assert tokens.count("<unk>") == len(oov)
    assert scores.oov[2] == ["pear", "pear"]


def test_stepwise_logits_equal_full_sequence(vocab):
    lm = LanguageModel(vocab, units=8, depth=2, embedding_dim=6)
    x = np.array([[0, 3, 5, 7, 4]], dtype="int32")
    full, _ = lm.logits_and_states(x)
    states = lm.initial_states(1)
    for t in range(x.shape[1]):
        logits, states = lm.step(x[:, t], states)
        np.testing.assert_allclose(
            logits, keras.ops.convert_to_numpy(full)[:, t], rtol=1e-4, atol=1e-5
        )


@pytest.fixture(scope="module")
def trained(vocab):
    keras.utils.set_random_seed(0)
    lm = LanguageModel(vocab, units=24, embedding_dim=12)
    x, y = sentence_arrays([vocab.encode(s, add_eos=True) for s in SENTENCES])
    lm.compile(
        optimizer=keras.optimizers.Adam(0.03),
        loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
    )
    lm.fit(x, y, epochs=60, batch_size=4, verbose=0)
    return lm


def test_trained_model_prefers_training_sentence_over_shuffled(trained):
    rng = np.random.default_rng(0)
    for sentence in SENTENCES:
        words = sentence.split()
        shuffled = " ".join(rng.permutation(words))
        if shuffled == sentence:
            shuffled = " ".join(reversed(words))
        scores = trained.log_prob([sentence, shuffled]).total
        assert scores[0] > scores[1] + 1.0, (sentence, shuffled, scores)


def test_save_load_gives_identical_log_prob(trained, tmp_path):
    path = tmp_path / "lm.keras"
    trained.save(path)
    restored = keras.saving.load_model(path)
    assert isinstance(restored, LanguageModel)
    texts = SENTENCES + ["the bird ate the mat"]
    np.testing.assert_array_equal(restored.log_prob(texts).total, trained.log_prob(texts).total)
    assert restored.vocabulary.get_vocabulary() == trained.vocabulary.get_vocabulary()


def test_sample_semantics_on_trained_model(trained):
    a = trained.sample(n=3, max_length=12, seed=5)
    assert a == trained.sample(n=3, max_length=12, seed=5)
    assert all(len(t.split()) <= 12 and "<unk>" not in t and "<eos>" not in t for t in a)
    greedy = trained.sample(n=2, max_length=12, greedy=True)
    assert greedy == trained.sample(n=2, max_length=12, temperature=1e-7, seed=9)
    assert greedy[0] in SENTENCES  # memorized corpus: greedy follows a training sentence
    continued = trained.sample(n=2, max_length=6, prompt="a bird", greedy=True)
    assert continued[0] == "a bird sang in the tree"
    with pytest.raises(ValueError, match="temperature"):
        trained.sample(temperature=0.0)


def test_char_model_one_hot_start_is_zero_vector():
    v = CharVocabulary().adapt("abcab")
    lm = LanguageModel(v, units=4)
    x = lm._inputs(np.array([[0, 3]]), training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(x)[0, 0], np.zeros(len(v)))
    assert keras.ops.convert_to_numpy(x)[0, 1, 3] == 1.0
    assert isinstance(lm.sample(n=1, max_length=5, seed=0)[0], str)


def test_stream_arrays_layout():
    ids = np.arange(1, 26)  # 25 tokens, 2 lanes of 12 (+1 for the shifted target), windows of 5
    x, y = stream_arrays(ids, batch_size=2, seq_len=5)
    assert x.shape == (4, 5)
    np.testing.assert_array_equal(x[0], [1, 2, 3, 4, 5])  # window 0, lane 0
    np.testing.assert_array_equal(x[1], [13, 14, 15, 16, 17])  # window 0, lane 1
    np.testing.assert_array_equal(x[2], [6, 7, 8, 9, 10])  # window 1 continues lane 0
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="too short"):
        stream_arrays(ids, batch_size=10, seq_len=5)


def test_stateful_training_and_stateless_copy(vocab):
    stream = np.concatenate([vocab.encode(s, add_eos=True) for s in SENTENCES * 5])
    x, y = stream_arrays(stream, batch_size=2, seq_len=4)
    lm = LanguageModel(
        vocab, units=8, embedding_dim=4, start_id=EOS_ID, init_scale=0.1, stateful=True
    )
    lm.compile(
        optimizer=keras.optimizers.SGD(1.0, clipnorm=5.0),
        loss=keras.losses.SparseCategoricalCrossentropy(),
    )
    lm.fit(x, y, batch_size=2, shuffle=False, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="stateless"):
        lm.sample()
    copy = lm.stateless_copy()
    assert not copy.stateful
    trained = [v for v in lm.weights if "state_" not in v.path]  # drop the carried state
    assert len(lm.weights) == len(trained) + 2  # LSTM: h and c
    for a, b in zip(copy.weights, trained, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    # The carried state is what a stateless run over the same stream reaches.
    lm.reset_states()
    lm.predict(x[:4], batch_size=2, verbose=0)  # windows 0 and 1 of both lanes
    _, states = copy.logits_and_states(np.concatenate([x[0:1], x[2:3]], axis=1))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(lm._state_variables[0])[0],
        keras.ops.convert_to_numpy(states[0])[0],
        atol=1e-5,
    )
    assert np.isfinite(copy.perplexity(SENTENCES))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"units": 0}, "units"),
        ({"kind": "transformer"}, "kind"),
        ({"dropout": 1.0}, "dropout"),
        ({"start_id": 999}, "start_id"),
        ({"embedding_dim": -2}, "embedding_dim"),
    ],
)
def test_bad_arguments(vocab, kwargs, match):
    with pytest.raises(ValueError, match=match):
        LanguageModel(vocab, **kwargs)


def test_bad_inputs(vocab):
    with pytest.raises(ValueError, match="vocabulary"):
        LanguageModel(["the", "cat"])
    lm = LanguageModel(vocab, units=4)
    with pytest.raises(ValueError, match="empty"):
        lm.log_prob([])
    with pytest.raises(ValueError, match="no token"):
        lm.log_prob(["!!!"], add_eos=False)


def test_init_scale_and_recurrent_variants(vocab):
    lm = LanguageModel(vocab, units=6, depth=2, embedding_dim=4, init_scale=0.1)
    lm(np.zeros((1, 1), dtype="int32"))
    values = np.concatenate([keras.ops.convert_to_numpy(w).ravel() for w in lm.trainable_weights])
    assert np.abs(values).max() <= 0.1 and values.std() > 0.03  # uniform(-0.1, 0.1): std 0.058
    peephole = LanguageModel(vocab, units=4, peephole=True)
    assert not peephole.recurrent.uses_builtin
    y = vocab.encode("the cat", add_eos=True)
    probs = keras.ops.convert_to_numpy(peephole(np.concatenate([[0], y[:-1]])[None]))[0]
    by_hand = np.log(probs[np.arange(len(y)), y].astype("float64")).sum()
    assert peephole.log_prob(["the cat"]).total[0] == pytest.approx(by_hand, rel=1e-4)


def test_sentence_batches_pad_per_batch():
    from seqkeras.lm import SentenceBatches

    seqs = [np.arange(1, n + 1) for n in (2, 9, 3, 8)]
    batches = SentenceBatches(seqs, batch_size=2, shuffle=False, pad_multiple=1)
    assert len(batches) == 2
    (x0, y0), (_, y1) = batches[0], batches[1]
    assert y0.shape == (2, 3) and y1.shape == (2, 9)  # short pieces are not padded to 9
    np.testing.assert_array_equal(y0, [[1, 2, 0], [1, 2, 3]])
    np.testing.assert_array_equal(x0, [[0, 1, 0], [0, 1, 2]])  # x<t> = y<t-1>, start 0, pads 0
    rounded = SentenceBatches(seqs, batch_size=2, shuffle=False, pad_multiple=4)
    assert rounded[0][1].shape == (2, 4) and rounded[1][1].shape == (2, 12)
