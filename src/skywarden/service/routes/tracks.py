"""``GET /api/tracks``: the live picture or the picture at a past time; and history.

Redaction comes first (issue #12, finding 2): a partner's points are chosen (tracks of
shared incidents only) and rounded *before* the bbox filter sees them, so halving a box
can locate a shared track no better than the rounding, and never reveals an unshared
one. The history endpoint (every point in a window and area) is for staff roles only.

The live answer is served from the hub's picture, encoded once per change of the picture
and audience (:meth:`Hub.picture_json`), which is what keeps 50 clients polling it cheap.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from skywarden.service import redact
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import MAX_HISTORY_LIMIT, EpochS, TrackPointOut, storable
from skywarden.store import incidents, tracks

router = APIRouter(prefix="/api", tags=["tracks"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
BBOX_HELP = "min_lon,min_lat,max_lon,max_lat (degrees)"


def parse_bbox(bbox: str | None) -> tracks.BBox | None:
    """``min_lon,min_lat,max_lon,max_lat`` -> tuple; ValueError naming the problem."""
    if bbox is None:
        return None
    try:
        a, b, c, d = (float(x) for x in bbox.split(","))
    except ValueError:
        raise ValueError(f"expected {BBOX_HELP}") from None
    if not (-180 <= a <= c <= 180 and -90 <= b <= d <= 90):
        raise ValueError("corners out of order or out of range")
    return (a, b, c, d)


def _check_bbox(bbox: str | None) -> str | None:
    parse_bbox(bbox)
    return bbox


BBoxParam = Annotated[
    str | None,
    Query(max_length=200, description=BBOX_HELP),
    AfterValidator(_check_bbox),
]
TrackId = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(storable)]


def _inside(pts: list[dict[str, Any]], box: tracks.BBox | None) -> list[dict[str, Any]]:
    if box is None:
        return pts
    return [p for p in pts if box[0] <= p["lon"] <= box[2] and box[1] <= p["lat"] <= box[3]]


def _replay(ctx: ServiceContext, who: Principal, at: float) -> list[dict[str, Any]]:
    """The stored picture at ``at``, redacted for a partner before anything else."""
    with ctx.db.session() as s:
        pts = tracks.latest_at(s, at)
        if not who.is_partner:
            return pts
        visible = redact.shared_tracks(incidents.query(s, shared=True, limit=10_000))
    return [redact.track(p) for p in pts if p["track"] in visible]


@router.get("/tracks", response_model=list[TrackPointOut])
async def live_tracks(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("tracks:read"))],
    at: Annotated[EpochS | None, Query(description="UTC epoch s; omit for live")] = None,
    bbox: BBoxParam = None,
) -> Any:
    """Each track's latest state, now (live) or as it was at time ``at`` (replay)."""
    box = parse_bbox(bbox)
    if at is None:
        if box is None:
            return Response(ctx.hub.picture_json(who.role), media_type="application/json")
        return _inside(ctx.hub.picture(who.role), box)
    return _inside(await run_in_threadpool(_replay, ctx, who, at), box)


class HistoryQuery(BaseModel):
    t0: EpochS | None = None
    t1: EpochS | None = None
    bbox: Annotated[
        str | None,
        Field(max_length=200, description=BBOX_HELP),
        AfterValidator(_check_bbox),
    ] = None
    track: Annotated[list[TrackId] | None, Field(max_length=1000)] = None
    limit: Annotated[int, Field(ge=1, le=MAX_HISTORY_LIMIT)] = MAX_HISTORY_LIMIT

    @model_validator(mode="after")
    def _window(self) -> HistoryQuery:
        if self.t0 is not None and self.t1 is not None and self.t1 < self.t0:
            raise ValueError(f"t1 ({self.t1}) before t0 ({self.t0})")
        return self


@router.get("/tracks/history", response_model=list[TrackPointOut])
def track_history(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("tracks:history"))],
    q: Annotated[HistoryQuery, Query()],
) -> list[dict[str, Any]]:
    """Every stored point in the time window and area (and of the named tracks)."""
    with ctx.db.session() as s:
        return tracks.history(s, q.t0, q.t1, parse_bbox(q.bbox), q.track, q.limit)
