"""Lanes: several time windows of one sector through one tracker core, in lockstep.

The month simulates ~3,000 short windows a sector-month, one after another, and the
tracker core spends most of each step on the fixed cost of its numpy calls (~350 us a
sensor group whatever its size, docs/month.md). Run ``L`` windows of one sector side by
side and give the core each sensor's plots of all ``L`` windows as one group, and that
cost is paid once a group instead of ``L`` times (``bench/tracker_lanes.py``).

How the windows are kept apart in one core:

- **space**: lane ``l``'s positions (plots, radar sites of Doppler plots, direction
  finders) are moved ``l * LANE_SHIFT_M`` east in the sector's frame. Every gate, bird
  flock, triangulation (20 km reach) and track initiation is local, so nothing pairs
  across lanes 1,000 km apart; a track's lane is where it is. The last bits of a
  shifted lane's floats differ from an unshifted run's (an ulp at 1,000 km is 1e-10 m);
- **time**: the core runs on its own clock; lane ``l``'s absolute time is the core's
  plus the lane's offset, set when a window begins in it (:meth:`LaneTracker.begin`).
  Differences of times are exact either way (Sterbenz), so every ``dt`` is the
  separate run's;
- **identities**: Remote ID serials and ICAO addresses are scoped to the lane (one
  background drone flies in several windows of a sector), and unscoped in the records;
- **ends**: a lane whose window ends ends its own tracks (:meth:`LaneTracker.end`, as a
  feed gap does), not the others'.

Nothing else is shared: every other piece of a track's state is a row of the core's
table, and time enters only as differences. A direction finder's bearings of several
lanes are one group too, with a site per bearing (``Bearings.site`` (m, 3)): the
bearing gate fits each site's bearings apart, the rest of the group's work is shared.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from skywarden.geo import LocalFrame
from skywarden.model import Detection, TrackUpdate
from skywarden.tracking.bearings import Bearings, bearing_sites
from skywarden.tracking.config import TrackerConfig
from skywarden.tracking.core import TrackerCore
from skywarden.tracking.doppler import DopplerPlots
from skywarden.tracking.records import ScanError, ScanGroup, StepResult, TrackMeta
from skywarden.tracking.scan import scan_groups
from skywarden.tracking.tracker import Tracker

#: east shift between lanes (m): far beyond any gate, flock or DF reach
LANE_SHIFT_M = 1.0e6
#: joins an identity key to its lane (no serial or ICAO address holds it)
_SCOPE = "\x1f"
#: per-detection optional columns of a position group, concatenated when merging
_ROWS = ("velocity", "velocity_var", "rcs_dbsm", "class_lik", "age_s")

Rows = dict[str, npt.NDArray]


def scope_keys(keys: Sequence[tuple[str, ...]] | None, lane: int) -> list[tuple[str, ...]] | None:
    """Identity keys made lane ``lane``'s own (``rid:...``/``icao:...`` prefixes kept)."""
    if keys is None:
        return None
    return [tuple(f"{k}{_SCOPE}{lane}" for k in ks) for ks in keys]


def unscope(key: str) -> str:
    """An identity key without its lane."""
    return key.split(_SCOPE, 1)[0]


def into_lane(g: ScanGroup, lane: int, offset: float) -> ScanGroup:
    """Group ``g`` (absolute time, the sector's frame) moved into lane ``lane``."""
    dx = lane * LANE_SHIFT_M
    shift = np.array([dx, 0.0, 0.0])
    b = g.bearings
    if b is not None:
        b = replace(b, site=b.site + shift)
    dop = g.doppler
    if dop is not None:
        dop = replace(dop, site=dop.site + shift)
    z = None if g.z is None else g.z + shift
    keys = scope_keys(g.identity_keys, lane)
    return replace(g, t=g.t - offset, z=z, bearings=b, doppler=dop, identity_keys=keys)


def _signature(g: ScanGroup) -> tuple[object, ...]:
    """Which groups may merge: one sensor, one time, the same optional columns (so the
    merged group reads as each would alone); a DF's bearings also the same range."""
    present = tuple(getattr(g, f) is not None for f in _ROWS)
    b = g.bearings
    if b is not None:
        el = (b.elevation is not None, b.elevation_sigma is not None)
        return (g.sensor, g.t, g.kind, present, "bearings", b.range_m, el)
    dop = g.doppler
    has = (dop is not None, dop is not None and dop.sigma is not None)
    return (g.sensor, g.t, g.kind, present, "positions", has)


def _merge_bearings(gs: list[ScanGroup]) -> Bearings:
    """One DF's bearings of several lanes: a site per bearing (each lane's own)."""
    bs = [g.bearings for g in gs if g.bearings is not None]
    cat = np.concatenate
    el = None if bs[0].elevation is None else cat([b.elevation for b in bs])
    els = None if bs[0].elevation_sigma is None else cat([b.elevation_sigma for b in bs])
    return Bearings(
        cat([bearing_sites(b) for b in bs]),
        cat([b.azimuth for b in bs]),
        cat([b.sigma for b in bs]),
        el,
        els,
        bs[0].range_m,
    )


def _merge(gs: list[ScanGroup]) -> ScanGroup:
    """One sensor's groups of one time (from several lanes) as one group."""
    if len(gs) == 1:
        return gs[0]
    cat = np.concatenate
    cols: dict[str, object] = {}
    if gs[0].bearings is not None:
        cols["bearings"] = _merge_bearings(gs)
    else:
        cols["z"], cols["R"] = cat([g.z for g in gs]), cat([g.R for g in gs])
    for f in _ROWS:
        if getattr(gs[0], f) is not None:
            cols[f] = cat([getattr(g, f) for g in gs])
    if gs[0].identity_keys is not None or any(g.identity_keys for g in gs):
        cols["identity_keys"] = [k for g in gs for k in (g.identity_keys or [()] * len(g))]
    if any(g.callsigns for g in gs):
        cols["callsigns"] = [c for g in gs for c in (g.callsigns or [None] * len(g))]
    if gs[0].doppler is not None:
        dops = [g.doppler for g in gs if g.doppler is not None]
        sig = None if dops[0].sigma is None else cat([d.sigma for d in dops if d.sigma is not None])
        cols["doppler"] = DopplerPlots(cat([d.vr for d in dops]), cat([d.site for d in dops]), sig)
    return replace(gs[0], **cols)  # type: ignore[arg-type]


def merge_lanes(lanes: Sequence[Sequence[ScanGroup]]) -> list[ScanGroup]:
    """One list of the lanes' groups, each sensor's groups of one time merged across
    lanes, in an order that keeps every lane's own (the core fuses a time's
    groups in the order given): a topological order of the lanes' sequences, ties by
    first appearance. Lanes that order their sensors inconsistently (a cycle) are not
    merged that scan: their lists are concatenated, each in its own order."""
    members: dict[object, list[ScanGroup]] = {}
    after: dict[object, list[object]] = {}
    before: dict[object, int] = {}
    for gs in lanes:
        rounds: dict[object, int] = {}
        prev: object = None
        for g in gs:
            # a sensor's second group of one time (identity rounds, a DF's second site)
            # stays second
            sig = _signature(g)
            key: object = (sig, rounds.get(sig, 0))
            rounds[sig] = rounds.get(sig, 0) + 1
            if key not in members:
                members[key], after[key], before[key] = [], [], 0
            members[key].append(g)
            if prev is not None and key not in after[prev]:
                after[prev].append(key)
                before[key] += 1
            prev = key
    rank = {k: i for i, k in enumerate(members)}
    ready = [(rank[k], k) for k in members if before[k] == 0]
    heapq.heapify(ready)
    out: list[ScanGroup] = []
    while ready:
        _, k = heapq.heappop(ready)
        out.append(_merge(members[k]))
        for nxt in after[k]:
            before[nxt] -= 1
            if before[nxt] == 0:
                heapq.heappush(ready, (rank[nxt], nxt))
    if len(out) < len(members):
        return [g for gs in lanes for g in gs]
    return out


def lane_of(x: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    """The lane of each state (k, >= 1) from its east coordinate."""
    return np.floor(x[:, 0] / LANE_SHIFT_M + 0.5).astype(np.intp)


def home_rows(rows: Rows, lanes: int) -> tuple[Rows, npt.NDArray[np.intp]]:
    """A step's reported rows with every state moved back home, and each row's lane."""
    if not rows or rows["id"].shape[0] == 0:
        return {}, np.empty(0, dtype=np.intp)
    lane = lane_of(rows["x"])
    if ((lane < 0) | (lane >= lanes)).any():
        bad = rows["id"][(lane < 0) | (lane >= lanes)].tolist()
        raise ScanError(f"lanes: tracks {bad} lie outside every lane's stretch of the frame")
    x = rows["x"].copy()
    x[:, 0] -= lane * LANE_SHIFT_M
    return {**rows, "x": x}, lane


def _home(meta: TrackMeta) -> TrackMeta:
    return TrackMeta([unscope(k) for k in meta.identities], meta.callsign)


class LaneTracker:
    """``lanes`` windows of one sector through one core (see module). Each lane is a
    :class:`Tracker` face of the shared core, with its own pending detections and
    identity check; its records are the ones a tracker of its own would write, at its
    own times and places."""

    def __init__(
        self,
        frame: LocalFrame,
        lanes: int,
        config: TrackerConfig | None = None,
        *,
        id_prefix: str = "",
    ) -> None:
        if lanes < 1:
            raise ValueError(f"LaneTracker: lanes must be >= 1, got {lanes}")
        self.frame = frame
        self.config = config or TrackerConfig()
        self.core = TrackerCore(self.config, dims=3)
        self.faces = [
            Tracker(frame, self.config, id_prefix=id_prefix, core=self.core) for _ in range(lanes)
        ]
        self.offset: list[float | None] = [None] * lanes
        self.t_last: list[float | None] = [None] * lanes  # each lane's last absolute time

    @property
    def lanes(self) -> int:
        return len(self.faces)

    def begin(self, lane: int, t_abs: float, t_core: float) -> None:
        """A window begins in ``lane``: its absolute time ``t_abs`` is core time
        ``t_core`` from now on. The lane must have no live track."""
        if self.offset[lane] is not None:
            raise ScanError(f"LaneTracker.begin: lane {lane} is still running a window")
        self.offset[lane] = t_abs - t_core

    def step(
        self, t_core: float, scans: Sequence[Sequence[Detection] | None]
    ) -> list[list[TrackUpdate]]:
        """One core scan at ``t_core``: lane ``l``'s detections (absolute times, up to
        ``t_core`` + its offset), None for a lane without a window. Returns each lane's
        records, stamped with the lane's absolute time."""
        if len(scans) != self.lanes:
            raise ScanError(f"LaneTracker.step: {len(scans)} scans for {self.lanes} lanes")
        groups: list[list[ScanGroup]] = []
        nows: list[list[Detection]] = []
        for lane, dets in enumerate(scans):
            off = self.offset[lane]
            if off is None:
                if dets:
                    raise ScanError(f"LaneTracker.step: detections for idle lane {lane}")
                nows.append([])
                continue
            self.t_last[lane] = t_core + off
            now = self.faces[lane].take(t_core + off, dets or ())
            nows.append(now)
            groups.append(
                [into_lane(g, lane, off) for g in scan_groups(self.frame, self.config, now)]
            )
        res = self.core.step(t_core, merge_lanes(groups))
        return self._report(t_core, res, nows)

    def end(self, lane: int, t_abs: float) -> list[TrackUpdate]:
        """``lane``'s window is over: end its tracks (records stamped ``t_abs``) and free
        the lane for the next :meth:`begin`."""
        off = self.offset[lane]
        if off is None:
            return []
        out: list[TrackUpdate] = []
        if self.core.table.n:
            mine = lane_of(self.core.table.a["x"]) == lane
            if mine.any():
                rows, meta = self.core.end(mine)
                home, _ = home_rows(rows, self.lanes)
                face = self.faces[lane]
                ups = face.records(t_abs - off, home, self._metas(home, meta), True, t_abs)
                out = face.identity_check.apply([], ups)
        self.offset[lane] = None
        return out

    def finish(self) -> list[list[TrackUpdate]]:
        """End every lane's tracks (the last window of each), at each lane's last time."""
        return [self.end(lane, self.t_last[lane] or 0.0) for lane in range(self.lanes)]

    def _report(
        self, t_core: float, res: StepResult, nows: list[list[Detection]]
    ) -> list[list[TrackUpdate]]:
        """Every lane's records from one core step: the rows turned into records at once
        (one geodetic conversion for all lanes), then handed to each lane's own
        identity check."""
        offsets = np.array([np.nan if o is None else o for o in self.offset])
        per_lane: list[list[TrackUpdate]] = [[] for _ in range(self.lanes)]
        face = self.faces[0]  # records need the frame, the core and the id prefix: shared
        for rows, ended in ((res.live, False), (res.ended, True)):
            home, lane = home_rows(rows, self.lanes)
            if not home:
                continue
            t_abs = t_core + offsets[lane]
            if np.isnan(t_abs).any():
                raise ScanError("lanes: a track in a lane without a window")
            metas = self._metas(home, res.ended_meta)
            ups = face.records(t_core, home, metas, ended, t_abs.tolist())
            for u, ln in zip(ups, lane.tolist(), strict=True):
                per_lane[ln].append(u)
        return [
            self.faces[ln].identity_check.apply(nows[ln], ups)
            if self.offset[ln] is not None
            else []
            for ln, ups in enumerate(per_lane)
        ]

    def _metas(self, rows: Rows, ended_meta: dict[int, TrackMeta]) -> dict[int, TrackMeta]:
        """The rows' identities and callsigns, unscoped."""
        known = {**self.core.meta, **ended_meta}
        ids = rows["id"].tolist() if rows else []
        return {i: _home(known[i]) for i in ids if i in known}


__all__ = [
    "LANE_SHIFT_M",
    "LaneTracker",
    "home_rows",
    "into_lane",
    "lane_of",
    "merge_lanes",
    "scope_keys",
    "unscope",
]
