"""Builders for the analytics tests: constructed sensor reports and run directories.

The border between New Mexico and Chihuahua near 107 W is a straight line at about
31.775 N (the shipped Natural Earth line), so a drone flying due north crosses it once,
at a known place.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skywarden.model import Bearing, Detection, Position, SensorKind

LON0 = -107.0
LAT_BORDER = 31.7749
ORIGIN = {"lat": LAT_BORDER, "lon": LON0, "alt_m": 1200.0}
T0 = 1_770_778_800.0  # 2026-02-11T03:00:00Z
#: how long before T0 a constructed run's feed began
FEED_LEAD_S = 600.0
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT_BORDER))


def lat_at(north_m: float) -> float:
    return LAT_BORDER + north_m / M_PER_DEG_LAT


def lon_at(east_m: float) -> float:
    return LON0 + east_m / M_PER_DEG_LON


def path_north(
    t0: float, east_m: float, south_m: float, north_m: float, speed: float = 10.0
) -> list[tuple[float, float, float]]:
    """(t, east, north) each second of a flight due north from -south_m to +north_m."""
    n = int((south_m + north_m) / speed)
    return [(t0 + k, east_m, -south_m + k * speed) for k in range(n + 1)]


def path_out_and_back(
    t0: float, east_m: float, reach_m: float, wait_south_s: float, speed: float = 10.0
) -> list[tuple[float, float, float]]:
    """North across the line to +reach_m, back south to -reach_m, wait there (hovering),
    then north across again to +reach_m."""
    pts: list[tuple[float, float, float]] = []
    t = t0
    legs = [(-reach_m, reach_m), (reach_m, -reach_m)]
    for a, b in legs:
        n = int(abs(b - a) / speed)
        for k in range(n):
            pts.append((t, east_m, a + (b - a) * k / n))
            t += 1.0
    for _ in range(int(wait_south_s)):
        pts.append((t, east_m, -reach_m))
        t += 1.0
    n = int(2 * reach_m / speed)
    for k in range(n + 1):
        pts.append((t, east_m, -reach_m + 2 * reach_m * k / n))
        t += 1.0
    return pts


def radar_reports(
    sensor: str, path: Iterable[tuple[float, float, float]], alt_m: float, seed: int
) -> list[Detection]:
    """A counter-drone radar's plots of the path: 10 m noise, declared a drone."""
    rng = np.random.default_rng(seed)
    out = []
    for t, e, n in path:
        de, dn = rng.normal(0.0, 10.0, 2)
        out.append(
            Detection(
                t=t,
                sensor=sensor,
                kind=SensorKind.RADAR,
                position=Position(
                    lat_at(n + dn),
                    lon_at(e + de),
                    alt_m + float(rng.normal(0.0, 5.0)),
                    ((100.0, 0.0, 0.0), (0.0, 100.0, 0.0), (0.0, 0.0, 400.0)),
                ),
                attrs={"class_report": "drone", "class_confidence": 0.9, "rcs_dbsm": -20.0},
            )
        )
    return out


def rf_reports(
    sensor: str, site: tuple[float, float], path: Iterable[tuple[float, float, float]], seed: int
) -> list[Detection]:
    """An RF direction finder's bearings (3 deg) to the drone's control link."""
    rng = np.random.default_rng(seed)
    out = []
    for t, e, n in path:
        brg = math.degrees(math.atan2(e - site[0], n - site[1])) % 360.0
        brg = (brg + float(rng.normal(0.0, 3.0))) % 360.0
        out.append(
            Detection(
                t=t,
                sensor=sensor,
                kind=SensorKind.RF,
                bearing=Bearing(lat_at(site[1]), lon_at(site[0]), 1225.0, brg, 3.0),
            )
        )
    return out


def write_detections(path: Path, dets: Sequence[Detection]) -> None:
    rows = sorted(dets, key=lambda d: (d.t, d.sensor))
    path.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in rows))


def write_sector(run: Path, name: str = "constructed", extent_m: float = 8000.0) -> None:
    run.mkdir(parents=True, exist_ok=True)
    (run / "sector.json").write_text(
        json.dumps(
            {
                "name": name,
                "origin": ORIGIN,
                "airports": [],
                # the feed began FEED_LEAD_S before the constructed flights (counting's
                # step 5 sets apart a drone first seen as the feed begins)
                "start_t": T0 - FEED_LEAD_S,
                "duration_s": 3600.0 + FEED_LEAD_S,
                "extent_m": extent_m,
            }
        )
    )


def crossing(track: str, t: float, east_m: float, direction: str = "northbound") -> dict[str, Any]:
    """A border_crossing event as incidents.json holds it."""
    return {
        "kind": "border_crossing",
        "t": t,
        "track": track,
        "lat": LAT_BORDER,
        "lon": lon_at(east_m),
        "alt_m": 1275.0,
        "direction": direction,
        "category": "incursion",
    }


def track_lines(
    track: str, pts: Iterable[tuple[float, float, float]], sensors: Sequence[str]
) -> list[dict[str, Any]]:
    """Minimal tracks.jsonl lines (analytics reads t, track, lat, lon, identities, sensors)."""
    return [
        {
            "t": t,
            "track": track,
            "status": "confirmed",
            "lat": lat_at(n),
            "lon": lon_at(e),
            "alt_m": 1275.0,
            "velocity": [0.0, 10.0, 0.0],
            "state": [],
            "class_probs": {"drone": 1.0},
            "identities": [],
            "sensors": list(sensors),
        }
        for t, e, n in pts
    ]


def write_run(
    run: Path,
    events: Sequence[dict[str, Any]],
    tracks: Sequence[dict[str, Any]] = (),
    *,
    name: str = "constructed",
    incidents: Sequence[dict[str, Any]] = (),
    recommendations: Sequence[dict[str, Any]] = (),
) -> Path:
    """A run directory as ``skywarden run`` writes it (the files analytics reads)."""
    write_sector(run, name)
    doc = {
        "meta": {"airports": []},
        "events": sorted(events, key=lambda e: e.get("t", 0.0)),
        "incidents": list(incidents),
        "recommendations": list(recommendations),
    }
    (run / "incidents.json").write_text(json.dumps(doc))
    rows = sorted(tracks, key=lambda r: r["t"])
    (run / "tracks.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return run
