"""The live feed over /api/ws: snapshot on connect, then batches; redacted for partners."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from skywarden.bus import InProcessBus
from skywarden.service.app import create_app
from skywarden.store import Database

INCIDENTS = ["I-open", "I-shared"]
SHARED = ["I-shared"]
# the feed never touches the database after start-up: one backend is enough here
pytestmark = pytest.mark.parametrize("template", ["sqlite"], indirect=True)


def rows(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """Tracks travel as rows of ``track_fields``; back to dicts for the assertions."""
    return [dict(zip(msg["track_fields"], r, strict=True)) for r in msg["tracks"]]


def track(tid: str, t: float, lat: float) -> dict[str, Any]:
    return {
        "t": t,
        "track": tid,
        "status": "confirmed",
        "lat": lat,
        "lon": -106.4367891,
        "alt_m": 1234.5,
        "velocity": [5.0, 1.0, 0.0],
        "cls": "drone",
        "sensors": ["radar-downtown"],
        "class_probs": {"drone": 1.0},
    }


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    bus = InProcessBus()
    with TestClient(create_app(db, bus)) as client:

        def publish(topic: str, data: dict[str, Any]) -> None:
            client.portal.call(bus.publish, topic, data)

        yield SimpleNamespace(client=client, h=template.headers, publish=publish)
    db.dispose()


def token(h: dict[str, str]) -> str:
    return h["Authorization"].split()[1]


def test_snapshot_then_one_batch_per_scan(env: Any) -> None:
    with env.client.websocket_connect(f"/api/ws?token={token(env.h['operator'])}") as ws:
        snap = ws.receive_json()
        assert snap["type"] == "snapshot"
        assert {i["id"] for i in snap["incidents"]} == set(INCIDENTS)
        env.publish(
            "tracks",
            {
                "t": 2000.0,
                "pub": 1.0,
                "tracks": [track("T000001", 2000.0, 31.7543), track("T000009", 2000.0, 31.9)],
            },
        )
        env.publish("clock", {"t": 2000.0})
        batch = ws.receive_json()
        assert batch["type"] == "batch" and batch["t"] == 2000.0 and batch["pub"] == 1.0
        got = {d["track"]: d for d in rows(batch)}
        assert set(got) == {"T000001", "T000009"}
        assert got["T000001"]["ve"] == 5.0 and "sensors" not in batch["track_fields"]
        # an ended track is announced and leaves the live picture
        env.publish(
            "tracks",
            {
                "t": 2001.0,
                "pub": 2.0,
                "tracks": [{**track("T000009", 2001.0, 31.9), "status": "ended"}],
            },
        )
        env.publish("clock", {"t": 2001.0})
        assert ws.receive_json()["ended"] == ["T000009"]
    live = env.client.get("/api/tracks", headers=env.h["analyst"]).json()
    assert [p["track"] for p in live] == ["T000001"]


def test_partner_feed_is_redacted(env: Any) -> None:
    with env.client.websocket_connect(f"/api/ws?token={token(env.h['partner'])}") as ws:
        snap = ws.receive_json()
        assert [i["id"] for i in snap["incidents"]] == ["I-shared"]
        assert snap["laser"] is None
        # T000002 belongs to the shared incident, T000001 to the unshared one
        env.publish(
            "tracks",
            {
                "t": 2000.0,
                "pub": 1.0,
                "tracks": [track("T000001", 2000.0, 31.7543), track("T000002", 2000.0, 31.7643)],
            },
        )
        env.publish("clock", {"t": 2000.0})
        batch = ws.receive_json()
        got = rows(batch)
        assert [d["track"] for d in got] == ["T000002"]
        assert got[0]["lat"] == 31.76 and got[0]["lon"] == -106.44 and got[0]["alt_m"] == 1200
        assert got[0]["ve"] is None  # no velocity for partners
        assert "I-open" not in str(batch)


@pytest.mark.parametrize("tok", ["", "forged.token", None])
def test_feed_refuses_without_a_valid_token(env: Any, tok: str | None) -> None:
    url = "/api/ws" if tok is None else f"/api/ws?token={tok}"
    with pytest.raises(WebSocketDisconnect) as e, env.client.websocket_connect(url) as ws:
        ws.receive_json()
    assert e.value.code == 1008
