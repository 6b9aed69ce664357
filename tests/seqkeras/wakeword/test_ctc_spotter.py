"""The CTC keyword spotter: its Viterbi ratio against a brute-force enumeration of every
segment and every alignment, and the streaming windows against scoring each window alone."""

import itertools

import numpy as np
import pytest

from seqkeras.wakeword.ctc_spotter import (
    NEG_INF,
    CtcSpotter,
    SpotterConfig,
    keyword_llr,
    keyword_tokens,
)

BLANK, SPACE = 0, 3  # classes: blank, a, b, space


def _collapse(path):
    out, last = [], None
    for token in path:
        if token != last and token != BLANK:
            out.append(token)
        last = token
    return out


def _oracle(log_probs, tokens, boundary=None):
    """max over segments [s, t] and over all paths whose collapse is the keyword of the
    summed ratio (log y - max log y), plus the boundary steps; per character."""
    steps, classes = log_probs.shape
    ratio = log_probs - log_probs.max(axis=1, keepdims=True)
    sep = None if boundary is None else np.maximum(ratio[:, BLANK], ratio[:, boundary])
    out = np.full(steps, NEG_INF)
    for s in range(steps):
        for t in range(s, steps):
            for path in itertools.product(range(classes), repeat=t - s + 1):
                if _collapse(path) != tokens or path[0] == BLANK:
                    continue
                value = sum(ratio[s + i, c] for i, c in enumerate(path))
                if boundary is not None:
                    value += 0.0 if s == 0 else sep[s - 1]
                    value += 0.0 if t == steps - 1 else sep[t + 1]
                out[t] = max(out[t], value / len(tokens))
    return out


@pytest.mark.parametrize("tokens", [[1], [1, 2], [1, 1], [2, 1, 2]])
@pytest.mark.parametrize("boundary", [None, SPACE])
def test_llr_equals_brute_force_over_segments_and_alignments(tokens, boundary):
    rng = np.random.default_rng(len(tokens) * 7 + (boundary or 0))
    for _ in range(3):
        logits = rng.normal(size=(6, 4)) * 2
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        np.testing.assert_allclose(
            keyword_llr(log_probs, tokens, boundary=boundary), _oracle(log_probs, tokens, boundary), atol=1e-9
        )


def test_llr_is_zero_where_the_best_path_spells_the_keyword_and_batches_agree():
    # best classes: blank a a blank b blank -> "ab" read exactly
    best = [BLANK, 1, 1, BLANK, 2, BLANK]
    log_probs = np.full((6, 4), np.log(0.1))
    log_probs[np.arange(6), best] = np.log(0.7)
    llr = keyword_llr(log_probs, [1, 2], boundary=SPACE)
    assert llr.max() == pytest.approx(0.0)
    assert llr[:4].max() < 0  # "b" is not the best class before step 4
    other = np.roll(log_probs, 1, axis=1)
    batch = keyword_llr(np.stack([log_probs, other]), [1, 2], boundary=SPACE)
    np.testing.assert_allclose(batch[0], llr)
    np.testing.assert_allclose(batch[1], keyword_llr(other, [1, 2], boundary=SPACE))


def test_boundary_rejects_the_keyword_inside_a_longer_word():
    # best path "bab": the keyword "a" is read but has letters on both sides
    best = [2, 1, 2]
    log_probs = np.full((3, 4), np.log(0.01))
    log_probs[np.arange(3), best] = np.log(0.97)
    assert keyword_llr(log_probs, [1]).max() == pytest.approx(0.0)
    assert keyword_llr(log_probs, [1], boundary=SPACE).max() < np.log(0.01 / 0.97)


def test_keyword_tokens_and_bad_input():
    vocabulary = " abcdefghijklmnopqrstuvwxyz'"
    assert keyword_tokens("Hey  Jarvis", vocabulary) == [vocabulary.index(c) + 1 for c in "hey jarvis"]
    with pytest.raises(ValueError, match="no letters"):
        keyword_tokens("!!", vocabulary)
    with pytest.raises(ValueError, match="not in the recognizer's vocabulary"):
        keyword_tokens("jarvis", "abc ")
    with pytest.raises(ValueError, match="must be non-blank"):
        keyword_llr(np.zeros((3, 4)), [0])
    with pytest.raises(ValueError, match="hop_seconds"):
        SpotterConfig(window_seconds=1.0, hop_seconds=2.0)


def test_stream_scores_equal_each_window_scored_alone():
    from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

    from seqkeras.models import CTCRecognizer
    from seqkeras.speech.text import CHARACTERS

    fc = FeatureConfig()
    model = CTCRecognizer(fc.num_mel_bins, vocabulary=CHARACTERS, conv_filters=4, conv_kernel=3,
                          conv_stride=3, units=4, normalize=True, feature_config=fc.to_dict())  # fmt: skip
    spotter = CtcSpotter(model, "ab", SpotterConfig(window_seconds=0.5, hop_seconds=0.1, batch_windows=3))
    audio = np.random.default_rng(0).normal(size=16000 + 800).astype(np.float32) * 0.1
    scores = spotter.stream_scores(audio)
    frames = log_mel_spectrogram(audio, fc).astype(np.float32)
    assert len(scores) == len(frames) // 10 + 1
    for k in (1, 3, 5, 7, 10):  # windows ending at k * 10 frames (the first ones shorter)
        window = frames[max(0, 10 * k - 50) : 10 * k]
        expected = np.exp(keyword_llr(spotter.window_log_probs(window[None]), spotter.tokens,
                                      boundary=spotter.space).max())  # fmt: skip
        assert scores[k] == pytest.approx(expected, rel=1e-5)
    assert scores[0] == 0.0 and np.all((scores[1:] > 0) & (scores[1:] <= 1))


def test_from_run_names_a_missing_or_corrupt_recognizer(tmp_path):
    with pytest.raises(FileNotFoundError, match="seqkeras asr train"):
        CtcSpotter.from_run(tmp_path, "go")
    (tmp_path / "model.keras").write_bytes(b"not a keras archive")
    with pytest.raises(ValueError, match="cannot load the recognizer .*model.keras"):
        CtcSpotter.from_run(tmp_path, "go")
