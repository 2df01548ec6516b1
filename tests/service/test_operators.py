"""An operator's action through the API reaches the running analyzer (issue 13).

A recorded night over El Paso: drone T000001 opens incident I00001 at once and, left
alone, files a later zone entry (53 s in) under it. An operator who resolves I00001
through the API after 20 s closes it for the analyzer too: the later entry opens a new
incident, and the resolved one is never renewed. The same holds after a restart.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from skywarden.airspace import Analyzer, load_policy, sector_zones
from skywarden.bus import InProcessBus
from skywarden.lifecycle import InvalidTransition
from skywarden.model import IncidentState
from skywarden.pipeline import Pipeline, run_to_end
from skywarden.refdata import border_line
from skywarden.service.app import create_app
from skywarden.service.sources import TracksFile, read_sector_json
from skywarden.store import Database, incidents, users

RESOLVE_AFTER = 20  # scans processed before the operator resolves


def pipeline(db: Database, path: Path) -> Pipeline:
    sector = read_sector_json(path.with_name("sector.json"))
    assert sector is not None
    zones = sector_zones(sector.frame, airports=sector.airports)
    an = Analyzer(sector.frame, zones, border_line(), load_policy())
    return Pipeline(
        db, InProcessBus(), TracksFile(path), analyzer=an, zones=zones, snapshot_every=0
    )


@pytest.fixture
def night(tmp_path: Path, svc: SimpleNamespace) -> SimpleNamespace:
    path = svc.write_scene(tmp_path / "night", seconds=80, n_tracks=1)  # one drone
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    with db.session() as s:
        users.add_user(s, "ana", "operator", "ana-password")
    return SimpleNamespace(path=path, db=db, scans=list(TracksFile(path).scans()), T0=svc.T0)


def resolve_through_api(db: Database, incident: str) -> dict[str, object]:
    with TestClient(create_app(db, InProcessBus())) as client:
        tok = client.post("/api/token", data={"username": "ana", "password": "ana-password"})
        h = {"Authorization": f"Bearer {tok.json()['access_token']}"}
        r = client.post(f"/api/incidents/{incident}/resolve", json={"comment": "a kite"}, headers=h)
        assert r.status_code == 200, r.text
        return dict(r.json())


def event_times(db: Database, incident: str) -> list[float]:
    with db.session() as s:
        return [e["t"] for e in incidents.detail(s, incident)["events"]]


def filed_times(db: Database, incident: str) -> list[float]:
    """When each event reached the analyzer's output: a zone entry held until the track
    is confident is stamped when it happened and carries ``reported_after_s``."""
    with db.session() as s:
        events = incidents.detail(s, incident)["events"]
    return [e["t"] + float(e.get("attrs", {}).get("reported_after_s") or 0.0) for e in events]


def tracks_incidents(db: Database, track: str) -> list[str]:
    with db.session() as s:
        return sorted(i["id"] for i in incidents.query(s) if track in i["tracks"])


def test_left_alone_the_later_entry_joins_the_first_incident(night: SimpleNamespace) -> None:
    run_to_end(pipeline(night.db, night.path))
    late = [t for t in event_times(night.db, "I00001") if t > night.T0 + RESOLVE_AFTER]
    assert late, "the control: without an operator, I00001 gets the later zone entry"
    assert tracks_incidents(night.db, "T000001") == ["I00001"]


def test_a_resolution_through_the_api_reaches_the_running_analyzer(night: SimpleNamespace) -> None:
    p = pipeline(night.db, night.path)
    run_to_end(p, night.scans[:RESOLVE_AFTER])
    assert resolve_through_api(night.db, "I00001")["state"] == "resolved"
    with night.db.session() as s:
        before = incidents.detail(s, "I00001")
    run_to_end(p, night.scans[RESOLVE_AFTER:])  # the same pipeline, the same analyzer
    assert isinstance(p.analyzer, Analyzer)
    inc = {i.id: i for i in p.analyzer.incidents}["I00001"]
    assert inc.state is IncidentState.RESOLVED
    assert any(a.get("by") == "ana" and a["what"] == "resolved" for a in inc.audit)
    assert p.operators.applied == 1
    with night.db.session() as s:
        after = incidents.detail(s, "I00001")
    assert after["events"] == before["events"], "no event filed under the resolved incident"
    assert after["recommendations"] == before["recommendations"], "no measure renewed on it"
    assert after["state"] == "resolved"
    newer = [i for i in tracks_incidents(night.db, "T000001") if i != "I00001"]
    assert newer, "the drone's later zone entry opened a new incident"
    assert all(t > night.T0 + RESOLVE_AFTER for i in newer for t in filed_times(night.db, i))


def test_a_restart_hears_the_stored_resolution_again(night: SimpleNamespace) -> None:
    run_to_end(pipeline(night.db, night.path), night.scans[:RESOLVE_AFTER])
    resolve_through_api(night.db, "I00001")
    again = pipeline(night.db, night.path)  # the process died; a new one rebuilds its state
    run_to_end(again)
    assert again.fast_forwarded == RESOLVE_AFTER
    assert isinstance(again.analyzer, Analyzer)
    assert {i.id: i for i in again.analyzer.incidents}["I00001"].state is IncidentState.RESOLVED
    late = [t for t in event_times(night.db, "I00001") if t > night.T0 + RESOLVE_AFTER]
    assert late == []
    assert len(tracks_incidents(night.db, "T000001")) == 2


def test_the_analyzer_and_the_store_refuse_the_same_change(night: SimpleNamespace) -> None:
    p = pipeline(night.db, night.path)
    run_to_end(p, night.scans[:5])
    assert isinstance(p.analyzer, Analyzer)
    p.analyzer.resolve("I00001", night.T0 + 5, "ana")
    with pytest.raises(InvalidTransition, match="already resolved"):
        p.analyzer.resolve("I00001", night.T0 + 6, "ana")
    with pytest.raises(InvalidTransition, match="is resolved, not open"):
        p.analyzer.acknowledge("I00001", night.T0 + 6, "ana")
    with night.db.session() as s:
        incidents.act(s, "I00001", "ana", "resolve", "a kite")
    with pytest.raises(InvalidTransition, match="already resolved"), night.db.session() as s:
        incidents.act(s, "I00001", "ana", "resolve", "again")


def test_an_acknowledgement_and_a_note_reach_the_analyzer_too(night: SimpleNamespace) -> None:
    p = pipeline(night.db, night.path)
    run_to_end(p, night.scans[:RESOLVE_AFTER])
    with TestClient(create_app(night.db, InProcessBus())) as client:
        tok = client.post("/api/token", data={"username": "ana", "password": "ana-password"})
        h = {"Authorization": f"Bearer {tok.json()['access_token']}"}
        assert client.post("/api/incidents/I00001/acknowledge", headers=h).status_code == 200
        r = client.post("/api/incidents/I00001/notes", json={"comment": "tower told"}, headers=h)
        assert r.status_code == 200
    run_to_end(p, night.scans[RESOLVE_AFTER : RESOLVE_AFTER + 1])
    assert isinstance(p.analyzer, Analyzer)
    inc = {i.id: i for i in p.analyzer.incidents}["I00001"]
    assert inc.state is IncidentState.ACKNOWLEDGED
    t = night.scans[RESOLVE_AFTER].t
    assert {"t": t, "what": "note: tower told", "by": "ana"} in inc.audit
