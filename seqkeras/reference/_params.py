"""Shape checks shared by the reference cells (Keras weight layout, gate blocks side by side)."""

from __future__ import annotations

import numpy as np


def check_kernels(params: dict[str, np.ndarray], input_dim: int, blocks: int) -> int:
    """Checks ``kernel`` (in, blocks*u) and ``recurrent_kernel`` (u, blocks*u); returns ``u``."""
    for key in ("kernel", "recurrent_kernel"):
        if key not in params:
            raise ValueError(f"params is missing {key!r}.")
    kernel, recurrent = params["kernel"], params["recurrent_kernel"]
    width = "units" if blocks == 1 else f"{blocks} * units"
    if kernel.ndim != 2 or kernel.shape[0] != input_dim or kernel.shape[1] % blocks:
        raise ValueError(
            f"params['kernel'] must have shape ({input_dim}, {width}), got {kernel.shape}."
        )
    units = kernel.shape[1] // blocks
    if recurrent.shape != (units, blocks * units):
        raise ValueError(
            f"params['recurrent_kernel'] must have shape {(units, blocks * units)}, "
            f"got {recurrent.shape}."
        )
    return units
