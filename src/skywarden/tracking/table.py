"""The track table: every live track is one row of a set of equal-length arrays.

Structure of arrays rather than an object per track: the filter, the initiator, the
deleter and the classifier each read and write whole columns, adding tracks writes rows
into each field's spare room and dropping them is one boolean index per field. Row order
follows track id (ids only grow and deletion keeps order), so an id is found with a
binary search.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Arrays = dict[str, npt.NDArray[np.generic]]


class TrackTable:
    """Columns by name (``ids``, ``status``, ``x``, ``P``, ...), ``n`` rows each.

    A column is a view of the first ``n`` rows of a buffer with room to spare, so adding
    tracks (a few a scan, each scan's clutter) writes into the spare rows instead of
    copying every column. A column a caller replaced with an array of its own (the
    filter's predicted states, :meth:`keep`'s survivors) gets a new buffer at the next
    append, sized with room again. Either way ``a[name]`` holds the same numbers as one
    concatenation per field would.
    """

    #: rows a new buffer holds at least
    MIN_ROWS = 64

    def __init__(self) -> None:
        self.a: dict[str, npt.NDArray] = {}
        self.n = 0
        self._buf: dict[str, npt.NDArray] = {}

    def append(self, rows: dict[str, npt.NDArray]) -> None:
        """Add rows; ``rows`` must have every column (after the first append)."""
        k = len(next(iter(rows.values())))
        if k == 0:
            return
        if self.n == 0:
            self.a = {}
            self._buf = {}
            for name, col in rows.items():
                self._put(name, np.asarray(col), None, k)
        else:
            missing = self.a.keys() ^ rows.keys()
            if missing:
                raise KeyError(f"TrackTable.append: columns differ: {sorted(missing)}")
            n, m = self.n, self.n + k
            for name, col in rows.items():
                cur = self.a[name]
                buf = self._buf.get(name)
                col = np.asarray(col)
                if (
                    buf is not None
                    and cur.base is buf
                    and buf.shape[0] >= m
                    and col.dtype == buf.dtype
                    and col.shape[1:] == buf.shape[1:]
                ):
                    buf[n:m] = col
                    self.a[name] = buf[:m]
                else:
                    self._put(name, col, cur, m)
        self.n += k

    def _put(self, name: str, col: npt.NDArray, cur: npt.NDArray | None, m: int) -> None:
        """A new buffer for column ``name``: ``cur`` (if any) then ``col``, ``m`` rows,
        of the dtype a concatenation would give."""
        if cur is None:
            dtype = col.dtype
        elif cur.shape[1:] != col.shape[1:]:
            np.concatenate([cur, col])  # raises, naming the shapes
            raise AssertionError("unreachable")
        else:
            dtype = cur.dtype if cur.dtype == col.dtype else np.result_type(cur, col)
        buf = np.empty((max(2 * m, self.MIN_ROWS), *col.shape[1:]), dtype=dtype)
        if cur is None:
            buf[:m] = col
        else:
            buf[: cur.shape[0]] = cur
            buf[cur.shape[0] : m] = col
        self._buf[name] = buf
        self.a[name] = buf[:m]

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
