"""``GET /api/tracks``: the live picture or the picture at a past time; and history.

A partner gets only the tracks of incidents shared with them, redacted; the history
endpoint (every point in a window and area) is for staff roles only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from skywarden.service import redact
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import TrackPointOut
from skywarden.store import incidents, tracks

router = APIRouter(prefix="/api", tags=["tracks"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]


def parse_bbox(bbox: str | None) -> tracks.BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` -> tuple; 422 naming the problem otherwise."""
    if bbox is None:
        return None
    try:
        a, b, c, d = (float(x) for x in bbox.split(","))
    except ValueError:
        raise HTTPException(
            422, f"bbox {bbox!r}: expected min_lon,min_lat,max_lon,max_lat"
        ) from None
    if not (-180 <= a <= c <= 180 and -90 <= b <= d <= 90):
        raise HTTPException(422, f"bbox {bbox!r}: corners out of order or out of range")
    return (a, b, c, d)


def _for(who: Principal, ctx: ServiceContext, pts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not who.is_partner:
        return pts
    with ctx.db.session() as s:
        visible = redact.shared_tracks(incidents.query(s, shared=True, limit=10_000))
    return [redact.track(p) for p in pts if p["track"] in visible]


@router.get("/tracks", response_model=list[TrackPointOut])
def live_tracks(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("tracks:read"))],
    at: Annotated[float | None, Query(description="UTC epoch s; omit for live")] = None,
    bbox: str | None = None,
) -> list[dict[str, Any]]:
    """Each track's latest state, now (live) or as it was at time ``at`` (replay)."""
    box = parse_bbox(bbox)
    if at is None:
        pts = list(ctx.hub.tracks.values())
    else:
        with ctx.db.session() as s:
            pts = tracks.latest_at(s, at)
    if box is not None:
        pts = [p for p in pts if box[0] <= p["lon"] <= box[2] and box[1] <= p["lat"] <= box[3]]
    return _for(who, ctx, pts)


@router.get("/tracks/history", response_model=list[TrackPointOut])
def track_history(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("tracks:history"))],
    t0: float | None = None,
    t1: float | None = None,
    bbox: str | None = None,
    track: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200_000)] = 50_000,
) -> list[dict[str, Any]]:
    """Every stored point in the time window and area (and of the named tracks)."""
    if t0 is not None and t1 is not None and t1 < t0:
        raise HTTPException(422, f"t1 ({t1}) before t0 ({t0})")
    with ctx.db.session() as s:
        return tracks.history(s, t0, t1, parse_bbox(bbox), track, limit)
