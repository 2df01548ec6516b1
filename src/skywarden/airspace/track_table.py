"""Dense per-track state for the airspace stage: track ids mapped to array rows.

Every detector in :mod:`skywarden.airspace` keeps its state in numpy arrays indexed by
these rows, so one analysis step over thousands of tracks is a handful of array
operations. :meth:`TrackTable.ingest` turns a batch of :class:`~skywarden.model.TrackUpdate`
records into a :class:`Batch` of arrays (the only per-update Python loop of the stage:
reading the records) and remembers each row's previous update for segment tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.model import TargetClass, TrackStatus, TrackUpdate
from skywarden.tracking.identity_check import is_flagged

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Batch:
    """One step's updates as arrays (one entry per update, latest per track)."""

    updates: list[TrackUpdate]
    rows: IntArray
    t: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    x: FloatArray
    y: FloatArray
    vel: FloatArray  # (n, 3) east, north, up m/s
    p_drone: FloatArray
    p_manned: FloatArray
    p_bird: FloatArray
    p_exist: FloatArray  # the tracker's existence probability (1.0 from older trackers)
    has_rid: BoolArray  # a Remote ID serial the tracker did NOT flag as false
    ended: BoolArray
    prev: FloatArray  # (n, 4) t, x, y, alt of the row's previous update (t NaN if none)
    # the tracker flagged its Remote ID as false (identity_check): a drone with a false
    # identity, worse than none; None (older callers) means no flag on any track
    false_rid: BoolArray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, mask: BoolArray) -> Batch:
        """The updates selected by a boolean mask, as a batch of their own."""
        idx = np.flatnonzero(mask)
        return Batch(
            updates=[self.updates[int(i)] for i in idx],
            rows=self.rows[idx],
            t=self.t[idx],
            lat=self.lat[idx],
            lon=self.lon[idx],
            alt=self.alt[idx],
            x=self.x[idx],
            y=self.y[idx],
            vel=self.vel[idx],
            p_drone=self.p_drone[idx],
            p_manned=self.p_manned[idx],
            p_bird=self.p_bird[idx],
            p_exist=self.p_exist[idx],
            has_rid=self.has_rid[idx],
            ended=self.ended[idx],
            prev=self.prev[idx],
            false_rid=None if self.false_rid is None else self.false_rid[idx],
        )

    @property
    def cur(self) -> FloatArray:
        return np.column_stack([self.t, self.x, self.y, self.alt])

    @property
    def speed(self) -> FloatArray:
        return np.hypot(self.vel[:, 0], self.vel[:, 1])


class TrackTable:
    """Track id <-> row, and each row's last (t, x, y, alt)."""

    def __init__(self, frame: LocalFrame) -> None:
        self.frame = frame
        self.row_of: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.last = np.full((64, 4), np.nan)
        self.last_seen = np.full(64, -np.inf)
        self._free: list[int] = []

    def _row(self, track: str) -> int:
        r = self.row_of.get(track)
        if r is None:
            if self._free:
                r = self._free.pop()
                self.ids[r] = track
            else:
                r = len(self.ids)
                self.ids.append(track)
                if r >= len(self.last):
                    grow = len(self.last)
                    self.last = np.vstack([self.last, np.full((grow, 4), np.nan)])
                    self.last_seen = np.concatenate([self.last_seen, np.full(grow, -np.inf)])
            self.row_of[track] = r
            self.last[r] = np.nan
        return r

    def ingest(self, updates: Sequence[TrackUpdate]) -> Batch:
        """Arrays for a batch; when a track appears twice, only its latest update is kept."""
        latest: dict[str, TrackUpdate] = {}
        for u in updates:
            old = latest.get(u.track)
            if old is None or u.t >= old.t:
                latest[u.track] = u
        ups = sorted(latest.values(), key=lambda u: (u.t, u.track))
        n = len(ups)
        rows = np.fromiter((self._row(u.track) for u in ups), dtype=np.intp, count=n)
        num = np.array(
            [(u.t, u.lat, u.lon, u.alt_m, *u.velocity) for u in ups], dtype=float
        ).reshape(n, 7)
        drone = TargetClass.DRONE.value
        # A track without any classification (a source that does not classify) is
        # treated as a possible drone: the airspace stage would rather look than not.
        manned = TargetClass.MANNED.value
        p_drone = np.fromiter(
            (u.class_probs.get(drone, 0.0) if u.class_probs else 1.0 for u in ups), float, n
        )
        p_manned = np.fromiter((u.class_probs.get(manned, 0.0) for u in ups), float, n)
        bird = TargetClass.BIRD.value
        p_bird = np.fromiter((u.class_probs.get(bird, 0.0) for u in ups), float, n)
        p_exist = np.fromiter((u.p_exist for u in ups), float, n)
        has_rid = np.fromiter(
            (any(i.startswith(("rid:", "ridsession:")) for i in u.identities) for u in ups),
            bool,
            n,
        )
        # A Remote ID the sensors contradict makes nothing compliant.
        false_rid = np.fromiter((is_flagged(u) for u in ups), bool, n)
        has_rid &= ~false_rid
        ended = np.fromiter((u.status == TrackStatus.ENDED for u in ups), bool, n)
        x, y, _ = self.frame.to_enu(num[:, 1], num[:, 2], num[:, 3])
        prev = self.last[rows].copy()
        self.last[rows] = np.column_stack([num[:, 0], x, y, num[:, 3]])
        self.last_seen[rows] = num[:, 0]
        return Batch(
            updates=ups,
            rows=rows,
            t=num[:, 0],
            lat=num[:, 1],
            lon=num[:, 2],
            alt=num[:, 3],
            x=np.asarray(x, dtype=float),
            y=np.asarray(y, dtype=float),
            vel=num[:, 4:7],
            p_drone=p_drone,
            p_manned=p_manned,
            p_bird=p_bird,
            p_exist=p_exist,
            has_rid=has_rid,
            ended=ended,
            prev=prev,
            false_rid=false_rid,
        )

    def stale(self, t: float, max_age_s: float) -> IntArray:
        """Rows of tracks not updated for ``max_age_s`` (their tracker dropped them)."""
        n = len(self.ids)
        live = np.array([tid is not None for tid in self.ids], dtype=bool)
        return np.flatnonzero(live & (self.last_seen[:n] < t - max_age_s)).astype(np.intp)

    def release(self, rows: IntArray) -> list[str]:
        """Forget rows (ended or stale tracks); their row numbers are reused later."""
        gone = []
        for r in rows:
            tid = self.ids[int(r)]
            if tid is None:
                continue
            gone.append(tid)
            del self.row_of[tid]
            self.ids[int(r)] = None
            self.last[int(r)] = np.nan
            self.last_seen[int(r)] = -np.inf
            self._free.append(int(r))
        return gone
