"""Character n-gram LM: interpolated Kneser-Ney against a direct dictionary implementation."""

from collections import Counter, defaultdict

import numpy as np
import pytest

from seqkeras.speech import CharNgramLM

BOS, END = "\x02", "\x03"


def _reference_kn(texts, order, alphabet, discount=0.75):
    """P(w | h) by the textbook recursion over plain dictionaries (independent of numpy code)."""
    padded = [BOS * (order - 1) + t + END for t in texts]
    grams = Counter(p[i : i + order] for p in padded for i in range(len(p) - order + 1))
    tables = {order: grams}
    for k in range(order - 1, 0, -1):
        # continuation counts: distinct one-longer grams ending in this one
        tables[k] = Counter(g[1:] for g in tables[k + 1])
    symbols = list(alphabet) + [END]
    seen = {g[-1] for g in tables[1]}
    floor = {s: (1.0 / len(seen) if s in seen else 0.0) for s in symbols}

    def prob(history, symbol):
        p = floor[symbol]
        for k in range(1, order + 1):
            h = history[len(history) - (k - 1) :] if k > 1 else ""
            following = defaultdict(float)
            for g, c in tables[k].items():
                if g[:-1] == h:
                    following[g[-1]] += c
            total = sum(following.values())
            if total:
                p = (
                    max(following.get(symbol, 0.0) - discount, 0) / total
                    + discount * len(following) / total * p
                )
        return p

    return prob


def test_matches_textbook_kneser_ney():
    texts = ["the cat sat", "the hat", "a cat", "that"]
    alphabet = " acehst"
    lm = CharNgramLM.train(texts, order=3, characters=alphabet)
    reference = _reference_kn(texts, 3, alphabet)
    for context in ["", "t", "th", "the ", "a c", "xx"[:0] + "ca"]:
        history = (BOS * 2 + context)[-2:]
        expected = [reference(history, s) for s in list(alphabet) + [END]]
        np.testing.assert_allclose(np.exp(lm.next_log_probs(context)), expected, atol=1e-12)


def test_distributions_sum_to_one_and_unseen_symbols_are_forbidden():
    lm = CharNgramLM.train(["hello world", "hold the door"], order=4)
    for context in ["", "h", "hel", "zzz", "the d"]:
        probs = np.exp(lm.next_log_probs(context))
        assert probs.sum() == pytest.approx(1.0, abs=1e-9)
        assert probs[lm.characters.index("q")] == 0.0
    assert lm.log_prob("hello") > lm.log_prob("hlelo")
    assert lm.log_prob("quiz") == -np.inf


def test_save_load_round_trip(tmp_path):
    lm = CharNgramLM.train(["one two three", "two three four"], order=5)
    path = lm.save(tmp_path / "lm.npz")
    loaded = CharNgramLM.load(path)
    assert (loaded.order, loaded.characters, loaded.discount) == (5, lm.characters, lm.discount)
    for text in ["one", "two three fou", ""]:
        np.testing.assert_array_equal(loaded.next_log_probs(text), lm.next_log_probs(text))


def test_bad_input_is_named(tmp_path):
    with pytest.raises(ValueError, match="outside"):
        CharNgramLM.train(["Hello"], order=2)
    with pytest.raises(ValueError, match="no texts"):
        CharNgramLM.train([], order=2)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a seqkeras character LM"):
        CharNgramLM.load(bad)
    with pytest.raises(FileNotFoundError):
        CharNgramLM.load(tmp_path / "missing.npz")
