"""The quarantine: rejected input kept with its reason, never silently dropped."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skywarden.store.schema import QuarantineRow

MAX_RAW_CHARS = 4096


def add(s: Session, t: float, source: str, reason: str, field: str, raw: str | bytes) -> None:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    s.add(QuarantineRow(t=t, source=source, reason=reason, field=field, raw=text[:MAX_RAW_CHARS]))


def entries(s: Session, limit: int = 500) -> list[dict[str, Any]]:
    q = select(QuarantineRow).order_by(QuarantineRow.id.desc()).limit(limit)
    return [
        {"t": r.t, "source": r.source, "reason": r.reason, "field": r.field, "raw": r.raw}
        for r in s.scalars(q)
    ]


def counts_by_reason(s: Session) -> dict[str, int]:
    q = select(QuarantineRow.reason, func.count()).group_by(QuarantineRow.reason)
    return {str(r): int(n) for r, n in s.execute(q)}
