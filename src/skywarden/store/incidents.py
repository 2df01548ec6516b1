"""Incidents, their events and the operator actions taken on them.

The analyzer opens and updates incidents (severity, tracks, events, recommendations);
operators move them through the lifecycle open -> acknowledged -> resolved, and mark them
shared with partner agencies. The lifecycle is ``skywarden.lifecycle``'s one transition
table (the analyzer's incident book follows the same one); this module enforces it on
every operator action. The two writers never fight: a stored state only moves forward
in that order, so a later analyzer update cannot reopen an incident an operator
resolved, and an operator action is never overwritten. The running analyzer hears the
operators' actions from here (``pipeline.operators`` reads :func:`actions_after`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from skywarden.errors import SkywardenError
from skywarden.lifecycle import (
    NEEDS_COMMENT,
    OperatorAction,
    later,
    next_state,
    parse_action,
)
from skywarden.lifecycle import InvalidTransition as InvalidTransition  # the API catches it here
from skywarden.model import Event, Incident, IncidentState
from skywarden.store.schema import EventRow, IncidentAction, IncidentRow

ACTIONS = tuple(a.value for a in OperatorAction)


class IncidentNotFound(SkywardenError, KeyError):
    """No incident with that id."""


def event_row(e: Event, incident: str | None) -> EventRow:
    return EventRow(
        t=e.t,
        kind=e.kind,
        track=e.track,
        incident=incident,
        lat=e.lat,
        lon=e.lon,
        alt_m=e.alt_m,
        attrs=dict(e.attrs),
    )


def _summary(inc: Incident) -> str:
    kinds = list(dict.fromkeys(e.kind for e in inc.events))
    return f"{inc.kind}: {', '.join(kinds) or 'no events yet'} ({', '.join(inc.tracks)})"


def upsert(s: Session, incidents: Iterable[Incident], t: float | None = None) -> list[str]:
    """Store new or changed incidents from the analyzer; returns the ids written."""
    ids = []
    for inc in incidents:
        row = s.get(IncidentRow, inc.id)
        last = inc.events[-1] if inc.events else None
        now = t if t is not None else (last.t if last else inc.t_open)
        if row is None:
            row = IncidentRow(
                id=inc.id,
                t_open=inc.t_open,
                state=str(inc.state),
                shared=False,
                tracks=[],
                recommendations=[],
            )
            s.add(row)
            stored_events = 0
        else:
            stored_events = (
                s.scalar(
                    select(func.count()).select_from(EventRow).where(EventRow.incident == inc.id)
                )
                or 0
            )
            row.state = str(later(IncidentState(row.state), IncidentState(inc.state)))
        row.t_updated = now
        row.severity = int(inc.severity)
        row.kind = inc.kind
        row.tracks = list(inc.tracks)
        row.recommendations = list(inc.recommendations)
        row.summary = _summary(inc)
        if last is not None:
            row.lat, row.lon = last.lat, last.lon
        for e in inc.events[stored_events:]:
            s.add(event_row(e, inc.id))
        ids.append(inc.id)
    s.flush()
    return ids


def record_events(s: Session, events: Iterable[Event]) -> None:
    """Events not attached to an incident (the analyzer's facts of the step)."""
    s.add_all(event_row(e, None) for e in events)


def row_dict(r: IncidentRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "t_open": r.t_open,
        "t_updated": r.t_updated,
        "severity": r.severity,
        "state": r.state,
        "kind": r.kind,
        "tracks": list(r.tracks),
        "recommendations": list(r.recommendations),
        "lat": r.lat,
        "lon": r.lon,
        "shared": bool(r.shared),
        "summary": r.summary,
    }


def detail(s: Session, incident_id: str) -> dict[str, Any]:
    """An incident with its events and its operator actions (names and notes included)."""
    r = s.get(IncidentRow, incident_id)
    if r is None:
        raise IncidentNotFound(incident_id)
    d = row_dict(r)
    d["events"] = [
        {
            "t": e.t,
            "kind": e.kind,
            "track": e.track,
            "lat": e.lat,
            "lon": e.lon,
            "alt_m": e.alt_m,
            "attrs": e.attrs,
        }
        for e in s.scalars(
            select(EventRow).where(EventRow.incident == incident_id).order_by(EventRow.t)
        )
    ]
    d["actions"] = [
        {"t": a.t, "user": a.user, "action": a.action, "comment": a.comment}
        for a in s.scalars(
            select(IncidentAction)
            .where(IncidentAction.incident == incident_id)
            .order_by(IncidentAction.id)
        )
    ]
    return d


def query(
    s: Session,
    state: str | None = None,
    shared: bool | None = None,
    min_severity: int | None = None,
    t0: float | None = None,
    t1: float | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    q = select(IncidentRow)
    if state is not None:
        q = q.where(IncidentRow.state == state)
    if shared is not None:
        q = q.where(IncidentRow.shared == shared)
    if min_severity is not None:
        q = q.where(IncidentRow.severity >= min_severity)
    if t0 is not None:
        q = q.where(IncidentRow.t_updated >= t0)
    if t1 is not None:
        q = q.where(IncidentRow.t_open <= t1)
    q = q.order_by(IncidentRow.t_open.desc()).limit(limit)
    return [row_dict(r) for r in s.scalars(q)]


def act(
    s: Session, incident_id: str, user: str, action: str, comment: str = ""
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply an operator action; returns (before, after) for the audit log.

    acknowledge: open -> acknowledged; resolve: open/acknowledged -> resolved and needs a
    comment; share/unshare: toggle partner visibility; note: an internal comment only.
    ``t_updated`` stays the analyzer's (pipeline time, which in a replay is not today);
    the action carries its own wall-clock time.
    """
    what = parse_action(action)
    r = s.get(IncidentRow, incident_id, with_for_update=True)
    if r is None:
        raise IncidentNotFound(incident_id)
    before = row_dict(r)
    state = next_state(incident_id, IncidentState(r.state), what)
    if what in NEEDS_COMMENT and not comment.strip():
        who = "resolve" if what is OperatorAction.RESOLVE else "a note"
        raise InvalidTransition(f"{who} needs a comment")
    r.state = str(state)
    if what in (OperatorAction.SHARE, OperatorAction.UNSHARE):
        r.shared = what is OperatorAction.SHARE
    s.add(
        IncidentAction(
            incident=incident_id, t=time.time(), user=user, action=action, comment=comment
        )
    )
    s.flush()
    return before, row_dict(r)


def actions_after(s: Session, after_id: int) -> list[tuple[int, str, float, str, str, str]]:
    """Operator actions with a row id above ``after_id``, oldest first:
    (id, incident, t, user, action, comment). The pipeline polls this between scans."""
    q = select(IncidentAction).where(IncidentAction.id > after_id).order_by(IncidentAction.id)
    return [(a.id, a.incident, a.t, a.user, a.action, a.comment) for a in s.scalars(q)]
