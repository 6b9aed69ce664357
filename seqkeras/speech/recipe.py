"""The speech-recognition recipe: synthesized training speech -> CTCRecognizer -> CER/WER.

Steps, each returning data (``seqkeras asr`` strings them together):

1. :func:`grow_banks` synthesizes the utterances asked for (cached, resumable).
2. :func:`training_features` turns banks into augmented log-mel features (cached).
3. :func:`build_model` / :func:`train_model` (the one call of the project's training path).
4. :func:`test_sets` loads the held-out synthesized bank and the real-speech sets.
5. :func:`logits_of` runs the model; :func:`score` decodes (greedy, prefix beam with the
   character LM) and measures CER/WER with jiwer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .batches import bucket_batches, ctc_feasible
from .features import AugmentConfig, FeatureSet
from .synthesis import BankPlan
from .text import CHARACTERS, CharVocabulary

# Named banks: (voice split, engines). Counts are chosen per run (``--bank NAME=COUNT``).
BANKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "train-espeak-festival": ("train", ("espeak", "festival")),
    "train-kokoro": ("train", ("kokoro",)),
    "heldout-flite-piper-espeak": ("heldout", ("flite", "piper", "espeak")),
    "heldout-kokoro": ("heldout", ("kokoro",)),
}
# The recipe measured in BENCHMARKS.md ("Speech recognition (CTC)"): 8.9 h of speech.
DEFAULT_TRAIN_BANKS = {"train-espeak-festival": 12000, "train-kokoro": 3000}
DEFAULT_TEST_BANKS = {"heldout-flite-piper-espeak": 600, "heldout-kokoro": 200}
REAL_SETS = ("asterisk", "wuw")
# Real speech a run may train on: WUW-II's training third of speakers (``wuw_calls(part=
# "train")``, the wake-word work's real negatives). A model trained on it is scored on
# ``wuw-heldout`` (the other speakers), never on all of ``wuw``.
REAL_TRAIN_SETS = ("wuw",)
MODEL_FILE = "model.keras"
LM_FILE = "char_lm.npz"
METRICS_FILE = "metrics.json"
# The LM-weight grid searched on development speech. Small weights are in it because a
# weak acoustic model on mismatched (real) speech may want little of the text prior.
LM_ALPHAS = (0.1, 0.2, 0.35, 0.5, 0.75, 1.0)
LM_BETAS = (0.0, 0.5, 1.5, 3.0)
# A cosine schedule's last step size over its first.
FINAL_LR_FRACTION = 0.05
# Evaluation batches: padded frames per forward pass.
EVAL_FRAME_BUDGET = 20000
# Utterances of a held-out synthesized bank that pick the LM weights (the rest is test).
DEV_UTTERANCES = 200
# One in this many speakers of a real set (prompts, for one-speaker Asterisk) picks them
# instead with `asr eval --lm-dev SET`.
LM_DEV_SHARE = 4


@dataclasses.dataclass(frozen=True)
class AsrConfig:
    """Everything that decides a trained model (stored with its checkpoint)."""

    conv_filters: int = 128
    conv_kernel: int = 11
    conv_stride: int = 3
    units: int = 160
    depth: int = 2
    dropout: float = 0.1
    freq_masks: int = 2
    freq_width: int = 8
    time_masks: int = 2
    time_width: int = 15
    learning_rate: float = 1e-3
    lr_schedule: str = "cosine"
    clipnorm: float = 5.0
    frame_budget: int = 8000
    train_banks: tuple[tuple[str, int], ...] = tuple(DEFAULT_TRAIN_BANKS.items())
    augment: AugmentConfig = AugmentConfig()
    upper_edge_hz: float = 7600.0
    seed: int = 0
    real_train: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [name for name in self.real_train if name not in REAL_TRAIN_SETS]
        if unknown:
            raise ValueError(
                f"cannot train on real set(s) {unknown}; choose from {list(REAL_TRAIN_SETS)}"
            )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(json.dumps(dataclasses.asdict(self)))
        if out["lr_schedule"] == "constant":
            del out["lr_schedule"]  # runs from before the field existed still resume
        if not out["real_train"]:
            del out["real_train"]  # (the same)
        return out

    def learning_rate_for(self, steps_per_epoch: int, epochs: int) -> Any:
        """The optimizer's step size: constant, or a cosine decay over the whole run
        (``epochs`` × ``steps_per_epoch`` steps, down to ``FINAL_LR_FRACTION``)."""
        from seqkeras.training import learning_rate_schedule

        return learning_rate_schedule(
            self.lr_schedule, self.learning_rate, steps_per_epoch * epochs, FINAL_LR_FRACTION
        )


def bank_folder(name: str) -> Path:
    from seqkeras.datasets import cache_root

    if name not in BANKS:
        raise ValueError(f"unknown bank {name!r}; choose from {sorted(BANKS)}")
    return cache_root() / "speech" / "banks" / name


def grow_banks(
    banks: Sequence[tuple[str, int]], progress: bool = True, time_limit_s: float | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Synthesizes each named bank up to its count; returns the rows of each."""
    from .corpus import corpus_sentences
    from .synthesis import synthesize_bank

    rows = {}
    for name, count in banks:
        split, engines = BANKS[name]
        sentences = corpus_sentences(split="train" if split == "train" else "test")
        found = synthesize_bank(
            bank_folder(name),
            sentences,
            count,
            BankPlan(split, engines),
            progress=progress,
            time_limit_s=time_limit_s,
        )
        rows[name] = sorted(found, key=lambda r: r["id"])[:count]
        if len(rows[name]) < count:
            print(
                f"bank {name}: {len(rows[name])} of {count} utterances so far (run again to go on)"
            )
    return rows


def feature_config(config: AsrConfig) -> Any:
    from seqkeras_edge.features import FeatureConfig

    return FeatureConfig(upper_edge_hz=config.upper_edge_hz)


def training_features(
    config: AsrConfig,
    rows: dict[str, list[dict[str, Any]]],
    progress: bool = True,
    real_speech: str | None = None,
) -> FeatureSet:
    """Augmented features of the training banks and of ``config.real_train`` (real speech
    from ``real_speech``, see :func:`~seqkeras.datasets.wuw_calls.real_speech_root`),
    CTC-infeasible utterances dropped."""
    from seqkeras.datasets import cache_root
    from seqkeras.datasets.wuw_calls import wuw_calls

    from .features import bank_features, test_set_features

    vocabulary = CharVocabulary()
    combined = FeatureSet([], [], [])
    for name, bank_rows in rows.items():
        combined = combined + bank_features(
            bank_folder(name), bank_rows, feature_config(config), config.augment, progress=progress
        )
    if "wuw" in config.real_train:  # the only real set to train on (AsrConfig checks)
        combined = combined + test_set_features(
            wuw_calls(real_speech, part="train"), feature_config(config),
            cache_root() / "speech" / "real-train", progress, config.augment,
        )  # fmt: skip
    keep = [i for i, (f, t) in enumerate(zip(combined.features, combined.texts, strict=True))
            if ctc_feasible(t, f.shape[0], config.conv_stride, vocabulary)]  # fmt: skip
    if len(keep) < len(combined):
        print(
            f"dropped {len(combined) - len(keep)} utterances too fast for stride {config.conv_stride}"
        )
    return FeatureSet(
        [combined.features[i] for i in keep],
        [combined.texts[i] for i in keep],
        [combined.ids[i] for i in keep],
    )


def build_model(config: AsrConfig) -> Any:
    from seqkeras.models import CTCRecognizer

    fc = feature_config(config)
    return CTCRecognizer(
        fc.num_mel_bins,
        vocabulary=CHARACTERS,
        conv_filters=config.conv_filters,
        conv_kernel=config.conv_kernel,
        conv_stride=config.conv_stride,
        units=config.units,
        depth=config.depth,
        dropout=config.dropout,
        normalize=True,
        spec_augment={"freq_masks": config.freq_masks, "freq_width": config.freq_width,
                      "time_masks": config.time_masks, "time_width": config.time_width, "seed": config.seed},
        feature_config=fc.to_dict(),
    )  # fmt: skip


def train_model(
    model: Any,
    dataset: Any,
    *,
    epochs: int,
    strategy: Any,
    run_dir: str,
    config: dict[str, Any],
    save_every: int | None = None,
    verbose: Any = "auto",
) -> dict[str, list[Any]]:
    """The project's one training path (``seqkeras.training.train``), resumable.

    ``save_every`` optimizer steps a mid-epoch checkpoint is written as well, so a run
    cut off by a time limit (``timeout``, a shared-machine slot) loses at most that many
    steps; ``None`` checkpoints at the end of each epoch only. With several replicas the
    model's own ``compute_loss`` (CTC with the true feature lengths) is used.
    """
    from seqkeras.training import train

    return train(
        model, dataset, epochs=epochs, strategy=strategy, run_dir=run_dir, config=config,
        save_freq=save_every or "epoch", verbose=verbose,
    )  # fmt: skip


def load_recognizer(path: str | os.PathLike[str]) -> Any:
    """A saved speech ``CTCRecognizer`` (``model.keras`` of ``seqkeras asr train``); clear
    errors for a missing or unreadable file and for a model without a vocabulary and a
    ``feature_config``."""
    import zipfile

    import keras

    import seqkeras.models  # noqa: F401  (registers CTCRecognizer)

    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"model file not found: {path} (train one with: seqkeras asr train)"
        )
    try:
        model = keras.saving.load_model(path)
    except (OSError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise ValueError(f"cannot load the recognizer {path}: {error}") from None
    if getattr(model, "vocabulary", None) is None or getattr(model, "feature_config", None) is None:
        raise ValueError(
            f"{path} is not a speech CTCRecognizer (it needs a vocabulary and a feature_config)"
        )
    return model


def check_real_sets(config: AsrConfig, real: Sequence[str]) -> None:
    """Refuses to score a model on the speakers it trained on."""
    if "wuw" in real and "wuw" in config.real_train:
        raise ValueError(
            "this model trained on WUW-II's training speakers: score it on 'wuw-heldout' "
            "(the other speakers), not on all of 'wuw'"
        )


def test_sets(
    config: AsrConfig,
    banks: Sequence[tuple[str, int]] = tuple(DEFAULT_TEST_BANKS.items()),
    real: Sequence[str] = REAL_SETS,
    real_speech: str | None = None,
    limit: int | None = None,
    progress: bool = True,
) -> tuple[dict[str, FeatureSet], dict[str, Any]]:
    """Feature sets to evaluate on, and what each real set dropped."""
    from seqkeras.datasets import cache_root
    from seqkeras.datasets.asterisk_prompts import asterisk_prompts
    from seqkeras.datasets.wuw_calls import wuw_calls

    from .features import bank_features, test_set_features

    sets: dict[str, FeatureSet] = {}
    reports: dict[str, Any] = {}
    fc = feature_config(config)
    if banks:
        rows = grow_banks(banks, progress=progress)
        for name, bank_rows in rows.items():
            sets[name] = bank_features(
                bank_folder(name), bank_rows[:limit], fc, None, progress=progress
            )
    check_real_sets(config, real)
    loaders = {"asterisk": lambda: asterisk_prompts(), "wuw": lambda: wuw_calls(real_speech),
               "wuw-heldout": lambda: wuw_calls(real_speech, part="heldout")}  # fmt: skip
    for name in real:
        if name not in loaders:
            raise ValueError(f"unknown real-speech set {name!r}; choose from {sorted(loaders)}")
        test_set = loaders[name]()
        reports[name] = test_set.summary()
        if limit is not None:
            test_set = dataclasses.replace(test_set, utterances=test_set.utterances[:limit])
        sets[name] = test_set_features(
            test_set, fc, cache_root() / "speech" / "test-features", progress=progress
        )
    return sets, reports


def logits_of(model: Any, features: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per-utterance log-probabilities ``(steps, classes)`` (float32, numpy)."""
    from .ctc_decoding import log_softmax

    out: list[np.ndarray | None] = [None] * len(features)
    lengths = [f.shape[0] for f in features]
    for indices in bucket_batches(lengths, EVAL_FRAME_BUDGET):
        longest = max(lengths[i] for i in indices)
        x = np.zeros((len(indices), longest, features[0].shape[1]), np.float32)
        for row, i in enumerate(indices):
            x[row, : lengths[i]] = features[i]
        frame_lengths = np.array([lengths[i] for i in indices], np.int32)
        logits = np.asarray(
            model({"features": x, "feature_lengths": frame_lengths}, training=False)
        )
        steps = -(-frame_lengths // model.conv_stride)
        for row, i in enumerate(indices):
            out[i] = log_softmax(logits[row, : steps[row]]).astype(np.float32)
    return [o for o in out if o is not None]


@dataclasses.dataclass(frozen=True)
class DecoderSetting:
    """How to decode: ``greedy``, or prefix beam search with optional LM weights."""

    name: str
    beam_width: int = 0
    alpha: float = 0.0
    beta: float = 0.0

    def decode(self, log_probs: np.ndarray, lm: Any, vocabulary: CharVocabulary) -> str:
        from .ctc_decoding import ctc_greedy_decode, ctc_prefix_beam_search

        if self.beam_width == 0:
            return vocabulary.decode(ctc_greedy_decode(log_probs))
        best = ctc_prefix_beam_search(
            log_probs, self.beam_width, vocabulary=vocabulary, lm=lm if self.alpha > 0 else None,
            alpha=self.alpha, beta=self.beta,
        )  # fmt: skip
        return best[0].text or ""


def score(
    log_probs: Sequence[np.ndarray],
    references: Sequence[str],
    setting: DecoderSetting,
    lm: Any = None,
    groups: Sequence[str] | None = None,
) -> dict[str, Any]:
    """CER/WER of one decoder over one set, with the decoding time; with ``groups`` (one
    label per utterance, e.g. the TTS engine) also CER/WER per group (``by_group``)."""
    from .text import character_error_rate, word_error_rate

    vocabulary = CharVocabulary()
    started = time.perf_counter()
    hypotheses = [setting.decode(lp, lm, vocabulary) for lp in log_probs]
    seconds = time.perf_counter() - started
    by_group = {}
    if groups is not None:
        if len(groups) != len(references):
            raise ValueError(f"{len(groups)} group labels for {len(references)} utterances")
        for group in sorted(set(groups)):
            chosen = [i for i, g in enumerate(groups) if g == group]
            refs, hyps = [references[i] for i in chosen], [hypotheses[i] for i in chosen]
            by_group[group] = {"utterances": len(chosen),
                               "cer": round(character_error_rate(refs, hyps), 4),
                               "wer": round(word_error_rate(refs, hyps), 4)}  # fmt: skip
    return {
        "decoder": setting.name,
        "beam_width": setting.beam_width,
        "alpha": setting.alpha,
        "beta": setting.beta,
        "cer": round(character_error_rate(references, hypotheses), 4),
        "wer": round(word_error_rate(references, hypotheses), 4),
        "decode_seconds": round(seconds, 3),
        "examples": [
            {"reference": r, "hypothesis": h}
            for r, h in list(zip(references, hypotheses, strict=True))[:5]
        ],
        **({"by_group": by_group} if groups is not None else {}),
    }


def engine_of_ids(bank: str, ids: Sequence[str]) -> list[str]:
    """The TTS engine of each utterance id of a named bank (from its manifest)."""
    from .synthesis import read_manifest

    engines = {row["id"]: row["engine"] for row in read_manifest(bank_folder(bank))}
    missing = [i for i in ids if i not in engines]
    if missing:
        raise ValueError(f"bank {bank}: utterance {missing[0]!r} is not in its manifest")
    return [engines[i] for i in ids]


def wuw_labels(
    paths: Sequence[str], real_speech: str | None = None, field: str = "part"
) -> list[str]:
    """Each WUW-II file's speaker side (``field="part"``: ``"train"`` or ``"heldout"``),
    utterance kind (``"kind"``: ``"name"``, ``"keyword"``, ``"sentence"``) or speaker
    (``"speaker"``); see ``wuw_calls``."""
    from seqkeras.datasets.wuw_calls import wuw_calls

    side = {u.path: u.speaker if field == "speaker" else u.meta[field]
            for u in wuw_calls(real_speech).utterances}  # fmt: skip
    missing = [p for p in paths if p not in side]
    if missing:
        raise ValueError(f"{missing[0]} is not a WUW-II utterance of {real_speech or 'the corpus'}")
    return [side[p] for p in paths]


def development_split(
    name: str, ids: Sequence[str], real_speech: str | None = None
) -> tuple[list[int], list[int]]:
    """Indices ``(dev, test)`` of a test set: the utterances that tune the LM weights and
    the rest, scored.

    A synthesized bank gives its first :data:`DEV_UTTERANCES`. A real set gives one in
    :data:`LM_DEV_SHARE` of its **speakers** for WUW-II (sha256 of the speaker mod
    ``LM_DEV_SHARE`` == 0: no development speaker is ever scored) and, for Asterisk's one
    speaker, one in ``LM_DEV_SHARE`` of its prompts (by file name).
    """
    import hashlib

    if name in ("wuw", "wuw-heldout"):
        keys = wuw_labels(ids, real_speech, "speaker")
    elif name == "asterisk":
        keys = [Path(i).name for i in ids]
    else:
        count = DEV_UTTERANCES if len(ids) > DEV_UTTERANCES else 0
        return list(range(count)), list(range(count, len(ids)))
    share = [int(hashlib.sha256(k.encode()).hexdigest(), 16) % LM_DEV_SHARE == 0 for k in keys]
    return [i for i, d in enumerate(share) if d], [i for i, d in enumerate(share) if not d]


def tune_lm_weights(
    log_probs: Sequence[np.ndarray],
    references: Sequence[str],
    lm: Any,
    beam_width: int,
    alphas: Sequence[float] = LM_ALPHAS,
    betas: Sequence[float] = LM_BETAS,
) -> tuple[DecoderSetting, list[dict[str, Any]]]:
    """Grid search of (alpha, beta) by CER on a *development* set."""
    results = []
    for alpha in alphas:
        for beta in betas:
            setting = DecoderSetting("beam+lm", beam_width, alpha, beta)
            results.append(score(log_probs, references, setting, lm))
    best = min(results, key=lambda r: r["cer"])
    return DecoderSetting("beam+lm", beam_width, best["alpha"], best["beta"]), [
        {k: r[k] for k in ("alpha", "beta", "cer", "wer")} for r in results
    ]


def decoding_speed(
    log_probs: np.ndarray,
    seconds_of_audio: float,
    setting: DecoderSetting,
    lm: Any,
    repeats: int = 3,
) -> float:
    """Real-time factor of one utterance's decoding: audio seconds per decoding second."""
    vocabulary = CharVocabulary()
    best = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        setting.decode(log_probs, lm, vocabulary)
        best = min(best, time.perf_counter() - started)
    return float(seconds_of_audio / best)


def save_json(path: str | os.PathLike[str], value: Any) -> None:
    from seqkeras.training import write_json_atomic

    write_json_atomic(os.fspath(path), value)
