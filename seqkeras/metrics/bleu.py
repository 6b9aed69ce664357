"""BLEU (course 3.6), computed exactly as sacrebleu 2.6 does with its defaults.

* Tokenization "13a" (mteval-v13a, the WMT standard), reimplemented here.
* Modified (clipped) n-gram precisions p1..p4: each hypothesis n-gram counts at
  most as often as it occurs in the reference where it occurs most often.
* Corpus statistics are summed over segments before dividing.
* Reference length per segment: the closest reference length to the
  hypothesis length, ties to the shorter reference.
* Brevity penalty BP = 1 if c >= r else exp(1 - r/c) (0 when c = 0).
* Smoothing "exp" (NIST, mteval-v13a): the k-th n-gram order with no match
  gets precision 100 / (2^k · total_n).
* BLEU = BP · exp(mean_n log p_n) over 4 orders; sentence BLEU uses the
  "effective order" (only orders for which the hypothesis has n-grams).

sacrebleu is not imported: the tests compare against it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

MAX_NGRAM_ORDER = 4
# The sacrebleu release whose defaults and signature format this module reproduces.
SACREBLEU_VERSION = "2.6.0"
SMOOTH_DEFAULTS: dict[str, float | None] = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}
# sacrebleu's floor for log(0) (utils.my_log).
_LOG_ZERO = -9999999999

_13A_RULES = [
    # language-dependent part (assuming Western languages)
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    # tokenize period and comma unless preceded by a digit
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    # tokenize period and comma unless followed by a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    # tokenize dash when preceded by a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


@lru_cache(maxsize=2**16)
def tokenize_13a(line: str) -> str:
    """The mteval-v13a tokenization used by WMT and sacrebleu's default.

    >>> tokenize_13a("It's 3.5-4 km, isn't it?")
    "It's 3.5 - 4 km , isn't it ?"
    """
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (
            line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
            .replace("&gt;", ">")
        )
    line = f" {line} "
    for pattern, replacement in _13A_RULES:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())


def _tokenize_none(line: str) -> str:
    return line


TOKENIZERS = {"13a": tokenize_13a, "none": _tokenize_none}


@dataclasses.dataclass
class BLEUResult:
    """A BLEU score and its statistics (field names as in sacrebleu's ``BLEUScore``).

    Attributes:
        score: BLEU in 0..100 (``float(result)`` gives it).
        counts: clipped n-gram matches for n = 1..4.
        totals: hypothesis n-grams for n = 1..4.
        precisions: p1..p4 in percent (smoothed where a count is 0).
        bp: brevity penalty.
        sys_len: hypothesis tokens c; ref_len: effective reference tokens r.
        signature: sacrebleu's signature string for the settings used.
    """

    score: float
    counts: list[int]
    totals: list[int]
    precisions: list[float]
    bp: float
    sys_len: int
    ref_len: int
    signature: str = ""

    @property
    def ratio(self) -> float:
        return self.sys_len / self.ref_len if self.ref_len else 0

    def __float__(self) -> float:
        return float(self.score)

    def format(self, width: int = 2, signature: bool = False) -> str:
        """sacrebleu's text form: ``BLEU = 34.12 60.0/40.0/... (BP = 1.000 ...)``."""
        name = f"BLEU|{self.signature}" if signature and self.signature else "BLEU"
        prec = "/".join(f"{p:.1f}" for p in self.precisions)
        return (
            f"{name} = {self.score:.{width}f} {prec} (BP = {self.bp:.3f} "
            f"ratio = {self.ratio:.3f} hyp_len = {self.sys_len:d} ref_len = {self.ref_len:d})"
        )

    def __str__(self) -> str:
        return self.format()


def _ngrams(tokens: list[str], max_order: int) -> Counter:
    counter: Counter = Counter()
    for n in range(1, max_order + 1):
        for i in range(len(tokens) - n + 1):
            counter[tuple(tokens[i : i + n])] += 1
    return counter


def _closest_ref_len(hyp_len: int, ref_lens: list[int]) -> int:
    # Closest length; on a tie the shorter reference.
    return min(ref_lens, key=lambda r: (abs(hyp_len - r), r))


def _preprocess(line: str, lowercase: bool, tokenize: str) -> str:
    if lowercase:
        line = line.lower()
    return TOKENIZERS[tokenize](line.rstrip())


def _check_settings(tokenize: str, smooth_method: str) -> None:
    if tokenize not in TOKENIZERS:
        raise ValueError(f"tokenize must be one of {sorted(TOKENIZERS)}, got {tokenize!r}")
    if smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(
            f"smooth_method must be one of {sorted(SMOOTH_DEFAULTS)}, got {smooth_method!r}"
        )


def segment_statistics(
    hypothesis: str,
    references: Sequence[str],
    lowercase: bool = False,
    tokenize: str = "13a",
    max_ngram_order: int = MAX_NGRAM_ORDER,
) -> list[int]:
    """``[sys_len, ref_len, correct_1..N, total_1..N]`` for one segment (sacrebleu layout).

    Corpus BLEU sums these lists over segments and calls `bleu_from_statistics`.
    """
    if not isinstance(hypothesis, str):
        raise ValueError(f"a hypothesis must be a string, got {type(hypothesis).__name__}")
    if isinstance(references, str) or not isinstance(references, Sequence):
        raise ValueError(
            "references for one hypothesis must be a list of strings, got "
            f"{type(references).__name__}"
        )
    refs = [r for r in references if r is not None]
    if not refs:
        raise ValueError("each hypothesis needs at least one reference string")
    if not all(isinstance(r, str) for r in refs):
        raise ValueError("references must be strings")
    ref_ngrams: Counter = Counter()
    ref_lens = []
    for ref in refs:
        tokens = _preprocess(ref, lowercase, tokenize).split()
        ref_lens.append(len(tokens))
        for ngram, count in _ngrams(tokens, max_ngram_order).items():
            ref_ngrams[ngram] = max(ref_ngrams[ngram], count)
    hyp_tokens = _preprocess(hypothesis, lowercase, tokenize).split()
    hyp_len = len(hyp_tokens)
    correct = [0] * max_ngram_order
    total = [0] * max_ngram_order
    for ngram, count in _ngrams(hyp_tokens, max_ngram_order).items():
        n = len(ngram) - 1
        total[n] += count
        if ngram in ref_ngrams:
            correct[n] += min(count, ref_ngrams[ngram])
    return [hyp_len, _closest_ref_len(hyp_len, ref_lens)] + correct + total


def _log(x: float) -> float:
    return _LOG_ZERO if x == 0.0 else math.log(x)


def bleu_from_statistics(
    stats: Sequence[float],
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = False,
    max_ngram_order: int = MAX_NGRAM_ORDER,
    signature: str = "",
) -> BLEUResult:
    """BLEU from summed statistics ``[sys_len, ref_len, correct_1..N, total_1..N]``."""
    if smooth_method not in SMOOTH_DEFAULTS:
        raise ValueError(
            f"smooth_method must be one of {sorted(SMOOTH_DEFAULTS)}, got {smooth_method!r}"
        )
    if len(stats) != 2 + 2 * max_ngram_order:
        raise ValueError(
            f"stats must have {2 + 2 * max_ngram_order} entries, got {len(stats)}"
        )
    sys_len, ref_len = int(stats[0]), int(stats[1])
    correct = [int(c) for c in stats[2 : 2 + max_ngram_order]]
    total = [int(t) for t in stats[2 + max_ngram_order :]]
    if smooth_value is None:
        smooth_value = SMOOTH_DEFAULTS[smooth_method]
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    precisions = [0.0] * max_ngram_order
    if not any(correct):
        return BLEUResult(0.0, correct, total, precisions, bp, sys_len, ref_len, signature)
    counts_c: list[float] = list(correct)
    totals_c: list[float] = list(total)
    smooth_mteval = 1.0
    eff_order = max_ngram_order
    for n in range(1, max_ngram_order + 1):
        if smooth_method == "add-k" and n > 1:
            counts_c[n - 1] += smooth_value
            totals_c[n - 1] += smooth_value
        if totals_c[n - 1] == 0:
            break
        if effective_order:
            eff_order = n
        if counts_c[n - 1] == 0:
            if smooth_method == "exp":
                smooth_mteval *= 2
                precisions[n - 1] = 100.0 / (smooth_mteval * totals_c[n - 1])
            elif smooth_method == "floor":
                precisions[n - 1] = 100.0 * smooth_value / totals_c[n - 1]
        else:
            precisions[n - 1] = 100.0 * counts_c[n - 1] / totals_c[n - 1]
    score = bp * math.exp(sum([_log(p) for p in precisions[:eff_order]]) / eff_order)
    return BLEUResult(score, correct, total, precisions, bp, sys_len, ref_len, signature)


def bleu_signature(
    num_refs: int | str,
    lowercase: bool = False,
    effective_order: bool = False,
    tokenize: str = "13a",
    smooth_method: str = "exp",
    smooth_value: float | None = None,
) -> str:
    """sacrebleu's BLEU signature, e.g. ``nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0``."""
    smooth = smooth_method
    default = SMOOTH_DEFAULTS[smooth_method]
    if default is not None:
        smooth += f"[{(default if smooth_value is None else smooth_value):.2f}]"
    return (
        f"nrefs:{num_refs}|case:{'lc' if lowercase else 'mixed'}|"
        f"eff:{'yes' if effective_order else 'no'}|tok:{tokenize}|smooth:{smooth}|"
        f"version:{SACREBLEU_VERSION}"
    )


def _num_refs(references: Sequence[Sequence[str]]) -> int | str:
    counts = {sum(r is not None for r in refs) for refs in references}
    return counts.pop() if len(counts) == 1 else "var"


def corpus_bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str]],
    lowercase: bool = False,
    tokenize: str = "13a",
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    use_effective_order: bool = False,
) -> BLEUResult:
    """Corpus BLEU, equal to ``sacrebleu.corpus_bleu`` with the same settings.

    Args:
        hypotheses: one detokenized output string per segment.
        references: ``references[i]`` is the list of reference strings for
            ``hypotheses[i]`` (any number >= 1; use `from_sacrebleu_refs` to
            convert sacrebleu's reference streams).
        lowercase, tokenize ("13a" | "none"), smooth_method ("exp" | "floor" |
        "add-k" | "none"), smooth_value, use_effective_order: as in sacrebleu.

    Returns:
        `BLEUResult` (``.score`` 0..100, ``.precisions``, ``.bp``, ...).

    Example:
        >>> round(corpus_bleu(["the cat sat on the mat"],
        ...                   [["the cat sat on the mat"]]).score, 6)
        100.0
    """
    _check_settings(tokenize, smooth_method)
    if isinstance(hypotheses, str) or not isinstance(hypotheses, Sequence):
        raise ValueError("hypotheses must be a list of strings")
    if isinstance(references, str) or not isinstance(references, Sequence):
        raise ValueError("references must be a list (one list of reference strings per hypothesis)")
    if len(hypotheses) != len(references):
        raise ValueError(
            f"got {len(hypotheses)} hypotheses but {len(references)} reference lists; "
            "references[i] must hold the references of hypotheses[i] "
            "(use from_sacrebleu_refs for sacrebleu-style reference streams)"
        )
    if not hypotheses:
        raise ValueError("hypotheses is empty")
    stats = [0] * (2 + 2 * MAX_NGRAM_ORDER)
    for hyp, refs in zip(hypotheses, references, strict=True):
        seg = segment_statistics(hyp, refs, lowercase, tokenize)
        stats = [a + b for a, b in zip(stats, seg, strict=True)]
    signature = bleu_signature(
        _num_refs(references), lowercase, use_effective_order, tokenize, smooth_method,
        smooth_value,
    )
    return bleu_from_statistics(
        stats, smooth_method, smooth_value, use_effective_order, signature=signature
    )


def sentence_bleu(
    hypothesis: str,
    references: Sequence[str],
    lowercase: bool = False,
    tokenize: str = "13a",
    smooth_method: str = "exp",
    smooth_value: float | None = None,
    use_effective_order: bool = True,
) -> BLEUResult:
    """Sentence BLEU, equal to ``sacrebleu.sentence_bleu`` (effective order on)."""
    if isinstance(references, str):
        raise ValueError("references must be a list of reference strings, not one string")
    return corpus_bleu(
        [hypothesis], [list(references)], lowercase, tokenize, smooth_method, smooth_value,
        use_effective_order,
    )


def from_sacrebleu_refs(ref_streams: Sequence[Sequence[str | None]]) -> list[list[str]]:
    """sacrebleu's ``[[ref1 of seg 1, ref1 of seg 2, ...], [ref2 of seg 1, ...]]`` ->
    ``[[refs of seg 1], [refs of seg 2], ...]`` (``None`` entries dropped)."""
    if not ref_streams:
        raise ValueError("ref_streams is empty")
    lengths = {len(stream) for stream in ref_streams}
    if len(lengths) != 1:
        raise ValueError(f"reference streams have different lengths: {sorted(lengths)}")
    return [[r for r in refs if r is not None] for refs in zip(*ref_streams, strict=True)]


@dataclasses.dataclass
class ModifiedPrecision:
    """Clipped n-gram precision p_n of one hypothesis (course 3.6).

    Attributes:
        n: the n-gram order.
        clipped: Σ over hypothesis n-grams of min(count, max count in a reference).
        total: number of hypothesis n-grams.
        ngrams: ``{ngram: (count in hypothesis, clipped count)}``.
    """

    n: int
    clipped: int
    total: int
    ngrams: dict[tuple[str, ...], tuple[int, int]]

    @property
    def value(self) -> float:
        return self.clipped / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"p{self.n} = {self.clipped}/{self.total}"


def modified_precision(
    hypothesis: str,
    references: Sequence[str],
    n: int,
    lowercase: bool = False,
    tokenize: str = "13a",
) -> ModifiedPrecision:
    """p_n with clipped counts, e.g. the course's "the the the the the the the" -> 2/7.

    The course example counts case-insensitively ("The" = "the"): pass
    ``lowercase=True`` for it; sacrebleu's default is case-sensitive.
    """
    _check_settings(tokenize, "exp")
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if isinstance(references, str) or not references:
        raise ValueError("references must be a non-empty list of strings")
    ref_max: Counter = Counter()
    for ref in references:
        tokens = _preprocess(ref, lowercase, tokenize).split()
        for ngram, count in Counter(
            tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)
        ).items():
            ref_max[ngram] = max(ref_max[ngram], count)
    hyp = _preprocess(hypothesis, lowercase, tokenize).split()
    hyp_counts = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
    table = {g: (c, min(c, ref_max[g])) for g, c in hyp_counts.items()}
    return ModifiedPrecision(
        n=n,
        clipped=sum(clip for _, clip in table.values()),
        total=sum(hyp_counts.values()),
        ngrams=table,
    )
