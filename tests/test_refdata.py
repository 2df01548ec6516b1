"""refdata: the shipped data are the published data, and the border is where it should be."""

import json
from pathlib import Path

import airportsdata
import pytest
from shapely.geometry import Point

from skywarden.geo import M_PER_FT, distance_m, line_length_m
from skywarden.refdata import (
    BorderFileError,
    UnknownAirport,
    airport,
    border_line,
    load_border,
    runways,
)


def test_kelp_position_and_elevation_equal_airportsdata() -> None:
    ref = airportsdata.load("ICAO")["KELP"]
    kelp = airport("KELP")
    assert (kelp.lat, kelp.lon) == (ref["lat"], ref["lon"])
    assert kelp.elevation_m == pytest.approx(ref["elevation"] * M_PER_FT)
    assert airport("mmcs").country == "MX"


def test_unknown_airport_is_a_clear_error() -> None:
    with pytest.raises(UnknownAirport, match="ZZZZ"):
        airport("ZZZZ")
    with pytest.raises(UnknownAirport):
        runways("ZZZZ")


def test_kelp_runways_have_both_thresholds_and_true_headings() -> None:
    by_ident = {r.ident: r for r in runways("KELP")}
    assert {"04/22", "08R/26L", "08L/26R"} <= set(by_ident)
    r = by_ident["08R/26L"]
    e08, e26 = r.end("08R"), r.end("26L")
    # Reciprocal headings, thresholds about the runway's length apart.
    assert abs((e26.heading_true_deg - e08.heading_true_deg) % 360 - 180) < 1.0
    d = float(distance_m(e08.lat, e08.lon, e26.lat, e26.lon))
    assert d == pytest.approx(r.length_m, rel=0.05)
    assert 1150 < e08.elevation_m < 1230  # El Paso sits near 3,950 ft
    assert runways("KBIF") and runways("MMCS")


def test_border_passes_between_kelp_and_mmcs_with_us_on_the_left() -> None:
    line = border_line()
    kelp, mmcs = airport("KELP"), airport("MMCS")
    # A segment from MMCS to KELP must cross the border.
    from shapely.geometry import LineString

    assert LineString([(mmcs.lon, mmcs.lat), (kelp.lon, kelp.lat)]).intersects(line)
    # Oriented west to east: the US on the left of the direction of travel.
    nearest = line.project(Point(kelp.lon, kelp.lat))
    a = line.interpolate(max(nearest - 0.01, 0))
    b = line.interpolate(nearest + 0.01)
    cross = (b.x - a.x) * (kelp.lat - a.y) - (b.y - a.y) * (kelp.lon - a.x)
    assert cross > 0
    assert line.coords[0][0] < line.coords[-1][0]


def test_border_length_within_20_percent_of_published() -> None:
    xs, ys = border_line().xy
    km = line_length_m(list(xs), list(ys)) / 1000.0
    assert abs(km - 3145.0) / 3145.0 < 0.20
    assert km == pytest.approx(2641, rel=0.01)  # what Natural Earth 1:10m measures


def test_user_border_file_replaces_the_shipped_one(tmp_path: Path) -> None:
    p = tmp_path / "b.geojson"
    p.write_text(json.dumps({"type": "LineString", "coordinates": [[-107, 31.8], [-106, 31.6]]}))
    assert load_border(p).length > 0


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "invalid JSON at line 1"),
        ('{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}', "found Polygon"),
        ('{"type": "FeatureCollection", "features": []}', "no line geometry"),
        ("[1, 2]", "not a GeoJSON object"),
    ],
)
def test_bad_border_files_name_the_problem(tmp_path: Path, text: str, match: str) -> None:
    p = tmp_path / "bad.geojson"
    p.write_text(text)
    with pytest.raises(BorderFileError, match=match):
        load_border(p)
    with pytest.raises(BorderFileError, match="no such file"):
        load_border(tmp_path / "missing.geojson")
