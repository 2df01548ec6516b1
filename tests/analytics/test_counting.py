"""Each counting rule on small constructed runs (analyzer output written by hand).

The crossing events and track histories below stand in for what ``skywarden run`` writes
(incidents.json, tracks.jsonl), so each rule can be checked against a situation whose
right answer is known: how many drones, how many crossings, which sensors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from analytics_build import T0, crossing, lat_at, lon_at, track_lines, write_run

from skywarden.analytics import CountingRule, SourceError, compute_stats, count_incursions
from skywarden.analytics.counting import RECROSS_S

SENSORS = ("radar-1", "rf-1", "rf-2")


def _pts(t0: float, t1: float, east: float, north0: float, north1: float) -> list:
    n = int(t1 - t0)
    return [(t0 + k, east, north0 + (north1 - north0) * k / max(n, 1)) for k in range(n + 1)]


def _out_and_back(tmp_path: Path, stay_south_s: float) -> Path:
    """One track: north across at T0+100, back south at T0+300, north again after
    ``stay_south_s`` on the southern side."""
    t_back = T0 + 300.0
    t_again = t_back + stay_south_s
    events = [
        crossing("T1", T0 + 100.0, 0.0),
        crossing("T1", t_back, 0.0, "southbound"),
        crossing("T1", t_again, 0.0),
    ]
    pts = _pts(T0, t_again + 100.0, 0.0, -1000.0, 1000.0)
    return write_run(tmp_path / f"stay{stay_south_s:g}", events, track_lines("T1", pts, SENSORS))


@pytest.mark.parametrize(("stay_s", "expected"), [(RECROSS_S - 60.0, 1), (RECROSS_S + 60.0, 2)])
def test_a_drone_that_turns_back_and_crosses_again_counts_by_the_stated_rule(
    tmp_path: Path, stay_s: float, expected: int
) -> None:
    run = _out_and_back(tmp_path, stay_s)
    assert len(count_incursions(run, "incursion")) == expected
    assert len(count_incursions(run, "track")) == 1  # one track however often it crosses
    assert len(count_incursions(run, "alert")) == 2 * len(SENSORS)  # every crossing alerts
    # Southbound, the drone left once: its return south counts as one crossing.
    assert len(count_incursions(run, "incursion", direction="southbound")) == 1


def test_the_recrossing_time_is_a_parameter(tmp_path: Path) -> None:
    run = _out_and_back(tmp_path, 240.0)
    assert len(count_incursions(run, "incursion")) == 1
    strict = CountingRule(recross_s=120.0)
    assert len(count_incursions(run, "incursion", params=strict)) == 2


def test_a_track_break_is_one_incursion_a_new_drone_far_away_is_another(tmp_path: Path) -> None:
    # T1 crosses north, turns back, crosses south and is lost 800 m south of the line;
    # T2 appears 40 s later 600 m from where T1 was lost and crosses north: the same drone.
    # T3 crosses north at the same time 15 km east: another drone.
    events = [
        crossing("T1", T0 + 100.0, 0.0),
        crossing("T1", T0 + 300.0, 0.0, "southbound"),
        crossing("T2", T0 + 500.0, 600.0),
        crossing("T3", T0 + 500.0, 15_000.0),
    ]
    tracks = (
        track_lines("T1", _pts(T0, T0 + 380.0, 0.0, -1000.0, -800.0), SENSORS)
        + track_lines("T2", _pts(T0 + 420.0, T0 + 700.0, 600.0, -800.0, 800.0), SENSORS)
        + track_lines("T3", _pts(T0 + 400.0, T0 + 700.0, 15_000.0, -1500.0, 1000.0), SENSORS)
    )
    run = write_run(tmp_path / "break", events, tracks)
    incursions = count_incursions(run, "incursion")
    assert len(incursions) == 2
    merged = next(u for u in incursions if len(u.tracks) == 2)
    assert [k.split("/")[1] for k in merged.tracks] == ["T1", "T2"]
    assert len(count_incursions(run, "track")) == 3


def test_a_track_starting_where_another_ended_minutes_ago_is_a_new_drone(tmp_path: Path) -> None:
    # Without an identity, a track that begins 4 min after another ended nearby is the
    # next drone from the same launch site, not the first one found again.
    events = [crossing("T1", T0 + 100.0, 0.0), crossing("T2", T0 + 700.0, 100.0)]
    tracks = track_lines("T1", _pts(T0, T0 + 360.0, 0.0, -1000.0, -1000.0), SENSORS)
    tracks += track_lines("T2", _pts(T0 + 600.0, T0 + 800.0, 100.0, -1000.0, 1000.0), SENSORS)
    run = write_run(tmp_path / "next", events, tracks)
    assert len(count_incursions(run, "incursion")) == 2


def test_tracks_sharing_a_remote_id_serial_are_one_drone(tmp_path: Path) -> None:
    events = [
        crossing("T1", T0 + 100.0, 0.0),
        crossing("T1", T0 + 200.0, 0.0, "southbound"),
        crossing("T2", T0 + 400.0, 9000.0),
    ]
    t1 = track_lines("T1", _pts(T0, T0 + 250.0, 0.0, -500.0, -400.0), SENSORS)
    t2 = track_lines("T2", _pts(T0 + 300.0, T0 + 450.0, 9000.0, -500.0, 500.0), SENSORS)
    for row in t1 + t2:
        row["identities"] = ["rid:SERIAL42"]
    run = write_run(tmp_path / "rid", events, t1 + t2)
    assert len(count_incursions(run, "incursion")) == 1
    assert len(count_incursions(run, "track")) == 2


def test_two_drones_crossing_side_by_side_in_one_sector_are_two(tmp_path: Path) -> None:
    events = [crossing("T1", T0 + 100.0, 0.0), crossing("T2", T0 + 101.0, 40.0)]
    tracks = track_lines("T1", _pts(T0, T0 + 200.0, 0.0, -1000.0, 1000.0), SENSORS)
    tracks += track_lines("T2", _pts(T0, T0 + 200.0, 40.0, -1000.0, 1000.0), SENSORS)
    run = write_run(tmp_path / "pair", events, tracks)
    assert len(count_incursions(run, "incursion")) == 2


def _month(tmp_path: Path, sectors: dict[str, list[tuple[float, float]]]) -> Path:
    """A month directory: border.json and sectors/<ID>/ runs whose tracks each cross
    north once at (time offset, east metres)."""
    month = tmp_path / "month"
    (month / "sectors").mkdir(parents=True)
    (month / "border.json").write_text(json.dumps({"sectors": [{"id": s} for s in sectors]}))
    for sid, crossings in sectors.items():
        events, tracks = [], []
        for k, (dt, east) in enumerate(crossings):
            tid = f"T{k + 1:06d}"
            events.append(crossing(tid, T0 + dt, east))
            tracks += track_lines(
                tid, _pts(T0 + dt - 100, T0 + dt + 100, east, -1000, 1000), ("radar-a",)
            )
        write_run(month / "sectors" / sid, events, tracks, name=sid)
    return month


def test_the_same_crossing_seen_by_two_overlapping_sectors_counts_once(tmp_path: Path) -> None:
    # Sector B's tracker sees the crossing 150 m off and 4 s later (its own track).
    month = _month(tmp_path, {"A": [(100.0, 0.0)], "B": [(104.0, 150.0)]})
    units = count_incursions(month, "incursion")
    assert len(units) == 1
    assert units[0].tracks == ["A/T000001", "B/T000001"]
    assert len(count_incursions(month, "track")) == 2


def test_a_unit_lies_where_its_best_located_track_crossed(tmp_path: Path) -> None:
    # Sector A's track (bearings only, 1 sigma 300 m) crosses first, 900 m east of the
    # drone; sector B's (radar, 10 m) crosses where the drone did, 3 s later.
    month = _month(tmp_path, {"A": [(100.0, 900.0)], "B": [(103.0, 0.0)]})
    for sid, sigma in (("A", 300.0), ("B", 10.0)):
        path = month / "sectors" / sid / "tracks.jsonl"
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        for r in rows:
            r["cov"] = [[sigma**2, 0.0, 0.0], [0.0, sigma**2, 0.0], [0.0, 0.0, 900.0]]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (unit,) = count_incursions(month, "incursion")
    assert unit.t == T0 + 100.0  # when it first crossed
    assert unit.lon == pytest.approx(lon_at(0.0))  # where the drone was
    assert unit.lat == pytest.approx(lat_at(0.0))


def test_a_convoy_in_the_overlap_of_two_sectors_counts_each_drone_once(tmp_path: Path) -> None:
    convoy = [(100.0, 0.0), (102.0, 60.0), (104.0, 120.0)]
    seen_b = [(dt + 3.0, east + 20.0) for dt, east in convoy]
    month = _month(tmp_path, {"A": convoy, "B": seen_b})
    assert len(count_incursions(month, "incursion")) == 3
    assert len(count_incursions(month, "track")) == 6


def test_the_alert_rule_leaves_out_ads_b_and_counts_each_sensor(tmp_path: Path) -> None:
    events = [crossing("T1", T0 + 100.0, 0.0)]
    tracks = track_lines(
        "T1", _pts(T0, T0 + 200.0, 0.0, -1000.0, 1000.0), ("radar-1", "radar-2", "adsb-kelp")
    )
    run = write_run(tmp_path / "adsb", events, tracks)
    alerts = count_incursions(run, "alert")
    assert sorted(a.sensors[0] for a in alerts) == ["radar-1", "radar-2"]


def test_since_until_keep_only_crossings_in_the_window(tmp_path: Path) -> None:
    run = _out_and_back(tmp_path, RECROSS_S + 60.0)
    assert len(count_incursions(run, "incursion", start=T0 + 200.0)) == 1
    assert len(count_incursions(run, "incursion", end=T0 + 200.0)) == 1


def test_a_path_that_is_no_source_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a run directory"):
        count_incursions(tmp_path, "track")
    with pytest.raises(SourceError, match="no such file"):
        count_incursions(tmp_path / "missing", "track")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "incidents.json").write_text("{not json")
    with pytest.raises(SourceError, match=r"incidents\.json"):
        count_incursions(bad, "track")


def test_crossing_place_is_the_event_place(tmp_path: Path) -> None:
    run = _out_and_back(tmp_path, 60.0)
    (u,) = count_incursions(run, "incursion")
    assert (u.lat, u.lon) == pytest.approx((lat_at(0.0), lon_at(0.0)))
    assert u.crossings == 2  # the first crossing and the one after the quick return


def test_a_drone_broadcasting_remote_id_is_counted_and_marked_identified(tmp_path: Path) -> None:
    events = [crossing("T1", T0 + 100.0, 0.0), crossing("T2", T0 + 100.0, 5000.0)]
    t1 = track_lines("T1", _pts(T0, T0 + 200.0, 0.0, -1000.0, 1000.0), SENSORS)
    t2 = track_lines("T2", _pts(T0, T0 + 200.0, 5000.0, -1000.0, 1000.0), SENSORS)
    for row in t2:
        row["identities"] = ["rid:HOBBY1"]
    run = write_run(tmp_path / "hobby", events, t1 + t2)
    units = count_incursions(run, "incursion")
    assert sorted(u.identified for u in units) == [False, True]
    assert compute_stats(run).breakdown.identified == 1


def test_broken_inputs_are_refused_naming_the_file_and_the_place(tmp_path: Path) -> None:
    bad_event = crossing("T1", T0 + 100.0, 0.0)
    del bad_event["t"]
    run = write_run(tmp_path / "noevent_t", [crossing("T2", T0, 0.0), bad_event])
    with pytest.raises(SourceError, match=r"incidents\.json: events\[\d\]: 't' missing"):
        count_incursions(run, "track")
    run = write_run(
        tmp_path / "badtrack",
        [crossing("T1", T0 + 100.0, 0.0)],
        track_lines("T1", _pts(T0, T0 + 2.0, 0.0, -10.0, 10.0), SENSORS),
    )
    lines = (run / "tracks.jsonl").read_text().splitlines()
    lines[1] = lines[1].replace('"lat": ', '"lat": "north", "x": ')
    (run / "tracks.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError, match=r"tracks\.jsonl:2: not a track update"):
        count_incursions(run, "alert")
