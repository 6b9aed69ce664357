"""Beam search against a plain-Python beam search of the documented semantics.

The oracle keeps Python lists of hypotheses and ranks float64 scores, so it shares
nothing with the vectorized search (no top-k, no NEG_INF placeholders, no pool
tensors). Widths go up to 16 with vocabularies smaller and larger than B.
"""

import math

import numpy as np
import pytest
from keras import ops

from seqkeras.decoding import beam_search

END, START = 0, 1


def _bigram_model(tables):
    """logits = tables[example, t, last token]; ``tables`` (batch, steps, V, V)."""
    tables = np.asarray(tables, "float32")
    steps, vocab = tables.shape[1], tables.shape[-1]
    flat = np.reshape(tables, (-1, vocab))

    def next_fn(tokens, state):
        index = (state["example"] * steps + state["t"]) * vocab + tokens
        logits = ops.take(flat, index, axis=0)
        return logits, {"example": state["example"], "t": state["t"] + 1}

    return next_fn


def _oracle(tables, width, max_length, alpha, min_length, num_return):
    """Per example: [(tokens with end, Σ log P, finished)] best first by Σ log P / Ty^α."""
    results = []
    for table in np.asarray(tables, "float64"):
        log_p = table - np.log(np.exp(table).sum(-1, keepdims=True))
        beam = [((), 0.0, False)]  # (tokens, score, finished)
        pool = []
        for t in range(max_length):
            candidates = []
            for tokens, score, done in beam:
                if done:
                    candidates.append((tokens, score, True))
                    continue
                last = tokens[-1] if tokens else START
                for v in range(log_p.shape[-1]):
                    if v == END and t < min_length:
                        continue
                    candidates.append((tokens + (v,), score + log_p[t, last, v], v == END))
            candidates.sort(key=lambda c: -c[1])
            beam = candidates[:width]
            pool += [c for c in beam if c[2] and len(c[0]) == t + 1]
            if all(done for _, _, done in beam):
                break
        pool += [c for c in beam if not c[2]]
        pool.sort(key=lambda c: -c[1] / len(c[0]) ** alpha)
        results.append(pool[:num_return])
    return results


@pytest.mark.parametrize(
    "width,vocab,alpha,min_length",
    [(2, 9, 0.7, 0), (3, 4, 0.0, 0), (5, 9, 1.0, 2), (8, 4, 0.7, 0), (16, 9, 0.7, 1),
     (16, 20, 0.0, 0)],
)
def test_beam_search_equals_a_list_based_beam_search(width, vocab, alpha, min_length):
    rng = np.random.default_rng(width * 100 + vocab)
    batch, max_length = 3, 6
    tables = np.log(rng.dirichlet(np.full(vocab, 0.4), size=(batch, max_length, vocab)))
    num_return = min(width, 3)
    result = beam_search(
        _bigram_model(tables),
        {"example": np.arange(batch, dtype="int32"), "t": np.zeros(batch, "int32")},
        START, END, beam_width=width, max_length=max_length, alpha=alpha,
        min_length=min_length, num_return=num_return,
    )
    hypotheses = result.to_lists(include_end=True)
    scores = np.asarray(ops.convert_to_numpy(result.scores))
    finished = np.asarray(ops.convert_to_numpy(result.finished))
    for b, expected in enumerate(_oracle(tables, width, max_length, alpha, min_length,
                                         num_return)):
        assert len(expected) == num_return  # the oracle found enough hypotheses
        for k, (tokens, score, done) in enumerate(expected):
            assert hypotheses[b][k] == list(tokens), (b, k)
            assert bool(finished[b, k]) == done
            assert math.isclose(scores[b, k], score, rel_tol=1e-5, abs_tol=1e-5)
