"""Border crossings from track segments intersecting the border line, with direction.

A crossing is where the segment between a track's previous and current position meets
the border polyline. Tracker noise makes a track near the line zig-zag across it, so a
crossing is only *confirmed* when the track is firmly on the other side: more than
``hysteresis_m`` away from the line (the "firm" half-planes are the two sides of the line
minus a band of that half-width). The event carries the interpolated crossing point,
time and altitude of the last intersection in the confirmed direction, so it is reported
a few seconds late but at the right place and time.

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
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import split

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

NORTHBOUND = "northbound"
SOUTHBOUND = "southbound"


def orient_us_left(line: LineString) -> LineString:
    """Orient a border polyline west to east so the US side (north) is on its left."""
    c = np.asarray(line.coords)
    return line if c[-1, 0] >= c[0, 0] else LineString(c[::-1])


def _extended(line: LineString, by_m: float) -> LineString:
    """The polyline with its first and last segments prolonged by ``by_m`` metres."""
    c = np.asarray(line.coords, dtype=float)
    if len(c) < 2:
        return line
    d0 = c[0] - c[1]
    d1 = c[-1] - c[-2]
    head = c[0] + d0 / max(float(np.hypot(*d0)), 1e-9) * by_m
    tail = c[-1] + d1 / max(float(np.hypot(*d1)), 1e-9) * by_m
    return LineString(np.vstack([head, c, tail]))


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
    oriented with the US on its left). ``extent_m`` bounds the half-planes. State is kept
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
            c = np.asarray(p.coords)
            segs.append(np.stack([c[:-1], c[1:]], axis=1))
        self.segments = np.concatenate(segs) if segs else np.zeros((0, 2, 2))
        self._seg_tree = shapely.STRtree(shapely.linestrings(self.segments))
        north, south = self._half_planes(parts)
        band = shapely.MultiLineString(parts).buffer(hysteresis_m)
        self.firm_north = north.difference(band)
        self.firm_south = south.difference(band)
        shapely.prepare(self.firm_north)
        shapely.prepare(self.firm_south)
        self._side = np.zeros(0, dtype=np.int8)
        self._pdir = np.zeros(0, dtype=np.int8)
        self._pend = np.zeros((0, 4))  # t, x, y, alt of the last intersection per row
        self._last_firm = np.zeros(0, dtype=np.int8)  # firm side at the previous update

    def _half_planes(self, parts: list[LineString]) -> tuple[BaseGeometry, BaseGeometry]:
        """Split the sector box by the border; classify each piece by the left/right test."""
        e = self.extent_m * 1.2
        frame = box(-e, -e, e, e)
        if not parts:
            return Polygon(), frame
        # The border is clipped to the sector, so stretch its ends well past the box or
        # the split leaves it whole.
        cutter = shapely.MultiLineString([_extended(p, 4.0 * e) for p in parts])
        pieces = list(split(frame, cutter).geoms)
        reps = [pc.representative_point() for pc in pieces]
        sides = self.side_of(np.array([p.x for p in reps]), np.array([p.y for p in reps]))
        north = [pc for pc, s in zip(pieces, sides, strict=True) if s > 0]
        south = [pc for pc, s in zip(pieces, sides, strict=True) if s <= 0]
        return shapely.union_all(north), shapely.union_all(south)

    def side_of(self, x: FloatArray, y: FloatArray) -> IntArray:
        """+1 left of (north of) the nearest border segment, -1 right of it."""
        pts = shapely.points(x, y)
        idx = self._seg_tree.query_nearest(pts, return_distance=False, all_matches=False)
        seg = self.segments[idx[1]]
        a, b = seg[:, 0], seg[:, 1]
        cross = (b[:, 0] - a[:, 0]) * (y - a[:, 1]) - (b[:, 1] - a[:, 1]) * (x - a[:, 0])
        return np.where(cross >= 0, 1, -1).astype(np.intp)

    def firm_side(self, x: FloatArray, y: FloatArray) -> IntArray:
        """+1 firmly north, -1 firmly south, 0 within ``hysteresis_m`` of the line."""
        n = shapely.contains_xy(self.firm_north, x, y)
        s = shapely.contains_xy(self.firm_south, x, y)
        return (n.astype(np.intp) - s.astype(np.intp)).astype(np.intp)

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
        firm = self.firm_side(cur[:, 1], cur[:, 2])
        # Only a segment that starts or ends near the line, or jumps from one firm side
        # to the other, can meet it: the others (nearly all) skip the geometry.
        last = self._last_firm[rows]
        near = (firm == 0) | (last == 0) | (firm != last)
        k = np.flatnonzero(near)
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
            for k in np.flatnonzero(confirm)
        ]
        settled = rows[firm != 0]
        self._side[settled] = firm[firm != 0]
        self._pdir[settled] = 0
        return out

    def _record_intersections(self, rows: IntArray, prev: FloatArray, cur: FloatArray) -> None:
        moved = ~np.isnan(prev[:, 0]) & ((prev[:, 1] != cur[:, 1]) | (prev[:, 2] != cur[:, 2]))
        k = np.flatnonzero(moved)
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
