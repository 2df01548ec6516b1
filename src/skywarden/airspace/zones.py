"""Airspace zones from published data: airport surface areas, runway corridors, border band.

Why these shapes (the defaults of :class:`ZoneSpec`, each overridable):

- **Airport surface area**: a circle of 5 NM around the airport reference point, from the
  surface to 4,000 ft above the airport. That is the surface area of a US Class C airport
  such as KELP (14 CFR 71, FAA JO 7400.11); inside it a drone needs ATC authorization
  (14 CFR 107.41), so anything we see there is at least worth telling the tower about.
- **Approach corridor** (one per landing runway end): the ICAO Annex 14 (Table 4-1,
  precision approach, code 3/4) approach-surface planform: inner edge 300 m wide, 60 m
  before the landing threshold, diverging 15 % each side, here cut at 5 NM, the distance
  at which an aircraft on a 3 degree glide path passes about 1,600 ft, far above the
  400 ft where small drones fly. Vertically it reaches from the surface up to the 3 degree
  glide path plus ``vertical_buffer_m`` (150 m, about 500 ft): an aircraft on the path, or
  somewhat high on it, is inside; a drone anywhere below it is in its way.
- **Departure corridor** (one per take-off direction): the ICAO take-off climb surface
  planform (inner edge 180 m, 60 m past the runway end, 12.5 % divergence to 1,200 m),
  along the extended centreline from the far end of the runway, with the same 3 degree
  profile and buffer (a conservative, shallow climb).
- **Border band**: the border line buffered by 1,000 m each side, surface to 18,000 ft
  (the base of Class A): the reaction space of a border-security operator.

Corridor zones carry their sloped ceiling in ``attrs["glide"]`` (origin, outward
direction, base elevation, slope, buffer); :class:`~skywarden.airspace.zone_index.ZoneIndex`
applies it, so ``Zone.ceiling_m`` is the corridor's highest point, never too low.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, box
from shapely.geometry.base import BaseGeometry

from skywarden.airspace.errors import ZoneFileError
from skywarden.geo import M_PER_FT, M_PER_NM, LocalFrame
from skywarden.model import InvalidRecord, Zone, ZoneKind
from skywarden.refdata import Airport, Runway


@dataclass(frozen=True)
class ZoneSpec:
    """Stated widths, lengths and heights of the generated zones (see module docstring)."""

    surface_radius_nm: float = 5.0
    surface_ceiling_ft_agl: float = 4000.0
    corridor_length_nm: float = 5.0
    glide_slope_deg: float = 3.0
    vertical_buffer_m: float = 150.0
    approach_inner_width_m: float = 300.0
    approach_offset_m: float = 60.0
    approach_divergence: float = 0.15
    departure_inner_width_m: float = 180.0
    departure_offset_m: float = 60.0
    departure_divergence: float = 0.125
    departure_final_width_m: float = 1200.0
    border_half_width_m: float = 1000.0
    border_ceiling_m: float = 18_000.0 * M_PER_FT
    floor_below_ground_m: float = 100.0
    sector_extent_m: float = 100_000.0


# --------------------------------------------------------------------------- helpers


def _ring_to_lonlat(frame: LocalFrame, poly: Polygon) -> tuple[tuple[float, float], ...]:
    """The exterior ring of an ENU polygon as (lon, lat) vertices (closing vertex dropped)."""
    xy = np.asarray(poly.exterior.coords)[:-1]
    lat, lon, _ = frame.to_geodetic(xy[:, 0], xy[:, 1], np.zeros(len(xy)))
    return tuple((float(a), float(b)) for a, b in zip(lon, lat, strict=True))


def zone_polygon_enu(frame: LocalFrame, zone: Zone) -> Polygon:
    """A zone's lon/lat polygon in the sector's ENU frame (metres)."""
    ll = np.asarray(zone.polygon, dtype=float)
    x, y, _ = frame.to_enu(ll[:, 1], ll[:, 0], np.zeros(len(ll)))
    poly = Polygon(np.column_stack([x, y]))
    return poly if poly.is_valid else shapely.make_valid(poly).buffer(0)


def _trapezoid(
    origin: np.ndarray,
    direction: np.ndarray,
    offset_m: float,
    inner_width_m: float,
    divergence: float,
    length_m: float,
    final_width_m: float | None = None,
) -> Polygon:
    """A planform from ``origin`` outward along unit ``direction``: splaying, then parallel."""
    normal = np.array([-direction[1], direction[0]])

    def half(a: float) -> float:
        w = inner_width_m / 2.0 + divergence * (a - offset_m)
        return w if final_width_m is None else min(w, final_width_m / 2.0)

    stations = [offset_m, length_m]
    if final_width_m is not None:
        a_full = offset_m + (final_width_m - inner_width_m) / (2.0 * divergence)
        if offset_m < a_full < length_m:
            stations = [offset_m, a_full, length_m]
    left = [origin + direction * a + normal * half(a) for a in stations]
    right = [origin + direction * a - normal * half(a) for a in reversed(stations)]
    return Polygon(np.array(left + right))


def _unit(heading_deg: float) -> np.ndarray:
    h = math.radians(heading_deg)
    return np.array([math.sin(h), math.cos(h)])


# --------------------------------------------------------------------------- airport zones


# size: the surface area and per-runway-end corridor geometry, one shape after another
def airport_zones(
    frame: LocalFrame,
    airport: Airport,
    runways: Sequence[Runway],
    spec: ZoneSpec = ZoneSpec(),
    owner: str | None = None,
) -> list[Zone]:
    """Surface area plus one approach and one departure corridor per runway end."""
    icao = airport.icao
    owner = owner or f"{icao} ATC"
    zones: list[Zone] = []
    cx, cy, _ = frame.to_enu(airport.lat, airport.lon, airport.elevation_m)
    radius = spec.surface_radius_nm * M_PER_NM
    surface = shapely.Point(cx, cy).buffer(radius, quad_segs=18)
    zones.append(
        Zone(
            id=f"{icao}-SFC",
            kind=ZoneKind.AIRPORT_SURFACE,
            name=f"{icao} surface area {spec.surface_radius_nm:g} NM",
            polygon=_ring_to_lonlat(frame, surface),
            floor_m=airport.elevation_m - spec.floor_below_ground_m,
            ceiling_m=airport.elevation_m + spec.surface_ceiling_ft_agl * M_PER_FT,
            owner=owner,
            attrs={"airport": icao, "radius_nm": spec.surface_radius_nm},
        )
    )
    length = spec.corridor_length_nm * M_PER_NM
    slope = math.tan(math.radians(spec.glide_slope_deg))
    for rwy in runways:
        ends = rwy.ends
        for i, end in enumerate(ends):
            other = ends[1 - i]
            land_dir = _unit(end.heading_true_deg)
            ex, ey, _ = frame.to_enu(end.lat, end.lon, end.elevation_m)
            threshold = np.array([ex, ey]) + land_dir * float(end.displaced_threshold_m or 0.0)
            app = _trapezoid(
                threshold,
                -land_dir,
                spec.approach_offset_m,
                spec.approach_inner_width_m,
                spec.approach_divergence,
                length,
            )
            zones.append(
                _corridor_zone(
                    frame,
                    app,
                    f"{icao}-APP-{end.ident}",
                    ZoneKind.APPROACH_CORRIDOR,
                    f"{icao} arrivals to runway {end.ident}",
                    owner,
                    icao,
                    rwy.ident,
                    end.ident,
                    threshold,
                    -land_dir,
                    float(end.elevation_m),
                    slope,
                    length,
                    spec,
                )
            )
            # Take-off on this end's heading lifts off over the *other* end.
            ox, oy, _ = frame.to_enu(other.lat, other.lon, other.elevation_m)
            dep_origin = np.array([ox, oy])
            dep = _trapezoid(
                dep_origin,
                land_dir,
                spec.departure_offset_m,
                spec.departure_inner_width_m,
                spec.departure_divergence,
                length,
                spec.departure_final_width_m,
            )
            zones.append(
                _corridor_zone(
                    frame,
                    dep,
                    f"{icao}-DEP-{end.ident}",
                    ZoneKind.DEPARTURE_CORRIDOR,
                    f"{icao} departures from runway {end.ident}",
                    owner,
                    icao,
                    rwy.ident,
                    end.ident,
                    dep_origin,
                    land_dir,
                    float(other.elevation_m),
                    slope,
                    length,
                    spec,
                )
            )
    return zones


def _corridor_zone(
    frame: LocalFrame,
    poly: Polygon,
    zid: str,
    kind: ZoneKind,
    name: str,
    owner: str,
    icao: str,
    runway: str,
    end: str,
    origin: np.ndarray,
    outward: np.ndarray,
    base_elev_m: float,
    slope: float,
    length_m: float,
    spec: ZoneSpec,
) -> Zone:
    olat, olon, _ = frame.to_geodetic(float(origin[0]), float(origin[1]), 0.0)
    return Zone(
        id=zid,
        kind=kind,
        name=name,
        polygon=_ring_to_lonlat(frame, poly),
        floor_m=base_elev_m - spec.floor_below_ground_m,
        ceiling_m=base_elev_m + slope * length_m + spec.vertical_buffer_m,
        owner=owner,
        attrs={
            "airport": icao,
            "runway": runway,
            "runway_end": end,
            "length_m": length_m,
            "glide": {
                "lat": float(olat),
                "lon": float(olon),
                "bearing_deg": math.degrees(math.atan2(outward[0], outward[1])) % 360.0,
                "base_elev_m": base_elev_m,
                "slope_deg": spec.glide_slope_deg,
                "buffer_m": spec.vertical_buffer_m,
            },
        },
    )


# --------------------------------------------------------------------------- border


def border_enu(frame: LocalFrame, border: BaseGeometry, extent_m: float) -> BaseGeometry:
    """The part of a lon/lat border line within ``extent_m`` of the origin, in ENU metres.

    Clipped first in degrees (a generous box) so the whole 3,000 km line is never
    projected, then exactly in metres.
    """
    dlat = extent_m / 111_000.0 * 1.5
    dlon = dlat / max(math.cos(math.radians(frame.lat0)), 0.1)
    clip = box(frame.lon0 - dlon, frame.lat0 - dlat, frame.lon0 + dlon, frame.lat0 + dlat)
    local = shapely.intersection(border, clip)

    def project(ls: LineString) -> LineString:
        c = np.asarray(ls.coords)
        x, y, _ = frame.to_enu(c[:, 1], c[:, 0], np.zeros(len(c)))
        return LineString(np.column_stack([x, y]))

    parts = [g for g in getattr(local, "geoms", [local]) if isinstance(g, LineString)]
    parts = [project(p) for p in parts if not p.is_empty]
    if not parts:
        return MultiLineString()
    merged = shapely.intersection(
        shapely.line_merge(MultiLineString(parts)), box(-extent_m, -extent_m, extent_m, extent_m)
    )
    return merged


def border_zone(
    frame: LocalFrame,
    border: BaseGeometry,
    spec: ZoneSpec = ZoneSpec(),
    owner: str = "border security",
) -> Zone | None:
    """The border band as a zone, or ``None`` when the border is not in the sector."""
    local = border_enu(frame, border, spec.sector_extent_m)
    if local.is_empty:
        return None
    band = local.buffer(spec.border_half_width_m, quad_segs=4)
    if band.geom_type == "MultiPolygon":
        band = max(band.geoms, key=lambda g: g.area)
    band = band.simplify(10.0)
    return Zone(
        id="BORDER",
        kind=ZoneKind.BORDER_BUFFER,
        name=f"border band +/-{spec.border_half_width_m:g} m",
        polygon=_ring_to_lonlat(frame, Polygon(band.exterior)),
        floor_m=-spec.floor_below_ground_m,
        ceiling_m=spec.border_ceiling_m,
        owner=owner,
        attrs={"half_width_m": spec.border_half_width_m},
    )


# --------------------------------------------------------------------------- sector


def sector_zones(
    frame: LocalFrame,
    airports: Iterable[str],
    border: BaseGeometry | None = None,
    spec: ZoneSpec = ZoneSpec(),
    extra: Iterable[Zone] = (),
) -> list[Zone]:
    """Airport, corridor and border zones for a sector from the shipped reference data.

    ``airports`` are the sector's (its scenario's ``sector.airports`` or its
    ``sector.json``): there is no default sector.

    ``border`` defaults to :func:`skywarden.refdata.border_line`; pass ``extra`` zones read
    with :func:`load_zones_geojson` to add restricted areas and user zones.
    """
    from skywarden import refdata

    zones: list[Zone] = []
    for icao in airports:
        zones.extend(airport_zones(frame, refdata.airport(icao), refdata.runways(icao), spec))
    bz = border_zone(frame, border if border is not None else refdata.border_line(), spec)
    if bz is not None:
        zones.append(bz)
    zones.extend(extra)
    return zones


# --------------------------------------------------------------------------- GeoJSON


_KINDS = {k.value for k in ZoneKind}


def load_zones_geojson(
    path: str | Path, default_kind: ZoneKind = ZoneKind.RESTRICTED, default_owner: str = ""
) -> list[Zone]:
    """Restricted areas and user zones from a GeoJSON FeatureCollection of (Multi)Polygons.

    Each feature needs ``properties.floor_m`` and ``properties.ceiling_m`` (metres MSL) or
    ``floor_ft``/``ceiling_ft`` (feet MSL, as charts give them); ``id``, ``name``,
    ``kind`` (a :class:`~skywarden.model.ZoneKind` value) and ``owner`` are optional.
    Errors name the file and the feature and key at fault.
    """
    src = str(path)
    try:
        doc = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ZoneFileError(src, "$", f"not readable JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ZoneFileError(src, "type", "expected a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ZoneFileError(src, "features", "missing or not a list")
    zones: list[Zone] = []
    for i, feat in enumerate(features):
        where = f"features[{i}]"
        zones.extend(_feature_zones(src, where, feat, default_kind, default_owner, i))
    return zones


def _height(src: str, where: str, props: dict[str, Any], name: str) -> float:
    if f"{name}_m" in props:
        key, scale = f"{name}_m", 1.0
    elif f"{name}_ft" in props:
        key, scale = f"{name}_ft", M_PER_FT
    else:
        raise ZoneFileError(src, f"{where}.properties", f"needs {name}_m or {name}_ft")
    try:
        v = float(props[key]) * scale
    except (TypeError, ValueError):
        raise ZoneFileError(src, f"{where}.properties.{key}", "not a number") from None
    if not math.isfinite(v):
        raise ZoneFileError(src, f"{where}.properties.{key}", "not finite")
    return v


def _feature_zones(
    src: str, where: str, feat: Any, default_kind: ZoneKind, default_owner: str, i: int
) -> list[Zone]:
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        raise ZoneFileError(src, where, "not a GeoJSON Feature")
    props = feat.get("properties") or {}
    geom = feat.get("geometry") or {}
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    if gtype == "Polygon":
        rings = [coords]
    elif gtype == "MultiPolygon":
        rings = list(coords or [])
    else:
        raise ZoneFileError(src, f"{where}.geometry.type", f"{gtype!r} is not a (Multi)Polygon")
    floor = _height(src, where, props, "floor")
    ceiling = _height(src, where, props, "ceiling")
    kind_s = props.get("kind", default_kind.value)
    if kind_s not in _KINDS:
        raise ZoneFileError(src, f"{where}.properties.kind", f"unknown kind {kind_s!r}")
    base_id = str(props.get("id", feat.get("id", f"ZONE{i}")))
    out = []
    for j, poly in enumerate(rings):
        try:
            ring = [(float(p[0]), float(p[1])) for p in poly[0]]  # type: ignore[index]
        except (TypeError, ValueError, IndexError):
            raise ZoneFileError(
                src, f"{where}.geometry.coordinates", "not a list of [lon, lat] rings"
            ) from None
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring = ring[:-1]
        try:
            out.append(
                Zone(
                    id=base_id if len(rings) == 1 else f"{base_id}-{j}",
                    kind=ZoneKind(kind_s),
                    name=str(props.get("name", base_id)),
                    polygon=tuple(ring),
                    floor_m=floor,
                    ceiling_m=ceiling,
                    owner=str(props.get("owner", default_owner)),
                    attrs={k: v for k, v in props.items() if k not in {"id", "name", "kind"}},
                )
            )
        except InvalidRecord as e:
            raise ZoneFileError(src, f"{where}.{e.field}", e.reason) from None
    return out
