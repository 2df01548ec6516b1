"""With PostgreSQL down the service keeps serving what it can: an open live feed goes on
streaming, and the API answers 503 with Retry-After instead of a 500, until the store is
back (a real PostgreSQL of this test's own, crashed and started again)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from types import ModuleType, SimpleNamespace
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from skywarden.bus import InProcessBus
from skywarden.service.app import create_app
from skywarden.service.routes import feed
from skywarden.store import Database


class Postgres:
    """A throwaway cluster the test can crash and start again on the same port."""

    def __init__(self, pg: ModuleType) -> None:
        self.c = pg.Cluster().start()
        self.url = self.c.url

    def _ctl(self, *args: str) -> None:
        self.c._run(str(self.c.bindir / "pg_ctl"), "-D", str(self.c.data), *args)

    def crash(self) -> None:
        self._ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.c.port} -k {self.c.root}"
        self._ctl("-o", opts, "-l", str(self.c.root / "log"), "-w", "start")


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    import pg_throwaway as pg  # scripts/, on sys.path through tests/conftest.py

    try:
        server = Postgres(pg)
    except pg.PostgresUnavailable as e:
        pytest.skip("server missing: " + str(e))
    yield server
    server.c.stop()


def portal(client: TestClient) -> Any:
    """The test client's event-loop portal (there while the client is open)."""
    assert client.portal is not None
    return client.portal


def recv(ws: Any, timeout_s: float = 10.0) -> dict[str, Any]:
    async def get() -> Any:
        with anyio.fail_after(timeout_s):
            return await ws._send_rx.receive()

    msg = ws.portal.call(get)
    ws._raise_on_close(msg)
    return dict(json.loads(msg["text"]))


def test_feed_streams_and_api_says_503_while_postgres_is_down(
    postgres: Postgres, svc: SimpleNamespace, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(feed, "RECHECK_S", 0.2)  # the token re-check meets the outage
    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "token-secret.key"))
    db = Database(postgres.url)
    svc.seed_store(db, ["I-open"], [])
    bus = InProcessBus()
    with TestClient(create_app(db, bus)) as client:
        h = svc.login(client, "operator")
        tok = h["Authorization"].split()[1]
        with client.websocket_connect(f"/api/ws?token={tok}") as ws:
            assert recv(ws)["type"] == "snapshot"
            postgres.crash()
            r = client.post("/api/incidents/I-open/acknowledge", headers=h)
            assert r.status_code == 503 and r.headers["retry-after"] == "5"
            assert "store is unavailable" in r.json()["detail"]
            time.sleep(0.6)  # a few token re-checks fail on the store: the feed stays open
            point = {
                "t": 2001.0,
                "track": "T000001",
                "status": "confirmed",
                "lat": 31.75,
                "lon": -106.43,
                "alt_m": 1200.0,
                "velocity": [1.0, 0.0, 0.0],
                "cls": "drone",
            }
            portal(client).call(bus.publish, "tracks", {"t": 2001.0, "tracks": [point]})
            portal(client).call(bus.publish, "clock", {"t": 2001.0})
            batch = recv(ws)
            assert batch["type"] == "batch" and batch["tracks"][0][0] == "T000001"
            postgres.start()
            r = client.post("/api/incidents/I-open/acknowledge", headers=h)
            assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    db.dispose()
