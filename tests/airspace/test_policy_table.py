"""The response policy as a table of situations and the measures it must recommend.

Each situation is a hand-written trajectory (test fixture, see conftest) fed to the full
:class:`~skywarden.airspace.Analyzer` with the shipped default policy, once per second.
A track that should stop traffic at once carries two independent kinds of evidence
(``fx.CORROBORATED``); one without them is answered with ``verify`` first.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from shapely.geometry import LineString

from skywarden import refdata
from skywarden.airspace import Analyzer
from skywarden.airspace.closing import cpa_to_segments
from skywarden.model import Action, Recommendation

RESTRICTING = {Action.PAUSE_ARRIVALS, Action.PAUSE_DEPARTURES, Action.PAUSE_ALL, Action.TFR}
# What the table compares: measures that stop traffic, verifications and notifications
# of a foreign authority (plain notifications and monitoring are everywhere).
TABLED = RESTRICTING | {Action.VERIFY, Action.NOTIFY_FOREIGN}
TWO_KINDS = ("radar_class", "rf_geometry")


def measures(recs: list[Recommendation]) -> set[tuple[str, str | None, tuple[str, ...]]]:
    return {(r.action.value, r.airport, r.runways) for r in recs if r.status == "active"}


def place_far_from_paths(an: Analyzer, distance_m: float) -> tuple[float, float]:
    """A point whose nearest protected path (one of KELP's) is ``distance_m`` away."""
    gx, gy = np.meshgrid(np.arange(-8000, 20000, 100.0), np.arange(-8000, 12000, 100.0))
    x, y = gx.ravel(), gy.ravel()
    zero = np.zeros_like(x)
    seg = np.array([(p.ax, p.ay, p.bx, p.by) for p in an.paths])
    d_now, _, _ = cpa_to_segments(x, y, zero, zero, seg, 1.0)
    nearest = d_now.min(axis=1)
    kelp = np.array([p.airport == "KELP" for p in an.paths])[d_now.argmin(axis=1)]
    k = int(np.argmin(np.where(kelp, np.abs(nearest - distance_m), np.inf)))
    assert abs(nearest[k] - distance_m) < 60.0
    return float(x[k]), float(y[k])


def test_single_drone_5km_from_any_approach_path_notify_only(analyzer, fx, run):
    x, y = place_far_from_paths(analyzer, 5000.0)
    hover = fx.leg("T1", [(0, x, y, 1300.0), (600, x + 50, y, 1300.0)])
    out = run(analyzer, hover)
    actions = {r.action for r in out["recommendations"]}
    assert actions == {Action.NOTIFY}
    assert any("notify KELP" in r.reasons for r in out["recommendations"])


def test_drone_in_arrival_corridor_22_pauses_arrivals_reevaluated_every_5_min(analyzer, fx, run):
    # 1.5 NM from the threshold of 22, 300 ft above it, holding there for 12 minutes.
    x, y, alt = fx.runway_point("22", 1.5 * 1852, 300 * 0.3048)
    drone = fx.leg("D22", [(0, x, y, alt), (720, x + 20, y, alt)], corroboration=fx.CORROBORATED)
    out = run(analyzer, drone)
    pauses = [r for r in out["recommendations"] if r.action == Action.PAUSE_ARRIVALS]
    first = pauses[0]
    assert (first.airport, first.runways, first.status) == ("KELP", ("22",), "active")
    assert first.t_issued == fx.T0  # at the first update inside the corridor
    assert first.t_reevaluate - first.t_issued == 300.0
    assert first.t_expires - first.t_issued == 15 * 60.0
    # Still there at each 5-minute re-evaluation: renewed, never open-ended.
    renewals = [r for r in pauses if r.status == "renewed"]
    assert [r.t_issued - fx.T0 for r in renewals] == [300.0, 600.0]
    assert all(r.t_expires - r.t_issued == 900.0 for r in pauses)
    assert any("in the arrival corridor of 22, 1.5 NM" in s for s in first.reasons)
    # Departures from 04 climb out over the same extended centreline.
    assert ("pause_departures", "KELP", ("04",)) in measures(out["recommendations"])
    # Nothing beyond the runway end concerned: no pause of all, no TFR.
    assert not {r.action for r in out["recommendations"]} & {Action.PAUSE_ALL, Action.TFR}


def test_drone_leaves_measure_lifted_after_its_stated_time(analyzer, fx, run):
    x, y, alt = fx.runway_point("22", 1.0 * 1852, 100.0)
    # In the corridor for 2 minutes, then flies 6 km sideways away from it.
    x1, y1, _ = fx.runway_point("22", 1.0 * 1852, 100.0, lateral_m=6000.0)
    drone = fx.leg(
        "D1",
        [(0, x, y, alt), (120, x, y, alt), (420, x1, y1, alt)],
        corroboration=fx.CORROBORATED,
    )
    out = run(analyzer, drone, idle_s=20 * 60)
    pauses = [r for r in out["recommendations"] if r.action == Action.PAUSE_ARRIVALS]
    assert {r.runways for r in pauses} == {("22",)}
    lifted = [r for r in pauses if r.status == "lifted"]
    assert len(lifted) == 1
    last_cause = max(
        s["D1"].t for s in out["scores"] if "D1" in s and s["D1"].contributions["manned_altitude"]
    )
    # Lifted once the cause has been absent for the policy's 10 minutes (to the second).
    assert lifted[0].t_issued - last_cause == pytest.approx(600.0, abs=1.0)
    assert lifted[0].reasons[0] == "lifted: cause absent for 10 min"


def test_drone_above_the_glide_path_is_not_a_runway_hazard(analyzer, fx, run):
    # 2 NM out the path is at ~640 ft; 1,500 ft is above path + 500 ft buffer.
    x, y, alt = fx.runway_point("22", 2 * 1852, 1500 * 0.3048)
    out = run(analyzer, fx.leg("HI", [(0, x, y, alt), (300, x + 10, y, alt)]))
    assert {r.action for r in out["recommendations"]} == {Action.NOTIFY}


def test_three_drones_in_corridors_pause_all_and_propose_a_bounded_tfr(analyzer, fx, run):
    tracks = []
    for i, end in enumerate(("22", "26L", "08R")):
        x, y, alt = fx.runway_point(end, 1852.0, 60.0)
        tracks.append(
            fx.leg(f"S{i}", [(0, x, y, alt), (400, x + 30, y, alt)], corroboration=fx.CORROBORATED)
        )
    out = run(analyzer, *tracks)
    acts = measures(out["recommendations"])
    assert ("pause_all", "KELP", ()) in acts
    tfr = next(r for r in out["recommendations"] if r.action == Action.TFR)
    assert tfr.tfr is not None
    assert 1.0 <= tfr.tfr["radius_nm"] <= 3.0
    assert tfr.tfr["ceiling_ft_agl"] <= 3000
    assert tfr.tfr["end_t"] - tfr.tfr["start_t"] == 3600.0
    assert any("3 drones" in s for s in tfr.reasons)


def test_one_drone_persisting_in_the_corridor_escalates_to_tfr_after_30_min(analyzer, fx, run):
    x, y, alt = fx.runway_point("26L", 1852.0, 60.0)
    out = run(
        analyzer,
        fx.leg("P", [(0, x, y, alt), (2000, x + 40, y, alt)], corroboration=fx.CORROBORATED),
    )
    tfrs = [r for r in out["recommendations"] if r.action == Action.TFR and r.status == "active"]
    assert len(tfrs) == 1
    assert tfrs[0].t_issued - fx.T0 == pytest.approx(1800.0, abs=1.0)
    assert tfrs[0].tfr is not None and tfrs[0].tfr["radius_nm"] == 1.0


def test_smuggler_across_the_border_is_an_incursion_for_border_security(analyzer, fx, run):
    # West of downtown the border runs east-west: fly south to north across it at 106.6 W.
    meridian = LineString([(-106.6, 31.6), (-106.6, 32.0)])
    lat_b = refdata.border_line().intersection(meridian).y
    x, y, _ = fx.FRAME.to_enu(lat_b, -106.60, 1200.0)
    drone = fx.leg("SM", [(0, x, y - 1500, 1200.0), (200, x, y + 1500, 1200.0)])
    out = run(analyzer, drone)
    crossings = [e for e in out["events"] if e.kind == "border_crossing"]
    assert [c.attrs["direction"] for c in crossings] == ["northbound"]
    # Watched from the border band, border security told at the crossing; no runway measure.
    assert {r.action for r in out["recommendations"]} == {Action.MONITOR, Action.NOTIFY}
    notes = [r for r in out["recommendations"] if r.action == Action.NOTIFY]
    assert all("notify border security" in r.reasons for r in notes)
    assert notes[0].t_issued == pytest.approx(crossings[0].t, abs=10.0)
    inc = analyzer.incidents[0]
    assert inc.kind == "incursion"
    assert all(s["SM"].category != "attack_indicator" for s in out["scores"] if "SM" in s)


def test_manned_aircraft_on_final_causes_nothing(analyzer, fx, run):
    x0, y0, a0 = fx.runway_point("22", 5 * 1852, 480.0)
    x1, y1, a1 = fx.runway_point("22", 0.0, 15.0)
    out = run(
        analyzer, fx.leg("AAL12", [(0, x0, y0, a0), (130, x1, y1, a1)], p_drone=0.02, p_manned=0.95)
    )
    assert out["events"] == [] and out["recommendations"] == []


@pytest.mark.parametrize("gap_s", [0.0, 1800.0])
def test_every_recommendation_expires_and_is_bounded(analyzer, fx, run: Callable, gap_s):
    x, y, alt = fx.runway_point("04", 900.0, 50.0)
    out = run(analyzer, fx.leg("B", [(0, x, y, alt), (300 + gap_s, x, y, alt)]))
    assert {r.action for r in out["recommendations"]} >= {Action.VERIFY, Action.PAUSE_ARRIVALS}
    spec = analyzer.policy.measures
    for r in out["recommendations"]:
        assert r.t_issued <= r.t_reevaluate <= r.t_expires
        assert r.t_expires - r.t_issued <= spec.of(r.action.value).duration_min * 60.0


# The table: situation -> the set of (action, airport, runways) the policy issues.
def _far(an, fx):
    x, y = place_far_from_paths(an, 5000.0)
    return [fx.leg("T1", [(0, x, y, 1300.0), (600, x + 50, y, 1300.0)])]


def _in_22(an, fx):
    x, y, alt = fx.runway_point("22", 1.5 * 1852, 300 * 0.3048)
    return [fx.leg("D", [(0, x, y, alt), (600, x + 20, y, alt)], corroboration=fx.CORROBORATED)]


def _in_22_for(seconds: float, **kw):
    """A drone holding in the arrival corridor of 22 for ``seconds``, then gone."""

    def build(an, fx):
        x, y, alt = fx.runway_point("22", 1.5 * 1852, 300 * 0.3048)
        return [fx.leg("D", [(0, x, y, alt), (seconds, x + 20, y, alt)], **kw)]

    return build


def _mmcs(an, fx):
    # 1 NM out on the approach to MMCS 03 (Ciudad Juarez), 200 ft up, corroborated.
    x, y, alt = fx.runway_point("03", 1852.0, 60.0, airport="MMCS")
    return [fx.leg("MX", [(0, x, y, alt), (300, x + 20, y, alt)], corroboration=fx.CORROBORATED)]


def _above_path(an, fx):
    x, y, alt = fx.runway_point("22", 2 * 1852, 1500 * 0.3048)
    return [fx.leg("H", [(0, x, y, alt), (300, x + 10, y, alt)])]


def _three(an, fx):
    out = []
    for i, end in enumerate(("22", "26L", "08R")):
        x, y, alt = fx.runway_point(end, 1852.0, 60.0)
        out.append(
            fx.leg(f"S{i}", [(0, x, y, alt), (400, x + 30, y, alt)], corroboration=fx.CORROBORATED)
        )
    return out


def _airliner(an, fx):
    x0, y0, a0 = fx.runway_point("22", 5 * 1852, 480.0)
    x1, y1, a1 = fx.runway_point("22", 0.0, 15.0)
    return [fx.leg("AAL1", [(0, x0, y0, a0), (130, x1, y1, a1)], p_drone=0.02, p_manned=0.95)]


TABLE = [
    ("one drone 5 km from any approach path", _far, set()),
    (
        "a drone in the arrival corridor of 22 below 400 ft within 2 NM",
        _in_22,
        {("pause_arrivals", "KELP", ("22",)), ("pause_departures", "KELP", ("04",))},
    ),
    ("a drone above the glide path and its buffer", _above_path, set()),
    (
        "three drones in three corridors",
        _three,
        {
            ("pause_arrivals", "KELP", ("22",)),
            ("pause_departures", "KELP", ("04",)),
            ("pause_arrivals", "KELP", ("26L",)),
            ("pause_departures", "KELP", ("08R",)),
            ("pause_arrivals", "KELP", ("08R",)),
            ("pause_departures", "KELP", ("26L",)),
            # 1 NM west of 08R is also inside the approach of the parallel 08L.
            ("pause_arrivals", "KELP", ("08L",)),
            ("pause_departures", "KELP", ("26R",)),
            ("pause_all", "KELP", ()),
            ("tfr", "KELP", ()),
        },
    ),
    ("an airliner on final", _airliner, set()),
    (
        "unverified: drone 0.95 on radar class alone, 40 s in the corridor of 22",
        _in_22_for(40, p_drone=0.95, corroboration=("radar_class",)),
        {("verify", "KELP", ())},
    ),
    (
        "unverified: drone 0.8 (below the 0.9 floor) with two kinds, 40 s",
        _in_22_for(40, p_drone=0.8, corroboration=TWO_KINDS),
        {("verify", "KELP", ())},
    ),
    (
        "unverified: two kinds but p_exist 0.5 (maybe clutter), 10 min",
        _in_22_for(600, p_drone=0.95, corroboration=TWO_KINDS, p_exist=0.5),
        {("verify", "KELP", ())},
    ),
    (
        "unverified: kinematics + radar class (kinematics does not count), 40 s",
        _in_22_for(40, p_drone=0.95, corroboration=("radar_class", "kinematics")),
        {("verify", "KELP", ())},
    ),
    (
        "verified: radar class + Remote ID serial on the track",
        _in_22_for(40, p_drone=0.95, corroboration=("radar_class",), rid=True),
        {("pause_arrivals", "KELP", ("22",)), ("pause_departures", "KELP", ("04",))},
    ),
    (
        "expired verification, persistence reached: escalated to the pause",
        _in_22_for(240, p_drone=0.95),
        {
            ("verify", "KELP", ()),
            ("pause_arrivals", "KELP", ("22",)),
            ("pause_departures", "KELP", ("04",)),
        },
    ),
    (
        "expired verification, still uncorroborated (drone 0.8, 10 min): dropped",
        _in_22_for(600, p_drone=0.8),
        {("verify", "KELP", ())},
    ),
    (
        "a corroborated drone in the approach of MMCS (Mexico): its authority, no pause",
        _mmcs,
        {("notify_foreign_authority", "MMCS", ())},
    ),
]


@pytest.mark.parametrize(("situation", "build", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_policy_table(analyzer, fx, run, situation, build, expected):
    out = run(analyzer, *build(analyzer, fx))
    tabled = {
        (r.action.value, r.airport, r.runways)
        for r in out["recommendations"]
        if r.action in TABLED and r.status == "active"
    }
    assert tabled == expected, situation
