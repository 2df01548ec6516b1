"""Operations reads: recommendations, sensors and their health, laser plans and hold-fire
state, the audit log, the quarantine, statistics and the sector description."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import func, select

from skywarden.service import redact
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import (
    MAX_LIMIT,
    AuditOut,
    EpochS,
    LaserPlanIn,
    LaserPlanOut,
    LaserStatusOut,
    QuarantineOut,
    RecommendationOut,
    SectorOut,
    SensorOut,
    ShortText,
)
from skywarden.store import audit, incidents, laser, quarantine, recommendations, sensors, tracks
from skywarden.store.schema import EventRow, IncidentRow, TrackPoint

router = APIRouter(prefix="/api", tags=["operations"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]


def _now(ctx: ServiceContext) -> float:
    """The pipeline's clock when a scenario is replayed, else wall-clock time."""
    return ctx.hub.t if ctx.hub.t is not None else time.time()


@router.get("/recommendations", response_model=list[RecommendationOut])
def list_recommendations(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("recommendations:read"))],
    active: bool = False,
    at: EpochS | None = None,
) -> list[dict[str, Any]]:
    """All recommendations (newest first), or only those in force now / at time ``at``."""
    when = at if at is not None else (_now(ctx) if active else None)
    with ctx.db.session() as s:
        recs = recommendations.query(s, active_at=when)
        if who.is_partner:
            shared = redact.shared_ids(incidents.query(s, shared=True, limit=10_000))
            return [redact.recommendation(r) for r in recs if r["incident"] in shared]
    return recs


@router.get("/sensors", response_model=list[SensorOut])
def list_sensors(
    ctx: Ctx, who: Annotated[Principal, Depends(allow("sensors:read"))]
) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        return sensors.health(s, _now(ctx))


@router.get("/laser/plans", response_model=list[LaserPlanOut])
def list_laser_plans(
    ctx: Ctx, who: Annotated[Principal, Depends(allow("laser:read"))]
) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        return laser.plans(s)


@router.post("/laser/plans", response_model=LaserPlanOut, status_code=201)
def put_laser_plan(
    ctx: Ctx, body: LaserPlanIn, who: Annotated[Principal, Depends(allow("laser:write"))]
) -> dict[str, Any]:
    with ctx.db.session() as s:
        plan = body.plan.model_dump(mode="json")
        before, after = laser.put_plan(s, body.id, body.name, plan)
        audit.append(s, who.name, who.role.value, "laser_plan_put", body.id, before, after)
    return after


@router.get("/laser/status", response_model=LaserStatusOut)
def laser_status(
    ctx: Ctx, who: Annotated[Principal, Depends(allow("laser:read"))]
) -> dict[str, Any]:
    """The live HOLD/CLEAR state and hazard volume footprint, NONE without a laser plan."""
    return ctx.hub.laser or {"state": "NONE"}


@router.get("/laser/decisions")
def laser_decisions(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("laser:read"))],
    t0: EpochS | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        return laser.decisions(s, t0, limit)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("audit:read"))],
    t0: EpochS | None = None,
    t1: EpochS | None = None,
    user: ShortText | None = None,
    target: ShortText | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1000,
) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        return audit.entries(s, t0, t1, user, target, limit)


@router.get("/quarantine", response_model=list[QuarantineOut])
def quarantined(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("quarantine:read"))],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> list[dict[str, Any]]:
    with ctx.db.session() as s:
        return quarantine.entries(s, limit)


@router.get("/stats")
def stats(ctx: Ctx, who: Annotated[Principal, Depends(allow("stats:read"))]) -> dict[str, Any]:
    """Counts an analyst starts from: incidents by state and kind, events by kind and hour
    of day (UTC), track points stored, quarantined messages by reason; and the live
    feed's health (clients, batches, fan-out time from flush to the last socket)."""
    with ctx.db.session() as s:
        by_state = dict(
            s.execute(select(IncidentRow.state, func.count()).group_by(IncidentRow.state)).all()
        )
        by_kind = dict(
            s.execute(select(IncidentRow.kind, func.count()).group_by(IncidentRow.kind)).all()
        )
        ev_kind = dict(s.execute(select(EventRow.kind, func.count()).group_by(EventRow.kind)).all())
        hours = [0] * 24
        for (t,) in s.execute(select(EventRow.t)):
            hours[int(t // 3600) % 24] += 1
        points = s.scalar(select(func.count()).select_from(TrackPoint)) or 0
        span = tracks.time_range(s)
        return {
            "incidents_by_state": by_state,
            "incidents_by_kind": by_kind,
            "events_by_kind": ev_kind,
            "events_by_hour_utc": hours,
            "track_points": points,
            "t_range": list(span) if span else None,
            "quarantine_by_reason": quarantine.counts_by_reason(s),
            "feed": ctx.hub.feed_stats(),
        }


@router.get("/sector", response_model=SectorOut)
def sector(ctx: Ctx, who: Annotated[Principal, Depends(allow("sector:read"))]) -> dict[str, Any]:
    """Where the map should look and what time span the store can replay."""
    with ctx.db.session() as s:
        span = tracks.time_range(s)
    meta = dict(ctx.meta)
    meta.update({k: v for k, v in ctx.hub.meta.items() if k in ("speed",)})
    return {**meta, "t": ctx.hub.t, "t_range": list(span) if span else None}
