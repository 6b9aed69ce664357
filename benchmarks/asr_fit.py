"""Under- or over-fitting? A trained recognizer's CER on its own training speech beside its
held-out CER.

For a run of ``seqkeras asr train``, a seeded sample of the utterances it trained on, per
training bank (and WUW-II's training callers when the run used ``--real-train wuw``), is
decoded greedily twice: with the augmentation it trained on (noise, background, level,
telephone band — the features it saw, without SpecAugment and dropout) and clean (the
test sets' condition). The run's ``metrics.json`` gives the held-out figures beside them.
A training CER near the held-out CER means the model under-fits (capacity or updates are
short); a low training CER far below held-out means it over-fits (more speakers, more
data).

    python benchmarks/asr_fit.py runs/asr-kokoro-wuw-24 [--utterances 250]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="run directory of seqkeras asr train")
    parser.add_argument("--utterances", type=int, default=250, help="per training set")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.utterances < 1:
        parser.error("--utterances must be >= 1")
    run = Path(args.run)
    state_path = run / "checkpoints" / "state.json"
    if not (run / "model.keras").is_file() or not state_path.is_file():
        parser.error(f"{run} has no model.keras and checkpoints/state.json of seqkeras asr train")

    from seqkeras.datasets import cache_root
    from seqkeras.datasets.wuw_calls import wuw_calls
    from seqkeras.speech import CharVocabulary
    from seqkeras.speech.ctc_decoding import ctc_greedy_decode
    from seqkeras.speech.features import AugmentConfig, bank_features, test_set_features
    from seqkeras.speech.recipe import (
        AsrConfig,
        bank_folder,
        feature_config,
        grow_banks,
        load_recognizer,
        logits_of,
    )
    from seqkeras.speech.text import character_error_rate, word_error_rate

    saved = json.loads(state_path.read_text())["config"]
    augment: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                               for k, v in saved["augment"].items()}  # fmt: skip
    config = AsrConfig(
        train_banks=tuple((name, int(count)) for name, count in saved["train_banks"]),
        augment=AugmentConfig(**augment),
        upper_edge_hz=saved["upper_edge_hz"],
        real_train=tuple(saved.get("real_train", ())),
    )  # fmt: skip
    model = load_recognizer(run / "model.keras")
    vocabulary = CharVocabulary()
    fc = feature_config(config)
    rng = np.random.default_rng(args.seed)

    def sample(count: int) -> list[int]:
        return sorted(rng.choice(count, size=min(args.utterances, count), replace=False).tolist())

    def score(features: list[np.ndarray], texts: list[str]) -> dict[str, float]:
        hypotheses = [vocabulary.decode(ctc_greedy_decode(lp)) for lp in logits_of(model, features)]
        return {"cer": round(character_error_rate(texts, hypotheses), 4),
                "wer": round(word_error_rate(texts, hypotheses), 4)}  # fmt: skip

    report: dict[str, dict[str, object]] = {}
    rows = grow_banks(config.train_banks, progress=False)
    for name, bank_rows in rows.items():
        chosen = [bank_rows[i] for i in sample(len(bank_rows))]
        # as trained: the whole bank's augmented features, cached by training; picked by id
        trained = bank_features(bank_folder(name), bank_rows, fc, config.augment, progress=False)
        index = {row_id: i for i, row_id in enumerate(trained.ids)}
        picked = [index[row["id"]] for row in chosen]
        clean = bank_features(bank_folder(name), chosen, fc, None, progress=False)
        report[name] = {
            "utterances": len(chosen),
            "as_trained": score([trained.features[i] for i in picked],
                                [trained.texts[i] for i in picked]),
            "clean": score(clean.features, clean.texts),
        }  # fmt: skip
    if "wuw" in config.real_train:
        calls = wuw_calls(None, part="train")
        trained = test_set_features(calls, fc, cache_root() / "speech" / "real-train", False,
                                    config.augment)  # fmt: skip
        picked = sample(len(trained))
        texts = [trained.texts[i] for i in picked]
        entry = {"utterances": len(picked),
                 "as_trained": score([trained.features[i] for i in picked], texts)}  # fmt: skip
        clean = test_set_features(calls, fc, cache_root() / "speech" / "test-features", False)
        entry["clean"] = score([clean.features[i] for i in picked], [clean.texts[i] for i in picked])
        report["wuw-train"] = entry
    metrics_path = run / "metrics.json"
    held_out = {}
    if metrics_path.is_file():
        for name, result in json.loads(metrics_path.read_text())["sets"].items():
            if "greedy" in result:
                held_out[name] = {"utterances": result.get("utterances"),
                                  "cer": result["greedy"]["cer"], "wer": result["greedy"]["wer"]}  # fmt: skip
    print(json.dumps({"run": str(run), "decoder": "greedy", "training_speech": report,
                      "held_out": held_out}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
