"""Published reference data by name: airports, runways, the US-Mexico border.

Airports come from the ``airportsdata`` package (looked up by ICAO code). Runways and
the border are shipped in ``skywarden/data`` (rebuilt by scripts/build_reference_data.py
from OurAirports and Natural Earth; see data/README.md). Everything is loaded lazily
and cached: the first call pays, later calls are dictionary look-ups.

Source units (feet) are converted here, at the edge: everything returned is metres and
degrees.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Polygon, shape
from shapely.ops import linemerge

from skywarden.errors import SkywardenError, warn_guess
from skywarden.geo import M_PER_FT, bearing_deg, distance_m


class UnknownAirport(SkywardenError, KeyError):
    """No airport with that ICAO code in the reference data."""


class BorderFileError(SkywardenError, ValueError):
    """A user-supplied border file is not a usable GeoJSON line."""


@dataclass(frozen=True, slots=True)
class Airport:
    icao: str
    name: str
    lat: float
    lon: float
    elevation_m: float
    country: str


@dataclass(frozen=True, slots=True)
class RunwayEnd:
    """One landing direction: its threshold, elevation and true heading."""

    ident: str
    lat: float
    lon: float
    elevation_m: float
    heading_true_deg: float
    displaced_threshold_m: float


@dataclass(frozen=True, slots=True)
class Runway:
    """A physical runway with both ends, e.g. ``08R/26L``."""

    airport: str
    ident: str
    length_m: float
    width_m: float
    surface: str
    ends: tuple[RunwayEnd, RunwayEnd]

    def end(self, ident: str) -> RunwayEnd:
        for e in self.ends:
            if e.ident == ident:
                return e
        raise KeyError(f"{self.airport} runway {self.ident} has no end {ident!r}")


def airports_near(lat: float, lon: float, radius_m: float) -> list[str]:
    """ICAO codes of the airports with shipped runway data within ``radius_m``, nearest first.

    The data-driven stand-in when a sector does not name its airports.
    """
    codes = [c for c in _runways_by_airport() if c in _airports()]
    if not codes:
        return []
    recs = [_airports()[c] for c in codes]
    lats = np.array([float(r["lat"]) for r in recs])  # type: ignore[arg-type]
    lons = np.array([float(r["lon"]) for r in recs])  # type: ignore[arg-type]
    d = distance_m(np.full_like(lats, lat), np.full_like(lons, lon), lats, lons)
    return [codes[i] for i in np.argsort(d, kind="stable") if d[i] <= radius_m]


def guess_airports(lat: float, lon: float, radius_m: float, where: str, how: str) -> list[str]:
    """:func:`airports_near`, announced with a :class:`~skywarden.errors.GuessWarning`.

    ``where`` names what lacked its airports, ``how`` the option or key that sets them.
    """
    codes = airports_near(lat, lon, radius_m)
    warn_guess(
        f"{where}: no airports given; guessed {', '.join(codes) or 'none'} (airports with"
        f" runway data within {radius_m / 1000:g} km of {lat:.4f}, {lon:.4f}); {how}"
    )
    return codes


def _data_path(name: str) -> Path:
    return Path(str(resources.files("skywarden") / "data" / name))


@cache
def _airports() -> dict[str, dict[str, object]]:
    import airportsdata

    return {k: dict(v) for k, v in airportsdata.load("ICAO").items()}


def airport(icao: str) -> Airport:
    """An airport by ICAO code, from ``airportsdata`` (elevation converted from feet)."""
    rec = _airports().get(icao.upper())
    if rec is None:
        raise UnknownAirport(f"no airport {icao!r} in airportsdata")
    return Airport(
        icao=str(rec["icao"]),
        name=str(rec["name"]),
        lat=float(rec["lat"]),  # type: ignore[arg-type]
        lon=float(rec["lon"]),  # type: ignore[arg-type]
        elevation_m=float(rec["elevation"]) * M_PER_FT,  # type: ignore[arg-type]
        country=str(rec["country"]),
    )


def _float(s: str, default: float = 0.0) -> float:
    return float(s) if s not in ("", None) else default


def _end(row: dict[str, str], p: str, other: str, airport_elev_m: float | None) -> RunwayEnd:
    lat, lon = float(row[f"{p}_latitude_deg"]), float(row[f"{p}_longitude_deg"])
    olat, olon = float(row[f"{other}_latitude_deg"]), float(row[f"{other}_longitude_deg"])
    heading = row[f"{p}_heading_degT"]
    hdg = float(heading) if heading else float(bearing_deg(lat, lon, olat, olon))
    elev_ft = row[f"{p}_elevation_ft"]
    if elev_ft:
        elev_m = float(elev_ft) * M_PER_FT
    elif airport_elev_m is not None:
        elev_m = airport_elev_m
    else:
        elev_m = 0.0
    return RunwayEnd(
        ident=row[f"{p}_ident"],
        lat=lat,
        lon=lon,
        elevation_m=elev_m,
        heading_true_deg=hdg,
        displaced_threshold_m=_float(row[f"{p}_displaced_threshold_ft"]) * M_PER_FT,
    )


@cache
def _runways_by_airport() -> dict[str, tuple[Runway, ...]]:
    out: dict[str, list[Runway]] = {}
    with open(_data_path("runways_border_region.csv"), newline="") as f:
        for row in csv.DictReader(f):
            icao = row["airport_ident"]
            rec = _airports().get(icao)
            ap_elev = float(rec["elevation"]) * M_PER_FT if rec else None  # type: ignore[arg-type]
            le = _end(row, "le", "he", ap_elev)
            he = _end(row, "he", "le", ap_elev)
            length_m = _float(row["length_ft"]) * M_PER_FT or float(
                distance_m(le.lat, le.lon, he.lat, he.lon)
            )
            out.setdefault(icao, []).append(
                Runway(
                    airport=icao,
                    ident=f"{le.ident}/{he.ident}",
                    length_m=length_m,
                    width_m=_float(row["width_ft"]) * M_PER_FT,
                    surface=row["surface"],
                    ends=(le, he),
                )
            )
    return {k: tuple(v) for k, v in out.items()}


def runways(icao: str) -> list[Runway]:
    """Open runways of an airport in the border region (both thresholds known)."""
    rws = _runways_by_airport().get(icao.upper())
    if rws is None:
        raise UnknownAirport(f"no runways for {icao!r} in the shipped border-region data")
    return list(rws)


def _line_from_geojson(doc: object, where: str) -> LineString:
    if not isinstance(doc, dict) or "type" not in doc:
        raise BorderFileError(f"{where}: not a GeoJSON object")
    if doc["type"] == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in doc.get("features", []) if f.get("geometry")]
    elif doc["type"] == "Feature":
        geoms = [shape(doc["geometry"])]
    else:
        geoms = [shape(doc)]
    lines = []
    for g in geoms:
        if g.geom_type == "LineString":
            lines.append(g)
        elif g.geom_type == "MultiLineString":
            lines.extend(g.geoms)
        else:
            raise BorderFileError(f"{where}: border must be LineString(s), found {g.geom_type}")
    if not lines:
        raise BorderFileError(f"{where}: no line geometry")
    merged = linemerge(lines) if len(lines) > 1 else lines[0]
    if merged.geom_type != "LineString":
        raise BorderFileError(f"{where}: border lines do not join into one line")
    return merged


def load_border(path: str | Path) -> LineString:
    """A user's own border line from GeoJSON (lon/lat), e.g. a surveyed, more precise one."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text())
    except FileNotFoundError:
        raise BorderFileError(f"{p}: no such file") from None
    except json.JSONDecodeError as e:
        raise BorderFileError(f"{p}: invalid JSON at line {e.lineno}: {e.msg}") from None
    return _line_from_geojson(doc, str(p))


@cache
def border_line() -> LineString:
    """The US-Mexico border, west to east (the United States on the left), lon/lat degrees."""
    return load_border(_data_path("border_us_mx.geojson"))


@cache
def countries() -> dict[str, Polygon | MultiPolygon]:
    """US and Mexico land polygons clipped to the border region, for offline maps."""
    doc = json.loads(_data_path("countries_us_mx.geojson").read_text())
    return {f["properties"]["adm0_a3"]: shape(f["geometry"]) for f in doc["features"]}


def border_geojson_path() -> Path:
    """Where the shipped border GeoJSON lies, for services that serve it as a file."""
    return _data_path("border_us_mx.geojson")


def countries_geojson_path() -> Path:
    return _data_path("countries_us_mx.geojson")
