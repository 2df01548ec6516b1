"""The simulation loop: one step a second, lazy, and independent streams per target and sensor."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.model import TargetClass
from skywarden.sim import Simulation, load_scenario, parse_scenario
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import Scenario

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"


@pytest.fixture(scope="module")
def scn() -> Scenario:
    return load_scenario(SCENARIO)


def _variant(scn: Scenario, **traffic: dict[str, object]) -> Scenario:
    doc = scn.model_dump(mode="json", exclude={"source"})
    for k, v in traffic.items():
        doc["traffic"][k].update(v)
    return parse_scenario(doc)


def _truth(sim: Simulation) -> dict[str, list[tuple[float, float, float, float]]]:
    out: dict[str, list[tuple[float, float, float, float]]] = {}
    for step in sim.steps():
        for p in step.truth:
            out.setdefault(p.target, []).append((p.t, p.lat, p.lon, p.alt_m))
    return out


def test_one_step_per_second_from_the_start_with_traffic_already_up(scn: Scenario) -> None:
    steps = list(Simulation(scn, seed=1, duration_s=30).steps())
    assert [s.t for s in steps] == [scn.sector.start_t + k for k in range(30)]
    first = steps[0]
    assert len(first.truth) > 5 and first.detections
    assert {p.kind for p in first.truth} >= {TargetClass.DRONE, TargetClass.BIRD}
    assert all(d.t == first.t for d in first.detections)


def test_iterating_twice_replays_the_same_run(scn: Scenario) -> None:
    sim = Simulation(scn, seed=6, duration_s=40)
    first = [(s.truth, s.detections) for s in sim.steps()]
    assert first == [(s.truth, s.detections) for s in sim.steps()]


def test_steps_stream_lazily(scn: Scenario) -> None:
    started = time.perf_counter()
    week = Simulation(scn, seed=1, duration_s=7 * 86400)
    got = list(itertools.islice(week.steps(), 5))
    assert len(got) == 5 and time.perf_counter() - started < 20.0  # nothing precomputed


def test_a_shorter_run_is_a_prefix_of_a_longer_one(scn: Scenario) -> None:
    short = [(s.truth, s.detections) for s in Simulation(scn, 3, duration_s=120).steps()]
    long_ = [(s.truth, s.detections) for s in Simulation(scn, 3, duration_s=240).steps()]
    assert short == long_[:120]


def test_more_birds_leave_every_drone_and_aircraft_unchanged(scn: Scenario) -> None:
    base = _truth(Simulation(scn, seed=5, duration_s=200))
    more = _truth(Simulation(_variant(scn, birds={"count": 40}), seed=5, duration_s=200))
    non_birds = {k for k in base if not k.startswith("bird")}
    assert non_birds and all(base[k] == more[k] for k in non_birds)
    assert len([k for k in more if k.startswith("bird")]) > len(
        [k for k in base if k.startswith("bird")]
    )


def test_sensors_do_not_change_truth_and_keep_their_own_streams(scn: Scenario) -> None:
    doc = scn.model_dump(mode="json", exclude={"source"})
    doc["sensors"] = [s for s in doc["sensors"] if s["kind"] != "radar"]
    fewer = parse_scenario(doc)
    a = list(Simulation(scn, seed=2, duration_s=60).steps())
    b = list(Simulation(fewer, seed=2, duration_s=60).steps())
    assert [s.truth for s in a] == [s.truth for s in b]
    kept = {s["id"] for s in doc["sensors"]}
    assert [[d for d in s.detections if d.sensor in kept] for s in a] == [s.detections for s in b]


def test_bad_arguments(scn: Scenario) -> None:
    with pytest.raises(ValueError, match="seed"):
        Simulation(scn, seed=-1)
    with pytest.raises(ValueError, match="duration"):
        Simulation(scn, seed=1, duration_s=0)


def test_seen_is_the_answer_key_of_the_detections(scn: Scenario) -> None:
    """Cooperative sensors have no false alarms: what they report is exactly what they saw."""
    checked = 0
    for step in Simulation(scn, seed=4, duration_s=120).steps():
        ids = {p.target: p.identity for p in step.truth}
        for sensor in ("adsb-kelp", "rid-downtown", "rid-kelp"):
            dets = [d for d in step.detections if d.sensor == sensor]
            saw = [tid for tid, sensors in step.seen.items() if sensor in sensors]
            assert len(dets) == len(saw)
            assert sorted(str(d.identity) for d in dets) == sorted(str(ids[t]) for t in saw)
            checked += len(dets)
        assert set(step.seen) <= set(ids)
    assert checked > 100


def _pair(lo: float, hi: float) -> st.SearchStrategy[list[float]]:
    return st.lists(st.floats(lo, hi), min_size=2, max_size=2).map(sorted)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    smugglers=st.fixed_dictionaries(
        {
            "per_hour": st.floats(0, 200),
            "speed_mps": _pair(0.5, 20),
            "cruise_agl_m": _pair(5, 150),
            "endurance_s": _pair(60, 7200),
            "drop_agl_m": _pair(0, 20),
        }
    ),
    convoys=st.fixed_dictionaries({"per_hour": st.floats(0, 10), "spacing_m": _pair(5, 500)}),
    birds=st.fixed_dictionaries(
        {
            "count": st.integers(0, 60),
            "agl_m": _pair(0, 3000),
            "speed_mps": _pair(1, 40),
        }
    ),
    overflights=st.fixed_dictionaries(
        {
            "per_hour": st.floats(0, 200),
            "altitude_m": _pair(0, 15000),
            "speed_mps": _pair(30, 350),
        }
    ),
    radar=st.fixed_dictionaries(
        {
            "range_max_m": st.floats(1000, 150_000),
            "sigma_range_m": st.floats(0.1, 5000),
            "sigma_elevation_deg": st.floats(0.01, 20),
            "false_alarms_per_scan": st.floats(0, 50),
            "elevation_min_deg": st.floats(-10, 0),
        }
    ),
    visual_sigma=st.floats(1, 5000),
)
def test_any_valid_parameters_run_and_give_valid_records(
    scn: Scenario,
    seed: int,
    smugglers: dict,
    convoys: dict,
    birds: dict,  # type: ignore[type-arg]
    overflights: dict,
    radar: dict,
    visual_sigma: float,  # type: ignore[type-arg]
) -> None:
    """Whatever the file says within its documented bounds, the run never breaks a record."""
    doc = scn.model_dump(mode="json", exclude={"source"})
    for fam, params in (
        ("smugglers", smugglers),
        ("convoys", convoys),
        ("birds", birds),
        ("overflights", overflights),
    ):
        doc["traffic"][fam].update(params)
    doc["sensors"][0].update(radar)
    doc["sensors"][-1].update(
        sigma_altitude_m=visual_sigma, reports_per_target_hour=3600.0, delay_s=[0, 2]
    )
    variant = parse_scenario(doc)
    sim = Simulation(variant, seed=seed, duration_s=10, geography=_shared_geo(scn))
    for step in sim.steps():  # records validate themselves on construction
        assert all(d.t == step.t for d in step.detections)


_geo_cache: dict[str, Geography] = {}


def _shared_geo(scn: Scenario) -> Geography:
    """The El Paso geography, built once: the property test varies traffic, not the map."""
    if "geo" not in _geo_cache:
        _geo_cache["geo"] = Simulation(scn, 0, 1).geo
    return _geo_cache["geo"]


def test_a_kept_snapshot_stays_as_it_was_yielded(scn: Scenario) -> None:
    # A step's snapshot is data: later launches must not grow its target list.
    steps = list(Simulation(scn, seed=3, duration_s=600).steps())
    assert len({len(s.snapshot.targets) for s in steps}) > 1  # targets came and went
    for s in steps:
        assert len(s.snapshot.targets) == s.snapshot.lat.shape[0]
        assert {tg.id for tg in s.snapshot.targets} == {p.target for p in s.truth}
