"""Step 4's ``rf_astray_s`` (off by default): a finder whose own fitted bearings the
tracker found not following the track soon after the crossing (``rf_astray`` in
``tracks.jsonl``, a per-finder verdict) is withdrawn from the track's RF geometry, and a
finder left alone by that must show the sweep however early it fitted (seed 28 S87: a
bird two finders backed, one of them hearing a still emitter on its ray; the other,
radial, could not tell; docs/notes/wave28.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from analytics_build import T0, crossing, lat_at, lon_at, path_north, track_lines, write_run

from skywarden.analytics import CountingRule, sources
from skywarden.analytics.counting import judged, method, suspected
from skywarden.analytics.material import Material, SensorSite, TrackSpan
from skywarden.analytics.run_source import SourceError

CROSS_S = 280.0
#: the tracker found rf-1's bearings not following the track over 125-490 s
ASTRAY_S = (125.0, 490.0)
#: rf-2 north of the track on its line of flight (radial: its bearing to it stands
#: still), or 1.5 km beside it (its bearing sweeps far more than 3 bearing errors)
RADIAL = (0.0, 8000.0)
ABEAM = (1500.0, 0.0)


def _finder(name: str, east_m: float, north_m: float) -> SensorSite:
    return SensorSite(name, "rf", lat_at(north_m), lon_at(east_m), 0.0, {"sigma_bearing_deg": 3.0})


def _rows(astray: tuple[float, float] | None = ASTRAY_S) -> list[dict[str, Any]]:
    """500 s of a track flying north over the line at 280 s, fed by rf-1 and rf-2 from
    its first update and backed by RF geometry alone at every update (its first fit at
    once: exempt from the sweep today); ``astray``: when rf-1 was found astray."""
    rows = track_lines("B1", path_north(T0, 0.0, 2800.0, 2200.0), ["radar-1", "rf-1", "rf-2"])
    for r in rows:
        r["corroboration"] = ["rf_geometry"]
        r["cov"] = [[100.0, 0.0, 0.0], [0.0, 100.0, 0.0], [0.0, 0.0, 900.0]]
        if astray is not None and astray[0] <= r["t"] - T0 <= astray[1]:
            r["rf_astray"] = ["rf-1"]
    return rows


def _material(
    tmp_path: Path, rf2: tuple[float, float] = RADIAL, rows: list[dict[str, Any]] | None = None
) -> Material:
    run = write_run(tmp_path / "run", [crossing("B1", T0 + CROSS_S, 0.0)], rows or _rows())
    mat = sources.load(run)
    # a run directory takes its sensors from its scenario; these are the sector's
    (sector,) = mat.sectors
    sector.sensors = [_finder("rf-1", 6000.0, 0.0), _finder("rf-2", *rf2)]
    return mat


def test_the_run_source_reads_the_verdict_per_finder(tmp_path: Path) -> None:
    mat = _material(tmp_path)
    (sp,) = mat.sectors[0].spans.values()
    assert list(sp.rf_astray) == ["rf-1"]
    times = sp.rf_astray["rf-1"]
    assert (times[0], times[-1], len(times)) == (T0 + 125.0, T0 + 490.0, 366)
    assert sp.found_astray("rf-1", T0 + CROSS_S, 120.0)
    assert not sp.found_astray("rf-1", T0 + CROSS_S, 0.0)  # 0: never asked
    assert not sp.found_astray("rf-2", T0 + CROSS_S, 120.0)
    assert not sp.found_astray("rf-1", T0 + 491.0, 120.0)  # none after 490 s
    assert sp.found_astray("rf-1", T0 + 10.0, 120.0)  # 125 s lies within 120 s of 10 s
    assert not sp.found_astray("rf-1", T0 + 4.0, 120.0)


def test_a_finder_astray_at_the_line_is_withdrawn_and_the_radial_one_backs_nothing(
    tmp_path: Path,
) -> None:
    mat = _material(tmp_path)
    on = CountingRule(rf_astray_s=120.0)
    # two finders fed the track: two rays cross at a place, and the unit counts
    ((_, kind, why),) = judged(mat, params=CountingRule(rf_astray_s=0.0))
    assert (kind, why) == (None, None)
    # rf-1's link was another emitter's at the line: rf-2 is left alone, and a radial
    # finder's bearing does not sweep, however early it fitted: 0 of 311 updates
    ((unit, why),) = suspected(mat, params=on)
    assert unit.tracks == ["constructed/B1"]
    assert why == (
        "independent drone evidence in 0 of 311 updates (rf-1 withdrawn: bearings not "
        "following the track within 120 s after the crossing)"
    )
    # a verdict that came only before the crossing, or later than rf_astray_s after
    # it, withdraws nothing
    for span in ((125.0, 250.0), (401.0, 490.0)):
        early = _material(tmp_path / f"{span[0]:g}", rows=_rows(span))
        assert [k for _, k, _ in judged(early, params=on)] == [None]


def test_a_finder_left_alone_that_swept_keeps_its_backing(tmp_path: Path) -> None:
    # rf-2 1.5 km beside the flight: its bearing to the track swept far more than 3
    # bearing errors (9 deg) while it fitted
    mat = _material(tmp_path, rf2=ABEAM)
    ((_, kind, why),) = judged(mat, params=CountingRule(rf_astray_s=120.0))
    assert (kind, why) == (None, None)


def test_withdrawing_the_only_finder_leaves_nothing_and_an_unwithdrawn_pair_is_not_asked() -> None:
    finders = {"rf-1": _finder("rf-1", 6000.0, 0.0), "rf-2": _finder("rf-2", *RADIAL)}
    one = TrackSpan("S1", "T1", T0, lat_at(-2800.0), lon_at(0.0), T0, lat_at(-2800.0), lon_at(0.0))
    for t, e, n in path_north(T0, 0.0, 2800.0, 500.0):
        one.extend(t, lat_at(n), lon_at(e), [], ("rf-1",), ["rf_geometry"])
    rule: dict[str, Any] = {"rf_sites": 1, "sweep_sigmas": 3.0, "late_s": 60.0}
    assert one.evidence_share(T0 + 310.0, finders, **rule) == (311, 311)
    assert one.evidence_share(T0 + 310.0, finders, **rule, withdrawn={"rf-1"}) == (0, 311)
    # withdrawing a finder that never fed the track changes nothing
    assert one.evidence_share(T0 + 310.0, finders, **rule, withdrawn={"rf-2"}) == (311, 311)


def test_it_is_off_by_default_and_the_method_names_it_only_when_set(tmp_path: Path) -> None:
    assert CountingRule().rf_astray_s == 0.0
    mat = _material(tmp_path)
    # the default rule reads the verdicts and asks nothing of them
    assert judged(mat) == judged(mat, params=CountingRule(rf_astray_s=0.0))
    assert [k for _, k, _ in judged(mat)] == [None]
    assert "rf_astray" not in method("incursion")
    assert "rf_astray" not in method("incursion", CountingRule(rf_astray_s=0.0))
    text = method("incursion", CountingRule(rf_astray_s=120.0))
    assert "within 120 s after the crossing (rf_astray_s)" in text
    assert text.endswith("[rf_astray_s=120]")


@pytest.mark.parametrize("bad", ["rf-1", [1], ["rf-1", None], {"rf-1": True}])
def test_a_malformed_verdict_is_refused_naming_file_and_line(tmp_path: Path, bad: Any) -> None:
    rows = _rows()
    rows[200]["rf_astray"] = bad
    run = write_run(tmp_path / "run", [crossing("B1", T0 + CROSS_S, 0.0)], rows)
    where = re.escape(f"{run / 'tracks.jsonl'}:201: not a track update")
    with pytest.raises(SourceError, match=rf"{where} .*rf_astray"):
        sources.load(run)


def test_stats_and_the_benches_take_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bench_loader import load_bench
    from skywarden.cli import app

    run = write_run(tmp_path / "run", [crossing("B1", T0 + CROSS_S, 0.0)], _rows())
    res = CliRunner().invoke(app, ["stats", str(run), "--json", "--rf-astray-s", "120"])
    assert res.exit_code == 0, res.output
    assert "rf_astray_s=120" in res.output  # the method says so
    bad = CliRunner().invoke(app, ["stats", str(run), "--rf-astray-s", "-1"])
    assert bad.exit_code == 2
    # bench/month.py and bench/month_units.py take any CountingRule field by name
    assert load_bench("month").parse_params(["rf_astray_s=120"]) == {"rf_astray_s": 120.0}
    assert load_bench("month_units").parse_params(["rf_astray_s=120"]) == {"rf_astray_s": 120.0}
