"""Per-row array helpers shared by the detectors (rows come from ``TrackTable``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def grown(arr: np.ndarray, n: int, fill: Any) -> np.ndarray:
    """``arr`` with at least ``n`` rows (doubling), new rows set to ``fill``."""
    if n <= len(arr):
        return arr
    cap = max(n, 2 * len(arr), 64)
    extra = np.full((cap - len(arr), *arr.shape[1:]), fill, dtype=arr.dtype)
    return np.concatenate([arr, extra])


def columns(cols: Sequence[np.ndarray]) -> np.ndarray:
    """``np.column_stack`` of 1-d float arrays: the same C-ordered (n, k) float array,
    without its per-call overhead, which outweighs the copying for a scan's few tracks."""
    out = np.empty((len(cols[0]), len(cols)))
    for j, c in enumerate(cols):
        out[:, j] = c
    return out
