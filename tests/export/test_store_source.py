"""Exports from the operations store: history, incidents as operators shared them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skywarden import export as ex
from skywarden.export import data as source
from skywarden.export import partner
from skywarden.model import Event, Incident
from skywarden.store import Database
from skywarden.store import incidents as store_incidents
from skywarden.store import tracks as store_tracks

from .conftest import T0, updates


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "token.key"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    with db.session() as s:
        store_tracks.record_updates(s, updates())
        for iid, trk in (("I1", "D1"), ("I2", "M1")):
            ev = Event("border_crossing", T0 + 3, trk, 31.7615, -106.4854, 1250.0)
            store_incidents.upsert(s, [Incident(iid, [trk], T0 + 3, 2, events=[ev])])
        store_incidents.act(s, "I1", "op", "share")
    db.dispose()
    return url


def test_store_export_follows_the_operators_sharing(store_url: str) -> None:
    data = source.from_store(store_url, since=T0 + 5)
    assert min(p["t"] for p in data.tracks) == T0 + 5
    assert {i["id"] for i in data.incidents} == {"I1", "I2"}
    red = partner.for_partner(data)
    assert [i["id"] for i in red.incidents] == ["I1"]
    assert {p["track"] for p in red.tracks} == {"D1"}
    doc = json.loads(ex.render("incidents", "geojson", red))
    assert doc["features"][0]["geometry"]["coordinates"] == [-106.49, 31.76]
