"""BLEU against sacrebleu (the independent reference) and the course's clipped counts."""

import pytest
import sacrebleu
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

from seqkeras.metrics import (
    corpus_bleu,
    from_sacrebleu_refs,
    modified_precision,
    sentence_bleu,
    tokenize_13a,
)

pytestmark = pytest.mark.backend_agnostic

# (hypothesis, [references]) covering the cases the issue lists.
SEGMENTS = [
    ("The cat is on the mat.", ["The cat is on the mat.", "There is a cat on the mat."]),
    ("", ["An empty hypothesis still has a reference."]),
    ("completely unrelated words", ["nothing in common here at all"]),
    ("Hello, world! (Really?) \"quoted\" [brackets] {braces}; yes: no.",
     ["Hello, world! (Really?) \"quoted\" [brackets] {braces}; yes: no!"]),
    ("It costs 3.50 dollars, 1,000 times 2-3 days 1990-2000.",
     ["It costs 3.50 dollars , 1,000 times 2 - 3 days 1990-2000."]),
    ("Tom &amp; Jerry &lt;3 &quot;cartoons&quot; &gt; all",
     ["Tom & Jerry <3 \"cartoons\" > all", "Tom and Jerry love cartoons"]),
    ("a b c d", ["a b c", "a b c d e"]),  # tie: |4-3| == |4-5| -> shorter (3)
    ("a b c d e f", ["a b c d e f g h", "a b c d"]),  # tie 2 vs 2 -> 4
    ("Ünïcödé — “smart quotes” naïve café 東京 über", ["Ünïcödé — “smart quotes” naive café 東京 über"]),
    ("the the the the the the the", ["The cat is on the mat", "There is a cat on the mat"]),
    ("short", ["a much much longer reference sentence here"]),
    ("one two three four five six seven eight nine ten",
     ["one two three four five six", "ten nine eight seven six five four three two one"]),
    ("line with <skipped> marker and hy-\nphen", ["line with marker and hyphen"]),
    ("trailing spaces   ", ["trailing spaces"]),
    ("I can't believe it's 5 o'clock!", ["I cannot believe it is 5 o'clock!", "I can't believe it's five"]),
]


def _check(ours, theirs, signature, added=0):
    assert ours.score == pytest.approx(theirs.score, abs=1e-9, rel=0)
    assert float(ours) == ours.score
    # sacrebleu's "add-k" adds k to its returned counts/totals for n > 1; ours stay raw.
    assert [c + (added if n else 0) for n, c in enumerate(ours.counts)] == list(theirs.counts)
    assert [t + (added if n else 0) for n, t in enumerate(ours.totals)] == list(theirs.totals)
    assert ours.precisions == pytest.approx(theirs.precisions, abs=1e-9, rel=0)
    assert ours.bp == pytest.approx(theirs.bp, abs=1e-12, rel=0)
    assert (ours.sys_len, ours.ref_len) == (theirs.sys_len, theirs.ref_len)
    assert ours.signature == signature
    assert ours.format() == theirs.format()


def _sacre_corpus(hyps, refs, **kwargs):
    metric = sacrebleu.metrics.BLEU(**kwargs)
    streams = [[r[k] if k < len(r) else None for r in refs] for k in range(max(map(len, refs)))]
    score = metric.corpus_score(hyps, streams)
    return score, str(metric.get_signature())


def test_tokenizer_matches_sacrebleu_13a():
    tok = Tokenizer13a()
    for hyp, refs in SEGMENTS:
        for line in [hyp, *refs]:
            assert tokenize_13a(line) == tok(line)


def test_corpus_bleu_equals_sacrebleu_with_variable_references():
    hyps = [h for h, _ in SEGMENTS]
    refs = [r for _, r in SEGMENTS]
    theirs, sig = _sacre_corpus(hyps, refs)
    ours = corpus_bleu(hyps, refs)
    assert "nrefs:var" in sig
    _check(ours, theirs, sig)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"lowercase": True}, {"smooth_method": "floor"}, {"smooth_method": "add-k"},
     {"smooth_method": "none"}, {"tokenize": "none"}, {"use_effective_order": True}],
)
def test_corpus_bleu_single_reference_settings(kwargs):
    hyps = [h for h, _ in SEGMENTS]
    refs = [[r[0]] for _, r in SEGMENTS]
    sacre_kwargs = dict(kwargs)
    if "use_effective_order" in sacre_kwargs:
        sacre_kwargs["effective_order"] = sacre_kwargs.pop("use_effective_order")
    theirs, sig = _sacre_corpus(hyps, refs, **sacre_kwargs)
    added = 1 if kwargs.get("smooth_method") == "add-k" else 0
    _check(corpus_bleu(hyps, refs, **kwargs), theirs, sig, added)
    # sacrebleu's function API gives the same number.
    if not kwargs:
        assert corpus_bleu(hyps, refs).score == pytest.approx(
            sacrebleu.corpus_bleu(hyps, [[r[0] for r in refs]]).score, abs=1e-9)
        assert sig == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"


@pytest.mark.parametrize("hyp,refs", SEGMENTS)
def test_sentence_bleu_equals_sacrebleu(hyp, refs):
    metric = sacrebleu.metrics.BLEU(effective_order=True)
    theirs = metric.sentence_score(hyp, refs)
    _check(sentence_bleu(hyp, refs), theirs, str(metric.get_signature()))
    assert sentence_bleu(hyp, refs).score == pytest.approx(
        sacrebleu.sentence_bleu(hyp, refs).score, abs=1e-9)


def test_no_matches_and_empty_hypothesis_score_zero():
    assert corpus_bleu(["x y z"], [["a b c"]]).score == 0.0
    empty = corpus_bleu([""], [["a b c"]])
    assert empty.score == 0.0 and empty.bp == 0.0 and empty.sys_len == 0


def test_from_sacrebleu_refs_converts_streams():
    streams = [["r1a", "r2a"], ["r1b", None]]
    assert from_sacrebleu_refs(streams) == [["r1a", "r1b"], ["r2a"]]
    with pytest.raises(ValueError, match="different lengths"):
        from_sacrebleu_refs([["a"], ["b", "c"]])


def test_course_clipped_count_example():
    refs = ["The cat is on the mat", "There is a cat on the mat"]
    p1 = modified_precision("the the the the the the the", refs, 1, lowercase=True)
    assert (p1.clipped, p1.total) == (2, 7) and str(p1) == "p1 = 2/7"
    assert p1.ngrams == {("the",): (7, 2)}
    # Case-sensitive (sacrebleu's default) only "the" of "on the mat" matches.
    assert modified_precision("the the the the the the the", refs, 1).clipped == 1
    # Course bigram example: "The cat the cat on the mat" -> p2 = 4/6.
    p2 = modified_precision("The cat the cat on the mat", refs, 2, lowercase=True)
    assert (p2.clipped, p2.total) == (4, 6)
    assert p2.ngrams[("the", "cat")] == (2, 1) and p2.ngrams[("cat", "the")] == (1, 0)
    # Same counts as sacrebleu's statistics.
    theirs = sacrebleu.corpus_bleu(["The cat the cat on the mat"], [[refs[0]], [refs[1]]],
                                   lowercase=True)
    assert (theirs.counts[1], theirs.totals[1]) == (4, 6)


@pytest.mark.parametrize(
    "call,match",
    [(lambda: corpus_bleu(["a", "b"], [["a"]]), "2 hypotheses but 1"),
     (lambda: corpus_bleu("a", [["a"]]), "hypotheses must be a list"),
     (lambda: corpus_bleu(["a"], [[]]), "at least one reference"),
     (lambda: corpus_bleu(["a"], [["a"]], tokenize="intl"), "tokenize"),
     (lambda: corpus_bleu([], []), "empty"),
     (lambda: sentence_bleu("a", "a"), "not one string"),
     (lambda: corpus_bleu([1], [["a"]]), "must be a string")],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("seed", range(5))
def test_random_corpora_equal_sacrebleu(seed):
    import random

    rng = random.Random(seed)
    words = ["the", "The", "cat", "mat", "on", "sat", ",", ".", "3-4", "1.5", "a", "&amp;", "é"]

    def sentence():
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))

    hyps = [sentence() for _ in range(30)]
    refs = [[sentence() or "x" for _ in range(rng.randint(1, 3))] for _ in hyps]
    theirs, sig = _sacre_corpus(hyps, refs)
    _check(corpus_bleu(hyps, refs), theirs, sig)
    for h, r in zip(hyps[:10], refs[:10], strict=True):
        assert sentence_bleu(h, r).score == pytest.approx(
            sacrebleu.sentence_bleu(h, r).score, abs=1e-9)
