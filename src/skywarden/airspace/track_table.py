"""Dense per-track state for the airspace stage: track ids mapped to array rows.

Every detector in :mod:`skywarden.airspace` keeps its state in numpy arrays indexed by
these rows, so one analysis step over thousands of tracks is a handful of array
operations. :meth:`TrackTable.ingest` turns a batch of :class:`~skywarden.model.TrackUpdate`
records into a :class:`Batch` of arrays (the only per-update Python loop of the stage:
reading the records) and remembers each row's previous update for segment tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

from skywarden.airspace._arrays import columns
from skywarden.geo import LocalFrame
from skywarden.model import TargetClass, TrackStatus, TrackUpdate
from skywarden.tracking.identity_check import is_flagged

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T")


class _lazy(Generic[T]):
    """``functools.cached_property`` without its lock (Python 3.11 takes one per first
    access, which costs more than the arrays of a ~7-track batch)."""

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _lazy[T]: ...
    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | _lazy[T]:
        if obj is None:
            return self
        value: T = self.fn(obj)
        obj.__dict__[self.name] = value  # shadows this (non-data) descriptor from now on
        return value


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
        """The updates selected by a boolean mask, as a batch of their own (with the
        rows of the cached arrays already worked out here: the same numbers, cheaper)."""
        idx = mask.nonzero()[0]
        sub = Batch(
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
        for name in _ROW_CACHED:
            got = self.__dict__.get(name)
            if got is not None:
                sub.__dict__[name] = got[idx]
        return sub

    @_lazy
    def cur(self) -> FloatArray:
        """(n, 4) t, x, y, alt; cached: several detectors read it every step."""
        return columns([self.t, self.x, self.y, self.alt])

    @_lazy
    def row_cap(self) -> int:
        """One more than the largest row (0 when empty): what per-row state must hold."""
        return int(self.rows.max()) + 1 if len(self.rows) else 0

    @_lazy
    def t_max(self) -> float:
        """The latest update time (only for a non-empty batch)."""
        return float(self.t.max())

    @_lazy
    def speed(self) -> FloatArray:
        """Horizontal speed (m/s); cached like :attr:`cur`."""
        return np.hypot(self.vel[:, 0], self.vel[:, 1])


#: the cached per-update arrays a subset takes the rows of (see ``Batch.subset``)
_ROW_CACHED = ("cur", "speed")


_DRONE = TargetClass.DRONE.value
_MANNED = TargetClass.MANNED.value
_BIRD = TargetClass.BIRD.value
_ENDED = TrackStatus.ENDED


def _numbers(u: TrackUpdate) -> tuple[float, ...]:
    """t, lat, lon, alt, velocity (3) and p_drone, p_manned, p_bird, p_exist of ``u``.

    A track without any classification (a source that does not classify) is treated as
    a possible drone: the airspace stage would rather look than not."""
    probs = u.class_probs
    return (
        u.t,
        u.lat,
        u.lon,
        u.alt_m,
        *u.velocity,
        probs.get(_DRONE, 0.0) if probs else 1.0,
        probs.get(_MANNED, 0.0),
        probs.get(_BIRD, 0.0),
        u.p_exist,
    )


def _flags(u: TrackUpdate) -> tuple[bool, bool, bool]:
    """Has a Remote ID serial, the tracker flagged it false, the track ended."""
    return (
        any(i.startswith(("rid:", "ridsession:")) for i in u.identities),
        is_flagged(u),
        u.status == _ENDED,
    )


class TrackTable:
    """Track id <-> row, and each row's last (t, x, y, alt)."""

    def __init__(self, frame: LocalFrame) -> None:
        self.frame = frame
        self.row_of: dict[str, int] = {}
        self.ids: list[str | None] = []
        self.last = np.full((64, 4), np.nan)
        self.last_seen = np.full(64, -np.inf)
        self.live = np.zeros(64, dtype=bool)  # ids[r] is not None, as an array (stale)
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
                    self.live = np.concatenate([self.live, np.zeros(grow, dtype=bool)])
            self.row_of[track] = r
            self.last[r] = np.nan
            self.live[r] = True
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
        # One pass over the records for every number and one for every flag: the
        # batches are small, so the passes, not the arithmetic, are the cost.
        num = np.array([_numbers(u) for u in ups], dtype=float).reshape(n, 11)
        flags = np.array([_flags(u) for u in ups], dtype=bool).reshape(n, 3)
        has_rid, false_rid, ended = flags[:, 0], flags[:, 1], flags[:, 2]
        # A Remote ID the sensors contradict makes nothing compliant.
        has_rid &= ~false_rid
        x, y, _ = self.frame.to_enu(num[:, 1], num[:, 2], num[:, 3])
        prev = self.last[rows]  # (a copy: fancy indexing)
        cur = columns([num[:, 0], x, y, num[:, 3]])
        self.last[rows] = cur
        self.last_seen[rows] = num[:, 0]
        batch = Batch(
            updates=ups,
            rows=rows,
            t=num[:, 0],
            lat=num[:, 1],
            lon=num[:, 2],
            alt=num[:, 3],
            x=np.asarray(x, dtype=float),
            y=np.asarray(y, dtype=float),
            vel=num[:, 4:7],
            p_drone=num[:, 7],
            p_manned=num[:, 8],
            p_bird=num[:, 9],
            p_exist=num[:, 10],
            has_rid=has_rid,
            ended=ended,
            prev=prev,
            false_rid=false_rid,
        )
        batch.__dict__["cur"] = cur  # what Batch.cur would work out (lazy, see _lazy)
        return batch

    def stale(self, t: float, max_age_s: float) -> IntArray:
        """Rows of tracks not updated for ``max_age_s`` (their tracker dropped them)."""
        n = len(self.ids)
        return (self.live[:n] & (self.last_seen[:n] < t - max_age_s)).nonzero()[0].astype(np.intp)

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
            self.live[int(r)] = False
            self._free.append(int(r))
        return gone
