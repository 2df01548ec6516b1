"""Launch schedules: Poisson rates, slots that never overlap themselves, lazy building."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from skywarden.model import TargetClass
from skywarden.sim.calibration import poisson_ok
from skywarden.sim.schedule import Schedule
from skywarden.sim.target import Target

T0 = 1_770_778_800.0


def _target(seconds: int) -> Callable[[float, np.random.Generator, str], Target]:
    def build(t: float, rng: np.random.Generator, tid: str) -> Target:
        z = np.zeros((seconds, 3))
        return Target(tid, TargetClass.BIRD, "bird", t, z, z, 0.01)

    return build


def _drain(s: Schedule, until: float) -> list[Target]:
    out: list[Target] = []
    t = T0 - 7200
    while s.next_time() <= until:
        t = max(t, s.next_time())
        out.extend(s.pop_due(t))
    return out


def test_poisson_family_launches_at_its_rate() -> None:
    s = Schedule(seed=3, t_start=T0)
    s.add_rate("smuggler", 30.0, _target(60), lead_s=0.0)
    hours = 100
    got = [tg for tg in _drain(s, T0 + hours * 3600) if tg.t0 < T0 + hours * 3600]
    assert poisson_ok(len(got), 30.0 * hours)
    assert [tg.id for tg in got[:3]] == ["smuggler-0000", "smuggler-0001", "smuggler-0002"]
    gaps = np.diff([tg.t0 for tg in got])
    assert gaps.min() >= 0 and abs(gaps.mean() - 120.0) < 4.5 * 120.0 / np.sqrt(len(gaps)) + 1


def test_slot_family_flies_one_mission_at_a_time_per_slot() -> None:
    s = Schedule(seed=3, t_start=T0)
    s.add_slots("bird", 4, _target(600), first_s=(-300.0, 300.0), rest_s=(60.0, 120.0))
    got = _drain(s, T0 + 6 * 3600)
    by_slot: dict[str, list[Target]] = {}
    for tg in got:
        by_slot.setdefault(tg.id.split("-")[1], []).append(tg)
    assert sorted(by_slot) == ["00", "01", "02", "03"]
    for missions in by_slot.values():
        assert len(missions) >= 3
        for a, b in itertools.pairwise(missions):
            assert b.t0 >= a.t_end + 59  # rested before the next flight


def test_nothing_is_built_before_it_is_due() -> None:
    built: list[str] = []

    def build(t: float, rng: np.random.Generator, tid: str) -> Target:
        built.append(tid)
        z = np.zeros((10, 3))
        return Target(tid, TargetClass.BIRD, "bird", t, z, z, 0.01)

    s = Schedule(seed=1, t_start=T0)
    s.add_rate("x", 3600.0, build, lead_s=0.0)  # one a second on average
    assert built == []
    s.pop_due(T0 + 10)
    assert 0 < len(built) < 40
