"""Incidents: grouping per track, severity from the score, lifecycle and audit trail."""

from __future__ import annotations

import pytest

from skywarden.airspace.incidents import IncidentBook, UnknownIncident
from skywarden.airspace.threat import SAFETY_HAZARD, ThreatScore
from skywarden.model import Event, IncidentState

T = 1_770_778_800.0


def ev(kind: str, track: str, t: float = T) -> Event:
    return Event(kind, t, track, 31.8, -106.4, 1200.0, {})


def test_events_of_a_track_share_an_incident_and_raise_its_severity():
    book = IncidentBook()
    a = book.add_event(ev("border_crossing", "T1"))
    b = book.add_event(ev("zone_entry", "T1", T + 30))
    assert a is b and [e.kind for e in a.events] == ["border_crossing", "zone_entry"]
    book.score(ThreatScore("T1", T + 31, 45.0, (0.0,) * 7, SAFETY_HAZARD))
    assert (a.severity, a.kind) == (3, SAFETY_HAZARD)
    assert [x["what"] for x in a.audit] == [
        "opened",
        "kind observation -> safety_hazard",
        "severity 1 -> 3",
    ]


def test_lifecycle_open_acknowledged_resolved():
    book = IncidentBook()
    inc = book.add_event(ev("loiter", "T9"))
    assert inc.state == IncidentState.OPEN
    book.acknowledge(inc.id, T + 5, "operator-1")
    assert inc.state == IncidentState.ACKNOWLEDGED
    book.resolve(inc.id, T + 60, "operator-1")
    assert inc.state == IncidentState.RESOLVED
    assert inc.audit[-1] == {"t": T + 60, "what": "resolved", "by": "operator-1"}
    # A new event of the same track after resolution opens a new incident.
    assert book.add_event(ev("loiter", "T9", T + 100)).id != inc.id
    with pytest.raises(UnknownIncident):
        book.acknowledge("I99999", T, "x")


def test_auto_resolve_once_tracks_are_gone_and_quiet():
    book = IncidentBook(resolve_after_s=300)
    inc = book.add_event(ev("zone_entry", "T3"))
    book.track_gone("T3", T + 10)
    book.tick(T + 10)
    book.tick(T + 309)
    assert inc.state == IncidentState.OPEN
    book.tick(T + 310)
    assert inc.state == IncidentState.RESOLVED


def test_a_group_gets_one_incident_its_members_point_to():
    book = IncidentBook()
    own = book.add_event(ev("border_crossing", "A"))
    g = book.add_group(ev("group", "A"), "G00001", ["A", "B", "C"])
    assert g.tracks == ["A", "B", "C"]
    assert book.incident_for("B") == g.id and book.incident_for("A") == g.id
    assert own.audit[-1]["what"] == f"merged into {g.id}"
    assert book.add_event(ev("drop", "C"), group="G00001") is g
