"""Step 4's option ``rf_shared_sigmas``: RF link geometry alone backs no update whose
finders' link was already another track's (held-out seed 26, S87: a bird beside two
hovering surveillance drones that had tracks of their own, RF-backed by the same two
finders; docs/notes/wave26.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from analytics_build import T0

from skywarden.analytics import CountingRule
from skywarden.analytics.material import Material, SectorData, SensorSite, TrackSpan
from skywarden.analytics.records import Incursion
from skywarden.analytics.rf_shared import RfBacked, SharedQuery, rf_backed
from skywarden.analytics.unit_checks import evidence_shares
from skywarden.geo import destination

F1 = SensorSite("rf-1", "rf", 31.70, -106.40, 0.0, {"sigma_bearing_deg": 3.0})
F2 = SensorSite("rf-2", "rf", 31.70, -106.30, 0.0, {"sigma_bearing_deg": 4.0})
SITES = {"rf-1": F1, "rf-2": F2}


def _at(site: SensorSite, bearing: float, dist_m: float) -> tuple[float, float]:
    lat, lon = destination(site.lat, site.lon, bearing, dist_m)
    return float(lat), float(lon)


def _line(t: float, track: str, pos: tuple[float, float], sensors: list[str], rf: bool) -> str:
    row: dict[str, Any] = {
        "t": t,
        "track": track,
        "lat": pos[0],
        "lon": pos[1],
        "sensors": sensors,
        "corroboration": ["rf_geometry"] if rf else [],
    }
    return json.dumps(row)


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def _query(**kw: Any) -> SharedQuery:
    base: dict[str, Any] = {
        "sites": SITES,
        "own": {"BIRD"},
        "first_fit": T0 + 100.0,
        "sigmas": 2.0,
        "lead_s": 60.0,
    }
    return SharedQuery(**(base | kw))


def test_it_reads_only_rf_backed_updates_of_tracks_a_finder_fed(tmp_path: Path) -> None:
    p = _at(F1, 10.0, 5000.0)
    f = _write(
        tmp_path / "tracks.jsonl",
        [
            _line(T0 + 5.0, "D", p, ["radar-1", "rf-1"], rf=True),
            _line(T0 + 1.0, "D", p, ["radar-1", "rf-1"], rf=True),
            _line(T0 + 2.0, "E", p, ["radar-1", "rf-1"], rf=False),  # not RF-backed
            _line(T0 + 3.0, "G", p, ["radar-1"], rf=True),  # no finder fed it
            _line(T0 + 4.0, "H", p, ["rf-2", "rf-1"], rf=True),
        ],
    )
    idx = RfBacked.read(f, ["rf-2", "rf-1"])
    assert idx.finders == ("rf-1", "rf-2")
    assert idx.t.tolist() == [T0 + 1.0, T0 + 4.0, T0 + 5.0]  # in time order
    assert [idx.names[c] for c in idx.track.tolist()] == ["D", "H", "D"]
    assert idx.fed.tolist() == [1, 3, 1]
    assert dict(zip(idx.names, idx.first_fit.tolist(), strict=True)) == {
        "D": T0 + 1.0,
        "H": T0 + 4.0,
    }


def test_a_broken_line_names_its_file_and_line(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "tracks.jsonl", ['{"t": 1, "track": "D", "corroboration": ["rf_geometry"]']
    )
    with pytest.raises(ValueError, match=r"tracks.jsonl:1: not a track update"):
        RfBacked.read(f, ["rf-1"])


def _index(tmp_path: Path, others: list[tuple[str, float, float, list[str], float]]) -> RfBacked:
    """Other tracks (name, bearing from rf-1, distance, finders, first RF fit), each
    RF-backed every second from its first fit to T0 + 200."""
    lines = []
    for name, b, d, fed, first in others:
        for k in range(int(first - T0), 201):
            lines.append(_line(T0 + k, name, _at(F1, b, d), fed, rf=True))
    return RfBacked.read(_write(tmp_path / "tracks.jsonl", lines), ["rf-1", "rf-2"])


def test_a_link_another_track_held_first_is_shared(tmp_path: Path) -> None:
    bird = _at(F1, 30.0, 5000.0)
    # a drone 3 km beyond the bird on rf-1's ray, RF-backed 90 s before the bird's first fit
    idx = _index(tmp_path, [("DRONE", 30.5, 8000.0, ["radar-1", "rf-1"], T0 + 10.0)])
    assert idx.shared(T0 + 150.0, *bird, ["rf-1"], _query())
    # not when the bird is 10 deg (3.3 errors) off the drone's ray
    assert not idx.shared(T0 + 150.0, *_at(F1, 40.5, 5000.0), ["rf-1"], _query())
    # not when the other track is the unit's own (a duplicate of the same drone)
    assert not idx.shared(T0 + 150.0, *bird, ["rf-1"], _query(own={"BIRD", "DRONE"}))
    # not when the other track's backing came less than a minute before the bird's first
    # fit (a convoy's drones, launched together, each keep their own link)
    assert not idx.shared(T0 + 150.0, *bird, ["rf-1"], _query(first_fit=T0 + 50.0))
    # not at a second when the other track was not RF-backed
    assert not idx.shared(T0 + 250.0, *bird, ["rf-1"], _query())
    # nothing to ask without a finder
    assert not idx.shared(T0 + 150.0, *bird, [], _query())


def test_with_two_finders_every_one_must_hear_another_track(tmp_path: Path) -> None:
    bird = _at(F1, 30.0, 5000.0)
    b2 = _bearing(F2, bird)
    drone1 = _at(F1, 30.5, 5200.0)  # near the bird: fits both finders' rays
    far = _at(F1, 30.0, 9000.0)  # on rf-1's ray only
    lines = [_line(T0 + k, "NEAR", drone1, ["rf-1", "rf-2"], rf=True) for k in range(0, 201)] + [
        _line(T0 + k, "FAR", far, ["rf-1", "rf-2"], rf=True) for k in range(0, 201)
    ]
    idx = RfBacked.read(_write(tmp_path / "tracks.jsonl", lines), ["rf-1", "rf-2"])
    assert abs(_bearing(F2, drone1) - b2) < 2 * 4.0  # within rf-2's two errors
    assert abs(_bearing(F2, far) - b2) > 2 * 4.0  # the far one is not, for rf-2
    assert idx.shared(T0 + 150.0, *bird, ["rf-1", "rf-2"], _query())
    only_far = RfBacked.read(
        _write(tmp_path / "far.jsonl", lines[201:]), ["rf-1", "rf-2"]
    )  # rf-1 hears FAR's link on the bird's ray; rf-2's ray crosses at the bird alone
    assert only_far.shared(T0 + 150.0, *bird, ["rf-1"], _query())
    assert not only_far.shared(T0 + 150.0, *bird, ["rf-1", "rf-2"], _query())


def _bearing(site: SensorSite, pos: tuple[float, float]) -> float:
    from skywarden.geo import bearing_deg

    return bearing_deg(site.lat, site.lon, pos[0], pos[1])


def _unit(tmp_path: Path, with_drone: bool) -> tuple[Material, TrackSpan, Incursion]:
    """A bird RF-backed by rf-1 alone from its first update, 400 s, crossing at 300 s;
    with a drone tracked on the same ray 3 km farther out since 100 s before."""
    sp = TrackSpan("S1", "BIRD", T0, 0.0, 0.0, T0, 0.0, 0.0)
    lines = []
    for k in range(400):
        lat, lon = _at(F1, 30.0, 5000.0 + 2.0 * k)
        sp.extend(T0 + k, lat, lon, [], ("radar-1", "rf-1"), ["rf_geometry"])
        sp.add_fix(T0 + k, 10.0, lat, lon)
        lines.append(_line(T0 + k, "BIRD", (lat, lon), ["radar-1", "rf-1"], rf=True))
        if with_drone:
            lines.append(_line(T0 + k, "DRONE", _at(F1, 30.2, 8000.0), ["rf-1"], rf=True))
    if with_drone:
        lines = [_line(T0 - 100.0, "DRONE", _at(F1, 30.2, 8000.0), ["rf-1"], rf=True), *lines]
    f = _write(tmp_path / "tracks.jsonl", lines)
    sector = SectorData("S1", spans={"BIRD": sp}, sensors=[F1, F2], tracks_file=f)
    u = Incursion(
        id="i1", rule="incursion", t=T0 + 300.0, lat=sp.lat1, lon=sp.lon1, alt_m=0.0,
        direction="northbound", sector="S1", tracks=["S1/BIRD"],
    )  # fmt: skip
    return Material("m", "month", [sector]), sp, u


def test_the_rule_withdraws_the_backing_only_when_asked(tmp_path: Path) -> None:
    mat, sp, u = _unit(tmp_path, with_drone=True)
    off = CountingRule(rf_sweep_sigmas=0.0)  # the sweep test would ask nothing here
    on = CountingRule(rf_sweep_sigmas=0.0, rf_shared_sigmas=2.0)
    assert CountingRule().rf_shared_sigmas == 0.0  # off by default
    assert evidence_shares(mat, [sp], u, off) == [(331, 331)]
    assert evidence_shares(mat, [sp], u, on) == [(0, 331)]
    # alone on its ray, a drone's own link backs it as before
    mat2, sp2, u2 = _unit(tmp_path, with_drone=False)
    assert evidence_shares(mat2, [sp2], u2, on) == [(331, 331)]


def test_a_source_without_a_track_file_cannot_be_asked() -> None:
    mat = Material("m", "month", [SectorData("S1", sensors=[F1])])
    assert rf_backed(mat, "S1") is None
    assert rf_backed(mat, "nowhere") is None


def test_stats_takes_it(tmp_path: Path) -> None:
    from analytics_build import crossing, track_lines, write_run
    from typer.testing import CliRunner

    from skywarden.cli import app

    rows = track_lines("D1", [(T0 + k, 0.0, -1000.0 + 10.0 * k) for k in range(201)], ["radar-1"])
    run = write_run(tmp_path / "run", [crossing("D1", T0 + 100.0, 0.0)], rows)
    res = CliRunner().invoke(app, ["stats", str(run), "--json", "--rf-shared-sigmas", "2"])
    assert res.exit_code == 0, res.output
    assert "rf_shared_sigmas=2" in res.output  # the method says so
    bad = CliRunner().invoke(app, ["stats", str(run), "--rf-shared-sigmas", "-1"])
    assert bad.exit_code == 2
