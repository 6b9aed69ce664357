"""A known-probability decoder for search tests: P(y<t> | y<1..t-1>) from a table.

Every prefix gets an id (empty prefix 0, id(p + [v]) = id(p) * V + v + 1), the
state carries that id, and ``next_fn`` returns the log of the table row for it.
The test oracle enumerates every sequence with these same probabilities in
plain Python (``brute_force``), independent of the searches.
"""

import itertools
import math

import numpy as np
import pytest
from keras import ops


class PrefixModel:
    def __init__(self, probs_by_prefix, vocab, max_length, default=None, batch=1):
        self.vocab = vocab
        self.max_length = max_length
        size = sum(vocab**k for k in range(max_length)) + 1
        uniform = np.full(vocab, 1.0 / vocab)
        table = np.tile(uniform if default is None else np.asarray(default, float), (size, 1))
        self._probs = {}
        for prefix in _prefixes(vocab, max_length):
            row = probs_by_prefix.get(tuple(prefix))
            if row is not None:
                table[self.prefix_id(prefix)] = np.asarray(row, float) / np.sum(row)
            self._probs[tuple(prefix)] = table[self.prefix_id(prefix)]
        self.table = np.log(np.maximum(table, 1e-30)).astype("float32")
        self.batch = batch

    def prefix_id(self, prefix):
        i = 0
        for v in prefix:
            i = i * self.vocab + v + 1
        return i

    def initial_state(self):
        return {"id": np.zeros((self.batch,), "int32"), "t": np.zeros((self.batch,), "int32")}

    def next_fn(self, tokens, state):
        started = ops.greater(state["t"], 0)
        new_id = ops.where(started, state["id"] * self.vocab + tokens + 1, state["id"])
        logits = ops.take(self.table, new_id, axis=0)
        aux = ops.cast(new_id, "float32")[:, None]  # the prefix id, to check aux paths
        return logits, {"id": new_id, "t": state["t"] + 1}, aux

    def log_prob(self, seq):
        """Σ log P of a sequence (end token included if present), in float64."""
        total = 0.0
        for i, v in enumerate(seq):
            total += math.log(max(self._probs[tuple(seq[:i])][v], 1e-30))
        return total


def _prefixes(vocab, max_length, end=0):
    for n in range(max_length):
        for p in itertools.product(range(vocab), repeat=n):
            yield list(p)


def brute_force(model, end, max_length, alpha, penalty="course", min_length=0):
    """All complete candidates ranked by the objective; returns (best_seq, objective)."""
    best = None
    non_end = [v for v in range(model.vocab) if v != end]
    for n in range(0, max_length):
        for body in itertools.product(non_end, repeat=n):
            if n < min_length:
                continue
            for seq in [list(body) + [end]]:
                score = model.log_prob(seq)
                ty = len(seq)
                if penalty == "course":
                    lp = ty**alpha
                elif penalty == "gnmt":
                    lp = ((5 + ty) / 6) ** alpha
                else:
                    lp = 1.0
                key = score / lp
                if best is None or key > best[1]:
                    best = (seq, key)
    # Sequences cut at max_length (no end token).
    for body in itertools.product(non_end, repeat=max_length):
        seq = list(body)
        score = model.log_prob(seq)
        lp = {"course": max_length**alpha, "gnmt": ((5 + max_length) / 6) ** alpha}.get(
            penalty, 1.0
        )
        if score / lp > best[1]:
            best = (seq, score / lp)
    return best


@pytest.fixture
def prefix_model():
    return PrefixModel


@pytest.fixture
def enumerate_best():
    return brute_force
