"""One scan's outputs into the store (one transaction) and onto the bus (after it).

DESIGN.md, "nothing is lost": a scan's track points, events, incidents,
recommendations, hold-fire change, sensor counts, rejections *and the source cursor*
commit together, and only then is anything published, so what a client sees is
already durable.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from skywarden.model import TrackUpdate
from skywarden.stages import HoldFireDecision, StepResult
from skywarden.store import cursor as store_cursor
from skywarden.store import incidents as store_incidents
from skywarden.store import laser as store_laser
from skywarden.store import quarantine as store_quarantine
from skywarden.store import recommendations as store_recs
from skywarden.store import sensors as store_sensors
from skywarden.store import tracks as store_tracks
from skywarden.views import TrackPoint


def update_dict(u: TrackUpdate) -> dict[str, Any]:
    """A track update in the one point form the store, the bus and the API share."""
    return TrackPoint.wire_of_update(u)


def record_decision(s: Session, d: HoldFireDecision) -> None:
    """Store a hold-fire decision; one with no time (before any scan) is only announced."""
    if d.t is None:
        return
    store_laser.record_decision(s, d.plan, d.t, str(d.state), d.reasons, d.tracks)


def commit_scan(s: Session, source: str, r: StepResult, steps: int) -> list[str]:
    """Write one processed scan and the cursor (``steps`` scans committed with it);
    returns the ids of the incidents written."""
    store_tracks.record_updates(s, r.updates)
    store_sensors.seen(s, r.detections)
    in_incidents = {(e.kind, e.t, e.track) for i in r.incidents for e in i.events}
    store_incidents.record_events(
        s, (e for e in r.events if (e.kind, e.t, e.track) not in in_incidents)
    )
    ids = store_incidents.upsert(s, r.incidents, r.t)
    store_recs.upsert(s, r.recommendations)
    if r.decision is not None:
        record_decision(s, r.decision)
    for rej in r.rejected:
        store_quarantine.add(s, r.t, source, rej.summary(), rej.field or "?", rej.raw)
    store_cursor.put(s, source, r.t, steps)
    return ids


def bus_messages(
    r: StepResult, incident_rows: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The (topic, payload) messages of one committed scan, in publishing order; the
    hold-fire decision (topic ``laser``) is left to the caller, which also keeps it."""
    out: list[tuple[str, dict[str, Any]]] = [
        ("tracks", {"t": r.t, "pub": time.time(), "tracks": [update_dict(u) for u in r.updates]})
    ]
    if incident_rows:
        rows = [
            {k: v for k, v in d.items() if k not in ("events", "actions")} for d in incident_rows
        ]
        out.append(("incidents", {"incidents": rows}))
    if r.recommendations:
        recs = [store_recs.as_dict(x) for x in r.recommendations]
        out.append(("recommendations", {"recommendations": recs}))
    return out
