"""Incidents: the analyzer writes, operators act, and neither undoes the other."""

from __future__ import annotations

import pytest

from skywarden.model import Event, Incident, IncidentState
from skywarden.store import Database, incidents


def crossing(t: float, track: str = "T000001") -> Event:
    return Event(
        "border_crossing", t, track, 31.7612345, -106.4312345, 1200.0, {"direction": "northbound"}
    )


def test_analyzer_updates_append_only_new_events(db_url: str) -> None:
    db = Database(db_url)
    inc = Incident("I00001", ["T000001"], 100.0, 2, events=[crossing(100.0)])
    with db.session() as s:
        incidents.upsert(s, [inc])
    inc.events.append(Event("loiter", 130.0, "T000001", 31.77, -106.43, 1210.0))
    inc.severity = 3
    with db.session() as s:
        incidents.upsert(s, [inc])
    with db.session() as s:
        d = incidents.detail(s, "I00001")
    assert [e["kind"] for e in d["events"]] == ["border_crossing", "loiter"]
    assert d["severity"] == 3 and (d["lat"], d["lon"]) == (31.77, -106.43)
    assert d["events"][0]["attrs"] == {"direction": "northbound"}
    db.dispose()


def test_operator_lifecycle_and_analyzer_cannot_reopen(db_url: str) -> None:
    db = Database(db_url)
    inc = Incident("I00002", ["T000002"], 100.0, 2, events=[crossing(100.0, "T000002")])
    with db.session() as s:
        incidents.upsert(s, [inc])
    with db.session() as s:
        before, after = incidents.act(s, "I00002", "ana", "acknowledge")
    assert (before["state"], after["state"]) == ("open", "acknowledged")
    inc.state = IncidentState.OPEN  # the analyzer still thinks it is open
    with db.session() as s:
        incidents.upsert(s, [inc])
        assert incidents.detail(s, "I00002")["state"] == "acknowledged"
    with db.session() as s:
        incidents.act(s, "I00002", "ana", "share")
        incidents.act(s, "I00002", "ana", "resolve", "birds, not a drone")
    with db.session() as s:
        d = incidents.detail(s, "I00002")
        assert d["state"] == "resolved" and d["shared"] is True
        assert [(a["user"], a["action"]) for a in d["actions"]] == [
            ("ana", "acknowledge"),
            ("ana", "share"),
            ("ana", "resolve"),
        ]
        assert d["actions"][-1]["comment"] == "birds, not a drone"
        assert [i["id"] for i in incidents.query(s, shared=True)] == ["I00002"]
        assert incidents.query(s, state="open") == []
    db.dispose()


@pytest.mark.parametrize(
    ("steps", "action", "comment", "words"),
    [
        (["acknowledge"], "acknowledge", "", "is acknowledged, not open"),
        ([], "resolve", "  ", "needs a comment"),
        (["resolve"], "resolve", "again", "already resolved"),
        ([], "delete", "", "unknown"),
        ([], "note", "", "needs a comment"),
    ],
)
def test_invalid_transitions_say_why(
    tmp_path: object, steps: list[str], action: str, comment: str, words: str
) -> None:
    db = Database(f"sqlite:///{tmp_path}/i.db")
    with db.session() as s:
        incidents.upsert(s, [Incident("I9", ["T9"], 1.0, 1, events=[crossing(1.0, "T9")])])
        for st in steps:
            incidents.act(s, "I9", "ana", st, "done")
    with pytest.raises(incidents.InvalidTransition, match=words), db.session() as s:
        incidents.act(s, "I9", "ana", action, comment)
    with pytest.raises(incidents.IncidentNotFound), db.session() as s:
        incidents.act(s, "nope", "ana", "acknowledge")
