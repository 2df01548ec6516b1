"""The incursion rule's evidence check (counting, step 4) on constructed track histories.

A drone-classed track crosses the line; whether it counts depends only on what its own
updates carried: independent drone evidence (the tracker's ``corroboration``) in most of
them by 30 s after the crossing, and a position known at the line (the covariance of
the fixes either side). The track rule, which asks neither, counts every one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analytics_build import T0, crossing, track_lines, write_run

from skywarden.analytics import CountingRule, compute_stats, count_incursions, sources
from skywarden.analytics.counting import suspected
from skywarden.analytics.material import Material, SectorData, SensorSite, TrackSpan

SENSORS = ("radar-1", "rf-1")


def _flight(track: str, east: float) -> list[tuple[float, float, float]]:
    """Due north at 10 m/s from 1 km south, crossing the line at T0 + 100."""
    return [(T0 + k, east, -1000.0 + 10.0 * k) for k in range(201)]


def _lines(
    track: str,
    east: float,
    backed: int,
    sigma_m: float = 10.0,
    blind: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """Track lines whose first ``backed`` updates carry RF corroboration; ``sigma_m`` the
    1-sigma east/north of every fix, or 400 m for fixes in the ``blind`` time span."""
    rows = track_lines(track, _flight(track, east), SENSORS)
    for i, r in enumerate(rows):
        r["corroboration"] = ["rf_geometry"] if i < backed else []
        s = 400.0 if blind is not None and blind[0] <= r["t"] <= blind[1] else sigma_m
        r["cov"] = [[s * s, 0.0, 0.0], [0.0, s * s, 0.0], [0.0, 0.0, 900.0]]
    return rows


def _run(tmp_path: Path, name: str, rows: list[dict[str, Any]]) -> Path:
    return write_run(tmp_path / name, [crossing(rows[0]["track"], T0 + 100.0, 0.0)], rows)


def test_a_track_backed_in_most_updates_counts_one_backed_in_few_is_suspected(
    tmp_path: Path,
) -> None:
    # By T0 + 130 (30 s after the crossing) the track has 131 updates.
    drone = _run(tmp_path, "drone", _lines("D1", 0.0, backed=100))  # 100 of 131
    bird = _run(tmp_path, "bird", _lines("B1", 0.0, backed=40))  # 40 of 131
    assert len(count_incursions(drone, "incursion")) == 1
    assert count_incursions(bird, "incursion") == []
    assert len(count_incursions(bird, "track")) == 1  # the naive rule asks for no evidence
    ((unit, why),) = suspected(sources.load(bird))
    assert unit.tracks[0].endswith("/B1")
    assert why == "independent drone evidence in 40 of 131 updates"
    inc = next(c for c in compute_stats(bird).counts if c.rule == "incursion")
    assert (inc.count, inc.suspected, inc.suspected_units) == (0, 1, 1)


def test_the_evidence_share_is_a_parameter(tmp_path: Path) -> None:
    bird = _run(tmp_path, "bird", _lines("B1", 0.0, backed=40))
    assert len(count_incursions(bird, "incursion", params=CountingRule(evidence_share=0.3))) == 1


def test_a_track_coasting_blind_across_the_line_is_suspected(tmp_path: Path) -> None:
    blind = _run(tmp_path, "blind", _lines("G1", 0.0, backed=200, blind=(T0 + 80, T0 + 110)))
    seen = _run(tmp_path, "seen", _lines("G1", 0.0, backed=200, blind=(T0 + 20, T0 + 60)))
    assert count_incursions(blind, "incursion") == []
    ((_, why),) = suspected(sources.load(blind))
    assert why == "position known to 400 m (1 sigma) at the line"
    # Blind earlier, measured again well before the line: the crossing stands.
    assert len(count_incursions(seen, "incursion")) == 1


def test_a_track_held_by_bearings_until_just_before_the_line_is_suspected(
    tmp_path: Path,
) -> None:
    # Located at the fixes either side of the line, but known only to 400 m until 5 s
    # before it: the last check alone passed it (a ray-only track snapped by one plot).
    late = _run(tmp_path, "late", _lines("L1", 0.0, backed=200, blind=(T0 + 60, T0 + 95)))
    assert count_incursions(late, "incursion") == []
    ((_, why),) = suspected(sources.load(late))
    assert why == "position known to 400 m (1 sigma) 5 s before the line: not seen coming to it"
    # Located for the whole window before the line: it counts.
    early = _run(tmp_path, "early", _lines("L1", 0.0, backed=200, blind=(T0 + 60, T0 + 84)))
    assert len(count_incursions(early, "incursion")) == 1


def test_a_source_without_corroboration_is_counted_and_says_so(tmp_path: Path) -> None:
    rows = track_lines("D1", _flight("D1", 0.0), SENSORS)  # no corroboration, no cov
    run = _run(tmp_path, "old", rows)
    stats = compute_stats(run)
    assert stats.count("incursion") == 1
    inc = next(c for c in stats.counts if c.rule == "incursion")
    assert inc.suspected is None
    assert any("evidence check" in n for n in stats.notes)


def test_the_stats_command_takes_both_thresholds(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from skywarden.analytics.records import Stats
    from skywarden.cli import app

    bird = _run(tmp_path, "bird", _lines("B1", 0.0, backed=40))
    blind = _run(tmp_path, "blind", _lines("G1", 0.0, backed=200, blind=(T0 + 80, T0 + 110)))
    for run, argv, expected in (
        (bird, [], 0),
        (bird, ["--evidence-share", "0.3"], 1),
        (blind, ["--max-sigma-m", "500"], 1),
    ):
        res = CliRunner().invoke(app, ["stats", str(run), "--json", *argv])
        assert res.exit_code == 0, res.output
        assert Stats.model_validate_json(res.output).count("incursion") == expected, argv
    res = CliRunner().invoke(app, ["stats", str(bird)])
    assert "suspected, not counted: 1 (1 unit(s))" in res.output
    res = CliRunner().invoke(app, ["stats", str(bird), "--evidence-share", "1.5"])
    assert res.exit_code == 2 and "--evidence-share" in res.output
    res = CliRunner().invoke(app, ["stats", str(bird), "--rf-sites", "0"])
    assert res.exit_code == 2 and "--rf-sites" in res.output
    for opt in ("--rf-sweep-sigmas", "--rf-late-s", "--rf-located-m"):
        res = CliRunner().invoke(app, ["stats", str(bird), opt, "-1"])
        assert res.exit_code == 2 and opt in res.output
    res = CliRunner().invoke(app, ["stats", str(bird), "--json", "--rf-sweep-sigmas", "0"])
    assert res.exit_code == 0 and "rf_sweep_sigmas=0" in res.output  # the method says so
    res = CliRunner().invoke(app, ["stats", str(bird), "--json", "--rf-located-m", "inf"])
    assert res.exit_code == 0 and "rf_located_m=inf" in res.output


def _span(sensors: tuple[str, ...], kinds: list[str]) -> TrackSpan:
    sp = TrackSpan("S1", "T1", T0, 31.7, -106.4, T0, 31.7, -106.4)
    for k in range(10):
        sp.extend(T0 + k, 31.7, -106.4, [], sensors, kinds)
    return sp


def _riding(onset_s: float, east_mps: float) -> TrackSpan:
    """A track flying north at 10 m/s from 3 km north of a finder at (31.7, -106.4),
    drifting east at ``east_mps``, its RF fit from ``onset_s`` after it began."""
    sp = TrackSpan("S1", "T1", T0, 31.727, -106.4, T0, 31.727, -106.4)
    for k in range(200):
        lat = 31.727 + 10.0 * k / 111_000.0
        lon = -106.4 + east_mps * k / 94_800.0
        kinds = ["rf_geometry"] if k >= onset_s else []
        sp.extend(T0 + k, lat, lon, [], ("radar-1", "rf-1"), kinds)
    return sp


def test_a_late_fit_that_rides_one_finder_s_ray_does_not_back_an_update() -> None:
    # The birds of seeds 11 and 12 (docs/notes/wave12.md): tracked a minute with no RF,
    # then a drone farther out on the same bearing lent them one finder's fit, and they
    # flew along the ray (the bearing to them swept 3.5 and 7.7 deg).
    finders = {"rf-1": SensorSite("rf-1", "rf", 31.7, -106.4, 0.0, {"sigma_bearing_deg": 3.0})}
    rule: dict[str, Any] = {"rf_sites": 1, "sweep_sigmas": 3.0, "late_s": 60.0}
    rides = _riding(onset_s=80, east_mps=0.0)
    assert rides.rf_sweep_deg(finders["rf-1"], T0 + 200) < 0.01
    assert rides.evidence_share(T0 + 200, finders, **rule) == (0, 200)
    # the same fit from the start: the track's own link, heard as soon as it was tracked
    assert _riding(onset_s=0, east_mps=0.0).evidence_share(T0 + 200, finders, **rule) == (
        200,
        200,
    )
    # late, and the bearing had to follow it across the ray: drifting 3 m/s east over
    # the fit's 120 s at 3.8-5 km sweeps ~3 deg (under 3 sigma = 9), 12 m/s ~11 deg
    slow = _riding(onset_s=80, east_mps=3.0)
    fast = _riding(onset_s=80, east_mps=12.0)
    assert slow.rf_sweep_deg(finders["rf-1"], T0 + 200) < 9.0
    assert fast.rf_sweep_deg(finders["rf-1"], T0 + 200) > 9.0
    assert slow.evidence_share(T0 + 200, finders, **rule) == (0, 200)
    assert fast.evidence_share(T0 + 200, finders, **rule) == (120, 200)
    # two finders' rays cross at a place: not asked
    two = {**finders, "rf-2": SensorSite("rf-2", "rf", 31.8, -106.3, 0.0)}
    for k in range(len(rides.sensor_times)):
        rides.sensor_times[k] = (rides.sensor_times[k][0], ("radar-1", "rf-1", "rf-2"))
    assert rides.evidence_share(T0 + 200, two, **rule) == (120, 200)
    # a finder whose configuration gives no bearing error is taken at the stated default
    bare = {"rf-1": SensorSite("rf-1", "rf", 31.7, -106.4, 0.0)}
    assert slow.evidence_share(T0 + 200, bare, **rule) == (0, 200)


def _crossing_a_ray(beside_from: int | None) -> TrackSpan:
    """A track one finder's bearings fitted from its start, found beside them (the
    tracker's ``rf_beside``) from update ``beside_from`` on (None: never)."""
    sp = TrackSpan("S1", "T1", T0, 31.727, -106.4, T0, 31.727, -106.4)
    for k in range(200):
        beside = beside_from is not None and k >= beside_from
        kinds = ["rf_geometry"] if k < 80 else []
        sp.extend(T0 + k, 31.727 + k / 11_100.0, -106.4, [], ("radar-1", "rf-1"), kinds, beside)
    return sp


def test_one_finder_s_fit_on_a_track_found_beside_its_bearings_backs_nothing() -> None:
    # Held-out seed 13, S24 (docs/notes/wave13.md): birds whose tracks began on the ray
    # of a patrol drone the radar could not see, fitted from their first seconds, then
    # flew across the ray; the tracker found the bearings running beside them ~70 s in.
    finders = {"rf-1": SensorSite("rf-1", "rf", 31.7, -106.4, 0.0, {"sigma_bearing_deg": 3.0})}
    rule: dict[str, Any] = {"rf_sites": 1, "sweep_sigmas": 3.0, "late_s": 60.0}
    own = _crossing_a_ray(None)
    assert own.rf_beside == []
    assert own.evidence_share(T0 + 100, finders, **rule, beside_s=120.0) == (80, 101)
    bird = _crossing_a_ray(70)
    assert bird.rf_beside[0] == T0 + 70
    # the verdict came after the window the rule reads: it still holds for the fits
    assert bird.evidence_share(T0 + 60, finders, **rule, beside_s=120.0) == (0, 61)
    assert bird.evidence_share(T0 + 60, finders, **rule, beside_s=0.0) == (61, 61)
    # a verdict speaks for the fits of its last two minutes, not for a link heard
    # long before (seed 4, S80: a smuggler fitted from 33 to 120 s, whose coasting
    # track a few weak bearings ran beside at 425 s)
    late = _crossing_a_ray(190)
    # (only the fits of 70-79 s lie within 120 s of the verdict at 190 s)
    assert late.evidence_share(T0 + 100, finders, **rule, beside_s=120.0) == (70, 101)
    # two finders' rays cross at a place: not asked
    two = {**finders, "rf-2": SensorSite("rf-2", "rf", 31.8, -106.3, 0.0)}
    both = _crossing_a_ray(70)
    both.sensor_times = [(t, (*ss, "rf-2")) for t, ss in both.sensor_times]
    assert both.evidence_share(T0 + 60, two, **rule, beside_s=120.0) == (61, 61)


def test_a_run_s_tracks_say_when_their_bearings_ran_beside_them(tmp_path: Path) -> None:
    rows = _lines("B3", 0.0, backed=100)
    rows[150]["rf_beside"] = True
    mat = sources.load(_run(tmp_path, "beside", rows))
    span = mat.span_of("constructed/B3") or next(
        sp for sd in mat.sectors for sp in sd.spans.values()
    )
    assert span.rf_beside == [rows[150]["t"]]
    rows[150]["rf_beside"] = "yes"  # untrusted input: only true or false
    from skywarden.model import InvalidRecord, TrackUpdate

    with pytest.raises(InvalidRecord, match="rf_beside"):
        TrackUpdate.from_dict({**rows[150], "state": [0.0] * 6, "cov": None})


def test_one_finder_s_ray_alone_does_not_back_an_update() -> None:
    # A bird flying along one direction finder's bearing of a drone farther out keeps
    # the RF credit on every update (seed 11, S69); two finders' rays cross at a place.
    finders = {f: SensorSite(f, "rf", 31.7, -106.4, 0.0) for f in ("rf-1", "rf-2")}
    one = _span(("radar-1", "rf-1"), ["rf_geometry"])
    two = _span(("radar-1", "rf-1", "rf-2"), ["rf_geometry"])
    assert one.evidence_share(T0 + 100, finders, rf_sites=2) == (0, 10)
    assert two.evidence_share(T0 + 100, finders, rf_sites=2) == (10, 10)
    assert one.evidence_share(T0 + 100, finders, rf_sites=1) == (10, 10)
    assert one.evidence_share(T0 + 100, None, rf_sites=2) == (10, 10)  # sensors unknown
    # other evidence beside the one ray still backs the update
    also = _span(("radar-1", "rf-1"), ["rf_geometry", "radar_class"])
    assert also.evidence_share(T0 + 100, finders, rf_sites=2) == (10, 10)


def _drift(track: str) -> list[dict[str, Any]]:
    """A drone hovering 250 m south of the line whose track, between radar plots, drifts
    north over it (its error growing 70 to 118 m) until the next plot puts it back 180 m
    south at T0 + 113 (held-out seed 24, S37: docs/notes/wave23.md)."""
    pts: list[tuple[float, float, float]] = []
    sig: list[float] = []
    for k in range(201):
        t = T0 + k
        if k < 85 or k >= 113:
            n, s = (-250.0, 60.0) if k < 85 else (-180.0, 50.0)
        else:  # -250 m at 85 s, through the line at 100 s, 70 m north at 112 s
            n = -250.0 + (k - 85) * 250.0 / 15.0 if k <= 100 else (k - 100) * 70.0 / 12.0
            s = 70.0 + 48.0 * (k - 85) / 27.0
        pts.append((t, 0.0, n))
        sig.append(s)
    rows = track_lines(track, pts, SENSORS)
    for r, s in zip(rows, sig, strict=True):
        r["corroboration"] = ["rf_geometry", "kinematics"]
        r["cov"] = [[s * s, 0.0, 0.0], [0.0, s * s, 0.0], [0.0, 0.0, 900.0]]
    return rows


def test_a_track_drifting_over_the_line_within_its_error_is_suspected(tmp_path: Path) -> None:
    drift = _run(tmp_path, "drift", _drift("H1"))
    assert count_incursions(drift, "incursion") == []
    ((_, why),) = suspected(sources.load(drift))
    # its farthest north, 70 m at 112 s (69 m from the shipped line), is 0.6 of its 118 m error
    assert why == (
        "not shown north of the line beyond its position error: at most 69 m (0.6 sigma "
        "of 118 m) in the 30 s after it crossed"
    )
    assert len(count_incursions(drift, "incursion", params=CountingRule(across_sigmas=0.0))) == 1
    from typer.testing import CliRunner

    from skywarden.analytics.records import Stats
    from skywarden.cli import app

    res = CliRunner().invoke(app, ["stats", str(drift), "--json", "--across-sigmas", "0"])
    assert res.exit_code == 0, res.output
    assert Stats.model_validate_json(res.output).count("incursion") == 1
    # a drone flying on north is shown across within a second or two (10 m/s, 10 m error)
    flight = _run(tmp_path, "flight", _lines("D1", 0.0, backed=200))
    assert len(count_incursions(flight, "incursion")) == 1
    # and one known to 95 m: 300 m north 30 s on, 3.2 sigma
    wide = _run(tmp_path, "wide", _lines("D2", 0.0, backed=200, sigma_m=95.0))
    assert len(count_incursions(wide, "incursion")) == 1
    # Located either side of the line, then known only to 400 m: 300 m north shows nothing.
    vague = _run(tmp_path, "vague", _lines("D3", 0.0, backed=200, blind=(T0 + 102, T0 + 130)))
    assert count_incursions(vague, "incursion") == []
    ((_, why),) = suspected(sources.load(vague))
    assert why.startswith("not shown north of the line beyond its position error")


def test_a_sector_s_direction_finders_come_from_its_sensors() -> None:
    listed = SectorData(
        "S1",
        sensors=[
            SensorSite("rf-1", "rf", 31.7, -106.4, 0.0),
            SensorSite("radar-1", "radar", 31.7, -106.4, 0.0),
        ],
    )
    mat = Material("m", "month", [listed, SectorData("S2")])
    assert set(mat.direction_finders("S1") or {}) == {"rf-1"}
    assert mat.direction_finders("S2") is None  # no sensor list: nothing to ask


def _held_on_a_ray(sigma_from: int) -> TrackSpan:
    """A track one finder's bearings fit at every update, located to 40 m until update
    ``sigma_from`` and from then on known only along the ray (its error growing 25 m a
    second: nothing but those bearings updates it)."""
    sp = TrackSpan("S1", "T1", T0, 31.72, -106.4, T0, 31.72, -106.4)
    for k in range(60):
        sp.extend(T0 + k, 31.72, -106.4, [], ("radar-1", "rf-1"), ["rf_geometry"])
        sp.add_fix(
            T0 + k, 40.0 if k < sigma_from else 40.0 + 25.0 * (k - sigma_from), 31.72, -106.4
        )
    return sp


def test_one_finder_s_fit_to_a_track_its_bearings_alone_hold_backs_nothing() -> None:
    # Held-out seed 16, S78 (docs/notes/wave14.md): a radar clutter track on the ray of a
    # drone 3.8 km away; after a few radar plots mostly the finder's bearings updated it, so
    # it stayed on the ray because the bearings put it there, known to 119-676 m.
    finders = {"rf-1": SensorSite("rf-1", "rf", 31.7, -106.4, 0.0, {"sigma_bearing_deg": 3.0})}
    held = _held_on_a_ray(sigma_from=3)
    # 40 m for four updates, then 65 and 90 m: located; from the seventh on, over 100 m
    assert held.evidence_share(T0 + 59, finders, located_m=100.0) == (6, 60)
    assert held.evidence_share(T0 + 59, finders) == (60, 60)  # not asked by default here
    located = _held_on_a_ray(sigma_from=60)
    assert located.evidence_share(T0 + 59, finders, located_m=100.0) == (60, 60)
    # two finders' rays cross at a place and locate the track themselves: not asked
    two = {**finders, "rf-2": SensorSite("rf-2", "rf", 31.8, -106.3, 0.0)}
    held.sensor_times = [(t, (*ss, "rf-2")) for t, ss in held.sensor_times]
    assert held.evidence_share(T0 + 59, two, located_m=100.0) == (60, 60)


def test_the_rule_asks_where_a_one_finder_track_was_by_default() -> None:
    # The rule's defaults, as the counting reads them: a track at the line 30 s in.
    from skywarden.analytics.counting import MAX_SIGMA_M
    from skywarden.analytics.records import Incursion
    from skywarden.analytics.unit_checks import evidence_shares

    assert CountingRule().rf_located_m == MAX_SIGMA_M  # located as at the line
    finders = [SensorSite("rf-1", "rf", 31.7, -106.4, 0.0, {"sigma_bearing_deg": 3.0})]
    held = _held_on_a_ray(sigma_from=3)
    mat = Material("m", "month", [SectorData("S1", spans={"T1": held}, sensors=finders)])
    u = Incursion(
        id="i1", rule="incursion", t=T0 + 29.5, lat=31.72, lon=-106.4, alt_m=0.0,
        direction="northbound", sector="S1", tracks=["S1/T1"],
    )  # fmt: skip
    assert evidence_shares(mat, [held], u, CountingRule()) == [(6, 60)]
    off = CountingRule(rf_located_m=float("inf"))
    assert evidence_shares(mat, [held], u, off) == [(60, 60)]
