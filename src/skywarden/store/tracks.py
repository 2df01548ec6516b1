"""Track history: every confirmed or coasting track update, queryable by time and area.

Writes are batched per scan (one INSERT of many rows in the scan's transaction); reads
use the ``(t)`` and ``(track, t)`` indexes. A bounding box is ``(min_lon, min_lat,
max_lon, max_lat)`` in degrees, the GeoJSON order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from skywarden.model import TrackUpdate, most_probable_class
from skywarden.store.schema import TrackPoint

BBox = tuple[float, float, float, float]


def top_class(probs: dict[str, float] | Any) -> str:
    """The most probable class, ``unknown`` when no probabilities are given."""
    return most_probable_class(probs or {})


def update_row(u: TrackUpdate) -> dict[str, Any]:
    probs = {str(k): float(v) for k, v in u.class_probs.items()}
    return {
        "t": u.t,
        "track": u.track,
        "status": str(u.status),
        "lat": u.lat,
        "lon": u.lon,
        "alt_m": u.alt_m,
        "ve": u.velocity[0],
        "vn": u.velocity[1],
        "vu": u.velocity[2],
        "cls": top_class(probs),
        "class_probs": probs,
        "identities": list(u.identities),
        "sensors": list(u.sensors),
        "callsign": u.callsign,
    }


def record_updates(s: Session, updates: Iterable[TrackUpdate]) -> int:
    rows = [update_row(u) for u in updates]
    if rows:
        s.execute(insert(TrackPoint), rows)
    return len(rows)


def point_dict(p: TrackPoint) -> dict[str, Any]:
    return {
        "t": p.t,
        "track": p.track,
        "status": p.status,
        "lat": p.lat,
        "lon": p.lon,
        "alt_m": p.alt_m,
        "velocity": [p.ve, p.vn, p.vu],
        "cls": p.cls,
        "class_probs": p.class_probs,
        "identities": p.identities,
        "sensors": p.sensors,
        "callsign": p.callsign,
    }


def history(
    s: Session,
    t0: float | None = None,
    t1: float | None = None,
    bbox: BBox | None = None,
    tracks: Sequence[str] | None = None,
    limit: int = 50_000,
) -> list[dict[str, Any]]:
    """Track points in a time window and area, time ordered, at most ``limit`` rows."""
    q = select(TrackPoint)
    if t0 is not None:
        q = q.where(TrackPoint.t >= t0)
    if t1 is not None:
        q = q.where(TrackPoint.t <= t1)
    if bbox is not None:
        q = q.where(
            TrackPoint.lon.between(bbox[0], bbox[2]), TrackPoint.lat.between(bbox[1], bbox[3])
        )
    if tracks is not None:
        q = q.where(TrackPoint.track.in_(list(tracks)))
    q = q.order_by(TrackPoint.t, TrackPoint.id).limit(limit)
    return [point_dict(p) for p in s.scalars(q)]


def latest_at(s: Session, t: float, window_s: float = 10.0) -> list[dict[str, Any]]:
    """Each track's last point in ``(t - window_s, t]``: the picture at time ``t``.

    Ended tracks are left out: a replay shows what an operator would have seen then.
    """
    last = (
        select(TrackPoint.track, func.max(TrackPoint.t).label("t"))
        .where(TrackPoint.t > t - window_s, TrackPoint.t <= t)
        .group_by(TrackPoint.track)
        .subquery()
    )
    q = (
        select(TrackPoint)
        .join(last, (TrackPoint.track == last.c.track) & (TrackPoint.t == last.c.t))
        .where(TrackPoint.status != "ended")
        .order_by(TrackPoint.track)
    )
    seen: dict[str, dict[str, Any]] = {}
    for p in s.scalars(q):
        seen[p.track] = point_dict(p)
    return list(seen.values())


def time_range(s: Session) -> tuple[float, float] | None:
    lo, hi = s.execute(select(func.min(TrackPoint.t), func.max(TrackPoint.t))).one()
    return None if lo is None else (float(lo), float(hi))
