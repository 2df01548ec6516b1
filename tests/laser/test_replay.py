"""Replaying a recording through the interlock: HOLD time and periods."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from skywarden.laser.plan import load_laser_plan
from skywarden.laser.replay import replay_holds
from skywarden.model import TrackUpdate

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "el-paso-laser.yaml"
PLAN = load_laser_plan(SCENARIO)


def test_one_arrival_holds_for_its_passage_plus_the_look_ahead(
    approach: Callable[..., list[TrackUpdate]],
) -> None:
    t0 = PLAN.start_t + 600
    ups = approach("26R", t0=t0, from_nm=36.0, to_nm=5.0, dt=1.0)
    vol = PLAN.volume()
    inside = vol.contains(
        np.array([u.lat for u in ups]),
        np.array([u.lon for u in ups]),
        np.array([u.alt_m for u in ups]),
    )
    passage_s = float(np.count_nonzero(inside))
    r = replay_holds(PLAN, ups)
    assert r.scans == 7200  # one decision per second of the two-hour window
    assert len(r.periods) == 1 and r.periods[0][2] == ["T000001"]
    # at least the passage; at most passage + 60 s look-ahead + margins (~25 s)
    assert passage_s <= r.hold_s <= passage_s + 90
    # and the rest of the window is clear
    assert r.hold_s < r.window_s


def test_nothing_in_the_window_is_all_clear() -> None:
    r = replay_holds(PLAN, [])
    assert r.scans == 7200 and r.hold_s == 0.0 and r.periods == []


def test_sparse_reports_are_carried_forward_so_the_hold_does_not_flicker(
    approach: Callable[..., list[TrackUpdate]],
) -> None:
    # ADS-B style: one report every 5 s; the interlock still holds without a gap.
    t0 = PLAN.start_t + 600
    dense = replay_holds(PLAN, approach("26R", t0=t0, from_nm=36.0, to_nm=5.0, dt=1.0))
    sparse = replay_holds(PLAN, approach("26R", t0=t0, from_nm=36.0, to_nm=5.0, dt=5.0))
    assert len(sparse.periods) == 1
    assert abs(sparse.hold_s - dense.hold_s) <= 10.0
