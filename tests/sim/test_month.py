"""The border-wide month plan: tiles along the whole line, incursions, windows, manifest."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from skywarden.geo import distance_m
from skywarden.sim.border_sectors import (
    UNSENSED,
    BorderLine,
    BorderTilingError,
    tile_border,
)
from skywarden.sim.month import WARMUP_S, MonthError, MonthPlan, plan_month
from skywarden.sim.month_manifest import manifest
from skywarden.sim.month_windows import Window, runs, with_warmups


@pytest.fixture(scope="module")
def plan() -> MonthPlan:
    return plan_month(seed=5, days=1.0, quiet_s=300.0)


def test_tiles_cover_the_whole_line_in_order() -> None:
    tiles = tile_border()
    line = BorderLine.shipped()
    assert tiles[0].km0 == 0.0 and tiles[-1].km1 == pytest.approx(line.length_km)
    for a, b in itertools.pairwise(tiles):
        assert a.km1 == pytest.approx(b.km0)
        assert a.origin[1] < b.origin[1] + 1.0  # west to east (the line wiggles a little)


def test_neighbouring_boxes_overlap_by_the_margin() -> None:
    tiles = tile_border(margin_km=5.0)
    line = BorderLine.shipped()
    for t in tiles:
        for km in (t.km0 - 4.0, t.km1 + 4.0):  # 4 km into each neighbour's stretch
            if not 0 <= km <= line.length_km:
                continue
            lat, lon = line.at(km)
            x, y, _ = t.frame.to_enu(float(lat), float(lon), 0.0)
            assert max(abs(float(x)), abs(float(y))) <= t.extent_m, (t.id, km)


def test_unsensed_stretches_have_no_sensors_and_say_why() -> None:
    tiles = tile_border()
    off = [t for t in tiles if not t.sensed]
    assert off, "some stretches must be unsensed"
    for t in off:
        assert t.doc["sensors"] == [] and t.unsensed_reason
        assert any(lo <= t.origin[1] <= hi for _, lo, hi, _ in UNSENSED)
    share = sum(t.km1 - t.km0 for t in off) / sum(t.km1 - t.km0 for t in tiles)
    assert 0.1 < share < 0.5


def test_towers_stand_along_their_own_stretch_only() -> None:
    line = BorderLine.shipped()
    for t in tile_border()[::7]:
        for lat, lon in t.towers:
            km = float(line.km_of(lat, lon)[0])
            assert t.km0 - 3.0 <= km <= t.km1 + 3.0, (t.id, km)


def test_bad_tiling_is_refused_by_name() -> None:
    with pytest.raises(BorderTilingError, match="tile length"):
        tile_border(tile_km=1.0)
    with pytest.raises(BorderTilingError, match="S999"):
        tile_border(only=["S999"])


def test_every_incursion_crosses_north_at_its_drawn_place(plan: MonthPlan) -> None:
    assert plan.incursions
    for inc in plan.incursions:
        assert inc.crossings and inc.crossings[0]["direction"] == "N"
        dirs = [c["direction"] for c in inc.crossings]
        assert all(a != b for a, b in itertools.pairwise(dirs))  # alternate
        lat, lon = plan.line.at(inc.km)
        first = inc.crossings[0]
        assert float(distance_m(float(lat), float(lon), first["lat"], first["lon"])) < 1500.0
        if inc.recross:
            assert len(inc.crossings) >= 4


def test_sector_is_null_exactly_where_nothing_is_sensed(plan: MonthPlan) -> None:
    for inc in plan.incursions:
        rec = inc.record(plan.tile(inc.owner).sensed)
        assert (rec["sector"] is None) == (not plan.tile(inc.owner).sensed)
        assert rec["stretch"] == inc.owner


def test_windows_hold_every_sensed_flight_and_quiet_samples_stay_outside(
    plan: MonthPlan,
) -> None:
    for inc in plan.incursions:
        assert inc.target is not None
        for sid in inc.in_boxes:
            wins = [w for w in plan.windows[sid] if inc.id in w.incursions]
            assert len(wins) == 1
            w = wins[0]
            assert w.kind == "incursion" and w.weight == 1.0
            assert w.start <= inc.launch_t and w.end >= min(inc.target.t_end, plan.end_t)
    for sid, wins in plan.windows.items():
        busy = [w for w in wins if w.kind == "incursion"]
        for q in (w for w in wins if w.kind in ("quiet", "warmup")):
            assert all(q.end <= b.start or q.start >= b.end for b in busy), sid
            if q.kind == "warmup":
                continue
            sampled = sum(w.seconds for w in wins if w.kind == "quiet")
            quiet = 86400.0 - sum(b.seconds for b in busy)
            assert q.weight == pytest.approx(quiet / sampled)


def test_the_plan_is_deterministic_per_seed(plan: MonthPlan) -> None:
    again = plan_month(seed=5, days=1.0, quiet_s=300.0)
    other = plan_month(seed=6, days=1.0, quiet_s=300.0)
    assert [i.record(True) for i in again.incursions] == [i.record(True) for i in plan.incursions]
    assert again.windows == plan.windows
    assert [i.record(True) for i in other.incursions] != [i.record(True) for i in plan.incursions]
    np.testing.assert_array_equal(again.incursions[0].target.xyz, plan.incursions[0].target.xyz)  # type: ignore[union-attr]


def test_the_manifest_has_its_schema(plan: MonthPlan) -> None:
    doc = json.loads(json.dumps(manifest(plan, "9.9")))
    for key in (
        "schema",
        "skywarden_version",
        "seed",
        "start_t",
        "end_t",
        "days",
        "border",
        "tiling",
        "sampling",
        "rate_model",
        "incursions_in_truth",
        "sectors",
    ):
        assert key in doc, key
    assert doc["schema"] == "skywarden.month/1" and doc["seed"] == 5
    assert doc["end_t"] - doc["start_t"] == pytest.approx(86400.0)
    assert doc["tiling"]["overlap_margin_km"] == 5.0
    assert doc["rate_model"]["sources"]["per_month"].startswith("Gen. G. Guillot")
    for s in doc["sectors"]:
        ring = s["polygon"]
        assert ring[0] == ring[-1] and len(ring) == 5
        assert s["sensed"] == (s["unsensed_reason"] is None)
        assert s["simulated"] == (s["run_dir"] is not None)
        for sensor in s["sensors"]:
            assert {"id", "kind", "site", "covers_border_km"} <= set(sensor)
            site = sensor["site"]
            for a, b in sensor["covers_border_km"]:
                assert a <= b
                for km in (a, b):  # each interval's ends lie within the sensor's range
                    lat, lon = plan.line.at(km)
                    d = float(distance_m(site["lat"], site["lon"], float(lat), float(lon)))
                    assert d <= sensor["range_max_m"] + 1.0
            if sensor["id"].startswith("radar-S"):  # a tower sees its own stretch
                assert sensor["covers_border_km"]
    sensed = [s for s in doc["sectors"] if s["sensed"]]
    assert all(any(x["kind"] == "radar" for x in s["sensors"]) for s in sensed)


def test_bad_month_parameters_are_named() -> None:
    with pytest.raises(MonthError, match="--days"):
        plan_month(days=0.0)
    with pytest.raises(MonthError, match="--quiet-s"):
        plan_month(days=1.0, quiet_s=-1.0)
    with pytest.raises(MonthError, match="seed"):
        plan_month(seed=-1)
    with pytest.raises(MonthError, match="--warmup-s"):
        plan_month(days=1.0, warmup_s=-5.0)


def test_every_counted_window_starts_warm_and_no_second_is_simulated_twice(
    plan: MonthPlan,
) -> None:
    assert plan.warmup_s == WARMUP_S
    for sid, wins in plan.windows.items():
        assert wins == sorted(wins, key=lambda w: w.start), sid
        for prev, w in itertools.pairwise(wins):
            assert w.start >= prev.end - 1e-9, sid  # no overlap
        for k, w in enumerate(wins):
            if w.kind == "warmup":
                assert w.weight == 0.0 and not w.incursions
                assert 0 < w.seconds <= WARMUP_S
                assert k + 1 < len(wins) and wins[k + 1].kind != "warmup"
                assert wins[k + 1].start == w.end  # it leads straight into its window
                continue
            # a counted window has a full warm-up before it, or continues an earlier
            # window's simulation that began at least warmup_s before it
            group = next(g for g in runs(wins) if w in g)
            assert group[0].kind == "warmup" or group[0] is not w, sid
            assert w.start - group[0].start >= WARMUP_S - 1e-6 or group[0].start < plan.start_t
    # the weights of what is counted are those of a plan without warm-ups
    bare = plan_month(seed=5, days=1.0, quiet_s=300.0, warmup_s=0.0)
    for sid, wins in plan.windows.items():
        assert [w for w in wins if w.kind != "warmup"] == bare.windows[sid]
        assert all(w.kind != "warmup" for w in bare.windows[sid])


def test_touching_windows_run_as_one_simulation() -> None:
    a = Window(0.0, 100.0, "incursion")
    b = Window(100.0, 150.0, "warmup", 0.0)
    c = Window(150.0, 450.0, "quiet", 280.0)
    d = Window(9000.0, 9100.0, "warmup", 0.0)
    e = Window(9100.0, 9400.0, "quiet", 280.0)
    assert runs([a, b, c, d, e]) == [[a, b, c], [d, e]]
    # a gap shorter than the warm-up is filled by it; a long gap gets a full one
    assert with_warmups([a, c, e], 120.0) == [
        Window(-120.0, 0.0, "warmup", 0.0),
        a,
        Window(100.0, 150.0, "warmup", 0.0),
        c,
        Window(8980.0, 9100.0, "warmup", 0.0),
        e,
    ]
    assert with_warmups([a, c], 0.0) == [a, c]


def test_the_monthly_total_is_the_rate_model_s() -> None:
    p = plan_month(seed=2, days=2.0, quiet_s=0.0)
    per_day = 1300.0 / 30.0
    assert abs(len(p.incursions) - 2 * per_day) < 5 * math.sqrt(2 * per_day) + 2 * 0.2 * per_day


def test_a_fed_warm_up_keeps_its_sky_start_and_feeds_only_its_last_seconds() -> None:
    a = Window(0.0, 100.0, "incursion")
    c = Window(150.0, 450.0, "quiet", 280.0)
    e = Window(9100.0, 9400.0, "quiet", 280.0)
    fed = with_warmups([a, c, e], 120.0, 60.0)
    # runs that open with a warm-up are fed from 60 s before their window, their sky
    # simulated (and seeded) from 120 s before; the warm-up that joins a run is whole
    assert fed == [
        Window(-60.0, 0.0, "warmup", 0.0, sky_from=-120.0),
        a,
        Window(100.0, 150.0, "warmup", 0.0),
        c,
        Window(9040.0, 9100.0, "warmup", 0.0, sky_from=8980.0),
        e,
    ]
    full = with_warmups([a, c, e], 120.0)
    assert [w.sky_start for w in runs(fed)[0][:1] + runs(fed)[1][:1]] == [
        w.start for w in runs(full)[0][:1] + runs(full)[1][:1]
    ]
    assert fed[0].to_dict()["sky_from_t"] == -120.0 and "sky_from_t" not in a.to_dict()
    # feeding all of it (or more) is the plain layout
    assert with_warmups([a, c, e], 120.0, 120.0) == full
    with pytest.raises(MonthError, match="--warmup-fed-s"):
        plan_month(days=1.0, warmup_s=60.0, warmup_fed_s=90.0)
