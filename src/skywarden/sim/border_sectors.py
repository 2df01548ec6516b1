"""Tile the whole US-Mexico border into sectors, each a scenario like ``sector new`` writes.

The shipped Natural Earth line (``refdata.border_line()``, west to east, ~2,640 km
generalised; the surveyed border is ~3,145 km) is cut into stretches of ``tile_km`` of
along-border length, measured geodesically from the Pacific end. Each stretch becomes a
square sector centred on its middle point whose half-width covers the whole stretch plus
``margin_km``: neighbouring sectors therefore *overlap* by at least twice the margin along
the line, and a drone crossing there is inside both (and may be tracked by both: that is
what cross-sector de-duplication must handle).

Sensors follow ``sim/sector_gen.py`` exactly (same models, same tower spacing and inset,
same airport sensors and flows, birds, overflights, surveillance and hobby traffic as
the generated sectors), with two differences stated here:

* **Deployed coverage is an input.** Stretches listed in ``UNSENSED`` carry no towers and
  no airport sensors: deployment is not everywhere. Their incursions are real (in truth)
  but no sensor can see them, which is what a coverage estimate must recover.
* Sectors with no airport (most of the border) get no hobby pilots (no town) and take
  the ground elevation of the nearest airport with runway data (no DEM ships).

Smugglers and convoys are zero in the scenarios: the month's incursions come from
``sim/rates.py`` and are injected by ``sim/month.py``, so one drone is one drone along the
whole border, with one global id, even where two sectors overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml
from shapely.geometry import LineString, Point

from skywarden import refdata
from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame, distance_m
from skywarden.sim import sector_gen
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import Scenario, parse_scenario

FloatArray = npt.NDArray[np.float64]

TILE_KM = 30.0
#: Airports that get sensors and flows: ICAO-coded fields (K..., MM...) with a runway of at
#: least this length (public and military fields with scheduled or jet traffic); the
#: hundreds of private strips near the border have neither radar nor flows.
MIN_RUNWAY_M = 1800.0
MARGIN_KM = 5.0
#: Stretches with no deployed sensors (longitude ranges of their middle points) and why.
#: The choice is a scenario input, loosely after where fixed towers are sparse: remote
#: desert, tribal land and canyon country far from ports of entry. NOT an official map.
UNSENSED: tuple[tuple[str, float, float, str], ...] = (
    (
        "Tohono O'odham Nation and Cabeza Prieta",
        -113.9,
        -111.7,
        "remote desert and tribal land between Lukeville and Sasabe: no towers assumed",
    ),
    (
        "Boot Heel of New Mexico",
        -109.0,
        -107.9,
        "ranch land between Douglas and Columbus, no port city: no towers assumed",
    ),
    (
        "Big Bend",
        -104.6,
        -101.3,
        "canyons of the Rio Grande between Presidio and Del Rio: no towers assumed",
    ),
)


class BorderTilingError(SkywardenError, ValueError):
    """The tiling parameters are out of range."""


@dataclass
class Tile:
    """One border sector: its stretch of line, its box, airports, sensors and scenario."""

    id: str
    index: int
    km0: float
    km1: float
    origin: tuple[float, float]  # lat, lon of the stretch middle on the line
    extent_m: float
    ground_alt_m: float
    airports: list[str]
    sensed: bool
    unsensed_reason: str | None = None
    towers: list[tuple[float, float]] = field(default_factory=list)
    doc: dict[str, Any] = field(default_factory=dict)  # the scenario document

    @property
    def frame(self) -> LocalFrame:
        return LocalFrame(self.origin[0], self.origin[1], self.ground_alt_m)

    def scenario(self) -> Scenario:
        return parse_scenario(self.doc, f"<border tile {self.id}>")

    def polygon(self) -> list[list[float]]:
        """The sector square as a closed [lon, lat] ring (GeoJSON order)."""
        e = self.extent_m
        xs = np.array([-e, e, e, -e, -e])
        ys = np.array([-e, -e, e, e, -e])
        lat, lon, _ = self.frame.to_geodetic(xs, ys, np.zeros(5))
        return [[round(float(a), 5), round(float(b), 5)] for a, b in zip(lon, lat, strict=True)]


@dataclass(frozen=True)
class BorderLine:
    """The border as lon/lat vertices with their along-border distance (km from the west)."""

    lon: FloatArray
    lat: FloatArray
    km: FloatArray

    @classmethod
    def shipped(cls) -> BorderLine:
        return _shipped_line()

    @classmethod
    def of(cls, line: LineString) -> BorderLine:
        """From a lon/lat line (either direction)."""
        lon, lat = (np.asarray(a, dtype=float) for a in line.xy)
        if lon[0] > lon[-1]:  # west to east
            lon, lat = lon[::-1], lat[::-1]
        seg = distance_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / 1000.0
        return cls(lon, lat, np.concatenate([[0.0], np.cumsum(seg)]))

    @property
    def length_km(self) -> float:
        return float(self.km[-1])

    def at(self, km: FloatArray | float) -> tuple[FloatArray, FloatArray]:
        """(lat, lon) at along-border km (linear between vertices: short segments)."""
        k = np.clip(np.asarray(km, dtype=float), 0.0, self.length_km)
        return np.interp(k, self.km, self.lat), np.interp(k, self.km, self.lon)

    def km_of(self, lat: FloatArray | float, lon: FloatArray | float) -> FloatArray:
        """Along-border km of the line point nearest each (lat, lon) (planar in degrees,
        longitude scaled by cos(lat): good to ~100 m, enough to name a stretch)."""
        la, lo = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        c = math.cos(math.radians(float(np.mean(self.lat))))
        line = LineString(np.column_stack([self.lon * c, self.lat]))
        frac = np.array(
            [line.project(Point(x * c, y), normalized=True) for x, y in zip(lo, la, strict=True)]
        )
        # projected fraction of the planar length -> km, through the vertex table
        planar = np.concatenate(
            [[0.0], np.cumsum(np.hypot(np.diff(self.lon * c), np.diff(self.lat)))]
        )
        return np.asarray(np.interp(frac * planar[-1], planar, self.km), dtype=float)

    def slice_xy(self, frame: LocalFrame, km0: float, km1: float) -> FloatArray:
        """The line between two along-border km as map (x, y) points in ``frame``."""
        inner = (self.km > km0) & (self.km < km1)
        la0, lo0 = self.at(km0)
        la1, lo1 = self.at(km1)
        lat = np.concatenate([[la0], self.lat[inner], [la1]])
        lon = np.concatenate([[lo0], self.lon[inner], [lo1]])
        x, y, _ = frame.to_enu(lat, lon, np.zeros_like(lat))
        return np.column_stack([x, y])


@cache
def _shipped_line() -> BorderLine:
    return BorderLine.of(refdata.border_line())


def unsensed_reason(lon: float) -> str | None:
    for name, lo, hi, why in UNSENSED:
        if lo <= lon <= hi:
            return f"{name}: {why}"
    return None


def _ground(lat: float, lon: float, airports: list[str]) -> float:
    """The lowest airport elevation in the tile, else the nearest airport's (no DEM)."""
    if airports:
        return min(refdata.airport(a).elevation_m for a in airports)
    near = refdata.airports_near(lat, lon, 400_000.0)
    return refdata.airport(near[0]).elevation_m if near else 0.0


def _tile_airports(frame: LocalFrame, extent_m: float, border: LineString) -> list[str]:
    """Airports with runway data inside the box and within ``sector_gen``'s border distance."""
    out = []
    for code in refdata.airports_near(frame.lat0, frame.lon0, extent_m * math.sqrt(2.0)):
        ap = refdata.airport(code)
        x, y, _ = frame.to_enu(ap.lat, ap.lon, ap.elevation_m)
        if max(abs(float(x)), abs(float(y))) > extent_m - 2000.0:
            continue
        if not (code.isalpha() and code[0] in "KM"):  # private strips: 50XS, NM78, K5T9...
            continue
        if max(r.length_m for r in refdata.runways(code)) < MIN_RUNWAY_M:
            continue
        d, _ = sector_gen._border_distance_m(ap, border)
        if d <= sector_gen.MAX_BORDER_DISTANCE_KM * 1000.0:
            out.append(code)
    return sorted(out)


def tile_border(
    tile_km: float = TILE_KM,
    margin_km: float = MARGIN_KM,
    only: list[str] | None = None,
) -> list[Tile]:
    """Every sector along the border, west to east (``only``: keep these tile ids)."""
    if not 10.0 <= tile_km <= 300.0:
        raise BorderTilingError(f"tile length {tile_km:g} km: must be in [10, 300]")
    if not 0.0 <= margin_km <= 30.0:
        raise BorderTilingError(f"overlap margin {margin_km:g} km: must be in [0, 30]")
    line = BorderLine.shipped()
    n = max(1, round(line.length_km / tile_km))
    edges = np.linspace(0.0, line.length_km, n + 1)
    ids = [f"S{i:02d}" for i in range(n)]
    if only is not None:
        unknown = sorted(set(only) - set(ids))
        if unknown:
            raise BorderTilingError(
                f"unknown tile id(s) {', '.join(unknown)}: sectors are S00..S{n - 1:02d}"
            )
    border = refdata.border_line()
    tiles = []
    for i in range(n):
        if only is not None and ids[i] not in only:
            continue
        tiles.append(
            _tile(i, ids[i], float(edges[i]), float(edges[i + 1]), margin_km, line, border)
        )
    return tiles


def _tile(
    i: int, tid: str, km0: float, km1: float, margin_km: float, line: BorderLine, border: LineString
) -> Tile:
    mlat, mlon = (float(v) for v in line.at(0.5 * (km0 + km1)))
    frame = LocalFrame(mlat, mlon, 0.0)
    pts = line.slice_xy(frame, km0, km1)
    half = float(np.max(np.abs(pts))) + margin_km * 1000.0
    extent_m = float(min(1000.0 * math.ceil(half / 1000.0), sector_gen.MAX_EXTENT_KM * 1000.0))
    reason = unsensed_reason(mlon)
    airports = _tile_airports(frame, extent_m, border) if reason is None else []
    ground = _ground(mlat, mlon, airports)
    tile = Tile(tid, i, km0, km1, (mlat, mlon), extent_m, ground, airports, reason is None, reason)
    tile.doc = _scenario_doc(tile)
    return tile


def stretch_towers(
    geo: Geography, line: BorderLine, km0: float, km1: float
) -> list[tuple[float, float, float]]:
    """Tower sites (lat, lon, alt_m) along the tile's *own* stretch, as ``sector_gen``
    places them (every ``TOWER_SPACING_KM``, ``TOWER_INSET_M`` into the US along the local
    normal, stepping in up to 3 km where the line bends): a tower belongs to one sector,
    so the overlap margin adds no second tower; a drone near a sector edge is seen by the
    neighbour's towers only when it is in their range, as in the field."""
    n = max(1, round((km1 - km0) / sector_gen.TOWER_SPACING_KM))
    out: list[tuple[float, float, float]] = []
    for k in range(n):
        km = km0 + (k + 0.5) * (km1 - km0) / n
        lat, lon = line.at(np.array([km - 0.05, km, km + 0.05]))
        x, y, _ = geo.frame.to_enu(lat, lon, np.zeros(3))
        tx, ty = float(x[2] - x[0]), float(y[2] - y[0])
        norm = math.hypot(tx, ty) or 1.0
        nx, ny = -ty / norm, tx / norm  # left of the west-to-east line: the US
        for inset in np.arange(sector_gen.TOWER_INSET_M, 3000.0 + 1.0, 300.0):
            px, py = float(x[1]) + nx * inset, float(y[1]) + ny * inset
            if bool(np.asarray(geo.in_us(px, py)).all()):
                z = float(geo.ground_at(px, py)) + sector_gen.MAST_M
                la, lo, _ = geo.frame.to_geodetic(px, py, 0.0)
                out.append((float(la), float(lo), z))
                break
    return out


def _flow(text: str) -> dict[str, Any]:
    """One of ``sector_gen``'s sensor-model strings as a mapping (the same models)."""
    return dict(_parsed_flow(text))


@cache
def _parsed_flow(text: str) -> dict[str, Any]:
    doc = yaml.safe_load("{" + text.replace("\n", " ") + "}")
    assert isinstance(doc, dict)
    return doc


def _sensor(sid: str, kind: str, site: tuple[float, float, float], model: str) -> dict[str, Any]:
    lat, lon, alt = site
    return {
        "id": sid,
        "kind": kind,
        "site": {"lat": round(lat, 5), "lon": round(lon, 5), "alt_m": round(alt, 1)},
        **_flow(model),
    }


def _scenario_doc(tile: Tile) -> dict[str, Any]:
    """The scenario document of a tile (as ``sector_gen._yaml`` writes, without comments)."""
    lat, lon = tile.origin
    sector = {
        "name": f"border tile {tile.id} (km {tile.km0:.0f}-{tile.km1:.0f})",
        "origin": {
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "alt_m": round(tile.ground_alt_m, 1),
        },
        "extent_m": tile.extent_m,
        "ground_alt_m": round(tile.ground_alt_m, 1),
        "start": "2026-02-01T00:00:00Z",
        "duration_s": 3600,
        "airports": list(tile.airports),
    }
    traffic: dict[str, Any] = {
        "smugglers": {"per_hour": 0},
        "convoys": {"per_hour": 0},
        "surveillance": {"count": 3, "speed_mps": [6, 14], "cruise_agl_m": [80, 140]},
        "hobby": {"count": 3 if tile.airports else 0, "remote_id_fraction": 0.85},
        "airports": [],
        "overflights": {"per_hour": 4},
        "birds": {"count": 15},
    }
    sensors: list[dict[str, Any]] = []
    if tile.sensed:
        geo = Geography(tile.frame, tile.extent_m, tile.ground_alt_m, list(tile.airports))
        towers = stretch_towers(geo, BorderLine.shipped(), tile.km0, tile.km1)
        tile.towers = [(la, lo) for la, lo, _ in towers]
        for k, site in enumerate(towers, start=1):
            sensors.append(_sensor(f"radar-{tile.id}-{k}", "radar", site, sector_gen.TOWER_RADAR))
            sensors.append(_sensor(f"rf-{tile.id}-{k}", "rf", site, sector_gen.TOWER_RF))
        sensors += _airport_sensors(tile.airports, traffic["airports"])
        if towers:  # Border Patrol sighting reports at the middle tower, kept last
            sensors.append(
                _sensor(
                    f"visual-bp-{tile.id}", "visual", towers[len(towers) // 2], sector_gen.VISUAL
                )
            )
    return {"sector": sector, "sensors": sensors, "traffic": traffic}


def _airport_sensors(airports: list[str], flows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Radar, RF finder and Remote ID at each airport, one ADS-B receiver (a US airport if
    any), and each airport's manned flows on its longest runway (appended to ``flows``)."""
    out: list[dict[str, Any]] = []
    adsb_at = None
    for code in airports:
        ap = refdata.airport(code)
        tag = code.lower()
        site = (ap.lat, ap.lon, ap.elevation_m + 20.0)
        out.append(_sensor(f"radar-{tag}", "radar", site, sector_gen.AIRPORT_RADAR))
        out.append(_sensor(f"rf-{tag}", "rf", site, sector_gen.AIRPORT_RF))
        out.append(_sensor(f"rid-{tag}", "remote_id", site, sector_gen.AIRPORT_RID))
        if adsb_at is None or (adsb_at.country != "US" and ap.country == "US"):
            adsb_at = ap
        rw = sector_gen._longest(refdata.runways(code))
        arr, dep = sector_gen.FLOWS["US" if ap.country == "US" else "MX"]
        flows.append(
            {
                "airport": code,
                "runways": [e.ident for e in rw.ends],
                "arrivals_per_hour": arr,
                "departures_per_hour": dep,
            }
        )
    if adsb_at is not None:
        site = (adsb_at.lat, adsb_at.lon, adsb_at.elevation_m + 15.0)
        out.append(_sensor(f"adsb-{adsb_at.icao.lower()}", "adsb", site, sector_gen.ADSB))
    return out


def coverage_km(line: BorderLine, site: tuple[float, float], range_m: float) -> list[list[float]]:
    """Along-border km intervals within ``range_m`` of a sensor site (horizontal range),
    on a 250 m grid of the line (an equirectangular pre-filter, then geodesic)."""
    km, lat, lon = _grid(line)
    c = math.cos(math.radians(site[0]))
    rough = 111_195.0 * np.hypot(lat - site[0], (lon - site[1]) * c)
    near = np.flatnonzero(rough <= range_m * 1.01 + 500.0)
    inside = np.zeros(len(km), dtype=bool)
    if len(near):
        d = distance_m(
            np.full(len(near), site[0]), np.full(len(near), site[1]), lat[near], lon[near]
        )
        inside[near] = d <= range_m
    out: list[list[float]] = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        out.append([round(float(km[a]), 2), round(float(km[b - 1]), 2)])
    return out


_GRIDS: dict[int, tuple[FloatArray, FloatArray, FloatArray]] = {}


def _grid(line: BorderLine) -> tuple[FloatArray, FloatArray, FloatArray]:
    key = id(line)
    if key not in _GRIDS:
        km = np.arange(0.0, line.length_km, 0.25)
        lat, lon = line.at(km)
        _GRIDS[key] = (km, np.asarray(lat), np.asarray(lon))
    return _GRIDS[key]
