"""Scoring the airspace stage against simulator truth: crossings and zone entries.

Truth events come from the simulator's truth trajectories (``TruthPoint`` streams) with
the same geometry as the analyzer but without noise or hysteresis: a true border
crossing is where a drone's consecutive truth positions straddle the border line; a true
zone entry is a drone's truth position passing from outside to inside a zone volume (an
exit needs ``exit_hold_s`` outside first, as for detected entries, so a drone skimming a
boundary is one entry, not ten).

A truth event is *found* when a detected event of the same kind (and direction, for
crossings; zone, for entries) lies within ``max_dt_s`` and ``max_dist_m`` of it; matching
is one-to-one, nearest in time first. Detected events left unmatched are false; they
are reported per hour of data.

:class:`TruthStandIn` turns truth into :class:`~skywarden.model.TrackUpdate` records with
Gaussian position noise. It is *not a tracker*: it stands in for one so the airspace
logic can be evaluated on its own, and is labelled as such wherever its figures appear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from skywarden.airspace.border import orient_us_left
from skywarden.airspace.zone_index import ZoneIndex
from skywarden.airspace.zones import border_enu
from skywarden.geo import FloatArray, LocalFrame, distance_m
from skywarden.model import Event, TargetClass, TrackStatus, TrackUpdate, TruthPoint


@dataclass(frozen=True, slots=True)
class TruthEvent:
    kind: str  # "border_crossing" or "zone_entry"
    t: float
    target: str
    lat: float
    lon: float
    key: str  # direction for crossings, zone id for entries


class TruthEvents:
    """Incremental extraction of true crossings and zone entries from truth points."""

    def __init__(
        self,
        frame: LocalFrame,
        index: ZoneIndex,
        border: BaseGeometry | None,
        extent_m: float = 100_000.0,
        exit_hold_s: float = 5.0,
        kinds: Sequence[TargetClass] = (TargetClass.DRONE,),
    ) -> None:
        self.frame = frame
        self.index = index
        self.kinds = set(kinds)
        self.exit_hold_s = exit_hold_s
        local = border_enu(frame, orient_us_left(border), extent_m) if border is not None else None
        parts = [g for g in getattr(local, "geoms", [local]) if g is not None and not g.is_empty]
        segs = [
            np.stack([np.asarray(p.coords)[:-1], np.asarray(p.coords)[1:]], axis=1) for p in parts
        ]
        self.segments = np.concatenate(segs) if segs else np.zeros((0, 2, 2))
        self.tree = shapely.STRtree(shapely.linestrings(self.segments))
        self.last: dict[str, tuple[float, float, float]] = {}
        self.inside: dict[tuple[str, int], float] = {}  # -> last time inside
        self.events: list[TruthEvent] = []
        # Every truth target's position per second, to attribute false events.
        self.positions = PositionLog()

    def step(self, truth: Iterable[TruthPoint]) -> None:
        truth = list(truth)
        if truth:
            self.positions.add(
                truth[0].t,
                [p.lat for p in truth],
                [p.lon for p in truth],
                [p.kind.value for p in truth],
            )
        pts = [p for p in truth if p.kind in self.kinds]
        if not pts:
            return
        lat = np.array([p.lat for p in pts])
        lon = np.array([p.lon for p in pts])
        alt = np.array([p.alt_m for p in pts])
        x, y, _ = self.frame.to_enu(lat, lon, alt)
        self._border_crossings(pts, x, y)
        pi, zi = self.index.memberships(np.asarray(x), np.asarray(y), alt)
        for k, z in zip(pi, zi, strict=True):
            p = pts[int(k)]
            key = (p.target, int(z))
            last_in = self.inside.get(key)
            if last_in is None or p.t - last_in > self.exit_hold_s:
                self.events.append(
                    TruthEvent("zone_entry", p.t, p.target, p.lat, p.lon, self.index.ids[int(z)])
                )
            self.inside[key] = p.t

    def _border_crossings(self, pts: list[TruthPoint], x: FloatArray, y: FloatArray) -> None:
        """Truth border crossings of this second's points (``x``, ``y``: their frame
        positions), from each target's step since its previous second."""
        prevs = [self.last.get(p.target) for p in pts]
        for k, p in enumerate(pts):
            self.last[p.target] = (p.t, float(x[k]), float(y[k]))
        # Every target's step since the last second as one segment, all queried against
        # the border in one call (the tree answers each segment as a query of its own
        # would, in the same order); only the few hits are walked in Python.
        moved = [k for k, prev in enumerate(prevs) if prev is not None]
        if moved and len(self.segments):
            steps = np.array([[prevs[k][1:], (x[k], y[k])] for k in moved])  # type: ignore[index]
            qi, qj = self.tree.query(shapely.linestrings(steps), predicate="intersects")
        else:
            qi = qj = np.zeros(0, dtype=np.intp)
        for i, j in zip(qi.tolist(), qj.tolist(), strict=True):
            k = moved[i]
            p, prev = pts[k], prevs[k]
            assert prev is not None
            a, b = self.segments[j]
            d = b - a
            r = np.array([x[k] - prev[1], y[k] - prev[2]])
            den = r[0] * d[1] - r[1] * d[0]
            if abs(den) < 1e-12:
                continue
            s = ((a[0] - prev[1]) * d[1] - (a[1] - prev[2]) * d[0]) / den
            cx, cy = prev[1] + s * r[0], prev[2] + s * r[1]
            clat, clon, _ = self.frame.to_geodetic(cx, cy, 0.0)
            north = d[0] * r[1] - d[1] * r[0] > 0
            self.events.append(
                TruthEvent(
                    "border_crossing",
                    prev[0] + s * (p.t - prev[0]),
                    p.target,
                    float(clat),
                    float(clon),
                    "northbound" if north else "southbound",
                )
            )


class PositionLog:
    """Positions per whole second (lat, lon, label): truth targets or track updates."""

    def __init__(self) -> None:
        self.at: dict[int, tuple[np.ndarray, np.ndarray, list[str]]] = {}

    def add(self, t: float, lat: Sequence[float], lon: Sequence[float], labels: list[str]) -> None:
        key = round(t)
        old = self.at.get(key)
        la, lo = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        if old is not None:
            la, lo, labels = np.r_[old[0], la], np.r_[old[1], lo], old[2] + labels
        self.at[key] = (la, lo, labels)

    def near(
        self, t: float, lat: float, lon: float, within_m: float, window_s: int = 5
    ) -> list[tuple[float, str]]:
        """(distance, label) of entries within ``within_m`` and ``window_s`` of (t, lat, lon)."""
        out: list[tuple[float, str]] = []
        for k in range(round(t) - window_s, round(t) + window_s + 1):
            got = self.at.get(k)
            if got is None or len(got[0]) == 0:
                continue
            n = len(got[0])
            d = np.asarray(distance_m(np.full(n, lat), np.full(n, lon), got[0], got[1]))
            out += [(float(d[i]), got[2][i]) for i in np.flatnonzero(d <= within_m)]
        return sorted(out)


@dataclass
class Score:
    """How well detected events of one kind match the truth.

    ``observable`` counts true events the upstream pipeline could see (a track update
    within ``max_dist_m`` of the true event within 5 s), so the airspace stage's own
    recall (``recall_observable``) is told apart from sensor coverage and tracking gaps.
    False events are attributed to the nearest truth target at that moment:
    ``false_on_drones`` (a real drone, wrong place/time/duplicate) or
    ``false_on_others`` (a bird, aircraft or clutter track classed as a drone).
    """

    kind: str
    truth: int = 0
    found: int = 0
    false: int = 0
    hours: float = 0.0
    observable: int = 0
    found_observable: int = 0
    false_on_drones: int = 0
    false_on_others: int = 0
    dt_s: list[float] = field(default_factory=list)
    dist_m: list[float] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else float("nan")

    @property
    def recall_observable(self) -> float:
        return self.found_observable / self.observable if self.observable else float("nan")

    @property
    def false_per_hour(self) -> float:
        return self.false / self.hours if self.hours else float("nan")

    def to_dict(self) -> dict[str, Any]:
        def r(v: float, nd: int) -> float | None:
            return None if math.isnan(v) else round(v, nd)

        return {
            "kind": self.kind,
            "truth": self.truth,
            "found": self.found,
            "recall": r(self.recall, 4),
            "observable": self.observable,
            "found_observable": self.found_observable,
            "recall_observable": r(self.recall_observable, 4),
            "false": self.false,
            "false_on_drones": self.false_on_drones,
            "false_on_others": self.false_on_others,
            "hours": round(self.hours, 3),
            "false_per_hour": r(self.false_per_hour, 3),
            "median_dt_s": round(float(np.median(self.dt_s)), 2) if self.dt_s else None,
            "median_dist_m": round(float(np.median(self.dist_m)), 1) if self.dist_m else None,
        }


def match(
    truth: Sequence[TruthEvent],
    detected: Sequence[Event],
    kind: str,
    hours: float,
    max_dt_s: float = 60.0,
    max_dist_m: float = 100.0,
    tracks: PositionLog | None = None,
    truth_positions: PositionLog | None = None,
) -> Score:
    """One-to-one matching of detected to true events of ``kind`` (see module docstring)."""
    tr = [e for e in truth if e.kind == kind]
    de = [e for e in detected if e.kind == kind]

    def key_of(e: Event) -> str:
        return str(e.attrs.get("direction" if kind == "border_crossing" else "zone"))

    score = Score(kind, truth=len(tr), hours=hours)
    used = np.zeros(len(de), dtype=bool)
    dt = np.array([e.t for e in de])
    dlat = np.array([e.lat for e in de])
    dlon = np.array([e.lon for e in de])
    dkey = np.array([key_of(e) for e in de], dtype=object)
    for te in sorted(tr, key=lambda e: e.t):
        seen = tracks is None or bool(tracks.near(te.t, te.lat, te.lon, max_dist_m))
        score.observable += int(seen)
        if not de:
            continue
        cand = np.flatnonzero(~used & (dkey == te.key) & (np.abs(dt - te.t) <= max_dt_s))
        if len(cand) == 0:
            continue
        n = len(cand)
        dist = np.asarray(
            distance_m(np.full(n, te.lat), np.full(n, te.lon), dlat[cand], dlon[cand])
        )
        ok = cand[dist <= max_dist_m]
        if len(ok) == 0:
            continue
        best = ok[np.argmin(np.abs(dt[ok] - te.t))]
        used[best] = True
        score.found += 1
        score.found_observable += int(seen)
        score.dt_s.append(float(abs(dt[best] - te.t)))
        score.dist_m.append(float(dist[cand == best][0]))
    score.false = int((~used).sum())
    if truth_positions is not None:
        for k in np.flatnonzero(~used):
            near = truth_positions.near(dt[k], dlat[k], dlon[k], 200.0, window_s=0)
            if near and near[0][1] == TargetClass.DRONE.value:
                score.false_on_drones += 1
            else:
                score.false_on_others += 1
    return score


class TruthStandIn:
    """Truth points -> noisy TrackUpdates, one track per target (NOT a tracker; see above)."""

    def __init__(
        self, frame: LocalFrame, seed: int = 0, sigma_h_m: float = 10.0, sigma_v_m: float = 5.0
    ) -> None:
        self.frame = frame
        self.rng = np.random.default_rng(seed)
        self.sigma_h_m = sigma_h_m
        self.sigma_v_m = sigma_v_m
        self.seen: dict[str, float] = {}

    def step(self, t: float, truth: Sequence[TruthPoint]) -> list[TrackUpdate]:
        if not truth:
            return []
        n = len(truth)
        lat = np.array([p.lat for p in truth])
        lon = np.array([p.lon for p in truth])
        alt = np.array([p.alt_m for p in truth])
        x, y, z = self.frame.to_enu(lat, lon, alt)
        x = x + self.rng.normal(0.0, self.sigma_h_m, n)
        y = y + self.rng.normal(0.0, self.sigma_h_m, n)
        z = z + self.rng.normal(0.0, self.sigma_v_m, n)
        nlat, nlon, nalt = self.frame.to_geodetic(x, y, z)
        out = []
        for k, p in enumerate(truth):
            probs = {c.value: 0.0 for c in TargetClass}
            probs[p.kind.value] = 0.85
            probs[TargetClass.UNKNOWN.value] += 0.15
            ident = p.identity.keys() if p.identity else []
            self.seen[p.target] = t
            out.append(
                TrackUpdate(
                    t=t,
                    track=f"S-{p.target}",
                    status=TrackStatus.CONFIRMED,
                    lat=float(nlat[k]),
                    lon=float(nlon[k]),
                    alt_m=float(nalt[k]),
                    velocity=p.velocity,
                    state=(float(x[k]), float(y[k]), float(z[k]), *p.velocity),
                    cov=None,
                    class_probs=probs,
                    identities=tuple(ident),
                    callsign=p.identity.callsign if p.identity else None,
                )
            )
        return out
