"""Zones: GeoJSON Feature in and out, and malformed Features named precisely."""

from __future__ import annotations

from typing import Any

import pytest

from skywarden.model import ZoneKind
from skywarden.store import Database, zones


def feature(**props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-106.4, 31.7], [-106.3, 31.7], [-106.3, 31.8], [-106.4, 31.7]]],
        },
        "properties": {
            "id": "Z1",
            "kind": "restricted",
            "name": "Range",
            "floor_m": 1100,
            "ceiling_m": 2000,
            "owner": "range ops",
            **props,
        },
    }


def test_feature_round_trip_through_the_store(db_url: str) -> None:
    db = Database(db_url)
    z = zones.feature_to_zone(feature())
    assert z.kind is ZoneKind.RESTRICTED and len(z.polygon) == 3  # closing vertex dropped
    with db.session() as s:
        before, after = zones.put(s, z)
    assert before is None
    with db.session() as s:
        got = zones.get(s, "Z1")
        assert got == after
        ring = got["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) == 4  # RFC 7946: closed ring
        assert zones.collection(s)["features"][0]["properties"]["owner"] == "range ops"
        assert zones.delete(s, "Z1")["id"] == "Z1"
    with db.session() as s, pytest.raises(zones.ZoneNotFound):
        zones.get(s, "Z1")
    db.dispose()


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ({"type": "FeatureCollection"}, "$.type"),
        ({**feature(), "geometry": {"type": "Point", "coordinates": [0, 0]}}, "$.geometry.type"),
        (
            {**feature(), "geometry": {"type": "Polygon", "coordinates": [[[0, 0], "x"]]}},
            "$.geometry.coordinates[0][1]",
        ),
        (feature(kind="moat"), "$.properties.kind"),
        (feature(id=None), "$.properties.id"),
        (feature(ceiling_m=900), "ceiling_m"),
        (
            {
                **feature(),
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-200, 31], [-106, 31], [-106, 32]]],
                },
            },
            "polygon.lon",
        ),
    ],
)
def test_malformed_features_name_the_member(doc: dict[str, Any], where: str) -> None:
    with pytest.raises(zones.ZoneFormatError) as e:
        zones.feature_to_zone(doc)
    assert where in str(e.value)
