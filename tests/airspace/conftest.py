"""Fixtures for the airspace tests: the El Paso sector and hand-written trajectories.

Trajectories here are *hand-written test fixtures* (straight legs in the sector's ENU
frame, no sensor noise unless a test adds it), labelled as such: they stand in for
tracker output so each rule can be checked against a situation we fully control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace

import numpy as np
import pytest

from skywarden import refdata
from skywarden.airspace import Analyzer, ZoneIndex, load_policy, sector_zones
from skywarden.geo import LocalFrame
from skywarden.model import TrackStatus, TrackUpdate, Zone

T0 = 1_770_769_800.0  # 2026-02-11 00:30:00 UTC

# Two independent kinds of drone evidence: what a runway pause rests on at once.
CORROBORATED = ("radar_class", "rf_geometry")

FRAME = LocalFrame(31.80, -106.40, 1200.0)


@pytest.fixture(scope="session")
def frame() -> LocalFrame:
    return FRAME


@pytest.fixture(scope="session")
def zones() -> list[Zone]:
    return sector_zones(FRAME, airports=["KELP", "KBIF", "MMCS"])


@pytest.fixture(scope="session")
def index(zones: list[Zone]) -> ZoneIndex:
    return ZoneIndex(FRAME, zones)


@pytest.fixture
def analyzer(zones: list[Zone], index: ZoneIndex) -> Analyzer:
    """A fresh analyzer of the El Paso sector with the shipped policy (shared zone index)."""
    return Analyzer(FRAME, zones, refdata.border_line(), load_policy(), index=index)


Waypoint = tuple[float, float, float, float]  # t offset s, x m, y m, alt m MSL


def leg(
    track: str,
    waypoints: Sequence[Waypoint],
    p_drone: float = 0.9,
    rid: bool = False,
    p_manned: float = 0.0,
    frame: LocalFrame = FRAME,
    corroboration: tuple[str, ...] = (),
    p_exist: float = 1.0,
) -> list[TrackUpdate]:
    """A 1 Hz track through ENU waypoints, linearly interpolated (a test fixture).

    ``corroboration`` is the tracker's list of independent drone evidence (none by
    default: such a track is answered with verify until it persists)."""
    w = np.array(waypoints, dtype=float)
    ts = np.arange(w[0, 0], w[-1, 0] + 1e-9, 1.0)
    x = np.interp(ts, w[:, 0], w[:, 1])
    y = np.interp(ts, w[:, 0], w[:, 2])
    z = np.interp(ts, w[:, 0], w[:, 3])
    vx, vy, vz = (np.gradient(a, ts) if len(ts) > 1 else np.zeros(1) for a in (x, y, z))
    lat, lon, _ = frame.to_geodetic(x, y, z - frame.alt0_m)
    probs = {
        "drone": p_drone,
        "manned": p_manned,
        "bird": 0.0,
        "unknown": 1.0 - p_drone - p_manned,
    }
    ident = ("rid:1581F5FKD229400DRONE",) if rid else ()
    return [
        TrackUpdate(
            t=T0 + float(ts[i]),
            track=track,
            status=TrackStatus.CONFIRMED,
            lat=float(lat[i]),
            lon=float(lon[i]),
            alt_m=float(z[i]),
            velocity=(float(vx[i]), float(vy[i]), float(vz[i])),
            state=(float(x[i]), float(y[i]), float(z[i]), float(vx[i]), float(vy[i]), float(vz[i])),
            cov=None,
            class_probs=probs,
            identities=ident,
            corroboration=corroboration,
            p_exist=p_exist,
        )
        for i in range(len(ts))
    ]


def scans(*tracks: list[TrackUpdate]) -> Iterator[tuple[float, list[TrackUpdate]]]:
    """Merge tracks into time-ordered 1 s scans, as the tracker hands them over."""
    by_t: dict[float, list[TrackUpdate]] = {}
    for tr in tracks:
        for u in tr:
            by_t.setdefault(u.t, []).append(u)
    for t in sorted(by_t):
        yield t, by_t[t]


@pytest.fixture
def run() -> Callable[..., dict[str, list]]:
    """Run an analyzer over tracks (with optional idle seconds after) and collect outputs."""

    def _run(an: Analyzer, *tracks: list[TrackUpdate], idle_s: float = 0.0) -> dict[str, list]:
        out: dict[str, list] = {"events": [], "recommendations": [], "scores": []}
        last = T0
        for t, ups in scans(*tracks):
            st = an.step(t, ups)
            out["events"] += st.events
            out["recommendations"] += st.recommendations
            out["scores"].append(st.scores)
            last = t
        t = last
        while t < last + idle_s:
            t += 1.0
            st = an.step(t, [])
            out["events"] += st.events
            out["recommendations"] += st.recommendations
        return out

    return _run


def runway_point(
    end_ident: str, along_m: float, agl_m: float, lateral_m: float = 0.0, airport: str = "KELP"
) -> tuple[float, float, float]:
    """ENU x, y and MSL altitude of a point on the extended centreline of a runway end.

    ``along_m`` is measured outward from the landing threshold of ``end_ident`` (into the
    approach), ``lateral_m`` to the right of an arriving aircraft.
    """
    import math

    end = next(e for r in refdata.runways(airport) for e in r.ends if e.ident == end_ident)
    tx, ty, _ = FRAME.to_enu(end.lat, end.lon, end.elevation_m)
    h = math.radians(end.heading_true_deg)
    ux, uy = math.sin(h), math.cos(h)  # landing direction
    x = tx - ux * along_m + uy * lateral_m
    y = ty - uy * along_m - ux * lateral_m
    return x, y, end.elevation_m + agl_m


@pytest.fixture(scope="session")
def fx() -> SimpleNamespace:
    """The helpers above, for test modules (conftest is not importable by name)."""
    return SimpleNamespace(
        leg=leg,
        scans=scans,
        runway_point=runway_point,
        T0=T0,
        FRAME=FRAME,
        CORROBORATED=CORROBORATED,
    )
