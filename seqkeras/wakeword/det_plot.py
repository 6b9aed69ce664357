"""The DET picture of a trigger-word evaluation: FRR against false accepts per hour."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from seqkeras.atomic import save_figure_atomic
from seqkeras.wakeword.scoring import OperatingPoint

# A title longer than this wraps onto more lines (the 6-inch figure cuts it off otherwise).
TITLE_CHARACTERS = 60


def plot_det(
    curves: Mapping[str, Sequence[OperatingPoint]],
    path: str | Path,
    target_fa_per_hour: float | None = None,
    title: str = "Trigger word DET curve (synthesized protocol)",
) -> Path:
    """DET picture: FRR (%) against false accepts per hour, one line per model (PNG, atomic)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, curve in curves.items():
        points = sorted(curve, key=lambda p: p.fa_per_hour)
        ax.plot(
            [p.fa_per_hour for p in points],
            [100 * p.frr for p in points],
            marker="o",
            markersize=3,
            label=name,
        )
    if target_fa_per_hour is not None:
        ax.axvline(
            target_fa_per_hour,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"{target_fa_per_hour} FA/h",
        )
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlim(left=0.0)
    ax.set_xlabel("false accepts per hour (negative speech)")
    ax.set_ylabel("false reject rate (%)")
    ax.set_title(textwrap.fill(title, TITLE_CHARACTERS), fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    try:
        save_figure_atomic(fig, path, format="png", dpi=110)
    finally:
        plt.close(fig)
    return path
