"""Growable per-row state arrays shared by the detectors (rows come from ``TrackTable``)."""

from __future__ import annotations

from typing import Any

import numpy as np


def grown(arr: np.ndarray, n: int, fill: Any) -> np.ndarray:
    """``arr`` with at least ``n`` rows (doubling), new rows set to ``fill``."""
    if n <= len(arr):
        return arr
    cap = max(n, 2 * len(arr), 64)
    extra = np.full((cap - len(arr), *arr.shape[1:]), fill, dtype=arr.dtype)
    return np.concatenate([arr, extra])
