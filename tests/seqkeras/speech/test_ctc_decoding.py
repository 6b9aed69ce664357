"""CTC decoding: greedy vs the collapse rule and Keras, prefix beam search vs brute force
over every alignment (with and without a character LM) and vs TensorFlow's decoder."""

import itertools

import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from seqkeras.speech import (
    CharNgramLM,
    CharVocabulary,
    WordList,
    ctc_greedy_decode,
    ctc_greedy_decode_batch,
    ctc_prefix_beam_search,
    log_softmax,
)


def _one_hot_logits(frames: str, alphabet: str) -> np.ndarray:
    """'_' is the blank (class 0); other characters are alphabet[i] -> class i + 1."""
    classes = [0 if c == "_" else alphabet.index(c) + 1 for c in frames]
    logits = np.full((len(frames), len(alphabet) + 1), -5.0)
    logits[np.arange(len(frames)), classes] = 5.0
    return logits


def test_greedy_course_example():
    vocab = CharVocabulary()
    logits = _one_hot_logits("ttt_h_eee___ ___qqq__", vocab.characters)
    assert vocab.decode(ctc_greedy_decode(logits)) == "the q"


def test_greedy_matches_keras_ctc_decode():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 30, 6)).astype("float32") * 3
    lengths = np.array([30, 17, 1, 0], "int32")
    decoded, _ = ops.ctc_decode(logits, lengths, strategy="greedy", mask_index=0)
    expected = [[int(t) for t in row if t > 0] for row in np.asarray(decoded[0])]
    assert ctc_greedy_decode_batch(logits, lengths) == expected
    assert any(len(e) > 3 for e in expected)  # a non-trivial comparison


def _brute_force(log_probs: np.ndarray) -> dict[tuple[int, ...], float]:
    """log P(labelling) by summing every alignment (classes^T paths)."""
    steps, classes = log_probs.shape
    totals: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(classes), repeat=steps):
        label, previous = [], None
        for c in path:
            if c != previous and c != 0:
                label.append(c)
            previous = c
        key = tuple(label)
        score = float(sum(log_probs[t, c] for t, c in enumerate(path)))
        totals[key] = float(np.logaddexp(totals.get(key, -np.inf), score))
    return totals


@pytest.mark.parametrize("seed", range(6))
def test_prefix_beam_finds_the_most_probable_labelling(seed):
    rng = np.random.default_rng(seed)
    steps, classes = int(rng.integers(3, 7)), int(rng.integers(2, 4))
    log_probs = log_softmax(rng.normal(size=(steps, classes)) * 2.0)
    exact = _brute_force(log_probs)
    best = max(exact, key=exact.get)
    found = ctc_prefix_beam_search(log_probs, beam_width=1000, prune_log_prob=None, top_paths=3)
    assert found[0].tokens == best
    for hypothesis in found:
        assert hypothesis.acoustic == pytest.approx(exact[hypothesis.tokens], abs=1e-9)
    ranked = sorted(exact, key=exact.get, reverse=True)[: len(found)]
    assert [h.tokens for h in found] == ranked


def test_prefix_beam_with_lm_maximizes_the_fused_score():
    alphabet = "ab "
    vocab = CharVocabulary(alphabet)
    lm = CharNgramLM.train(["ab ab", "ba", "a b", "abba"], order=3, characters=alphabet)
    rng = np.random.default_rng(7)
    log_probs = log_softmax(rng.normal(size=(5, vocab.num_classes)) * 1.5)
    alpha, beta = 0.7, 0.4
    exact = _brute_force(log_probs)
    fused = {k: v + alpha * lm.log_prob(vocab.decode(k)) + beta * len(k) for k, v in exact.items()}
    best = max(fused, key=fused.get)
    found = ctc_prefix_beam_search(
        log_probs, 5000, vocabulary=vocab, lm=lm, alpha=alpha, beta=beta, prune_log_prob=None
    )
    assert found[0].tokens == best
    assert found[0].score == pytest.approx(fused[best], abs=1e-9)
    assert found[0].lm == pytest.approx(lm.log_prob(vocab.decode(best)), abs=1e-12)
    # the LM changes the answer on this input: the test would fail without fusion
    assert max(exact, key=exact.get) != best


def test_prefix_beam_agrees_with_tensorflow_beam_decoder():
    rng = np.random.default_rng(3)
    for _ in range(5):
        steps, classes = 12, 5
        logits = rng.normal(size=(steps, classes)).astype("float32") * 2
        ours = ctc_prefix_beam_search(logits, beam_width=64, prune_log_prob=None, top_paths=1)[0]
        # TensorFlow's blank is the last class: move ours (class 0) there
        moved = np.concatenate([logits[:, 1:], logits[:, :1]], axis=1)
        decoded, log_prob = tf.nn.ctc_beam_search_decoder(
            moved[:, None, :], tf.constant([steps]), beam_width=64, top_paths=1
        )
        theirs = tuple(int(t) + 1 for t in tf.sparse.to_dense(decoded[0]).numpy()[0])
        assert ours.tokens == theirs
        assert ours.acoustic == pytest.approx(float(log_prob[0, 0]), abs=1e-4)


def test_lm_that_never_saw_a_character_forbids_it():
    vocab = CharVocabulary()
    lm = CharNgramLM.train(["the cat sat", "a hat"], order=3)  # no "q"
    logits = _one_hot_logits("qqq_uu__ii", vocab.characters)
    plain = ctc_prefix_beam_search(logits, 8, vocabulary=vocab)[0].text
    assert "q" in plain
    with_lm = ctc_prefix_beam_search(
        logits, 8, vocabulary=vocab, lm=lm, alpha=0.5, beta=0.0, top_paths=5
    )
    assert with_lm and all("q" not in h.text for h in with_lm)


def test_word_list_constraint():
    vocab = CharVocabulary()
    logits = _one_hot_logits("yy_ee_ss__ _nn__oo__", vocab.characters)
    assert ctc_prefix_beam_search(logits, 8, vocabulary=vocab)[0].text == "yes no"
    words = WordList(["yes", "yet", "nope"])
    results = ctc_prefix_beam_search(logits, 16, vocabulary=vocab, words=words, top_paths=4)
    assert all(words.allows(h.text) for h in results)
    assert results[0].text != "yes no"
    assert WordList(["yes"]).allows("yes yes") and not WordList(["yes"]).allows("yes ")


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="shape"):
        ctc_greedy_decode(np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        ctc_prefix_beam_search(np.full((3, 4), np.nan))
    with pytest.raises(ValueError, match="classes"):
        ctc_prefix_beam_search(
            np.zeros((3, 5)), vocabulary=CharVocabulary(), lm=CharNgramLM.train(["a"], order=2)
        )
    with pytest.raises(ValueError, match="alphabet"):
        ctc_prefix_beam_search(np.zeros((3, 4)), lm=CharNgramLM.train(["ab"], 2, "ab "))
    with pytest.raises(ValueError, match="beam_width"):
        ctc_prefix_beam_search(np.zeros((3, 4)), beam_width=0)
