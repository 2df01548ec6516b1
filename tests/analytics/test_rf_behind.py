"""Step 4's ``rf_behind_s`` (off by default): a finder whose bearings stayed on the
track's old ray after the track left it heard another emitter, and is withdrawn from the
track's RF geometry (held-out seed 30's S27 bird, docs/notes/wave34.md, section 2).

The constructed unit: a track flies north over the line at 280 s, backed by one
finder's RF geometry alone up to 300 s, then without it; rf-1 stands 6 km east of its
line of flight, so the track's bearing from it moves from 272 deg (at 300 s) past 290
deg (six bearing errors off: the old ray's width and the track's own band) at about
500 s.
"""

from __future__ import annotations

import gzip
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from analytics_build import T0, crossing, lat_at, lon_at, path_north, track_lines, write_run

from skywarden.analytics import CountingRule, sources
from skywarden.analytics.counting import judged, method
from skywarden.analytics.material import Material, SensorSite
from skywarden.analytics.rf_behind import read_bearings
from skywarden.analytics.run_source import SourceError

CROSS_S = 280.0
LAST_FIT_S = 300.0
SITE = (6000.0, 0.0)  # rf-1, (east, north) m
ON = CountingRule(rf_behind_s=120.0)
PATH = path_north(T0, 0.0, 2800.0, 4200.0)  # 700 s at 10 m/s


def _bearing(e: float, n: float) -> float:
    return math.degrees(math.atan2(e - SITE[0], n - SITE[1])) % 360.0


def _rows() -> list[dict[str, Any]]:
    rows = track_lines("B1", PATH, ["radar-1", "rf-1"])
    for r in rows:
        r["corroboration"] = ["rf_geometry"] if r["t"] - T0 <= LAST_FIT_S else []
        r["cov"] = [[100.0, 0.0, 0.0], [0.0, 100.0, 0.0], [0.0, 0.0, 900.0]]
    return rows


def _line(t: float, brg: float) -> str:
    bearing = {"sensor_lat": lat_at(SITE[1]), "sensor_lon": lon_at(SITE[0])}
    bearing |= {"sensor_alt_m": 1225.0, "bearing_deg": brg, "sigma_deg": 3.0}
    return f'{{"t":{t},"sensor":"rf-1","kind":"rf","bearing":{_dump(bearing)}}}\n'


def _dump(d: dict[str, float]) -> str:
    return "{" + ",".join(f'"{k}":{v!r}' for k, v in d.items()) + "}"


def _reports(own_link: bool, emitter: bool, emitter_from_s: int = 0, seed: int = 1) -> str:
    """rf-1's bearings each second to 760 s: the track's own link (its bearing, 3 deg
    noise) and/or an emitter hovering where the track was at its last fit (heard from
    ``emitter_from_s``)."""
    rng = np.random.default_rng(seed)
    still = _bearing(0.0, -2800.0 + LAST_FIT_S * 10.0)
    out = []
    for k in range(761):
        t = T0 + k
        n = -2800.0 + min(k, len(PATH) - 1) * 10.0
        if own_link:
            out.append(_line(t, (_bearing(0.0, n) + rng.normal(0.0, 3.0)) % 360.0))
        if emitter and k >= emitter_from_s:
            out.append(_line(t, (still + rng.normal(0.0, 3.0)) % 360.0))
    return "".join(out)


def _material(
    tmp_path: Path, reports: str | None, range_max_m: float = 12000.0, gz: bool = True
) -> Material:
    run = write_run(tmp_path / "run", [crossing("B1", T0 + CROSS_S, 0.0)], _rows())
    if reports is not None:
        if gz:
            with gzip.open(run / "detections.jsonl.gz", "wt") as fh:
                fh.write(reports)
        else:
            (run / "detections.jsonl").write_text(reports)
    mat = sources.load(run)
    (sector,) = mat.sectors
    params = {"sigma_bearing_deg": 3.0, "range_max_m": range_max_m}
    sector.sensors = [SensorSite("rf-1", "rf", lat_at(SITE[1]), lon_at(SITE[0]), 0.0, params)]
    return mat


def _kinds(mat: Material, p: CountingRule | None = None) -> list[Any]:
    return [(k, why) for _, k, why in judged(mat, params=p)]


def test_a_finder_left_on_the_old_ray_is_withdrawn(tmp_path: Path) -> None:
    mat = _material(tmp_path, _reports(own_link=False, emitter=True))
    assert _kinds(mat) == [(None, None)]  # the default rule does not ask
    ((kind, why),) = _kinds(mat, ON)
    assert kind == "suspected"
    assert why == (
        "independent drone evidence in 0 of 311 updates (rf-1 withdrawn: bearings not "
        "following the track or left on its old ray)"
    )


@pytest.mark.parametrize(
    ("own_link", "emitter"),
    [(True, False), (True, True), (False, False)],
    ids=["own-link", "own-link-beside-an-emitter", "silent"],
)
def test_an_own_link_or_a_silent_finder_is_never_left_behind(
    tmp_path: Path, own_link: bool, emitter: bool
) -> None:
    mat = _material(tmp_path, _reports(own_link, emitter), gz=own_link)
    assert _kinds(mat, ON) == [(None, None)]


def test_a_track_gone_out_of_the_finders_range_says_nothing(tmp_path: Path) -> None:
    # the track is 6 km from rf-1 at least: with a 5.9 km range its own link would not be
    # heard after the departure, so an emitter on the old ray proves nothing
    mat = _material(tmp_path, _reports(own_link=False, emitter=True), range_max_m=5900.0)
    assert _kinds(mat, ON) == [(None, None)]


def test_without_detections_nothing_is_withdrawn(tmp_path: Path) -> None:
    mat = _material(tmp_path, None)
    assert mat.sectors[0].detections is None
    assert _kinds(mat, ON) == [(None, None)]


def test_the_window_after_the_departure_is_the_rule(tmp_path: Path) -> None:
    # the emitter heard only from 650 s on: nothing on the old ray within 120 s of the
    # departure (~500 s), so nothing is withdrawn; a longer window reaches it
    mat = _material(tmp_path, _reports(False, True, emitter_from_s=650))
    assert _kinds(mat, ON) == [(None, None)]
    assert _kinds(mat, CountingRule(rf_behind_s=200.0))[0][0] == "suspected"


def test_the_reader_takes_rf_lines_only_and_names_a_bad_one(tmp_path: Path) -> None:
    path = tmp_path / "detections.jsonl"
    radar = '{"t":1.0,"sensor":"radar-1","kind":"radar","position":{"lat":31.0}}\n'
    path.write_text(_line(T0 + 2.0, 10.0) + radar + _line(T0 + 1.0, 20.0))
    ((t, b),) = read_bearings(path).values()
    assert t.tolist() == [T0 + 1.0, T0 + 2.0] and b.tolist() == [20.0, 10.0]
    path.write_text(_line(T0, 10.0) + '{"t":1.0,"sensor":"rf-1","kind":"rf"}\n')
    with pytest.raises(SourceError, match=re.escape(f"{path}:2: an rf detection without")):
        read_bearings(path)
    path.write_text('{"t":"x","kind":"rf"}\n')
    with pytest.raises(SourceError, match=re.escape(f"{path}:1: not a detection")):
        read_bearings(path)


def test_the_method_names_it_only_when_set_and_stats_takes_it(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bench_loader import load_bench
    from skywarden.cli import app

    assert CountingRule().rf_behind_s == 0.0
    assert "rf_behind" not in method("incursion")
    text = method("incursion", ON)
    assert "old ray for 120 s after the track left it (rf_behind_s)" in text
    assert text.endswith("[rf_behind_s=120]")
    run = _material(tmp_path, _reports(False, True)).source
    res = CliRunner().invoke(app, ["stats", run, "--json", "--rf-behind-s", "120"])
    assert res.exit_code == 0, res.output
    assert "rf_behind_s=120" in res.output
    assert load_bench("month").parse_params(["rf_behind_s=120"]) == {"rf_behind_s": 120.0}
