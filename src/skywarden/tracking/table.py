"""The track table: every live track is one row of a set of equal-length arrays.

Structure of arrays rather than an object per track: the filter, the initiator, the
deleter and the classifier each read and write whole columns, adding tracks is one
concatenation per field and dropping them one boolean index per field. Row order
follows track id (ids only grow and deletion keeps order), so an id is found with a
binary search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Arrays = dict[str, npt.NDArray[np.generic]]


class TrackTable:
    """Columns by name (``ids``, ``status``, ``x``, ``P``, ...), ``n`` rows each."""

    def __init__(self) -> None:
        self.a: dict[str, npt.NDArray] = {}
        self.n = 0

    def append(self, rows: dict[str, npt.NDArray]) -> None:
        """Add rows; ``rows`` must have every column (after the first append)."""
        k = len(next(iter(rows.values())))
        if k == 0:
            return
        if self.n == 0:
            self.a = {name: np.array(col, copy=True) for name, col in rows.items()}
        else:
            missing = self.a.keys() ^ rows.keys()
            if missing:
                raise KeyError(f"TrackTable.append: columns differ: {sorted(missing)}")
            for name, col in rows.items():
                self.a[name] = np.concatenate([self.a[name], col])
        self.n += k

    def keep(self, mask: npt.NDArray[np.bool_]) -> None:
        """Keep only rows where ``mask`` is true."""
        if self.n == 0 or bool(mask.all()):
            return
        for name in self.a:
            self.a[name] = self.a[name][mask]
        self.n = int(mask.sum())

    def row_of(self, track_id: int) -> int:
        """Row of ``track_id``, or -1 if it is not live."""
        if self.n == 0:
            return -1
        ids = self.a["id"]
        i = int(np.searchsorted(ids, track_id))
        return i if i < self.n and int(ids[i]) == track_id else -1
