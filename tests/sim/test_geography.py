"""Sector geography: which side of the border, a user's own border, sectors off the border."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skywarden.sim import Simulation, load_scenario
from skywarden.sim.geography import Geography, GeographyError

SCENARIO = Path(__file__).parents[2] / "scenarios" / "el-paso.yaml"


def _scenario(tmp_path: Path, **sector: object) -> Path:
    doc = yaml.safe_load(SCENARIO.read_text())
    doc["sector"].update(sector)
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def test_el_paso_and_ciudad_juarez_are_on_their_sides() -> None:
    scn = load_scenario(SCENARIO)
    geo = Geography(scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP", "MMCS"])
    pts = {icao: geo.airport_xy(icao) for icao in ("KELP", "MMCS")}
    x = np.array([pts["KELP"][0], pts["MMCS"][0]])
    y = np.array([pts["KELP"][1], pts["MMCS"][1]])
    assert geo.in_mexico(x, y).tolist() == [False, True]
    assert 40_000 < geo.border_length_m < 120_000  # the Rio Grande's course in a 60 km square
    bx, by, nx, ny = geo.border_point(0.5)
    assert geo.in_mexico(
        np.array([bx - 200 * nx, bx + 200 * nx]), np.array([by - 200 * ny, by + 200 * ny])
    ).tolist() == [True, False]


def test_a_users_own_border_file(tmp_path: Path) -> None:
    # A made-up border along 31.70 N, west to east (the US on the left, north).
    lons = np.linspace(-109.0, -104.0, 101).tolist()
    line = {"type": "LineString", "coordinates": [[lon, 31.70] for lon in lons]}
    (tmp_path / "border.geojson").write_text(json.dumps(line))
    sim = Simulation(load_scenario(_scenario(tmp_path, border_file="border.geojson")), 1, 5)
    geo = sim.geo
    x, y, _ = sim.frame.to_enu(np.array([31.69, 31.71]), np.array([-106.43, -106.43]), np.zeros(2))
    assert geo.in_mexico(x, y).tolist() == [True, False]


def test_a_bad_border_file_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "border.geojson").write_text('{"type": "Point", "coordinates": [0, 0]}')
    scn = load_scenario(_scenario(tmp_path, border_file="border.geojson"))
    with pytest.raises(GeographyError, match=r"sector.border_file: .*LineString"):
        Simulation(scn, 1, 5)


def test_a_sector_away_from_the_border(tmp_path: Path) -> None:
    denver = {"lat": 39.74, "lon": -104.99, "alt_m": 1600.0}
    doc = yaml.safe_load(SCENARIO.read_text())
    doc["sector"].update(origin=denver, airports=[])
    doc["traffic"]["airports"] = []
    for s in doc["sensors"]:
        s["site"] = denver
    p = tmp_path / "denver.yaml"
    p.write_text(yaml.safe_dump(doc))
    with pytest.raises(GeographyError, match=r"traffic\.smugglers\.per_hour"):
        Simulation(load_scenario(p), 1, 5)
    for fam in ("smugglers", "convoys"):
        doc["traffic"][fam] = {"per_hour": 0}
    doc["traffic"]["surveillance"] = {"count": 0}
    p.write_text(yaml.safe_dump(doc))
    steps = list(Simulation(load_scenario(p), 1, 30).steps())
    assert steps[-1].truth and all(
        p.role in {"hobby", "bird", "overflight"} for s in steps for p in s.truth
    )


def test_ground_rises_to_the_airports_and_stays_on_the_valley_floor_elsewhere() -> None:
    scn = load_scenario(SCENARIO)
    geo = Geography(
        scn.frame, scn.sector.extent_m, scn.sector.ground_alt_m, ["KELP", "KBIF", "MMCS"]
    )
    for icao in ("KELP", "KBIF", "MMCS"):
        x, y = geo.airport_xy(icao)
        assert float(geo.ground_at(x, y)) == pytest.approx(geo.airport(icao).elevation_m, abs=0.5)
    far = geo.ground_at(np.array([-25_000.0, 25_000.0]), np.array([-25_000.0, -5_000.0]))
    assert np.allclose(far, scn.sector.ground_alt_m, atol=0.5)


@settings(max_examples=25, deadline=None)
@given(
    st.floats(0.005, 0.05),  # amplitude of the meanders, degrees
    st.floats(1.0, 12.0),  # how many meanders across the map
    st.floats(0.0, 6.28),  # phase
)
def test_sides_of_any_meandering_border(amp: float, waves: float, phase: float) -> None:
    """A wavy west-to-east border: points just north of it are US, just south Mexico."""
    lons = np.linspace(-108.5, -104.5, 801)
    lats = 31.76 + amp * np.sin(waves * 2 * np.pi * (lons - lons[0]) / 4.0 + phase)
    scn = load_scenario(SCENARIO)
    from shapely.geometry import LineString

    geo = Geography(
        scn.frame,
        scn.sector.extent_m,
        scn.sector.ground_alt_m,
        [],
        border=LineString(np.column_stack([lons, lats])),
    )
    probe_lon = np.linspace(-106.7, -106.15, 40)
    line_lat = 31.76 + amp * np.sin(waves * 2 * np.pi * (probe_lon - lons[0]) / 4.0 + phase)
    off = 0.004  # ~450 m, beyond the line's 0.005 deg sampling error
    for dlat, south in ((off, False), (-off, True)):
        x, y, _ = scn.frame.to_enu(line_lat + dlat, probe_lon, np.zeros_like(probe_lon))
        assert (geo.in_mexico(np.asarray(x), np.asarray(y)) == south).all()


def test_the_side_near_a_sharp_bend_is_the_bends_side() -> None:
    """South of a V-shaped bend (the US inside the V), beyond the end of one arm's
    segment, the arm's extended line would put a Mexican point in the US."""
    from shapely.geometry import LineString

    scn = load_scenario(SCENARIO)
    frame = scn.frame
    # West to east (US on the left): down into a narrow V and back up, vertex at (0, -3 km).
    x = np.array([-20_000.0, -300.0, 0.0, 300.0, 20_000.0])
    y = np.array([0.0, 0.0, -3_000.0, 0.0, 0.0])
    lat, lon, _ = frame.to_geodetic(x, y, np.zeros_like(x))
    geo = Geography(frame, 20_000.0, scn.sector.ground_alt_m, [], LineString(np.c_[lon, lat]))
    # 200-900 m below the vertex, east and west of it: nearest the line at the vertex.
    bx, by = np.meshgrid(np.linspace(-250.0, 250.0, 11), [-3_200.0, -3_500.0, -3_900.0])
    assert geo.in_mexico(bx.ravel(), by.ravel()).all()
    assert not geo.in_mexico(np.array([0.0]), np.array([-1_000.0]))[0]  # inside the V
