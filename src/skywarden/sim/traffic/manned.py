"""Manned aircraft: arrivals and departures on real runway ends, and overflights.

Arrivals join the extended centreline level, intercept a glide path (3 degrees by
default, the ICAO/FAA standard for ILS approaches) at ``final_length_m`` from the aiming
point 300 m past the threshold (so the threshold crossing height is about 15 m, the
usual 50 ft), fly it at approach speed (~70 m/s for an airliner) and roll out.
Departures roll, lift off at ~80 m/s, climb at ~8 % straight out and turn towards their
exit. A 30 s moving average rounds the corners into rate-one-ish turns and a flare.
"""

from __future__ import annotations

import numpy as np

from skywarden.model import Identity, TargetClass
from skywarden.sim.geography import Geography
from skywarden.sim.scenario import AirportFlow, OverflightTraffic
from skywarden.sim.target import Path, Target

US_AIRLINES = ("SWA", "AAL", "UAL", "DAL", "SKW", "FDX", "UPS", "ASA")
MX_AIRLINES = ("VOI", "AMX", "VIV", "SLI")
US_MILITARY = ("RCH", "PAT", "EVAC", "TOPCT")
AIM_POINT_M = 300.0
SMOOTH_S = 30
BARO_BIAS_SIGMA_M = 10.0


def _u(rng: np.random.Generator, r: tuple[float, float]) -> float:
    return float(rng.uniform(r[0], r[1]))


def _identity(rng: np.random.Generator, country: str, military: bool) -> Identity:
    """ICAO 24-bit address from the state's block (US A00001-ADF7C7, Mexico 0D0000-0D7FFF)."""
    if country == "MX":
        icao = int(rng.integers(0x0D0000, 0x0D8000))
        prefix = MX_AIRLINES[int(rng.integers(len(MX_AIRLINES)))]
    else:
        icao = int(rng.integers(0xA00001, 0xADF7C8))
        pool = US_MILITARY if military else US_AIRLINES
        prefix = pool[int(rng.integers(len(pool)))]
    return Identity(icao24=f"{icao:06x}", callsign=f"{prefix}{int(rng.integers(10, 9999))}")


def _aircraft(
    rng: np.random.Generator,
    path: Path,
    tid: str,
    role: str,
    t0: float,
    ident: Identity,
    adsb: bool,
    attrs: dict[str, str],
) -> Target:
    xyz, vel = path.sample(smooth_s=SMOOTH_S)
    rcs = float(rng.uniform(10.0, 100.0))
    # The altimeter's steady error (pressure-altitude vs true altitude), what ADS-B reports.
    baro_bias = round(float(rng.normal(0.0, BARO_BIAS_SIGMA_M)), 2)
    return Target(
        id=tid,
        kind=TargetClass.MANNED,
        role=role,
        t0=t0,
        xyz=xyz,
        vel=vel,
        rcs_m2=rcs,
        identity=ident,
        adsb=adsb,
        attrs={**attrs, "baro_bias_m": baro_bias},
    )


def _heading_unit(heading_deg: float) -> tuple[float, float]:
    h = np.radians(heading_deg)
    return float(np.sin(h)), float(np.cos(h))


def arrival(
    flow: AirportFlow, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> Target:
    """Join the centreline, fly the glide path to the runway and roll out."""
    ident_ = flow.runways[int(rng.integers(len(flow.runways)))]
    end = geo.runway_end(flow.airport, ident_)
    ux, uy = _heading_unit(end.heading_deg)
    ax, ay = end.x + ux * AIM_POINT_M, end.y + uy * AIM_POINT_M
    L = flow.final_length_m
    fap_alt = end.elevation_m + L * np.tan(np.radians(flow.glide_path_deg))
    fap = (ax - ux * L, ay - uy * L, fap_alt)
    join = (ax - ux * (L + 6000.0), ay - uy * (L + 6000.0), fap_alt)
    # Come from somewhere within 80 degrees either side of the inbound course.
    brg = np.radians(end.heading_deg + 180.0 + rng.uniform(-80.0, 80.0))
    dist = L + rng.uniform(20_000.0, 30_000.0)
    entry = (ax + dist * np.sin(brg), ay + dist * np.cos(brg), fap_alt + rng.uniform(600, 1500))
    vapp = _u(rng, flow.approach_speed_mps)
    path = (
        Path(entry)
        .to(join, float(rng.uniform(110.0, 130.0)))
        .to(fap, float(rng.uniform(85.0, 95.0)))
        .to((ax, ay, end.elevation_m), vapp)
        .to((ax + ux * 1500.0, ay + uy * 1500.0, end.elevation_m), vapp / 2)
    )
    military = bool(rng.uniform() < flow.military_fraction)
    country = geo.airport(flow.airport).country
    adsb = not military or bool(rng.uniform() < 0.5)
    return _aircraft(
        rng,
        path,
        tid,
        "arrival",
        t0,
        _identity(rng, country, military),
        adsb,
        {"airport": flow.airport, "runway": ident_},
    )


def departure(
    flow: AirportFlow, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> Target:
    """Roll from the threshold, lift off, climb straight out, turn towards the exit."""
    ident_ = flow.runways[int(rng.integers(len(flow.runways)))]
    end = geo.runway_end(flow.airport, ident_)
    ux, uy = _heading_unit(end.heading_deg)
    e = end.elevation_m
    x0, y0 = end.x, end.y
    lift = 1500.0
    path = (
        Path((x0, y0, e))
        .to((x0 + ux * 600.0, y0 + uy * 600.0, e), 20.0)
        .to((x0 + ux * lift, y0 + uy * lift, e), 55.0)
        .to((x0 + ux * (lift + 6000.0), y0 + uy * (lift + 6000.0), e + 500.0), 85.0)
    )
    brg = np.radians(end.heading_deg + rng.uniform(-120.0, 120.0))
    here = path.here
    d = float(rng.uniform(30_000.0, 40_000.0))
    path.to(
        (here[0] + d * np.sin(brg), here[1] + d * np.cos(brg), e + rng.uniform(2500, 4000)),
        float(rng.uniform(120.0, 140.0)),
    )
    military = bool(rng.uniform() < flow.military_fraction)
    country = geo.airport(flow.airport).country
    adsb = not military or bool(rng.uniform() < 0.5)
    return _aircraft(
        rng,
        path,
        tid,
        "departure",
        t0,
        _identity(rng, country, military),
        adsb,
        {"airport": flow.airport, "runway": ident_},
    )


def overflight(
    cfg: OverflightTraffic, geo: Geography, t0: float, rng: np.random.Generator, tid: str
) -> Target:
    """A straight, level crossing of the sector at cruise altitude."""
    r = geo.extent_m * 1.2
    a_in = float(rng.uniform(0, 2 * np.pi))
    a_out = a_in + np.pi + float(rng.uniform(-1.0, 1.0))
    alt = _u(rng, cfg.altitude_m)
    entry = (r * np.cos(a_in), r * np.sin(a_in), alt)
    exit_ = (r * np.cos(a_out), r * np.sin(a_out), alt)
    path = Path(entry).to(exit_, _u(rng, cfg.speed_mps))
    return _aircraft(rng, path, tid, "overflight", t0, _identity(rng, "US", False), True, {})
