"""What each training-data change does to CTC recognition (issue 16): one small recipe, one
change at a time, greedy CER/WER on held-out synthesized voices and on real speech.

Every variant trains the same model for the same number of updates from the same seed
(3,000 utterances, 10 epochs, Adam at a constant step, as the first measured run) and
differs from ``base`` in one setting only:

  base      espeak-ng + festival, noise on 50 %, telephone band on 30 %, mel up to 7.6 kHz
  seed1     base with another seed: how far two runs of one recipe land apart
  narrow    mel filterbank up to 3.8 kHz (what an 8 kHz phone line carries)
  nonoise   no added noise or background
  tel       telephone band on every utterance
  mix       half the utterances from Kokoro voices and blends (more, and neural, speakers)
  kokoro    every utterance from Kokoro voices and blends
  mix-wuw   mix with 500 of its utterances replaced by the 500 real calls of WUW-II's
            training third of speakers (``--real-train wuw``)
  mix-wuw-seed1  mix-wuw with another seed: its spread

WUW-II is scored on all of its speakers (``wuw``) and on the two thirds no variant trains
on (``wuw-heldout``): only the latter compares ``mix-wuw`` with the others.

Runs are ordinary ``seqkeras asr train`` run folders under ``--runs``; a variant whose
``metrics.json`` exists is not trained again (interrupted runs resume), so the script can
be stopped and rerun. Prints one JSON object (and ``--markdown``: the BENCHMARKS table).

    python benchmarks/asr_ablation.py                      # everything (~3 h on 2 cores + synthesis)
    python benchmarks/asr_ablation.py --only base,narrow   # a subset
    python benchmarks/asr_ablation.py --dry-run            # the commands it would run
    python benchmarks/asr_ablation.py --markdown --plot runs/asr-ablation.png
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from typing import Any

SEQKERAS = [sys.executable, "-c", "import sys, _seqkeras_cli; sys.exit(_seqkeras_cli.main())"]
ESPEAK = "train-espeak-festival"
COMMON = ["--epochs", "10", "--greedy-only", "--lr-schedule", "constant",
          "--test-bank", "heldout-flite-piper-espeak=600"]  # fmt: skip
VARIANTS: dict[str, tuple[str, list[str]]] = {
    "base": ("espeak-ng + festival (noise 50 %, telephone band 30 %, mel to 7.6 kHz)",
             ["--bank", f"{ESPEAK}=3000"]),
    "seed1": ("base again, seed 1 (other initial weights, order and augmentation): the spread",
              ["--bank", f"{ESPEAK}=3000", "--seed", "1"]),
    "narrow": ("mel filterbank to 3.8 kHz", ["--bank", f"{ESPEAK}=3000", "--upper-edge-hz", "3800"]),
    "nonoise": ("no noise or background", ["--bank", f"{ESPEAK}=3000", "--noise-probability", "0"]),
    "tel": ("telephone band on every utterance",
            ["--bank", f"{ESPEAK}=3000", "--telephone-probability", "1"]),
    "mix": ("half Kokoro voices and blends",
            ["--bank", f"{ESPEAK}=1500", "--bank", "train-kokoro=1500"]),
    "kokoro": ("all Kokoro voices and blends", ["--bank", "train-kokoro=3000"]),
    "mix-wuw": ("mix, 500 utterances real WUW-II calls (a third of its speakers)",
                ["--bank", f"{ESPEAK}=1250", "--bank", "train-kokoro=1250", "--real-train", "wuw"]),
    "mix-wuw-seed1": ("mix-wuw again, seed 1: its spread",
                      ["--bank", f"{ESPEAK}=1250", "--bank", "train-kokoro=1250", "--real-train", "wuw",
                       "--seed", "1"]),
}  # fmt: skip
BANKS = [
    f"{ESPEAK}=3000",
    "heldout-flite-piper-espeak=600",
    "train-kokoro=3000",
    "heldout-kokoro=200",
]
KOKORO_EVAL = "eval-kokoro.json"
WUW_PARTS_EVAL = "eval-wuw-parts.json"  # older runs' WUW-II scores split by speaker side
SETS = {
    "heldout-flite-piper-espeak": "held-out espeak/flite/piper",
    "heldout-kokoro": "held-out Kokoro voices",
    "asterisk": "Asterisk (real)",
    "wuw": "WUW-II (real)",
    "wuw-heldout": "WUW-II held-out speakers (real)",
}


def _run(command: list[str], dry_run: bool) -> None:
    print("+ " + shlex.join(command), file=sys.stderr, flush=True)
    if not dry_run:
        subprocess.run(command, check=True, stdout=sys.stderr)  # stdout: the JSON only


def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


def _greedy(metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for name, entry in metrics.get("sets", {}).items():
        if "greedy" in entry:
            out[name] = {"cer": entry["greedy"]["cer"], "wer": entry["greedy"]["wer"],
                         "utterances": entry["utterances"]}  # fmt: skip
        heldout = entry.get("greedy", {}).get("by_group", {}).get("heldout")
        if name == "wuw" and heldout is not None:  # the speakers no variant trains on
            out["wuw-heldout"] = {k: heldout[k] for k in ("cer", "wer", "utterances")}
    return out


def results(run_dir: str) -> dict[str, Any]:
    """Greedy CER/WER per test set and the last epoch's training loss of one run folder."""
    metrics = _load(os.path.join(run_dir, "metrics.json"))
    sets = _greedy(metrics)
    for extra in (KOKORO_EVAL, WUW_PARTS_EVAL):
        path = os.path.join(run_dir, extra)
        if os.path.exists(path):
            sets.update(_greedy(_load(path)))
    loss = metrics.get("history", {}).get("loss", [])
    return {"final_loss": round(float(loss[-1]), 2) if loss else None, "sets": sets}


def markdown(table: dict[str, dict[str, Any]]) -> str:
    names = [s for s in SETS if any(s in r["sets"] for r in table.values())]
    head = "| variant | change | final train loss | " + " | ".join(SETS[s] for s in names) + " |"
    lines = [head, "|" + "---|" * (3 + len(names))]
    base = table.get("base")
    for variant, row in table.items():
        cells = []
        for s in names:
            if s not in row["sets"]:
                cells.append("—")
                continue
            cer = 100 * row["sets"][s]["cer"]
            delta = ""
            if base is not None and variant != "base" and s in base["sets"]:
                delta = f" ({cer - 100 * base['sets'][s]['cer']:+.1f})"
            cells.append(f"{cer:.1f} %{delta}")
        lines.append(
            f"| {variant} | {VARIANTS[variant][0]} | {row['final_loss']} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def plot(table: dict[str, dict[str, Any]], path: str) -> None:
    """Greedy CER of every variant on every test set, as grouped bars (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seqkeras.atomic import save_figure_atomic

    names = [s for s in SETS if any(s in r["sets"] for r in table.values())]
    figure, axes = plt.subplots(figsize=(7.5, 3.8))
    width = 0.8 / max(1, len(table))
    for k, (variant, row) in enumerate(table.items()):
        values = [100 * row["sets"][s]["cer"] if s in row["sets"] else float("nan") for s in names]
        axes.bar([i + k * width for i in range(len(names))], values, width, label=variant)
    axes.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], [SETS[s] for s in names])
    axes.set_ylabel("greedy CER (%)")
    axes.set_ylim(0, 100)
    axes.set_title("CTC recognizer: one training-data change at a time")
    axes.legend(fontsize=8, ncol=3)
    figure.tight_layout()
    try:
        save_figure_atomic(figure, path, format="png", dpi=110)
    finally:
        plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="runs", help="folder of the run folders (abl-VARIANT)")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(VARIANTS)}")
    parser.add_argument("--dry-run", action="store_true", help="print the commands only")
    parser.add_argument("--markdown", action="store_true", help="also print the markdown table")
    parser.add_argument("--plot", metavar="PNG", help="also draw the CERs as grouped bars")
    args = parser.parse_args(argv)
    chosen = list(VARIANTS) if not args.only else [v.strip() for v in args.only.split(",")]
    unknown = [v for v in chosen if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}")

    synth = [a for bank in BANKS for a in ("--bank", bank)]
    _run(SEQKERAS + ["asr", "synth", *synth], args.dry_run)
    table: dict[str, dict[str, Any]] = {}
    for variant in chosen:
        run_dir = os.path.join(args.runs, f"abl-{variant}")
        if not os.path.exists(os.path.join(run_dir, "metrics.json")):
            _run(
                SEQKERAS + ["asr", "train", "--out", run_dir, *VARIANTS[variant][1], *COMMON],
                args.dry_run,
            )
        # Kokoro's held-out voices: unless the training run's own evaluation covered them
        covered = not args.dry_run and "heldout-kokoro" in results(run_dir)["sets"]
        if not covered and not os.path.exists(os.path.join(run_dir, KOKORO_EVAL)):
            _run(SEQKERAS + ["asr", "eval", "--model", os.path.join(run_dir, "model.keras"),
                             "--test-bank", "heldout-kokoro=200", "--real", "", "--greedy-only",
                             "--out", os.path.join(run_dir, KOKORO_EVAL)], args.dry_run)  # fmt: skip
        # WUW-II's held-out speakers: runs from before the split have no score of them
        covered = "--real-train" in VARIANTS[variant][1] or (
            not args.dry_run and "wuw-heldout" in results(run_dir)["sets"]
        )
        if not covered and not os.path.exists(os.path.join(run_dir, WUW_PARTS_EVAL)):
            _run(SEQKERAS + ["asr", "eval", "--model", os.path.join(run_dir, "model.keras"),
                             "--test-bank", "heldout-kokoro=200", "--real", "wuw", "--greedy-only",
                             "--out", os.path.join(run_dir, WUW_PARTS_EVAL)], args.dry_run)  # fmt: skip
        if not args.dry_run:
            table[variant] = results(run_dir)
    if args.dry_run:
        return 0
    print(json.dumps(table, indent=1))
    if args.markdown:
        print(markdown(table))
    if args.plot:
        plot(table, args.plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
