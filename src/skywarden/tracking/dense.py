"""Distinct small non-negative integers and their places: ``np.unique`` without the sort.

Track rows and detection indices in a group are small integers (below the table's row
count), so their distinct values and each one's place among them come from a bincount
and a cumulative sum: the same arrays ``np.unique(v, return_inverse=True)`` gives, at a
fraction of its cost on the few-element arrays of one scan group (it sorts and builds
its result through several general-purpose steps, ~10 us a call here).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.intp]


def unique_inverse(v: npt.NDArray[np.integer]) -> tuple[IntArray, IntArray]:
    """``np.unique(v, return_inverse=True)`` for a 1-D array of non-negative integers."""
    if v.shape[0] == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    present = np.bincount(v) > 0
    values = np.flatnonzero(present)
    place = np.cumsum(present) - 1
    return values, place[v].astype(np.intp, copy=False)
