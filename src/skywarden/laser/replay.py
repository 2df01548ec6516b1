"""Replay a recording through the live interlock: how long would the laser have held?

Why: the planning count of flights says who would have been in the way; the replay says
what the test would have cost in firing time, scan by scan, with exactly the logic that
runs live (:class:`~skywarden.laser.holdfire.HoldFire`), look-ahead and margins included.
Positions are taken from lat/lon/alt (a recording's sector frame is not needed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from skywarden.laser.holdfire import HOLD, HoldFire
from skywarden.laser.plan import LaserPlan
from skywarden.model import TrackUpdate


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


def replay_holds(plan: LaserPlan, updates: Iterable[TrackUpdate]) -> HoldReplay:
    """Decide on every scan (updates sharing a time) inside the plan's window.

    A scan's decision holds until the next scan; HOLD time is summed over those intervals.
    """
    vol = plan.volume(plan.tfr_zone)
    hold = HoldFire(plan, vol.frame)
    t0, t1 = plan.start_t, plan.end_t
    rows = sorted(
        (dataclasses.replace(u, state=()) for u in updates if t0 <= u.t <= t1),
        key=lambda u: u.t,
    )
    decisions: list[tuple[float, bool, list[str]]] = []
    for t, scan in groupby(rows, key=lambda u: u.t):
        d = hold.decide(t, list(scan))
        decisions.append((t, d.state == HOLD, d.tracks))
    hold_s = 0.0
    periods: list[tuple[float, float, list[str]]] = []
    for k, (t, is_hold, tracks) in enumerate(decisions):
        t_next = decisions[k + 1][0] if k + 1 < len(decisions) else t1
        if not is_hold:
            continue
        hold_s += t_next - t
        if periods and periods[-1][1] >= t - 1e-6:
            a, _, tr = periods[-1]
            periods[-1] = (a, t_next, list(dict.fromkeys([*tr, *tracks])))
        else:
            periods.append((t, t_next, list(tracks)))
    return HoldReplay(len(decisions), t1 - t0, hold_s, periods)
