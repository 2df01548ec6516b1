"""Border crossings from track segments intersecting the border line, with direction.

A crossing is where the segment between a track's previous and current position meets
the border polyline. Tracker noise makes a track near the line zig-zag across it, so a
crossing is only *confirmed* when the track is firmly on the other side: more than
``hysteresis_m`` away from the line. The side of a point comes from its nearest border
segment, with a rule for points nearest to a vertex (``BorderCrossingDetector._nearest``).
An earlier version split the sector box into two polygons by the line; on the Yuma sector,
where the border turns from the Colorado River onto the Sonora line, that split classed
the whole box as north and no crossing was ever confirmed. The event carries the
interpolated crossing point, time and altitude of the last intersection in the confirmed
direction, so it is reported a few seconds late but at the right place and time.

Direction: the line is oriented with the United States on its left (the shipped Natural
Earth US-Mexico border runs west to east, see :func:`orient_us_left`), so a segment
crossing from right to left of a border segment is ``northbound`` (into the US) and the
opposite ``southbound``, whatever the local course of the Rio Grande.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

NORTHBOUND = "northbound"
SOUTHBOUND = "southbound"


def orient_us_left(line: LineString) -> LineString:
    """Orient a border polyline west to east so the US side (north) is on its left."""
    c = np.asarray(line.coords)
    return line if c[-1, 0] >= c[0, 0] else LineString(c[::-1])


@dataclass(frozen=True, slots=True)
class Crossing:
    """One confirmed crossing: ENU point, time, altitude and direction (+1 north)."""

    row: int
    t: float
    x: float
    y: float
    alt_m: float
    direction: int

    @property
    def direction_name(self) -> str:
        return NORTHBOUND if self.direction > 0 else SOUTHBOUND


class BorderCrossingDetector:
    """Incremental crossing detector over dense track rows (see :mod:`.track_table`).

    ``border`` is the border in ENU metres (a LineString or MultiLineString, each part
    oriented with the US on its left). ``extent_m`` is kept for callers; the side test
    needs no bound. State is kept
    in numpy arrays indexed by row, so a step over 10,000 tracks has no Python loop except
    over the (rare) confirmed crossings.
    """

    def __init__(
        self, border: BaseGeometry, hysteresis_m: float = 40.0, extent_m: float = 100_000.0
    ) -> None:
        self.border = border
        self.hysteresis_m = hysteresis_m
        self.extent_m = extent_m
        parts = [g for g in getattr(border, "geoms", [border]) if not g.is_empty]
        segs = []
        for p in parts:
            c = np.asarray(p.coords, dtype=float)[:, :2]
            keep = np.r_[True, np.any(np.diff(c, axis=0) != 0.0, axis=1)]
            c = c[keep]  # repeated vertices make zero-length segments with no side
            if len(c) >= 2:
                segs.append(np.stack([c[:-1], c[1:]], axis=1))
        self.segments = np.concatenate(segs) if segs else np.zeros((0, 2, 2))
        # The turn at each segment's start and end vertex (0 at a part's open ends):
        # cross(d_prev, d_next) > 0 is a left turn.
        self._turn_in = np.zeros(len(self.segments))
        self._turn_out = np.zeros(len(self.segments))
        i = 0
        for sg in segs:
            d = sg[:, 1] - sg[:, 0]
            turn = d[:-1, 0] * d[1:, 1] - d[:-1, 1] * d[1:, 0]
            self._turn_out[i : i + len(sg) - 1] = turn
            self._turn_in[i + 1 : i + len(sg)] = turn
            i += len(sg)
        self._seg_tree = shapely.STRtree(shapely.linestrings(self.segments))
        # Per segment, what the side test reads: start (x, y), direction (dx, dy), its
        # squared length (floored), the turns at its start and end; one row per segment
        # so a step picks each point's nearest segment's values in one indexing.
        a = self.segments[:, 0]
        d = self.segments[:, 1] - a
        len2 = np.maximum(d[:, 0] ** 2 + d[:, 1] ** 2, 1e-18)
        self._seg_info = np.column_stack([a, d, len2, self._turn_in, self._turn_out])
        self._side = np.zeros(0, dtype=np.int8)
        self._pdir = np.zeros(0, dtype=np.int8)
        self._pend = np.zeros((0, 4))  # t, x, y, alt of the last intersection per row
        self._last_firm = np.zeros(0, dtype=np.int8)  # firm side at the previous update

    def _nearest(
        self, x: FloatArray, y: FloatArray, xy: FloatArray | None = None
    ) -> tuple[IntArray, FloatArray]:
        """+1 left of (north of) the border, -1 right of it, and the distance to it.

        The side is the sign of the cross product with the nearest segment, except where
        the nearest point is a vertex joining two segments: there the two segments'
        lines can disagree (a point beyond the end of one segment may lie on its left
        and on the other's right), and the side is the outside of the turn, where every
        point whose nearest point is that vertex lies. At a part's open end the end
        segment's line decides, as if the border went on straight. ``xy`` may pass the
        points as one (n, 2) array already (the step's: no copy to make).
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if len(x) == 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        if xy is None:
            xy = np.column_stack([x, y])
        idx, dist = self._seg_tree.query_nearest(
            shapely.points(xy), return_distance=True, all_matches=False
        )
        j = np.empty(len(x), dtype=np.intp)
        j[idx[0]] = idx[1]
        far = np.empty(len(x))
        far[idx[0]] = dist
        seg = self._seg_info[j]
        px, py = x - seg[:, 0], y - seg[:, 1]
        dx, dy = seg[:, 2], seg[:, 3]
        cross = dx * py - dy * px
        u = (dx * px + dy * py) / seg[:, 4]
        turn = np.where(u <= 0.0, seg[:, 5], np.where(u >= 1.0, seg[:, 6], 0.0))
        # A left turn's outside is its right: the vertex-nearest points there are south.
        north = np.where(turn != 0.0, turn < 0.0, cross >= 0.0)
        return np.where(north, 1, -1).astype(np.intp, copy=False), far

    def side_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """+1 left of (north of) the border, -1 right of it (see :meth:`_nearest`)."""
        return self._nearest(x, y)[0]

    def signed_distance(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """The distance to the line, positive north of it, negative south (m)."""
        side, dist = self._nearest(x, y)
        return side * dist

    def firm_side(self, x: FloatArray, y: FloatArray, xy: FloatArray | None = None) -> IntArray:
        """+1 firmly north, -1 firmly south, 0 within ``hysteresis_m`` of the line."""
        side, dist = self._nearest(x, y, xy)
        return np.where(dist > self.hysteresis_m, side, 0).astype(np.intp)

    def _ensure(self, n: int) -> None:
        if n > len(self._side):
            cap = max(n, 2 * len(self._side), 64)
            grow = cap - len(self._side)
            self._side = np.concatenate([self._side, np.zeros(grow, dtype=np.int8)])
            self._pdir = np.concatenate([self._pdir, np.zeros(grow, dtype=np.int8)])
            self._pend = np.concatenate([self._pend, np.zeros((grow, 4))])
            self._last_firm = np.concatenate([self._last_firm, np.zeros(grow, dtype=np.int8)])

    def step(self, rows: IntArray, prev: FloatArray, cur: FloatArray) -> list[Crossing]:
        """Feed one update per row and get the crossings confirmed by it.

        ``prev`` and ``cur`` are (n, 4) arrays of (t, x, y, alt_m) per row: the row's
        previous and current update (``prev`` t is NaN for a row's first update).
        """
        if len(rows) == 0 or len(self.segments) == 0:
            return []
        self._ensure(int(rows.max()) + 1)
        firm = self.firm_side(cur[:, 1], cur[:, 2], cur[:, 1:3])
        # Only a segment that starts or ends near the line, or jumps from one firm side
        # to the other, can meet it: the others (nearly all) skip the geometry.
        last = self._last_firm[rows]
        near = (firm == 0) | (last == 0) | (firm != last)
        k = near.nonzero()[0]
        if len(k):
            self._record_intersections(rows[k], prev[k], cur[k])
        self._last_firm[rows] = firm
        old = self._side[rows]
        confirm = (firm != 0) & (firm != old) & (self._pdir[rows] == firm)
        out = [
            Crossing(
                int(rows[k]),
                float(self._pend[rows[k], 0]),
                float(self._pend[rows[k], 1]),
                float(self._pend[rows[k], 2]),
                float(self._pend[rows[k], 3]),
                int(firm[k]),
            )
            for k in confirm.nonzero()[0]
        ]
        settled = rows[firm != 0]
        self._side[settled] = firm[firm != 0]
        self._pdir[settled] = 0
        return out

    def _record_intersections(self, rows: IntArray, prev: FloatArray, cur: FloatArray) -> None:
        moved = ~np.isnan(prev[:, 0]) & ((prev[:, 1] != cur[:, 1]) | (prev[:, 2] != cur[:, 2]))
        k = moved.nonzero()[0]
        if len(k) == 0:
            return
        segs = shapely.linestrings(np.stack([prev[k, 1:3], cur[k, 1:3]], axis=1))
        qi, bi = self._seg_tree.query(segs, predicate="intersects")
        if len(qi) == 0:
            return
        # Exact segment-segment intersection: p + s r = a + u d.
        kk = k[qi]
        p, q = prev[kk], cur[kk]
        r = q[:, 1:3] - p[:, 1:3]
        a = self.segments[bi, 0]
        d = self.segments[bi, 1] - a
        denom = r[:, 0] * d[:, 1] - r[:, 1] * d[:, 0]
        ok = np.abs(denom) > 1e-12
        num = (a[:, 0] - p[:, 1]) * d[:, 1] - (a[:, 1] - p[:, 2]) * d[:, 0]
        s = np.clip(np.where(ok, num / np.where(ok, denom, 1.0), 0.5), 0.0, 1.0)
        # Moving right-to-left of an edge oriented with the US on its left is northbound.
        direction = np.where(d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0] > 0, 1, -1)
        hit = p + s[:, None] * (q - p)
        # Keep the last intersection in time per row.
        order = np.lexsort((hit[:, 0], kk))
        kk, hit, direction = kk[order], hit[order], direction[order]
        last = np.r_[kk[1:] != kk[:-1], True]
        rr = rows[kk[last]]
        self._pend[rr] = hit[last]
        self._pdir[rr] = direction[last]

    def forget(self, rows: IntArray) -> None:
        """Clear the state of ended tracks' rows (rows may be reused)."""
        rows = rows[rows < len(self._side)]
        self._side[rows] = 0
        self._pdir[rows] = 0
        self._last_firm[rows] = 0
