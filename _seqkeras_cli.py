"""Launcher of the ``seqkeras`` console script (installed as a top-level module).

``import seqkeras`` registers every seqkeras Keras class, which imports Keras and
TensorFlow (several seconds). The CLI must answer ``--help`` at once, so the console
script starts here: the package sees this module in ``sys.modules`` and skips the eager
registration, and :func:`seqkeras.cli.main.main` registers the classes only when a
command actually runs.
"""

from __future__ import annotations

import os
import sys

# Under `python -m _seqkeras_cli` this module is __main__; the package looks for this name.
sys.modules.setdefault("_seqkeras_cli", sys.modules[__name__])


def main() -> int:
    # TensorFlow's C++ start-up lines (oneDNN, CUDA probing) are noise on a command line;
    # a user who wants them sets TF_CPP_MIN_LOG_LEVEL themselves.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from seqkeras.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
