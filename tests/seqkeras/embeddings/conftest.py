import numpy as np
import pytest

GROUPS = 5
GROUP_SIZE = 6


def planted_sentences(n=2000, length=8, seed=0):
    """Sentences whose words come from one of five groups (80%) or five fillers: words
    of a group share contexts, so their vectors should end up nearest each other."""
    rng = np.random.default_rng(seed)
    groups = [[f"g{g}w{i}" for i in range(GROUP_SIZE)] for g in range(GROUPS)]
    fillers = [f"f{i}" for i in range(5)]
    sentences = []
    for _ in range(n):
        group = groups[rng.integers(GROUPS)]
        sentences.append(
            [
                group[rng.integers(GROUP_SIZE)] if rng.random() < 0.8 else fillers[rng.integers(5)]
                for _ in range(length)
            ]
        )
    return sentences, groups


def group_precision(kv, groups, k=GROUP_SIZE - 1):
    """Mean fraction of each group word's k nearest neighbours that share its group."""
    hits = total = 0
    for group in groups:
        for word in group:
            neighbours = [w for w, _ in kv.most_similar(word, topn=k)]
            hits += sum(w in group for w in neighbours)
            total += k
    return hits / total


@pytest.fixture
def planted():
    return planted_sentences()


@pytest.fixture(name="group_precision")
def group_precision_fixture():
    return group_precision
