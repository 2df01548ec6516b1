"""Track history: every confirmed or coasting track update, queryable by time and area.

Points are the one ``skywarden.views.TrackPoint`` record: written from its wire form,
read back into it. Writes are batched per scan (one INSERT of many rows
in the scan's transaction); reads use the ``(t)`` and ``(track, t)`` indexes. A bounding
box is ``(min_lon, min_lat, max_lon, max_lat)`` in degrees, the GeoJSON order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from skywarden.geo import horizontal_sigma_m
from skywarden.model import TrackUpdate
from skywarden.store.schema import TrackPoint as PointRow
from skywarden.views import TrackPoint

BBox = tuple[float, float, float, float]


def update_row(u: TrackUpdate) -> dict[str, Any]:
    """A tracker update as the store's columns (through the one ``TrackPoint`` record)."""
    return TrackPoint.row_of_wire(TrackPoint.wire_of_update(u))


def stored_row(u: TrackUpdate) -> dict[str, Any]:
    """:func:`update_row` plus what only the store keeps: the update's corroboration, its
    RF bearings running beside it and its horizontal 1-sigma position error, which
    analytics' evidence check reads."""
    row = update_row(u)
    row["corroboration"] = list(u.corroboration)
    row["rf_beside"] = u.rf_beside
    row["sigma_h_m"] = horizontal_sigma_m(u.cov) if u.cov else None
    return row


def record_updates(s: Session, updates: Iterable[TrackUpdate]) -> int:
    rows = [stored_row(u) for u in updates]
    if rows:
        s.execute(insert(PointRow), rows)
    return len(rows)


def point_dict(p: PointRow) -> dict[str, Any]:
    """A stored row in the wire form the API and the bus carry (``TrackPoint.wire``)."""
    return TrackPoint.wire_of_row(p)


def history(
    s: Session,
    t0: float | None = None,
    t1: float | None = None,
    bbox: BBox | None = None,
    tracks: Sequence[str] | None = None,
    limit: int = 50_000,
) -> list[dict[str, Any]]:
    """Track points in a time window and area, time ordered, at most ``limit`` rows."""
    q = select(PointRow)
    if t0 is not None:
        q = q.where(PointRow.t >= t0)
    if t1 is not None:
        q = q.where(PointRow.t <= t1)
    if bbox is not None:
        q = q.where(
            PointRow.lon.between(bbox[0], bbox[2]), PointRow.lat.between(bbox[1], bbox[3])
        )
    if tracks is not None:
        q = q.where(PointRow.track.in_(list(tracks)))
    q = q.order_by(PointRow.t, PointRow.id).limit(limit)
    return [point_dict(p) for p in s.scalars(q)]


def latest_at(s: Session, t: float, window_s: float = 10.0) -> list[dict[str, Any]]:
    """Each track's last point in ``(t - window_s, t]``: the picture at time ``t``.

    Ended tracks are left out: a replay shows what an operator would have seen then.
    """
    last = (
        select(PointRow.track, func.max(PointRow.t).label("t"))
        .where(PointRow.t > t - window_s, PointRow.t <= t)
        .group_by(PointRow.track)
        .subquery()
    )
    q = (
        select(PointRow)
        .join(last, (PointRow.track == last.c.track) & (PointRow.t == last.c.t))
        .where(PointRow.status != "ended")
        .order_by(PointRow.track)
    )
    seen: dict[str, dict[str, Any]] = {}
    for p in s.scalars(q):
        seen[p.track] = point_dict(p)
    return list(seen.values())


def time_range(s: Session) -> tuple[float, float] | None:
    lo, hi = s.execute(select(func.min(PointRow.t), func.max(PointRow.t))).one()
    return None if lo is None else (float(lo), float(hi))
