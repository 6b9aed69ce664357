"""Sampler semantics on a fake model whose next-token probabilities are known."""

import numpy as np
import pytest

from seqkeras.lm import next_token_distribution, sample_tokens

# ids: 0 pad, 1 <unk>, 2 <eos>, 3 a, 4 b, 5 c
V = 6
UNK, EOS = 1, 2
# Row = previous token, column = next token. Row 0 is the start distribution.
TRANSITIONS = np.array(
    [
        [0.0, 0.3, 0.0, 0.4, 0.2, 0.1],
        [0.0, 0.1, 0.2, 0.3, 0.2, 0.2],
        [0.0, 0.1, 0.2, 0.3, 0.2, 0.2],
        [0.0, 0.5, 0.1, 0.1, 0.2, 0.1],
        [0.0, 0.1, 0.4, 0.2, 0.2, 0.1],
        [0.0, 0.2, 0.3, 0.1, 0.1, 0.3],
    ]
)
with np.errstate(divide="ignore"):
    LOGITS = np.log(TRANSITIONS)


def fake_step(tokens, state):
    """A bigram 'model': logits = log P(next | previous); state counts the steps."""
    return LOGITS[np.asarray(tokens)], state + 1


def sample(n=1, max_length=10, **kwargs):
    return sample_tokens(fake_step, 0, np.zeros(n, dtype="int32"), max_length, eos_id=EOS, **kwargs)


# chi-square critical value for 3 degrees of freedom at p = 0.001
CHI2_DF3_P001 = 16.27


def chi_square(counts, probs):
    expected = probs * counts.sum()
    keep = expected > 0
    assert counts[~keep].sum() == 0, "a zero-probability token was sampled"
    return float(((counts[keep] - expected[keep]) ** 2 / expected[keep]).sum())


def test_empirical_first_token_matches_model_probabilities():
    samples = sample(n=6000, max_length=1, banned=(0,), stop_at_eos=False, seed=3)
    counts = np.bincount([s[0] for s in samples], minlength=V)
    # 4 tokens with p > 0 (unk, a, b, c) -> 3 degrees of freedom.
    assert chi_square(counts, TRANSITIONS[0]) < CHI2_DF3_P001


def test_reject_unk_never_emits_unk_and_renormalizes():
    samples = sample(n=6000, max_length=1, banned=(0, UNK), seed=4)
    first = np.array([s[0] for s in samples])
    assert UNK not in first
    renormalized = TRANSITIONS[0].copy()
    renormalized[UNK] = 0
    renormalized /= renormalized.sum()
    counts = np.bincount(first, minlength=V)
    # a, b, c remain: 2 degrees of freedom, critical value 13.82 at p = 0.001.
    assert chi_square(counts, renormalized) < 13.82
    long_samples = sample(n=200, max_length=30, banned=(0, UNK), seed=5)
    assert all(UNK not in s for s in long_samples)


def test_second_token_follows_the_fed_back_first_token():
    samples = sample(n=8000, max_length=2, banned=(0,), stop_at_eos=False, seed=6)
    after_a = np.array([s[1] for s in samples if s[0] == 3])
    counts = np.bincount(after_a, minlength=V)
    assert chi_square(counts, TRANSITIONS[3]) < CHI2_DF3_P001


def test_stops_at_eos_and_respects_max_length():
    samples = sample(n=300, max_length=7, banned=(0,), seed=7)
    assert all(EOS not in s and len(s) <= 7 for s in samples)
    assert any(len(s) < 7 for s in samples), "some samples should have ended at <eos>"
    unstopped = sample(n=50, max_length=7, banned=(0,), stop_at_eos=False, seed=7)
    assert all(len(s) == 7 for s in unstopped)
    assert any(EOS in s for s in unstopped)
    assert sample(n=3, max_length=0) == [[], [], []]


def test_temperature_to_zero_equals_greedy():
    greedy = sample(n=4, max_length=6, greedy=True, banned=(0,), stop_at_eos=False)
    cold = sample(n=4, max_length=6, temperature=1e-6, banned=(0,), stop_at_eos=False, seed=1)
    assert cold == greedy
    # Hand-computed greedy path: start -> a (0.4) -> <unk> (0.5) -> a (0.3) -> <unk> ...
    assert greedy[0] == [3, 1, 3, 1, 3, 1]
    assert sample(n=1, max_length=6, greedy=True, banned=(0, UNK))[0] == [3, 4]  # a, b, then <eos>


def test_fixed_seed_is_reproducible():
    assert sample(n=20, seed=11, banned=(0,)) == sample(n=20, seed=11, banned=(0,))
    assert sample(n=20, seed=11, banned=(0,)) != sample(n=20, seed=12, banned=(0,))


def test_top_k_and_temperature_distribution():
    p = next_token_distribution(LOGITS[0], temperature=1.0, top_k=2)
    np.testing.assert_allclose(p, [0, 0.3 / 0.7, 0, 0.4 / 0.7, 0, 0])
    hot = next_token_distribution(LOGITS[0], temperature=2.0)
    expected = np.sqrt(TRANSITIONS[0]) / np.sqrt(TRANSITIONS[0]).sum()
    np.testing.assert_allclose(hot, expected)
    samples = sample(n=500, max_length=1, top_k=2, banned=(0,), seed=2)
    assert {s[0] for s in samples if s} <= {UNK, 3}


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan")])
def test_non_positive_temperature_is_an_error(temperature):
    with pytest.raises(ValueError, match="temperature"):
        sample(temperature=temperature)


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"top_k": 0}, "top_k"), ({"max_length": -1}, "max_length")]
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sample(**kwargs)
