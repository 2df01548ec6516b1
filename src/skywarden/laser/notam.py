"""NOTAM text for a laser TFR: FAA domestic (FDC) format and ICAO format with a Q line.

Why: a TFR only protects aircraft once pilots can read it. Two audiences:

* FAA domestic format (FAA Order JO 7930.2, "Notices to Air Missions", chapter on FDC
  NOTAMs and TFRs under 14 CFR 91.137): one line, ``!FDC n/nnnn ZAB TX..AIRSPACE CITY,
  ST..TEMPORARY FLIGHT RESTRICTIONS WI AN AREA DEFINED AS 12.3NM RADIUS OF
  314912N1061845W SFC-42000FT ...`` ending with the ``YYMMDDHHMM-YYMMDDHHMM`` window.
* ICAO format (ICAO Annex 15 and Doc 10066 PANS-AIM, Appendix 6 "NOTAM format"): series
  and number, the Q line ``FIR/QCODE/TRAFFIC/PURPOSE/SCOPE/LOWER/UPPER/CENTRE RADIUS``,
  items A) to G). The Q code ``QRTCA`` is "temporary restricted area: activated"
  (ICAO Doc 8126); lower/upper are flight levels, the centre DDMMN DDDMMW and the radius
  whole NM, both rounded outward.

Coordinates everywhere else are DDMMSSN / DDDMMSSW, the NOTAM convention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from skywarden.geo import M_PER_NM, distance_m
from skywarden.laser.tfr import Tfr


def _dms(value: float, width: int) -> tuple[int, int, int]:
    total = round(abs(value) * 3600.0)
    d, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return int(d), int(m), int(s)


def format_lat(lat: float) -> str:
    """Latitude as DDMMSSN/S, rounded to the nearest second: 31.8367 -> ``315012N``."""
    d, m, s = _dms(lat, 2)
    return f"{d:02d}{m:02d}{s:02d}{'N' if lat >= 0 else 'S'}"


def format_lon(lon: float) -> str:
    """Longitude as DDDMMSSE/W, rounded to the nearest second: -106.3 -> ``1061800W``."""
    d, m, s = _dms(lon, 3)
    return f"{d:03d}{m:02d}{s:02d}{'E' if lon >= 0 else 'W'}"


def format_time(t: float, *, up: bool = False) -> str:
    """UTC epoch seconds as YYMMDDHHMM; ``up`` rounds to the next whole minute."""
    minutes = math.ceil(t / 60.0) if up else math.floor(t / 60.0)
    return datetime.fromtimestamp(minutes * 60, tz=UTC).strftime("%y%m%d%H%M")


def _qline_centre(lat: float, lon: float) -> tuple[str, float, float]:
    """Q-line centre DDMMN DDDMMW (whole minutes) and the coordinates it stands for."""
    qlat = round(abs(lat) * 60.0)
    qlon = round(abs(lon) * 60.0)
    text = (
        f"{qlat // 60:02d}{qlat % 60:02d}{'N' if lat >= 0 else 'S'}"
        f"{qlon // 60:03d}{qlon % 60:02d}{'E' if lon >= 0 else 'W'}"
    )
    return text, math.copysign(qlat / 60.0, lat), math.copysign(qlon / 60.0, lon)


@dataclass(frozen=True)
class NotamContext:
    """Who issues the NOTAM and where: FIR/ARTCC, state, city, numbers, and why."""

    fir: str = "KZAB"
    artcc: str = "ZAB"
    state: str = "TX"
    city: str = "EL PASO"
    fdc_number: str = "6/0001"
    icao_number: str = "A0001/26"
    reason: str = "HIGH ENERGY LASER TEST"
    controlling_agency: str = "RANGE CONTROL"


def _ft(value: float) -> str:
    return f"{round(value)}FT"


def polygon_points(tfr: Tfr, sep: str = "") -> list[str]:
    """The polygon's vertices as NOTAM coordinates, rounded to the second.

    Vertices that round to the same text as the one before (or, for the last, as the
    first) are dropped: a NOTAM never lists one point twice in a row, which a reader
    would take for a zero-length edge.
    """
    out: list[str] = []
    for lon, lat in tfr.polygon:
        text = f"{format_lat(lat)}{sep}{format_lon(lon)}"
        if not out or out[-1] != text:
            out.append(text)
    while len(out) > 1 and out[-1] == out[0]:
        out.pop()
    return out


def faa_domestic(tfr: Tfr, ctx: NotamContext, *, polygon: bool = False) -> str:
    """The FDC TFR text (14 CFR 91.137(a)(1): hazard), cylinder or polygon."""
    if polygon:
        pts = polygon_points(tfr)
        area = "WI AN AREA DEFINED AS " + " TO ".join(pts) + " TO POINT OF ORIGIN"
    else:
        area = (
            f"WI AN AREA DEFINED AS {tfr.radius_nm:.1f}NM RADIUS OF "
            f"{format_lat(tfr.centre_lat)}{format_lon(tfr.centre_lon)}"
        )
    return (
        f"!FDC {ctx.fdc_number} {ctx.artcc} {ctx.state}..AIRSPACE {ctx.city}, {ctx.state}.."
        f"TEMPORARY FLIGHT RESTRICTIONS. {ctx.reason}. {area} SFC-{_ft(tfr.ceiling_ft_msl)} MSL. "
        "PURSUANT TO 14 CFR SECTION 91.137(A)(1) TEMPORARY FLIGHT RESTRICTIONS ARE IN EFFECT "
        f"DUE TO A LASER HAZARD. ONLY AIRCRAFT AUTHORIZED BY {ctx.controlling_agency} ARE "
        f"PERMITTED IN THE AREA. {format_time(tfr.start_t)}-{format_time(tfr.end_t, up=True)}"
    )


def icao(tfr: Tfr, ctx: NotamContext, *, polygon: bool = False) -> str:
    """The ICAO NOTAM with Q line; the exact geometry is repeated in item E."""
    qcentre, qlat, qlon = _qline_centre(tfr.centre_lat, tfr.centre_lon)
    shift_nm = float(distance_m(tfr.centre_lat, tfr.centre_lon, qlat, qlon)) / M_PER_NM
    qradius = min(999, math.ceil(tfr.radius_nm + shift_nm - 1e-9))
    upper_fl = min(999, math.ceil(tfr.ceiling_ft_msl / 100.0 - 1e-9))
    if polygon:
        pts = polygon_points(tfr, " ")
        area = "WI AREA " + " - ".join(pts) + " - " + pts[0]
    else:
        area = (
            f"WI {tfr.radius_nm:.1f}NM RADIUS OF "
            f"{format_lat(tfr.centre_lat)} {format_lon(tfr.centre_lon)}"
        )
    return "\n".join(
        [
            f"{ctx.icao_number} NOTAMN",
            f"Q) {ctx.fir}/QRTCA/IV/BO/W/000/{upper_fl:03d}/{qcentre}{qradius:03d}",
            f"A) {ctx.fir} B) {format_time(tfr.start_t)} C) {format_time(tfr.end_t, up=True)}",
            f"E) TEMPORARY RESTRICTED AREA ACTIVATED DUE TO {ctx.reason} (LASER HAZARD) {area}.",
            f"F) SFC G) {_ft(tfr.ceiling_ft_msl)} AMSL",
        ]
    )
