"""The records served, defined once: every dict form of them is the model, field for field."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from skywarden.model import (
    Action,
    Event,
    Incident,
    IncidentState,
    Recommendation,
    TrackStatus,
    TrackUpdate,
)
from skywarden.pipeline import update_dict
from skywarden.service.schemas import TrackPointOut
from skywarden.store import Database, incidents
from skywarden.store import recommendations as store_recs
from skywarden.store.tracks import update_row
from skywarden.views import IncidentView, RecommendationView, TrackPoint

UPDATE = TrackUpdate(
    1_770_778_800.0,
    "T000007",
    TrackStatus.COASTING,
    31.8,
    -106.4,
    1250.0,
    (3.0, -4.0, 0.5),
    (0.0, 0.0, 0.0, 3.0, -4.0, 0.5),
    None,
    {"drone": 0.7, "bird": 0.2, "manned": 0.1},
    identities=("rid:ABC",),
    sensors=("radar-1",),
)


def test_the_api_schema_is_the_record() -> None:
    assert TrackPointOut is TrackPoint


def test_the_bus_form_is_the_record_field_for_field() -> None:
    d = update_dict(UPDATE)
    assert sorted(d) == sorted(TrackPoint.model_fields), "same fields, no more, no fewer"
    p = TrackPoint.model_validate(d)
    assert p.status is TrackStatus.COASTING and p.cls == "drone"
    assert p.velocity == [3.0, -4.0, 0.5]


def test_a_stored_row_reads_back_as_the_bus_form() -> None:
    row = update_row(UPDATE)
    assert (row["ve"], row["vn"], row["vu"]) == (3.0, -4.0, 0.5) and "velocity" not in row
    assert TrackPoint.wire_of_row(SimpleNamespace(**row)) == update_dict(UPDATE)


def test_an_incident_and_a_measure_as_stored_are_their_views(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    ev = Event("zone_entry", 1000.0, "T000001", 31.8, -106.4, 1200.0, {"zone": "KELP-RWY"})
    inc = Incident(id="I00001", tracks=["T000001"], t_open=1000.0, severity=3)
    inc.events.append(ev)
    rec = Recommendation(
        "R00001/1", "I00001", Action.VERIFY, 1000.0, 1600.0, 1060.0, ("a drone near 26R",)
    )
    with db.session() as s:
        incidents.upsert(s, [inc], 1000.0)
        incidents.act(s, "I00001", "ana", "note", "called the tower")
        d = incidents.detail(s, "I00001")
    assert sorted(d) == sorted(IncidentView.model_fields)
    v = IncidentView.model_validate(d)
    assert v.state is IncidentState.OPEN and v.events and v.events[0].kind == "zone_entry"
    assert v.actions and v.actions[0].user == "ana"
    r = store_recs.as_dict(rec)
    assert sorted(r) == sorted(RecommendationView.model_fields)
    assert RecommendationView.model_validate(r).action is Action.VERIFY
    db.dispose()
