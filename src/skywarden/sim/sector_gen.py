"""Write a scenario for any stretch of the US-Mexico border from the airports on it.

``skywarden sector new --airport KLRD --airport MMNL --out laredo.yaml`` calls
:func:`generate_sector`. Every value comes from the shipped reference data
(``skywarden.refdata``: airports from ``airportsdata``, runways from OurAirports, the
border and countries from Natural Earth) or from the El Paso scenario's documented
sensor models, and every value is written with a comment saying where it came from.

The sensor layout follows ``scenarios/el-paso.yaml``: a drone radar and an RF direction
finder on a 25 m mast every ``tower_spacing_km`` along the border, 600 m inside the US
(Border Patrol towers; see the long comment in el-paso.yaml for the radar class and
why 9 km), a radar, an RF finder and a Remote ID receiver at each airport, one ADS-B
receiver, and Border Patrol sighting reports. Sites are evenly spaced along the
generalised Natural Earth line, NOT real tower locations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from shapely.geometry import LineString, Point

from skywarden import refdata
from skywarden.errors import SkywardenError
from skywarden.geo import LocalFrame, distance_m
from skywarden.refdata import Airport, Runway
from skywarden.sim.geography import Geography

#: Airports farther from the border than this are refused: the sector is a border
#: sector, and a 30-60 km square around the line cannot hold such an airport.
MAX_BORDER_DISTANCE_KM = 50.0
#: Tower spacing along the line (el-paso.yaml: Pd of the tower radar is half its
#: maximum at 4.5 km for a 0.01 m^2 drone and nothing is seen beyond 9 km).
TOWER_SPACING_KM = 9.0
#: Towers stand this far inside the US from the line (el-paso.yaml).
TOWER_INSET_M = 600.0
#: Mast height above the ground (Integrated Fixed Tower masts are 80-180 ft).
MAST_M = 25.0
#: Margin around the airports and the border when the extent is chosen: arrivals fly a
#: 15 km final (sim/scenario.py AirportFlow.final_length_m), so 15 km beyond the
#: farthest airport.
MARGIN_KM = 15.0
MIN_EXTENT_KM = 25.0
MAX_EXTENT_KM = 200.0  # the scenario schema's limit on sector.extent_m

# Sensor models as in scenarios/el-paso.yaml (radar-tower-N, rf-tower-N, radar-kelp,
# rf-kelp, rid-kelp, adsb-kelp, visual-bp): the same kinds with the same parameters.
TOWER_RADAR = (
    "range_max_m: 9000, range_50_m: 4500, pd_max: 0.9, pd_slope: 6,\n"
    "     sigma_range_m: 10, sigma_azimuth_deg: 0.5, sigma_elevation_deg: 1.0,\n"
    "     false_alarms_per_scan: 1.0, elevation_min_deg: -3.0"
)
TOWER_RF = "range_max_m: 8000, pd: 0.8, sigma_bearing_deg: 3.0"
AIRPORT_RADAR = "range_max_m: 8000, range_50_m: 4500, false_alarms_per_scan: 1.0"
AIRPORT_RF = "range_max_m: 7000, pd: 0.7, sigma_bearing_deg: 4.0, update_s: 2"
AIRPORT_RID = "range_max_m: 4000, message_loss: 0.2"
ADSB = "range_max_m: 250000, message_loss: 0.05, sigma_position_m: 15"
VISUAL = (
    "range_max_m: 6000, reports_per_target_hour: 10.0, delay_s: [30, 240],\n"
    "     sigma_position_m: 300, sigma_altitude_m: 100"
)
#: Hourly movements per airport: about El Paso's KELP (6 arrivals, 5 departures an
#: hour at night in el-paso.yaml) for US airports and MMCS's 2 + 2 for Mexican ones.
FLOWS = {"US": (4.0, 3.0), "MX": (2.0, 2.0)}


class SectorGenError(SkywardenError, ValueError):
    """An airport is unknown, lacks runway data or lies too far from the border."""


@dataclass
class SectorPlan:
    """What :func:`generate_sector` decided, besides the YAML text (for tests and reports)."""

    name: str
    origin: tuple[float, float]
    extent_m: float
    ground_alt_m: float
    towers: list[tuple[float, float]] = field(default_factory=list)
    border_km: float = 0.0
    yaml: str = ""


def _border_distance_m(ap: Airport, border: LineString) -> tuple[float, tuple[float, float]]:
    """Distance (m) from an airport to the border, and the nearest border point (lat, lon)."""
    frame = LocalFrame(ap.lat, ap.lon, 0.0)
    lon, lat = np.asarray(border.xy)
    x, y, _ = frame.to_enu(lat, lon, np.zeros_like(lat))
    line = LineString(np.column_stack([x, y]))
    d = float(line.distance(Point(0.0, 0.0)))
    p = line.interpolate(line.project(Point(0.0, 0.0)))
    plat, plon, _ = frame.to_geodetic(p.x, p.y, 0.0)
    return d, (float(plat), float(plon))


def _airport(icao: str, max_km: float, border: LineString) -> tuple[Airport, list[Runway], float]:
    code = icao.strip().upper()
    try:
        ap = refdata.airport(code)
    except KeyError:
        raise SectorGenError(f"--airport {icao}: no airport with that ICAO code") from None
    try:
        rws = refdata.runways(code)
    except KeyError:
        raise SectorGenError(
            f"--airport {code} ({ap.name}): no runways in the shipped border-region data"
            " (lon -120..-94, lat 24..38)"
        ) from None
    d, _ = _border_distance_m(ap, border)
    if d > max_km * 1000.0:
        raise SectorGenError(
            f"--airport {code} ({ap.name}) is {d / 1000:.0f} km from the border; a border"
            f" sector takes airports within {max_km:g} km (--max-border-km)"
        )
    return ap, rws, d


def _f(v: float, nd: int = 4) -> str:
    return f"{round(v, nd):.{nd}f}"


# size: deterministic draw order: splitting risks the seeded output
def generate_sector(
    airports: list[str],
    *,
    name: str | None = None,
    extent_km: float | None = None,
    tower_spacing_km: float = TOWER_SPACING_KM,
    max_border_km: float = MAX_BORDER_DISTANCE_KM,
    start: datetime | None = None,
    duration_s: float = 10800.0,
) -> SectorPlan:
    """A commented scenario YAML for the border sector holding ``airports``.

    The origin is the border point nearest the airports' mean position; the extent covers
    every airport with ``MARGIN_KM`` to spare; the ground is the lowest airport's
    elevation (no DEM: ``Geography.ground_at`` raises it to each airport's elevation).
    """
    if not airports:
        raise SectorGenError("give at least one --airport")
    if name is not None and (not name.strip() or len(name) > 80 or not name.isprintable()):
        raise SectorGenError(f"--name {name!r}: 1-80 printable characters on one line")
    if not 1.0 <= tower_spacing_km <= 100.0:
        raise SectorGenError(f"--tower-spacing-km {tower_spacing_km:g}: must be in [1, 100]")
    if not math.isfinite(duration_s) or not 0 < duration_s <= 7 * 86400:
        raise SectorGenError(f"duration {duration_s:g} s: must be in (0, 7 days]")
    border = refdata.border_line()
    codes = list(dict.fromkeys(a.strip().upper() for a in airports))
    info = [_airport(c, max_border_km, border) for c in codes]
    aps = [a for a, _, _ in info]
    mlat = float(np.mean([a.lat for a in aps]))
    mlon = float(np.mean([a.lon for a in aps]))
    mean = Airport("", "", mlat, mlon, 0.0, "")
    _, (olat, olon) = _border_distance_m(mean, border)
    ground = min(a.elevation_m for a in aps)
    frame = LocalFrame(olat, olon, ground)
    far_m = max(float(distance_m(olat, olon, a.lat, a.lon)) for a in aps)
    need_km = far_m / 1000.0 + MARGIN_KM
    if extent_km is None:
        extent_km = min(max(MIN_EXTENT_KM, 5.0 * math.ceil(need_km / 5.0)), MAX_EXTENT_KM)
        if need_km > MAX_EXTENT_KM:
            raise SectorGenError(
                f"airports {', '.join(codes)}: one lies {far_m / 1000:.0f} km from the sector"
                f" centre; a sector is at most {MAX_EXTENT_KM:g} km half-width: make two sectors"
            )
    elif not MIN_EXTENT_KM / 5 <= extent_km <= MAX_EXTENT_KM:
        raise SectorGenError(f"--extent-km {extent_km:g}: must be in [5, {MAX_EXTENT_KM:g}]")
    extent_m = float(extent_km) * 1000.0
    for a in aps:
        x, y, _ = frame.to_enu(a.lat, a.lon, a.elevation_m)
        if max(abs(float(x)), abs(float(y))) > extent_m:
            raise SectorGenError(
                f"--extent-km {extent_km:g}: airport {a.icao} lies outside the sector"
                f" (needs at least {max(abs(float(x)), abs(float(y))) / 1000:.1f} km)"
            )
    geo = Geography(frame, extent_m, ground, codes)
    if not geo.has_border:
        raise SectorGenError(
            f"the border with land on both sides does not cross a {extent_km:g} km sector"
            f" around {olat:.4f}, {olon:.4f}"
        )
    towers = _towers(geo, tower_spacing_km * 1000.0)
    start = start or datetime(2026, 2, 11, 3, 0, tzinfo=UTC)
    title = name or " - ".join(_city(a) for a in aps)
    plan = SectorPlan(
        name=title,
        origin=(olat, olon),
        extent_m=extent_m,
        ground_alt_m=ground,
        towers=[(la, lo) for la, lo, _ in towers],
        border_km=sum(float(g.length) for g in getattr(geo.border_xy, "geoms", [geo.border_xy]))
        / 1000.0,
    )
    plan.yaml = _yaml(
        plan, info, towers, codes, start, duration_s, tower_spacing_km, frame, name is not None
    )
    return plan


def _towers(geo: Geography, spacing_m: float) -> list[tuple[float, float, float]]:
    """Tower sites (lat, lon, alt_m) evenly along each stretch of border in the sector.

    Each stands ``TOWER_INSET_M`` along the local normal into the US; where the river
    bends back (or the coast is near) the site steps further in, up to 3 km, and a
    stretch with no US land there gets no tower.
    """
    parts = [g for g in getattr(geo.border_xy, "geoms", [geo.border_xy]) if not g.is_empty]
    out: list[tuple[float, float, float]] = []
    for part in sorted(parts, key=lambda g: g.coords[0][0]):  # west to east
        n = max(1, round(part.length / spacing_m))
        for k in range(n):
            d = (k + 0.5) * part.length / n
            p = part.interpolate(d)
            a = part.interpolate(max(d - 50.0, 0.0))
            b = part.interpolate(min(d + 50.0, part.length))
            tx, ty = b.x - a.x, b.y - a.y
            norm = math.hypot(tx, ty) or 1.0
            nx, ny = -ty / norm, tx / norm  # left of the west-to-east line: the US
            for inset in np.arange(TOWER_INSET_M, 3000.0 + 1.0, 300.0):
                x, y = p.x + nx * inset, p.y + ny * inset
                if geo.in_us(x, y):
                    z = float(geo.ground_at(x, y)) + MAST_M
                    lat, lon, _ = geo.frame.to_geodetic(x, y, 0.0)
                    out.append((float(lat), float(lon), z))
                    break
    return out


def _longest(rws: list[Runway]) -> Runway:
    return max(rws, key=lambda r: (r.length_m, r.ident))


# size: deterministic draw order: splitting risks the seeded output
def _yaml(
    plan: SectorPlan,
    info: list[tuple[Airport, list[Runway], float]],
    towers: list[tuple[float, float, float]],
    codes: list[str],
    start: datetime,
    duration_s: float,
    spacing_km: float,
    frame: LocalFrame,
    name_given: bool,
) -> str:
    olat, olon = plan.origin
    lo = [
        f"# {plan.name}: a border sector written by",
        f"# `skywarden sector new {' '.join('--airport ' + c for c in codes)}"
        + (f" --name {_q(plan.name)}`." if name_given else "`."),
        "#",
        "# Units: metres, seconds, degrees; altitudes above mean sea level. Every parameter",
        "# is documented in src/skywarden/sim/scenario.py; the sensor models and their",
        "# reasons are those of scenarios/el-paso.yaml. Sensor sites are evenly spaced along",
        "# the shipped Natural Earth border line and at the airports' reference points: NOT",
        "# real sensor locations.",
        "sector:",
        f"  name: {_q(plan.name)}",
        "  # the border point nearest the airports' mean position (Natural Earth line)",
        f"  origin: {{lat: {_f(olat)}, lon: {_f(olon)}, alt_m: {plan.ground_alt_m:.1f}}}",
        f"  # half-width: farthest airport + {MARGIN_KM:g} km (a final approach), at least",
        f"  # {MIN_EXTENT_KM:g} km, rounded up to 5 km (or --extent-km)",
        f"  extent_m: {plan.extent_m:.0f}",
        "  # the lowest airport's elevation (airportsdata); no DEM: the ground rises to each",
        "  # airport's elevation within ~4 km of it (Geography.ground_at)",
        f"  ground_alt_m: {plan.ground_alt_m:.1f}",
        f'  start: "{start.strftime("%Y-%m-%dT%H:%M:%SZ")}"  # night, as the El Paso scenario',
        f"  duration_s: {duration_s:.0f}  # default run length; `--duration` overrides",
        f"  airports: [{', '.join(codes)}]  # given to `sector new`",
        "",
        "sensors:",
        f"  # Border towers: {len(towers)} along {plan.border_km:.0f} km of border in the sector,"
        f" every ~{spacing_km:g} km",
        f"  # (--tower-spacing-km), {TOWER_INSET_M:.0f} m inside the US, {MAST_M:.0f} m masts;"
        " radar and RF",
        "  # direction finder as el-paso.yaml's radar-tower-N / rf-tower-N.",
    ]
    for i, (lat, lon, z) in enumerate(towers, start=1):
        site = f"{{lat: {_f(lat)}, lon: {_f(lon)}, alt_m: {z:.1f}}}"
        lo.append(f"  # tower {i}: {_where(frame, lat, lon)}")
        lo.append(f"  - {{id: radar-tower-{i}, kind: radar, site: {site},")
        lo.append(f"     {TOWER_RADAR}}}")
        lo.append(f"  - {{id: rf-tower-{i}, kind: rf, site: {site},\n     {TOWER_RF}}}")
    lo.append("  # At each airport (its reference point, mast 20 m): radar, RF finder, Remote ID")
    lo.append("  # receiver, as el-paso.yaml's radar-kelp / rf-kelp / rid-kelp.")
    adsb_at: Airport | None = None
    for ap, _, d in info:
        tag = ap.icao.lower()
        site = f"{{lat: {_f(ap.lat)}, lon: {_f(ap.lon)}, alt_m: {ap.elevation_m + 20.0:.1f}}}"
        lo.append(f"  # {ap.icao} {ap.name} ({ap.country}), {d / 1000:.1f} km from the border")
        lo.append(f"  - {{id: radar-{tag}, kind: radar, site: {site},\n     {AIRPORT_RADAR}}}")
        lo.append(f"  - {{id: rf-{tag}, kind: rf, site: {site},\n     {AIRPORT_RF}}}")
        lo.append(f"  - {{id: rid-{tag}, kind: remote_id, site: {site},\n     {AIRPORT_RID}}}")
        if adsb_at is None or (adsb_at.country != "US" and ap.country == "US"):
            adsb_at = ap
    assert adsb_at is not None
    site = (
        f"{{lat: {_f(adsb_at.lat)}, lon: {_f(adsb_at.lon)}, alt_m: {adsb_at.elevation_m + 15:.1f}}}"
    )
    lo.append(f"  # One ADS-B receiver at {adsb_at.icao} (a US airport if any), as adsb-kelp.")
    lo.append(f"  - {{id: adsb-{adsb_at.icao.lower()}, kind: adsb, site: {site},\n     {ADSB}}}")
    if towers:
        vlat, vlon, vz = towers[len(towers) // 2]
    else:
        vlat, vlon, vz = adsb_at.lat, adsb_at.lon, adsb_at.elevation_m
    lo.append("  # Border Patrol sighting reports, at the middle tower, as visual-bp (kept last:")
    lo.append("  # tests/sim expects the visual report source last).")
    lo.append(
        f"  - {{id: visual-bp, kind: visual, site: {{lat: {_f(vlat)}, lon: {_f(vlon)},"
        f" alt_m: {vz:.1f}}},"
    )
    lo.append(f"     {VISUAL}}}")
    lo += [
        "",
        "traffic:",
        "  # Drone traffic as el-paso.yaml (a busy night by design, see there).",
        "  smugglers: {per_hour: 8, speed_mps: [8, 16], cruise_agl_m: [25, 100],",
        "              launch_south_m: [300, 2500], drop_north_m: [500, 4000],",
        "              hover_s: [20, 90], rf_link_fraction: 0.75}",
        "  convoys: {per_hour: 1.0, size: [3, 4], spacing_m: [20, 60],",
        "            speed_mps: [8, 14], cruise_agl_m: [30, 90]}",
        "  surveillance: {count: 3, speed_mps: [6, 14], cruise_agl_m: [80, 140]}",
        "  hobby: {count: 3, remote_id_fraction: 0.85}",
        "  # Manned traffic on each airport's longest runway, both ends (OurAirports; no wind",
        "  # data, so either direction may be in use); rates as KELP (US) and MMCS (Mexico).",
        "  airports:",
    ]
    for ap, rws, _ in info:
        rw = _longest(rws)
        arr, dep = FLOWS["US" if ap.country == "US" else "MX"]
        ends = ", ".join(f'"{e.ident}"' for e in rw.ends)
        lo.append(
            f"    - {{airport: {ap.icao}, runways: [{ends}], arrivals_per_hour: {arr:g},"
            f" departures_per_hour: {dep:g}}}\n      # {rw.ident}: {rw.length_m:.0f} m, the longest"
        )
    lo += [
        "  overflights: {per_hour: 4}  # as el-paso.yaml",
        "  birds: {count: 15}  # as el-paso.yaml",
        "",
    ]
    return "\n".join(lo)


def _where(frame: LocalFrame, lat: float, lon: float) -> str:
    x, y, _ = frame.to_enu(lat, lon, 0.0)
    d = math.hypot(float(x), float(y)) / 1000.0
    compass = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
    b = compass[round((math.degrees(math.atan2(float(x), float(y))) % 360) / 45) % 8]
    return f"{d:.1f} km {b} of the origin"


def _city(ap: Airport) -> str:
    """The airport's city from airportsdata (the sector's default name), else its name."""
    rec = refdata._airports().get(ap.icao, {})
    return str(rec.get("city") or ap.name)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (names from airportsdata may hold ':' or '#')."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{esc}"'
