"""Negative sampling draws words with P(w) ∝ count(w)^0.75 (course 2.7): chi-square
tests of both samplers against the formula."""

import numpy as np
import pytest

from seqkeras.embeddings import NegativeSampler

COUNTS = np.array([1000, 400, 120, 60, 30, 9, 5, 1])
DRAWS = 200_000
# chi-square critical value for 7 degrees of freedom at p = 0.001
CHI2_CRITICAL_7DF = 24.32


def _expected(counts, power):
    weights = np.asarray(counts, float) ** power
    return weights / weights.sum()


def _chi_square(ids, probabilities):
    observed = np.bincount(ids.ravel(), minlength=len(probabilities))
    expected = probabilities * ids.size
    return float(((observed - expected) ** 2 / expected).sum())


def test_probabilities_are_count_to_the_three_quarters():
    sampler = NegativeSampler(COUNTS)
    np.testing.assert_allclose(sampler.probabilities, _expected(COUNTS, 0.75), rtol=1e-12)
    assert not np.allclose(sampler.probabilities, _expected(COUNTS, 1.0))


def test_numpy_sampler_matches_the_distribution():
    ids = NegativeSampler(COUNTS).sample(DRAWS, rng=0)
    assert ids.dtype == np.int32 and ids.min() >= 0 and ids.max() < len(COUNTS)
    assert _chi_square(ids, _expected(COUNTS, 0.75)) < CHI2_CRITICAL_7DF
    # the unigram distribution itself is rejected by the same test
    assert _chi_square(ids, _expected(COUNTS, 1.0)) > 10 * CHI2_CRITICAL_7DF


def test_tensorflow_sampler_matches_the_distribution_and_is_seeded():
    import tensorflow as tf

    sampler = NegativeSampler(COUNTS)
    ids = sampler.sample_tf([DRAWS // 5, 5], tf.constant([3, 4], tf.int64)).numpy()
    assert ids.shape == (DRAWS // 5, 5)
    assert _chi_square(ids, _expected(COUNTS, 0.75)) < CHI2_CRITICAL_7DF
    again = sampler.sample_tf([DRAWS // 5, 5], tf.constant([3, 4], tf.int64)).numpy()
    other = sampler.sample_tf([DRAWS // 5, 5], tf.constant([3, 5], tf.int64)).numpy()
    np.testing.assert_array_equal(ids, again)
    assert (ids != other).mean() > 0.5


def test_other_powers():
    uniform = NegativeSampler(COUNTS, power=0.0).sample(DRAWS, rng=1)
    assert _chi_square(uniform, np.full(len(COUNTS), 1 / len(COUNTS))) < CHI2_CRITICAL_7DF


@pytest.mark.parametrize("counts", [[], [3, 0, 2], [[1, 2]]])
def test_bad_counts(counts):
    with pytest.raises(ValueError):
        NegativeSampler(counts)
