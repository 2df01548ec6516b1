"""The append-only audit log: who did what, when, with the before and after picture.

Every state-changing API request writes one row *in the same transaction* as the change,
so a change and its audit record are committed together or not at all. The database
refuses UPDATE and DELETE on the table (triggers in the initial migration).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.store.schema import AuditRow


def append(
    s: Session,
    user: str,
    role: str,
    action: str,
    target: str,
    before: Any = None,
    after: Any = None,
    t: float | None = None,
) -> AuditRow:
    row = AuditRow(
        t=time.time() if t is None else t,
        user=user,
        role=role,
        action=action,
        target=target,
        before=before,
        after=after,
    )
    s.add(row)
    s.flush()
    return row


def entries(
    s: Session,
    t0: float | None = None,
    t1: float | None = None,
    user: str | None = None,
    target: str | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    q = select(AuditRow)
    if t0 is not None:
        q = q.where(AuditRow.t >= t0)
    if t1 is not None:
        q = q.where(AuditRow.t <= t1)
    if user is not None:
        q = q.where(AuditRow.user == user)
    if target is not None:
        q = q.where(AuditRow.target == target)
    q = q.order_by(AuditRow.id.desc()).limit(limit)
    return [
        {
            "id": r.id,
            "t": r.t,
            "user": r.user,
            "role": r.role,
            "action": r.action,
            "target": r.target,
            "before": r.before,
            "after": r.after,
        }
        for r in s.scalars(q)
    ]
