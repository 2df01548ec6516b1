"""Zones from reference data and GeoJSON: shapes, stated sizes and typed errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywarden.airspace import ZoneFileError, ZoneSpec, load_zones_geojson
from skywarden.geo import M_PER_NM, distance_m
from skywarden.model import ZoneKind


def test_kelp_has_a_surface_area_and_two_corridors_per_runway_end(zones):
    kelp = [z for z in zones if z.attrs.get("airport") == "KELP"]
    kinds = [z.kind for z in kelp]
    assert kinds.count(ZoneKind.AIRPORT_SURFACE) == 1
    # 3 runways, 6 ends, one approach and one departure corridor each.
    assert kinds.count(ZoneKind.APPROACH_CORRIDOR) == 6
    assert kinds.count(ZoneKind.DEPARTURE_CORRIDOR) == 6
    assert all(z.owner == "KELP ATC" for z in kelp)
    assert {z.kind for z in zones} >= {ZoneKind.BORDER_BUFFER}


def test_surface_area_is_5_nm_around_the_airport(zones):
    sfc = next(z for z in zones if z.id == "KELP-SFC")
    lon, lat = np.array(sfc.polygon).T
    n = len(lat)
    d = np.asarray(distance_m(np.full(n, 31.807333), np.full(n, -106.376361), lat, lon))
    assert d == pytest.approx(5 * M_PER_NM, rel=0.01)


def test_approach_corridor_22_follows_the_3_degree_path(index, fx):
    k = index.ids.index("KELP-APP-22")
    spec = ZoneSpec()
    for nm in (0.5, 1.0, 2.0, 4.0):
        path_agl = nm * M_PER_NM * math.tan(math.radians(3.0))
        below = fx.runway_point("22", nm * M_PER_NM, path_agl + spec.vertical_buffer_m - 10.0)
        above = fx.runway_point("22", nm * M_PER_NM, path_agl + spec.vertical_buffer_m + 10.0)
        m = index.membership_matrix(*(np.array([a, b]) for a, b in zip(below, above, strict=True)))
        assert m[:, k].tolist() == [True, False], nm


def test_approach_corridor_splays_15_percent_each_side(index, fx):
    k = index.ids.index("KELP-APP-22")
    along = 3000.0
    half = 150.0 + 0.15 * (along - 60.0)  # 591 m
    pts = [fx.runway_point("22", along, 30.0, lateral_m=s) for s in (half - 20, half + 20)]
    m = index.membership_matrix(*(np.array(c) for c in zip(*pts, strict=True)))
    assert m[:, k].tolist() == [True, False]


def test_departure_corridor_of_22_starts_past_the_far_end(index, fx):
    k = index.ids.index("KELP-DEP-22")
    # Departures on 22 climb out beyond the 04 threshold, i.e. on 04's approach side.
    x, y, alt = fx.runway_point("04", 1000.0, 50.0)
    assert index.membership_matrix(np.array([x]), np.array([y]), np.array([alt]))[0, k]
    x, y, alt = fx.runway_point("22", 1000.0, 50.0)
    assert not index.membership_matrix(np.array([x]), np.array([y]), np.array([alt]))[0, k]


def _write(tmp_path: Path, doc: object) -> Path:
    p = tmp_path / "zones.geojson"
    p.write_text(json.dumps(doc))
    return p


SQUARE = [[-106.45, 31.75], [-106.44, 31.75], [-106.44, 31.76], [-106.45, 31.76], [-106.45, 31.75]]


def test_geojson_zone_with_floor_and_ceiling_in_feet(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "R-5103",
                    "name": "Fort Bliss range",
                    "floor_ft": 0,
                    "ceiling_ft": 18000,
                    "owner": "US Army",
                    "kind": "restricted",
                },
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            }
        ],
    }
    (z,) = load_zones_geojson(_write(tmp_path, doc))
    assert (z.id, z.kind, z.owner) == ("R-5103", ZoneKind.RESTRICTED, "US Army")
    assert z.ceiling_m == pytest.approx(5486.4)
    assert len(z.polygon) == 4  # closing vertex dropped


@pytest.mark.parametrize(
    ("feature", "where"),
    [
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 0},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            "features[0].properties",
        ),
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 0, "ceiling_m": "high"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            "features[0].properties.ceiling_m",
        ),
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 500, "ceiling_m": 100},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            "features[0].ceiling_m",
        ),
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 0, "ceiling_m": 100},
                "geometry": {"type": "Point", "coordinates": [0, 0]},
            },
            "features[0].geometry.type",
        ),
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 0, "ceiling_m": 100, "kind": "castle"},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            "features[0].properties.kind",
        ),
        (
            {
                "type": "Feature",
                "properties": {"floor_m": 0, "ceiling_m": 100},
                "geometry": {"type": "Polygon", "coordinates": [[[-106.4, 95.0], [0, 0], [1, 1]]]},
            },
            "features[0].polygon.lat",
        ),
    ],
)
def test_malformed_geojson_names_the_feature_and_key(tmp_path, feature, where):
    path = _write(tmp_path, {"type": "FeatureCollection", "features": [feature]})
    with pytest.raises(ZoneFileError) as err:
        load_zones_geojson(path)
    assert err.value.where == where
    assert str(path) in str(err.value)


def test_not_geojson_at_all(tmp_path):
    p = tmp_path / "z.geojson"
    p.write_text("{not json")
    with pytest.raises(ZoneFileError, match="not readable JSON"):
        load_zones_geojson(p)
    with pytest.raises(ZoneFileError, match="FeatureCollection"):
        load_zones_geojson(_write(tmp_path, {"type": "Feature"}))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lon=st.floats(-106.6, -106.2),
    lat=st.floats(31.6, 32.0),
    size=st.floats(0.001, 0.05),
    n=st.integers(3, 12),
    floor_ft=st.floats(0, 5000),
    depth_ft=st.floats(100, 15000),
)
def test_geojson_zones_round_trip(tmp_path, lon, lat, size, n, floor_ft, depth_ft):
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = [[lon + size * np.cos(a), lat + size * np.sin(a)] for a in ang]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "U1",
                    "floor_ft": floor_ft,
                    "ceiling_ft": floor_ft + depth_ft,
                    "kind": "user",
                },
                "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            }
        ],
    }
    (z,) = load_zones_geojson(_write(tmp_path, doc))
    assert z.kind == ZoneKind.USER and len(z.polygon) == n
    assert z.floor_m == pytest.approx(floor_ft * 0.3048)
    assert z.ceiling_m - z.floor_m == pytest.approx(depth_ft * 0.3048)
    assert np.allclose(np.array(z.polygon), np.array(ring))
