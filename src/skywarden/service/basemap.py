"""The offline basemap: GeoJSON layers the map draws instead of tiles (none can be fetched).

- ``land``: US and Mexico land polygons, Natural Earth, shipped in ``skywarden/data``;
- ``border``: the US-Mexico border line, Natural Earth 1:10m, shipped likewise;
- ``runways``: every runway of the border region as a line between its thresholds
  (OurAirports), optionally only those within a radius of the sector;
- US states and counties come as TopoJSON from the npm ``us-atlas`` package under
  ``/static/vendor/us-atlas/`` and are converted in the page by topojson-client.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from skywarden import refdata
from skywarden.errors import SkywardenError
from skywarden.geo import distance_m

LAYERS = ("land", "border", "runways")


class UnknownLayer(SkywardenError, KeyError):
    """No basemap layer of that name."""


@cache
def _file(path: str) -> dict[str, Any]:
    with open(path) as f:
        doc: dict[str, Any] = json.load(f)
    return doc


def runways_geojson(
    center: tuple[float, float] | None = None, radius_m: float = 150_000.0
) -> dict[str, Any]:
    feats = []
    for icao, rws in refdata._runways_by_airport().items():
        for rw in rws:
            a, b = rw.ends
            if (
                center is not None
                and float(distance_m(center[0], center[1], a.lat, a.lon)) > radius_m
            ):
                continue
            feats.append(
                {
                    "type": "Feature",
                    "properties": {"airport": icao, "ident": rw.ident},
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[a.lon, a.lat], [b.lon, b.lat]],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": feats}


def layer(name: str, center: tuple[float, float] | None = None) -> dict[str, Any]:
    if name == "land":
        return _file(str(refdata.countries_geojson_path()))
    if name == "border":
        return _file(str(refdata.border_geojson_path()))
    if name == "runways":
        return runways_geojson(center)
    raise UnknownLayer(name)
