"""CTC decoding speed on one utterance: seqkeras' numpy prefix beam search (with and
without the character LM) against TensorFlow's ``tf.nn.ctc_beam_search_decoder`` on the
same log-probabilities, as audio-seconds decoded per second (× real time) and as a ratio.

With ``--model`` and ``--audio`` the log-probabilities come from a trained
``seqkeras asr`` model on a real recording; otherwise from a synthetic "peaky" CTC
output (blank-dominated frames with one confident character every few frames, as a
trained recognizer emits), ``--seconds`` long at the model's 30 ms output step.

    python benchmarks/ctc_decoding.py [--model runs/asr/model.keras --audio FILE.wav]
        [--lm runs/asr/char_lm.npz] [--beam-width 16] [--repeats 5]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from seqkeras.speech import (
    CharNgramLM,
    CharVocabulary,
    ctc_greedy_decode,
    ctc_prefix_beam_search,
    log_softmax,
)
from seqkeras.speech.corpus import corpus_sentences

STEP_SECONDS = 0.03  # CTCRecognizer output step with 10 ms hops and conv stride 3
PEAK_EVERY = 3  # frames per emitted character in the synthetic output


def synthetic_log_probs(seconds: float, seed: int = 0) -> np.ndarray:
    """Blank-dominated frames with a confident character every ``PEAK_EVERY`` frames."""
    vocab = CharVocabulary()
    rng = np.random.default_rng(seed)
    steps = int(seconds / STEP_SECONDS)
    text = " ".join(corpus_sentences(split="test")[:40])
    logits = rng.normal(0.0, 1.0, size=(steps, vocab.num_classes))
    logits[:, 0] += 6.0
    for t in range(0, steps, PEAK_EVERY):
        logits[t, vocab.encode(text[(t // PEAK_EVERY) % len(text)])[0]] += 9.0
    return log_softmax(logits)


def rate(function, seconds: float, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return seconds / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--audio")
    parser.add_argument("--lm", help="character LM (default: trained on the corpora now, order 6)")
    parser.add_argument("--beam-width", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--alpha", type=float, default=0.6)
    parser.add_argument("--beta", type=float, default=1.5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    import tensorflow as tf

    if args.model and args.audio:
        from seqkeras_edge.features import FeatureConfig, log_mel_spectrogram

        from seqkeras.audio.io import read_audio
        from seqkeras.speech.recipe import logits_of
        from seqkeras.tasks.asr import _load_model

        model = _load_model(args.model)
        config = FeatureConfig.from_dict(model.feature_config)
        audio = read_audio(args.audio, sample_rate=config.sample_rate)
        log_probs = logits_of(model, [log_mel_spectrogram(audio, config)])[0].astype(np.float64)
        seconds, source = audio.size / config.sample_rate, args.audio
    else:
        log_probs, seconds, source = (
            synthetic_log_probs(args.seconds),
            args.seconds,
            "synthetic peaky CTC output",
        )
    lm = CharNgramLM.load(args.lm) if args.lm else CharNgramLM.train(corpus_sentences(), order=6)
    vocab = CharVocabulary()
    width = args.beam_width
    moved = np.concatenate([log_probs[:, 1:], log_probs[:, :1]], axis=1).astype(np.float32)[
        :, None, :
    ]
    length = tf.constant([log_probs.shape[0]])

    def tensorflow_beam():
        tf.nn.ctc_beam_search_decoder(moved, length, beam_width=width, top_paths=1)

    tensorflow_beam()  # first call builds the op
    results = {
        "greedy": rate(lambda: ctc_greedy_decode(log_probs), seconds, args.repeats),
        "prefix_beam": rate(
            lambda: ctc_prefix_beam_search(log_probs, width), seconds, args.repeats
        ),
        "prefix_beam_lm": rate(
            lambda: ctc_prefix_beam_search(
                log_probs, width, vocabulary=vocab, lm=lm, alpha=args.alpha, beta=args.beta
            ),
            seconds,
            args.repeats,
        ),
        "tf_ctc_beam_search_decoder": rate(tensorflow_beam, seconds, args.repeats),
    }
    print(
        json.dumps(
            {
                "benchmark": "ctc_decoding",
                "source": source,
                "audio_seconds": round(seconds, 2),
                "frames": int(log_probs.shape[0]),
                "beam_width": width,
                "x_realtime": {k: round(v, 1) for k, v in results.items()},
                "prefix_beam_lm_vs_tf_beam": round(
                    results["prefix_beam_lm"] / results["tf_ctc_beam_search_decoder"], 3
                ),
                "prefix_beam_vs_tf_beam": round(
                    results["prefix_beam"] / results["tf_ctc_beam_search_decoder"], 3
                ),
                "machine": platform.processor() or platform.machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
