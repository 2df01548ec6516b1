"""Geometry every export format shares: tracks as time-ordered paths, laser plan shapes.

Positions are WGS84 degrees and metres MSL; GeoJSON and KML order them lon, lat, alt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class Path:
    """One track's points, time ordered, with what its last point says about it."""

    track: str
    t: list[float]
    coords: list[tuple[float, float, float]]  # lon, lat, alt_m
    cls: str
    status: str
    identities: tuple[str, ...]
    callsign: str | None


def paths(points: Iterable[Mapping[str, Any]]) -> list[Path]:
    """Track points grouped per track, each in time order; tracks ordered by first time."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for p in points:
        groups.setdefault(str(p["track"]), []).append(p)
    out = []
    for tid, pts in groups.items():
        pts.sort(key=lambda p: float(p["t"]))
        last = pts[-1]
        ids = {str(i) for p in pts for i in p.get("identities") or ()}
        calls = [p["callsign"] for p in pts if p.get("callsign")]
        out.append(
            Path(
                tid,
                [float(p["t"]) for p in pts],
                [(float(p["lon"]), float(p["lat"]), float(p["alt_m"])) for p in pts],
                str(last.get("cls") or "unknown"),
                str(last.get("status") or ""),
                tuple(sorted(ids)),
                calls[-1] if calls else None,
            )
        )
    out.sort(key=lambda x: (x.t[0], x.track))
    return out


def plan_shapes(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A filed laser plan's site, hazard footprint ring (lon, lat) and ceiling, window.

    The footprint is the hold-fire interlock's own hazard volume
    (``laser.HoldFire(plan, frame).volume.footprint``), in a frame at the site.
    """
    from skywarden.geo import LocalFrame
    from skywarden.laser import HoldFire
    from skywarden.laser.plan import parse_laser_plan

    body = entry.get("plan") or {}
    plan = parse_laser_plan(body, where=f"laser plan {entry.get('id')}")
    site = body["site"]
    frame = LocalFrame(float(site["lat"]), float(site["lon"]), float(site["alt_m"]))
    vol = HoldFire(plan, frame).volume
    xs, ys = (np.asarray(v, dtype=float) for v in vol.footprint.exterior.xy)
    lat, lon, _ = vol.frame.to_geodetic(xs, ys, np.zeros_like(xs))
    window = body.get("window") or {}
    laser = body.get("laser") or {}
    return {
        "id": str(entry.get("id")),
        "name": str(entry.get("name") or body.get("name") or entry.get("id")),
        "site": (float(site["lon"]), float(site["lat"]), float(site["alt_m"])),
        "ring": [(float(a), float(b)) for a, b in zip(lon, lat, strict=True)],
        "ceiling_msl_m": float(vol.ceiling_msl_m()),
        "start": window.get("start"),
        "end": window.get("end"),
        "power_w": laser.get("power_w"),
        "wavelength_nm": laser.get("wavelength_nm"),
    }
