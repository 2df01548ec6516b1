"""Incidents: filter, read, acknowledge, resolve with a comment, share with partners.

Every action is committed together with its audit record *before* the answer is sent
(the session's ``with`` block commits), then announced on the bus for live clients.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import AfterValidator

from skywarden.lifecycle import OperatorAction
from skywarden.model import IncidentState
from skywarden.service import redact
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import (
    MAX_LIMIT,
    EpochS,
    IncidentOut,
    NoteIn,
    ResolveIn,
    Severity,
    ShareIn,
    storable,
)
from skywarden.store import audit, incidents

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
IncidentId = Annotated[str, Path(min_length=1, max_length=128), AfterValidator(storable)]


@router.get("", response_model=list[IncidentOut])
def list_incidents(
    ctx: Ctx,
    who: Annotated[Principal, Depends(allow("incidents:read"))],
    state: IncidentState | None = None,
    shared: bool | None = None,
    min_severity: Severity | None = None,
    t0: EpochS | None = None,
    t1: EpochS | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
) -> list[dict[str, Any]]:
    if who.is_partner:
        shared = True
    with ctx.db.session() as s:
        rows = incidents.query(s, state and state.value, shared, min_severity, t0, t1, limit)
    return [redact.incident(r) for r in rows] if who.is_partner else rows


@router.get("/{incident_id}", response_model=IncidentOut)
def get_incident(
    ctx: Ctx, incident_id: IncidentId, who: Annotated[Principal, Depends(allow("incidents:read"))]
) -> dict[str, Any]:
    with ctx.db.session() as s:
        try:
            d = incidents.detail(s, incident_id)
        except incidents.IncidentNotFound:
            raise HTTPException(404, f"incident {incident_id} not found") from None
    if who.is_partner:
        if not d["shared"]:  # indistinguishable from a missing one
            raise HTTPException(404, f"incident {incident_id} not found")
        return redact.incident(d)
    return d


def _act(
    ctx: ServiceContext, who: Principal, incident_id: str, action: OperatorAction, comment: str = ""
) -> dict[str, Any]:
    """Apply, audit and commit an operator action, then announce it. The running pipeline
    reads it from the store and tells its analyzer (``pipeline.operators``)."""
    with ctx.db.session() as s:
        try:
            before, after = incidents.act(s, incident_id, who.name, action.value, comment)
        except incidents.IncidentNotFound:
            raise HTTPException(404, f"incident {incident_id} not found") from None
        except incidents.InvalidTransition as e:
            raise HTTPException(409, str(e)) from None
        audit.append(
            s,
            who.name,
            who.role.value,
            f"incident_{action.value}",
            incident_id,
            before,
            {**after, "comment": comment} if comment else after,
        )
    # committed: now it is safe to tell anyone
    ctx.publish_from_thread("incidents", {"incidents": [after]})
    return after


@router.post("/{incident_id}/acknowledge", response_model=IncidentOut)
def acknowledge(
    ctx: Ctx, incident_id: IncidentId, who: Annotated[Principal, Depends(allow("incidents:act"))]
) -> dict[str, Any]:
    return _act(ctx, who, incident_id, OperatorAction.ACKNOWLEDGE)


@router.post("/{incident_id}/resolve", response_model=IncidentOut)
def resolve(
    ctx: Ctx,
    incident_id: IncidentId,
    body: ResolveIn,
    who: Annotated[Principal, Depends(allow("incidents:act"))],
) -> dict[str, Any]:
    return _act(ctx, who, incident_id, OperatorAction.RESOLVE, body.comment)


@router.post("/{incident_id}/notes", response_model=IncidentOut)
def note(
    ctx: Ctx,
    incident_id: IncidentId,
    body: NoteIn,
    who: Annotated[Principal, Depends(allow("incidents:act"))],
) -> dict[str, Any]:
    return _act(ctx, who, incident_id, OperatorAction.NOTE, body.comment)


@router.post("/{incident_id}/share", response_model=IncidentOut)
def share(
    ctx: Ctx,
    incident_id: IncidentId,
    body: ShareIn,
    who: Annotated[Principal, Depends(allow("incidents:share"))],
) -> dict[str, Any]:
    what = OperatorAction.SHARE if body.shared else OperatorAction.UNSHARE
    return _act(ctx, who, incident_id, what)
