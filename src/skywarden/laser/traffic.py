"""Planning against recorded traffic: which flights would have entered the hazard volume.

Why: before the test, the range safety officer asks how often the laser would have had
to hold, and for whom: the flights of a tracks or ADS-B recording (``model.TrackUpdate``
JSON Lines, as the tracker writes ``tracks.jsonl``, or the ADS-B reports of a
``detections.jsonl``) that were inside the hazard volume
during the window: how many, when, and on which runway flow. Drones and birds are not
counted (the laser is there for the drones); manned and unclassified tracks are.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skywarden import jsonl
from skywarden.errors import SkywardenError
from skywarden.geo import M_PER_NM, bearing_deg, distance_m
from skywarden.laser.flows import Flow
from skywarden.laser.volume import HazardVolume
from skywarden.model import (
    Detection,
    SensorKind,
    TargetClass,
    TrackStatus,
    TrackUpdate,
)

FLOW_MATCH_NM = 1.5
FLOW_MATCH_DEG = 45.0


class TrafficFileError(SkywardenError, ValueError):
    """A traffic file line is not a valid TrackUpdate; names the file and line."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


def read_track_updates(path: str | Path) -> list[TrackUpdate]:
    """Read a recording: ``tracks.jsonl`` (``TrackUpdate`` lines) or an ADS-B recording
    (``detections.jsonl``, ``Detection`` lines, of which the ADS-B reports are used).

    An ADS-B report becomes an update of track ``icao:<address>``, classed manned (a
    transponder with an ICAO address is a crewed aircraft's, for planning purposes);
    other detection kinds are skipped: without a tracker they are not flights. A
    malformed line raises :class:`TrafficFileError` naming the file and line.
    """
    try:
        lines = list(jsonl.strict(jsonl.read_jsonl(path, _traffic_update, fmt="traffic")))
    except jsonl.InputLineError as e:
        raise TrafficFileError(e.path, e.line, e.reason) from None
    out = [line.record for line in lines if line.record is not None]
    return _fill_velocities(out)


def _traffic_update(d: dict[str, Any]) -> TrackUpdate | None:
    """A line as a track update: an ADS-B detection's, a track update, or None (skipped)."""
    if "sensor" in d and "track" not in d:
        return _adsb_update(Detection.from_dict(d))
    return TrackUpdate.from_dict(d)


def _adsb_update(det: Detection) -> TrackUpdate | None:
    if det.kind is not SensorKind.ADSB or det.position is None or det.identity is None:
        return None
    ident = det.identity.icao24 or det.identity.callsign
    if not ident:
        return None
    pos = det.position
    return TrackUpdate(
        t=det.t,
        track=f"icao:{ident}",
        status=TrackStatus.CONFIRMED,
        lat=pos.lat,
        lon=pos.lon,
        alt_m=pos.alt_m,
        velocity=det.velocity if det.velocity is not None else (math.nan, 0.0, 0.0),
        state=(),
        cov=None,
        class_probs={"manned": 1.0},
        identities=tuple(det.identity.keys()),
        sensors=(det.sensor,),
        evidence=("ADS-B report",),
        callsign=det.identity.callsign,
    )


def _fill_velocities(updates: list[TrackUpdate]) -> list[TrackUpdate]:
    """ADS-B reports without a velocity get one from the track's next (or previous) report."""
    missing = [i for i, u in enumerate(updates) if math.isnan(u.velocity[0])]
    if not missing:
        return updates
    by_track: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(updates):
        by_track[u.track].append(i)
    for idx in by_track.values():
        idx.sort(key=lambda i: updates[i].t)
        for k, i in enumerate(idx):
            if not math.isnan(updates[i].velocity[0]):
                continue
            j = idx[k + 1] if k + 1 < len(idx) else (idx[k - 1] if k else i)
            a, b = (
                (updates[i], updates[j])
                if j != i and updates[j].t > updates[i].t
                else (updates[j], updates[i])
            )
            dt = b.t - a.t
            if dt <= 0:
                vel = (0.0, 0.0, 0.0)
            else:
                dist = float(distance_m(a.lat, a.lon, b.lat, b.lon))
                brg = math.radians(float(bearing_deg(a.lat, a.lon, b.lat, b.lon)))
                vel = (
                    dist * math.sin(brg) / dt,
                    dist * math.cos(brg) / dt,
                    (b.alt_m - a.alt_m) / dt,
                )
            updates[i] = dataclasses.replace(updates[i], velocity=vel)
    return updates


def is_protected(u: TrackUpdate, protect_probability: float = 0.2) -> bool:
    """Manned or unclassified, or at least ``protect_probability`` likely to be manned."""
    if u.best_class in (TargetClass.MANNED, TargetClass.UNKNOWN):
        return True
    return u.class_probs.get(str(TargetClass.MANNED), 0.0) >= protect_probability


@dataclass(frozen=True)
class FlightEntry:
    """One flight's passage through the volume."""

    track: str
    callsign: str | None
    first_t: float
    last_t: float
    points_inside: int
    flow: str | None

    @property
    def minutes_inside(self) -> float:
        return (self.last_t - self.first_t) / 60.0

    def to_dict(self) -> dict[str, object]:
        return {
            "track": self.track,
            "callsign": self.callsign,
            "first_t": self.first_t,
            "last_t": self.last_t,
            "points_inside": self.points_inside,
            "flow": self.flow,
        }


def _match_flow(
    volume: HazardVolume, track_points: Sequence[TrackUpdate], flows: Sequence[Flow]
) -> str | None:
    """The flow most of the flight's points lie on (within 1.5 NM, course within 45 deg).

    The whole recorded passage in the window counts, not only the part inside the volume:
    a flight is identified as an arrival to 26R by where it goes, often after the fan.
    """
    lat = np.array([u.lat for u in track_points])
    lon = np.array([u.lon for u in track_points])
    course = np.degrees(
        np.arctan2([u.velocity[0] for u in track_points], [u.velocity[1] for u in track_points])
    )
    x, y, _ = volume.frame.to_enu(lat, lon, np.zeros_like(lat))
    best: tuple[int, str] | None = None
    for f in flows:
        fx, fy, _ = volume.frame.to_enu(f.lat, f.lon, np.zeros_like(f.lat))
        d = np.min(np.hypot(x[:, None] - fx[None, :], y[:, None] - fy[None, :]), axis=1)
        aligned = np.abs((course - f.course_deg + 180.0) % 360.0 - 180.0) <= FLOW_MATCH_DEG
        n = int(np.count_nonzero((d <= FLOW_MATCH_NM * M_PER_NM) & aligned))
        if n and (best is None or n > best[0]):
            best = (n, f.label)
    return None if best is None else best[1]


def flights_entering(
    volume: HazardVolume,
    updates: Iterable[TrackUpdate],
    start_t: float,
    end_t: float,
    flows: Sequence[Flow] = (),
    protect_probability: float = 0.2,
) -> list[FlightEntry]:
    """Protected flights with any update inside ``volume`` in [start_t, end_t], by first entry."""
    sel = [u for u in updates if start_t <= u.t <= end_t and is_protected(u, protect_probability)]
    if not sel:
        return []
    lat = np.array([u.lat for u in sel])
    lon = np.array([u.lon for u in sel])
    alt = np.array([u.alt_m for u in sel])
    inside = volume.contains(lat, lon, alt)
    by_track: dict[str, list[int]] = defaultdict(list)
    for i in np.flatnonzero(inside):
        by_track[sel[i].track].append(int(i))
    passage: dict[str, list[TrackUpdate]] = defaultdict(list)
    for u in sel:
        if u.track in by_track:
            passage[u.track].append(u)
    out: list[FlightEntry] = []
    for track, idx in by_track.items():
        first = sel[idx[0]]
        flow = _match_flow(volume, passage[track], flows) if flows else None
        callsign = next((sel[i].callsign for i in idx if sel[i].callsign), None)
        out.append(FlightEntry(track, callsign, first.t, sel[idx[-1]].t, len(idx), flow))
    out.sort(key=lambda e: e.first_t)
    return out
