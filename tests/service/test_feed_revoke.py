"""An open live feed closes when its token stops being valid (issue 12: a revoked user's
WebSocket must not stream on)."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from skywarden.bus import InProcessBus
from skywarden.service.app import create_app
from skywarden.service.routes import feed
from skywarden.store import Database, users


@pytest.mark.parametrize("revoke", ["disable", "password", "delete"])
def test_open_feed_closes_when_the_user_is_revoked(
    tmp_path: Path, svc: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, revoke: str
) -> None:
    monkeypatch.setattr(feed, "RECHECK_S", 0.1)
    db = Database(f"sqlite:///{tmp_path / 'f.db'}")
    svc.seed_store(db, ["I-1"], [])
    app = create_app(db)
    with TestClient(app) as client:
        tok = svc.login(client, "analyst")["Authorization"].removeprefix("Bearer ")
        with client.websocket_connect("/api/ws", subprotocols=["skywarden.bearer", tok]) as ws:
            assert ws.receive_json()["type"] == "snapshot"
            with db.session() as s:
                if revoke == "disable":
                    users.set_disabled(s, "analyst")
                elif revoke == "password":
                    users.set_password(s, "analyst", "a-new-password-1")
                else:
                    users.delete_user(s, "analyst")
            with pytest.raises(WebSocketDisconnect) as closed:
                _read_until_closed(ws)
            assert closed.value.code == 1008
    db.dispose()


def test_open_feed_keeps_streaming_while_the_token_is_valid(
    tmp_path: Path, svc: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed, "RECHECK_S", 0.05)
    db = Database(f"sqlite:///{tmp_path / 'f.db'}")
    svc.seed_store(db, ["I-1"], [])
    bus = InProcessBus()
    with TestClient(create_app(db, bus)) as client:
        tok = svc.login(client, "analyst")["Authorization"].removeprefix("Bearer ")
        with client.websocket_connect("/api/ws", subprotocols=["skywarden.bearer", tok]) as ws:
            assert ws.receive_json()["type"] == "snapshot"
            time.sleep(0.5)  # about ten re-checks pass
            point = {"t": 2000.0, "track": "T000001", "status": "confirmed", "lat": 31.75}
            point |= {"lon": -106.43, "alt_m": 1234.5, "velocity": [5.0, 1.0, 0.0]}
            point |= {"cls": "drone", "sensors": ["r"], "class_probs": {"drone": 1.0}}
            assert client.portal is not None
            client.portal.call(bus.publish, "tracks", {"t": 2000.0, "pub": 1.0, "tracks": [point]})
            client.portal.call(bus.publish, "clock", {"t": 2000.0})
            assert ws.receive_json()["type"] == "batch"
    db.dispose()


def _read_until_closed(ws: Any, most: int = 200) -> None:
    """Read messages (batches may arrive first) until the server closes the socket."""
    for _ in range(most):
        ws.receive_json()
