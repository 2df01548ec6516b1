"""Recommendations as issued: kept by id, a later version of the same id replaces it.

"Active at t" means issued at or before t and not yet expired; the newest of those is
the one an operator's banner shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.model import Recommendation
from skywarden.store.schema import RecommendationRow


def upsert(s: Session, recs: Iterable[Recommendation]) -> None:
    for r in recs:
        s.merge(
            RecommendationRow(
                id=r.id,
                incident=r.incident,
                action=str(r.action),
                t_issued=r.t_issued,
                t_expires=r.t_expires,
                t_reevaluate=r.t_reevaluate,
                reasons=list(r.reasons),
                runways=list(r.runways),
                airport=r.airport,
                tfr=dict(r.tfr) if r.tfr else None,
            )
        )
    s.flush()


def as_dict(r: Recommendation) -> dict[str, Any]:
    """A record in the same shape as a stored row (every key present)."""
    return {
        "id": r.id,
        "incident": r.incident,
        "action": str(r.action),
        "t_issued": r.t_issued,
        "t_expires": r.t_expires,
        "t_reevaluate": r.t_reevaluate,
        "reasons": list(r.reasons),
        "runways": list(r.runways),
        "airport": r.airport,
        "tfr": dict(r.tfr) if r.tfr else None,
    }


def row_dict(r: RecommendationRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "incident": r.incident,
        "action": r.action,
        "t_issued": r.t_issued,
        "t_expires": r.t_expires,
        "t_reevaluate": r.t_reevaluate,
        "reasons": list(r.reasons),
        "runways": list(r.runways),
        "airport": r.airport,
        "tfr": r.tfr,
    }


def query(s: Session, active_at: float | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first; with ``active_at``, only those in force at that time."""
    q = select(RecommendationRow)
    if active_at is not None:
        q = q.where(
            RecommendationRow.t_issued <= active_at, RecommendationRow.t_expires > active_at
        )
    q = q.order_by(RecommendationRow.t_issued.desc()).limit(limit)
    return [row_dict(r) for r in s.scalars(q)]
