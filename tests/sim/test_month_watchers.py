"""Watchers: the month's incursions that cross to watch agents and fly home, no drop."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from skywarden.sim.geography import US, Geography
from skywarden.sim.month import MonthPlan, plan_month
from skywarden.sim.rates import RateModel, RateModelError


@pytest.fixture(scope="module")
def plans() -> tuple[MonthPlan, MonthPlan]:
    none = plan_month(seed=5, days=1.0, quiet_s=0.0)
    half = plan_month(seed=5, days=1.0, quiet_s=0.0, model=RateModel(surveillance_share=0.5))
    return none, half


def _geo(plan: MonthPlan, tile_id: str) -> Geography:
    t = plan.tile(tile_id)
    sec = t.doc["sector"]
    return Geography(t.frame, t.extent_m, sec["ground_alt_m"], t.airports)


def test_without_watchers_every_flight_is_a_smuggler(plans: tuple[MonthPlan, MonthPlan]) -> None:
    none, _ = plans
    assert {i.family for i in none.incursions} == {"smuggler"}
    assert all(i.record(True)["family"] == "smuggler" for i in none.incursions)


def test_watchers_replace_flights_and_leave_the_others_alone(
    plans: tuple[MonthPlan, MonthPlan],
) -> None:
    none, half = plans
    fam = [i.family for i in half.incursions]
    assert 0.25 < fam.count("watcher") / len(fam) < 0.75
    assert [(i.id, i.launch_t, i.km, i.owner) for i in half.incursions] == [
        (i.id, i.launch_t, i.km, i.owner) for i in none.incursions
    ]
    for a, b in zip(none.incursions, half.incursions, strict=True):
        assert a.target is not None and b.target is not None
        if b.family == "smuggler":  # the family has a stream of its own
            np.testing.assert_array_equal(a.target.xyz, b.target.xyz)
        else:
            assert b.target.role == "surveillance" and not b.recross


def test_a_watcher_crosses_hovers_in_the_us_high_and_goes_home(
    plans: tuple[MonthPlan, MonthPlan],
) -> None:
    _, half = plans
    watchers = [i for i in half.incursions if i.family == "watcher"]
    assert watchers
    for inc in watchers:
        tg = inc.target
        assert tg is not None
        dirs = [c["direction"] for c in inc.crossings]
        assert dirs[0] == "N" and dirs[-1] == "S"
        assert all(a != b for a, b in itertools.pairwise(dirs))
        geo = _geo(half, inc.owner)
        north = geo.side(tg.xyz[:, 0], tg.xyz[:, 1]) == US
        speed = np.hypot(tg.vel[:, 0], tg.vel[:, 1])
        assert (north & (speed < 1.0)).sum() >= 100  # watching: >= 120 s by the draw
        agl = tg.xyz[:, 2] - geo.ground_at(tg.xyz[:, 0], tg.xyz[:, 1])
        assert agl[north].min() > 20.0  # no descent to a drop over the US
        assert tg.link is not None and tg.link.all()  # flown on its video


def test_the_share_is_checked() -> None:
    with pytest.raises(RateModelError, match="surveillance_share"):
        RateModel(surveillance_share=1.5)
