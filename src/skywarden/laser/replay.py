"""Replay a recording through the live interlock: how long would the laser have held?

Why: the planning count of flights says who would have been in the way; the replay says
what the test would have cost in firing time, scan by scan, with exactly the logic that
runs live (:class:`~skywarden.laser.holdfire.HoldFire`), look-ahead and margins included.
Positions are taken from lat/lon/alt (a recording's sector frame is not needed).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from skywarden.geo import destination
from skywarden.laser.holdfire import HOLD, HoldFire
from skywarden.laser.plan import LaserPlan
from skywarden.model import TrackStatus, TrackUpdate
from skywarden.stages import Hooks, Runner, Scan, StageChain, StepResult, fresh


@dataclass(frozen=True)
class HoldReplay:
    """Scans in the window, seconds on HOLD, and the HOLD periods (start, end, tracks)."""

    scans: int
    window_s: float
    hold_s: float
    periods: list[tuple[float, float, list[str]]]

    def to_dict(self) -> dict[str, object]:
        return {
            "scans": self.scans,
            "window_minutes": self.window_s / 60.0,
            "hold_minutes": self.hold_s / 60.0,
            "clear_minutes": (self.window_s - self.hold_s) / 60.0,
            "periods": [{"start_t": a, "end_t": b, "tracks": t} for a, b, t in self.periods],
        }


def replay_holds(
    plan: LaserPlan, updates: Iterable[TrackUpdate], scan_s: float = 1.0, stale_s: float = 10.0
) -> HoldReplay:
    """Decide every ``scan_s`` through the plan's window on the latest update of each track.

    Recordings are not synchronised (ADS-B reports arrive when they arrive), so each scan
    uses every track's latest update no older than ``stale_s``, moved to the scan time on
    its velocity; ended tracks drop out. A scan's decision holds until the next scan.
    The scans go through the one stage loop (``skywarden.stages.Runner``) with only the
    hold-fire stage, as they would live.
    """
    vol = plan.volume(plan.tfr_zone)
    t0, t1 = plan.start_t, plan.end_t
    n_scans = max(1, math.ceil((t1 - t0) / scan_s - 1e-9))
    holds = _Holds(scan_s, t1)
    chain = StageChain(hold_fire=HoldFire(plan, vol.frame), strict=True)
    Runner(chain, holds).run(fresh(_scans(updates, t0, t1, n_scans, scan_s, stale_s)))
    return HoldReplay(n_scans, t1 - t0, holds.hold_s, holds.periods)


def _scans(
    updates: Iterable[TrackUpdate], t0: float, t1: float, n: int, scan_s: float, stale_s: float
) -> Iterator[Scan]:
    """A scan every ``scan_s`` with each live track's latest update moved to the scan's
    time; a scan without any current track is left out (nothing to decide on)."""
    rows = sorted((u for u in updates if t0 - stale_s <= u.t <= t1), key=lambda u: u.t)
    last: dict[str, TrackUpdate] = {}
    k = 0
    for i in range(n):
        t = t0 + i * scan_s
        while k < len(rows) and rows[k].t <= t:
            u = rows[k]
            if u.status is TrackStatus.ENDED:
                last.pop(u.track, None)
            else:
                last[u.track] = u
            k += 1
        current = [u for u in last.values() if t - u.t <= stale_s]
        if current:
            yield Scan(t, updates=_at(current, t))


class _Holds(Hooks):
    """The runner's commit hook: seconds on HOLD and the HOLD periods (merged)."""

    def __init__(self, scan_s: float, t1: float) -> None:
        self.scan_s, self.t1 = scan_s, t1
        self.hold_s = 0.0
        self.periods: list[tuple[float, float, list[str]]] = []

    def commit(self, result: StepResult) -> object:
        d = result.decision
        if d is None or d.state != HOLD:
            return None
        t = result.t
        t_next = min(t + self.scan_s, self.t1)
        self.hold_s += t_next - t
        if self.periods and self.periods[-1][1] >= t - 1e-6:
            a, _, tr = self.periods[-1]
            self.periods[-1] = (a, t_next, list(dict.fromkeys([*tr, *d.tracks])))
        else:
            self.periods.append((t, t_next, list(d.tracks)))
        return None


def _at(updates: list[TrackUpdate], t: float) -> list[TrackUpdate]:
    """The updates moved to time ``t`` on their velocities (geodesic, vectorised)."""
    dt = np.array([t - u.t for u in updates])
    if not np.any(dt):
        return [dataclasses.replace(u, state=()) for u in updates]
    ve = np.array([u.velocity[0] for u in updates])
    vn = np.array([u.velocity[1] for u in updates])
    vu = np.array([u.velocity[2] for u in updates])
    lat = np.array([u.lat for u in updates])
    lon = np.array([u.lon for u in updates])
    brg = np.degrees(np.arctan2(ve, vn))
    lat2, lon2 = destination(lat, lon, brg, np.hypot(ve, vn) * dt)
    lat2, lon2 = np.asarray(lat2), np.asarray(lon2)
    return [
        dataclasses.replace(
            u,
            t=t,
            lat=float(lat2[i]),
            lon=float(lon2[i]),
            alt_m=u.alt_m + float(vu[i] * dt[i]),
            state=(),
        )
        for i, u in enumerate(updates)
    ]
