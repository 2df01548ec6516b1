"""Laser plans as filed and the hold-fire decisions taken while they are active.

Only changes of the HOLD/CLEAR state are stored (with their reasons and the tracks that
caused them): the record a laser safety officer needs, without one row per second.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.store.schema import LaserDecisionRow, LaserPlanRow


def put_plan(
    s: Session, plan_id: str, name: str, plan: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    old = s.get(LaserPlanRow, plan_id)
    before = plan_dict(old) if old is not None else None
    row = LaserPlanRow(id=plan_id, name=name, t_created=time.time(), plan=dict(plan))
    s.merge(row)
    s.flush()
    return before, plan_dict(row)


def plan_dict(r: LaserPlanRow) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "t_created": r.t_created, "plan": r.plan}


def plans(s: Session) -> list[dict[str, Any]]:
    return [plan_dict(r) for r in s.scalars(select(LaserPlanRow).order_by(LaserPlanRow.id))]


def last_decision(s: Session, plan_id: str) -> dict[str, Any] | None:
    r = s.scalars(
        select(LaserDecisionRow)
        .where(LaserDecisionRow.plan == plan_id)
        .order_by(LaserDecisionRow.id.desc())
        .limit(1)
    ).first()
    if r is None:
        return None
    return {"t": r.t, "plan": r.plan, "state": r.state, "reasons": r.reasons, "tracks": r.tracks}


def record_decision(
    s: Session, plan_id: str, t: float, state: str, reasons: Sequence[str], tracks: Sequence[str]
) -> bool:
    """Store the decision if the state changed since the last one; True if stored."""
    last = last_decision(s, plan_id)
    if last is not None and last["state"] == state:
        return False
    s.add(
        LaserDecisionRow(t=t, plan=plan_id, state=state, reasons=list(reasons), tracks=list(tracks))
    )
    return True


def decisions(s: Session, t0: float | None = None, limit: int = 500) -> list[dict[str, Any]]:
    q = select(LaserDecisionRow)
    if t0 is not None:
        q = q.where(LaserDecisionRow.t >= t0)
    q = q.order_by(LaserDecisionRow.id.desc()).limit(limit)
    return [
        {"t": r.t, "plan": r.plan, "state": r.state, "reasons": r.reasons, "tracks": r.tracks}
        for r in s.scalars(q)
    ]
