"""Closing on a runway or its approach/departure path: time and distance to closest approach.

Each protected path is a segment in the ENU plane (a runway between its ends, and the
extended centreline of each approach and departure corridor). A track is extrapolated
along its velocity for ``horizon_s``; the distance from a point moving on a line to a
segment is convex in time, so its minimum is at one of a few candidate times (when the
track crosses the line's normal at either end, when it crosses the centreline, the
projections onto each end, or the horizon's ends). All tracks x all paths x candidates
are evaluated in one numpy expression.

A track is *closing* when it is not already near the path (``now > distance_m``), its
predicted closest approach is within ``distance_m`` and ``horizon_s``, and it is still
coming nearer. Reported once per (track, path) until the condition has lapsed for
``rearm_s``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import grown
from skywarden.airspace.track_table import Batch
from skywarden.geo import LocalFrame
from skywarden.model import Zone, ZoneKind

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class PathSegment:
    """A protected path: ``kind`` is runway / approach / departure."""

    name: str
    kind: str
    airport: str
    runway_end: str
    ax: float
    ay: float
    bx: float
    by: float


@dataclass(frozen=True, slots=True)
class Closing:
    row: int
    path: int
    t: float
    d_now_m: float
    d_cpa_m: float
    t_cpa_s: float


def _safe(num: FloatArray, den: FloatArray) -> FloatArray:
    ok = np.abs(den) > 1e-9
    return np.where(ok, num / np.where(ok, den, 1.0), 0.0)


def _closest(
    a0: FloatArray,
    l0: FloatArray,
    ln: FloatArray,
    va: FloatArray,
    vl: FloatArray,
    bd: FloatArray,
    horizon_s: float,
) -> tuple[FloatArray, FloatArray]:
    """Closest distance and its time within [0, horizon] for points at (along ``a0``,
    lateral ``l0``) of segments of length ``ln``, moving at (``va``, ``vl``); ``bd`` is
    the distance now."""
    v2 = va * va + vl * vl
    # The distance to a segment is convex in time: its minimum over [0, horizon] is at
    # a boundary, a kink (crossing either end's normal) or a piece's stationary point.
    # All six candidates at once as rows (the batches are small: numpy calls, not
    # arithmetic, are the cost), the same numbers as one candidate at a time.
    num = np.array([-l0, -a0, ln - a0, -(a0 * va + l0 * vl), -((a0 - ln) * va + l0 * vl)])
    den = np.array([vl, va, va, v2, v2])
    tau = np.clip(
        np.concatenate([np.full((1, len(a0)), horizon_s), _safe(num, den)]), 0.0, horizon_s
    )
    a = a0 + va * tau
    lat = l0 + vl * tau
    over = np.where(a < 0, a, np.where(a > ln, a - ln, 0.0))
    d = np.hypot(over, lat)
    if np.isnan(d).any():  # (argmin would pick a NaN, the one-at-a-time test never does)
        return _closest_each(d, tau, bd)
    # A candidate replaces the best so far only when strictly nearer: the first of the
    # nearest candidates wins, as argmin picks it, and only if nearer than now.
    j = d.argmin(axis=0)
    col = np.arange(d.shape[1])
    dj = d[j, col]
    better = dj < bd
    return np.where(better, dj, bd), np.where(better, tau[j, col], 0.0)


def _closest_each(d: FloatArray, tau: FloatArray, bd: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`_closest`'s choice one candidate (row) at a time: a NaN never wins."""
    bt = np.zeros_like(bd)
    for dc, tc in zip(d, tau, strict=True):
        better = dc < bd
        bd = np.where(better, dc, bd)
        bt = np.where(better, tc, bt)
    return bd, bt


#: per segment as (1, m) rows: start x, start y, length (floored), unit direction x, y
SegmentFrames = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def segment_frames(seg: FloatArray) -> SegmentFrames:
    """What :func:`cpa_to_segments` needs of the segments ``seg`` ((m, 4): ax, ay, bx,
    by), apart from the points: fixed for a detector's paths, so worked out once."""
    ax, ay, bx, by = (seg[:, i][None, :] for i in range(4))
    dx, dy = bx - ax, by - ay
    length = np.maximum(np.hypot(dx, dy), 1e-9)
    return ax, ay, length, dx / length, dy / length


def cpa_to_segments(
    x: FloatArray,
    y: FloatArray,
    vx: FloatArray,
    vy: FloatArray,
    seg: FloatArray,
    horizon_s: float,
    within_m: float | None = None,
    frames: SegmentFrames | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(distance now, closest distance, time of closest) for n points x m segments.

    ``seg`` is (m, 4): ax, ay, bx, by. Returns three (n, m) arrays. With ``within_m``,
    the closest approach is only solved for pairs that could come that close within the
    horizon (distance now minus speed x horizon); for the others it is left at the
    distance now, at time 0, which is all a caller asking "within ``within_m``?" needs.
    ``frames`` may pass ``segment_frames(seg)`` worked out once (a detector's paths).
    """
    ax, ay, length, ux, uy = segment_frames(seg) if frames is None else frames
    px, py = x[:, None] - ax, y[:, None] - ay
    along0 = px * ux + py * uy
    lat0 = px * -uy + py * ux
    over0 = np.where(along0 < 0, along0, np.where(along0 > length, along0 - length, 0.0))
    d_now = np.hypot(over0, lat0)
    best_d = d_now.copy()
    best_t = np.zeros_like(d_now)
    if within_m is None:
        sel = np.ones_like(d_now, dtype=bool).nonzero()
    else:
        reach = np.hypot(vx, vy)[:, None] * horizon_s
        sel = (d_now - reach <= within_m).nonzero()
    if len(sel[0]) == 0:
        return d_now, best_d, best_t
    i, j = sel
    a0, l0 = along0[i, j], lat0[i, j]
    ln, uxs, uys = length[0, j], ux[0, j], uy[0, j]
    va = vx[i] * uxs + vy[i] * uys
    vl = -vx[i] * uys + vy[i] * uxs
    bd, bt = _closest(a0, l0, ln, va, vl, d_now[i, j], horizon_s)
    best_d[i, j] = bd
    best_t[i, j] = bt
    return d_now, best_d, best_t


class ClosingDetector:
    def __init__(
        self,
        paths: Sequence[PathSegment],
        distance_m: float = 300.0,
        horizon_s: float = 120.0,
        min_speed_ms: float = 2.0,
        rearm_s: float = 30.0,
    ) -> None:
        self.paths = list(paths)
        self.seg = np.array([(p.ax, p.ay, p.bx, p.by) for p in self.paths], dtype=float).reshape(
            -1, 4
        )
        self.frames = segment_frames(self.seg)
        self.distance_m = distance_m
        self.horizon_s = horizon_s
        self.min_speed_ms = min_speed_ms
        self.rearm_s = rearm_s
        self.last_true = np.full((0, len(self.paths)), -np.inf)
        self.armed = np.ones((0, len(self.paths)), dtype=bool)

    def step(self, batch: Batch) -> tuple[list[Closing], FloatArray, FloatArray, FloatArray]:
        """Closing events, plus (n, m) arrays of distance now, CPA distance and CPA time."""
        n, m = len(batch), len(self.paths)
        if n == 0 or m == 0:
            z = np.zeros((n, m))
            return [], z, z, z
        cap = batch.row_cap
        self.last_true = grown(self.last_true, cap, -np.inf)
        self.armed = grown(self.armed, cap, True)
        d_now, d_cpa, t_cpa = cpa_to_segments(
            batch.x,
            batch.y,
            batch.vel[:, 0],
            batch.vel[:, 1],
            self.seg,
            self.horizon_s,
            within_m=self.distance_m,
            frames=self.frames,
        )
        moving = (batch.speed >= self.min_speed_ms)[:, None]
        cond = moving & (d_now > self.distance_m) & (d_cpa <= self.distance_m) & (t_cpa > 0)
        r = batch.rows
        last = self.last_true[r]
        armed = self.armed[r]
        last = np.where(cond, batch.t[:, None], last)
        armed |= batch.t[:, None] - last >= self.rearm_s
        fire = cond & armed
        armed &= ~fire
        self.last_true[r] = last
        self.armed[r] = armed
        out = [
            Closing(
                int(r[k]),
                int(j),
                float(batch.t[k]),
                float(d_now[k, j]),
                float(d_cpa[k, j]),
                float(t_cpa[k, j]),
            )
            for k, j in zip(*fire.nonzero(), strict=True)
        ]
        return out, d_now, d_cpa, t_cpa

    def forget(self, rows: IntArray) -> None:
        rows = rows[rows < len(self.armed)]
        self.armed[rows] = True
        self.last_true[rows] = -np.inf


def paths_from_zones(
    zones: Sequence[Zone], frame: LocalFrame
) -> tuple[list[PathSegment], list[int]]:
    """Protected paths of the corridor zones: each corridor's centreline, and each runway.

    Returns the paths and, per path, the index of its corridor zone (-1 for runways).
    A runway is the segment between the origin of an end's approach corridor (its
    threshold) and the origin of the same end's departure corridor (the far end).
    """
    paths: list[PathSegment] = []
    zone_of: list[int] = []
    origins: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
    for k, z in enumerate(zones):
        g = (z.attrs or {}).get("glide")
        if not g or z.kind not in (ZoneKind.APPROACH_CORRIDOR, ZoneKind.DEPARTURE_CORRIDOR):
            continue
        ox, oy, _ = frame.to_enu(float(g["lat"]), float(g["lon"]), 0.0)
        b = math.radians(float(g["bearing_deg"]))
        length = float(z.attrs.get("length_m", 9260.0))
        kind = "approach" if z.kind == ZoneKind.APPROACH_CORRIDOR else "departure"
        end = str(z.attrs.get("runway_end", ""))
        airport = str(z.attrs.get("airport", ""))
        paths.append(
            PathSegment(
                f"{airport} {kind} {end}",
                kind,
                airport,
                end,
                ox,
                oy,
                ox + math.sin(b) * length,
                oy + math.cos(b) * length,
            )
        )
        zone_of.append(k)
        origins.setdefault((airport, end), {})[kind] = (ox, oy)
    seen: set[frozenset[tuple[float, float]]] = set()
    for (airport, end), o in origins.items():
        if "approach" in o and "departure" in o:
            key = frozenset([o["approach"], o["departure"]])
            if key in seen:
                continue
            seen.add(key)
            (ax, ay), (bx, by) = o["approach"], o["departure"]
            paths.append(
                PathSegment(f"{airport} runway {end}", "runway", airport, end, ax, ay, bx, by)
            )
            zone_of.append(-1)
    return paths, zone_of
