"""Start-up time of the ``seqkeras`` command line, measured against bare Python in one run.

``seqkeras --help`` and ``seqkeras <task> --help`` must answer without importing
TensorFlow (issue 12). Each command is run ``--rounds`` times, alternating with the
reference ``python -c pass`` so that load from other processes affects both alike;
medians are reported with the ratio, and the wall time of ``import tensorflow`` for
scale. Prints one JSON document.

Usage::

    python benchmarks/cli_startup.py             # 9 rounds
    python benchmarks/cli_startup.py --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "seqkeras --help": [sys.executable, "-m", "_seqkeras_cli", "--help"],
    "seqkeras lm --help": [sys.executable, "-m", "_seqkeras_cli", "lm", "--help"],
    "seqkeras wakeword train --help": [
        sys.executable, "-m", "_seqkeras_cli", "wakeword", "train", "--help",
    ],
}  # fmt: skip
REFERENCE = [sys.executable, "-c", "pass"]
TENSORFLOW = [sys.executable, "-c", "import tensorflow"]


def _seconds(argv: list[str]) -> float:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    results = {}
    for name, command in COMMANDS.items():
        _seconds(command)  # warm the file cache
        pairs = [(_seconds(command), _seconds(REFERENCE)) for _ in range(args.rounds)]
        results[name] = {
            "median_s": round(statistics.median(p[0] for p in pairs), 3),
            "python_median_s": round(statistics.median(p[1] for p in pairs), 3),
            "ratio_to_bare_python": round(statistics.median(p[0] / p[1] for p in pairs), 2),
        }
    results["import tensorflow"] = {
        "median_s": round(statistics.median(_seconds(TENSORFLOW) for _ in range(3)), 3)
    }
    print(
        json.dumps(
            {
                "benchmark": "cli_startup",
                "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                "load_average": os.getloadavg(),
                "results": results,
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
