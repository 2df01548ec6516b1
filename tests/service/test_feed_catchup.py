"""Live feed catch-up: a client that reconnects with ``?since=<cursor>`` gets what it
missed, in order, once, redacted for its role; beyond the window, a snapshot and a gap."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from skywarden.bus import InProcessBus
from skywarden.service import hub as hub_module
from skywarden.service.app import create_app
from skywarden.store import Database

INCIDENTS = ["I-open", "I-shared"]
SHARED = ["I-shared"]
# the feed never touches the database after start-up: one backend is enough here
pytestmark = pytest.mark.parametrize("template", ["sqlite"], indirect=True)


def portal(client: TestClient) -> Any:
    """The test client's event-loop portal (there while the client is open)."""
    assert client.portal is not None
    return client.portal


def recv(ws: Any, timeout_s: float = 10.0) -> dict[str, Any]:
    """The next message, or a failure after ``timeout_s`` (the test client's own
    ``receive_json`` would wait for ever)."""

    async def get() -> Any:
        with anyio.fail_after(timeout_s):
            return await ws._send_rx.receive()

    msg = ws.portal.call(get)
    ws._raise_on_close(msg)
    return dict(json.loads(msg["text"]))


def wait_until(cond: Callable[[], bool], timeout_s: float, what: str) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def track(tid: str, t: float, lat: float = 31.7543) -> dict[str, Any]:
    return {
        "t": t,
        "track": tid,
        "status": "confirmed",
        "lat": lat,
        "lon": -106.4367891,
        "alt_m": 1234.5,
        "velocity": [5.0, 1.0, 0.0],
        "cls": "drone",
    }


def ids(msg: dict[str, Any]) -> list[str]:
    i = msg["track_fields"].index("track")
    return [r[i] for r in msg["tracks"]]


@pytest.fixture
def env(seeded_url: str, template: SimpleNamespace) -> Iterator[Any]:
    db = Database(seeded_url)
    bus = InProcessBus()
    with TestClient(create_app(db, bus)) as client:
        hub = client.app.state.ctx.hub  # type: ignore[attr-defined]

        def scan(t: float, *tracks: dict[str, Any]) -> None:
            """One scan published, and waited for until the hub has flushed it."""
            before = hub.seq
            portal(client).call(
                bus.publish, "tracks", {"t": t, "pub": time.time(), "tracks": list(tracks)}
            )
            portal(client).call(bus.publish, "clock", {"t": t})
            wait_until(lambda: hub.seq > before, 5, f"the scan at {t} flushed")

        def url(role: str, since: str | None = None) -> str:
            tok = template.headers[role]["Authorization"].split()[1]
            return f"/api/ws?token={tok}" + (f"&since={since}" if since else "")

        yield SimpleNamespace(client=client, hub=hub, scan=scan, url=url)
    db.dispose()


def test_a_reconnecting_client_gets_what_it_missed_once_and_in_order(env: Any) -> None:
    with env.client.websocket_connect(env.url("operator")) as ws:
        snap = recv(ws)
        assert snap["type"] == "snapshot" and snap["cursor"] == env.hub.cursor(snap["seq"])
        env.scan(2001.0, track("T000001", 2001.0))
        first = recv(ws)
        assert ids(first) == ["T000001"] and first["seq"] == snap["seq"] + 1
        cursor = first["cursor"]
    # away: three scans the client does not see
    for k in (2, 3, 4):
        env.scan(2000.0 + k, track(f"T00000{k}", 2000.0 + k))
    with env.client.websocket_connect(env.url("operator", cursor)) as ws:
        resume = recv(ws)
        assert resume["type"] == "resume" and resume["batches"] == 3
        missed = [recv(ws) for _ in range(3)]
        assert [ids(m) for m in missed] == [["T000002"], ["T000003"], ["T000004"]]
        assert [m["seq"] for m in missed] == [first["seq"] + 1, first["seq"] + 2, first["seq"] + 3]
        assert all(m["type"] == "batch" and m["replay"] for m in missed)
        env.scan(2005.0, track("T000005", 2005.0))
        live = recv(ws)  # the seam: the next batch, not a repeat, not a skip
        assert ids(live) == ["T000005"] and live["seq"] == missed[-1]["seq"] + 1
        assert "replay" not in live


def test_nothing_missed_resumes_with_no_batches(env: Any) -> None:
    with env.client.websocket_connect(env.url("analyst")) as ws:
        cursor = recv(ws)["cursor"]
    with env.client.websocket_connect(env.url("analyst", cursor)) as ws:
        assert recv(ws) == {"type": "resume", "since": cursor, "batches": 0, "cursor": cursor}
        env.scan(2001.0, track("T000001", 2001.0))
        assert ids(recv(ws)) == ["T000001"]


def test_a_partner_catches_up_on_redacted_history_only(env: Any) -> None:
    with env.client.websocket_connect(env.url("partner")) as ws:
        cursor = recv(ws)["cursor"]
    # T000001 is the unshared incident's track, T000002 the shared one's (seeded store)
    env.scan(2001.0, track("T000001", 2001.0), track("T000002", 2001.0, lat=31.7643))
    with env.client.websocket_connect(env.url("partner", cursor)) as ws:
        assert recv(ws)["batches"] == 1
        missed = recv(ws)
        assert ids(missed) == ["T000002"]
        row = dict(zip(missed["track_fields"], missed["tracks"][0], strict=True))
        assert (row["lat"], row["lon"], row["alt_m"], row["ve"]) == (31.76, -106.44, 1200, None)
        assert "I-open" not in json.dumps(missed) and missed["laser"] is None


def test_the_snapshot_seam_has_no_duplicate(env: Any) -> None:
    """Changes the hub holds but has not flushed yet are in the snapshot, and not again
    in the first live batch."""
    portal(env.client).call(
        env.hub.bus.publish, "tracks", {"t": 2001.0, "tracks": [track("T000001", 2001.0)]}
    )
    wait_until(lambda: "T000001" in env.hub.tracks, 5, "the track applied")
    with env.client.websocket_connect(env.url("operator")) as ws:
        snap = recv(ws)
        assert "T000001" in ids(snap)
        env.scan(2002.0, track("T000002", 2002.0))
        nxt = recv(ws)
        assert ids(nxt) == ["T000002"] and nxt["seq"] == snap["seq"] + 1


@pytest.mark.parametrize(
    ("since", "reason"),
    [
        ("deadbeef-1", "earlier run"),
        ("not-a-cursor", "not a cursor"),
        ("x" * 500, "not a cursor"),
        ("{epoch}-999999", "ahead of the feed"),
    ],
)
def test_an_unusable_cursor_gets_a_snapshot_and_a_gap(env: Any, since: str, reason: str) -> None:
    since = since.replace("{epoch}", env.hub.epoch)
    if since == "deadbeef-1" and env.hub.epoch == "deadbeef":
        since = "deadbee0-1"
    env.scan(2001.0, track("T000001", 2001.0))
    with env.client.websocket_connect(env.url("operator", since)) as ws:
        snap = recv(ws)
        assert snap["type"] == "snapshot" and reason in snap["gap"]["reason"]
        assert ids(snap) == ["T000001"]  # the present, from which the client goes on


def test_beyond_the_window_the_client_gets_a_gap(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "HISTORY_BATCHES", 3)
    with env.client.websocket_connect(env.url("operator")) as ws:
        cursor = recv(ws)["cursor"]
    for k in range(1, 6):
        env.scan(2000.0 + k, track(f"T00000{k}", 2000.0 + k))
    assert len(env.hub._history) == 3  # bounded
    with env.client.websocket_connect(env.url("operator", cursor)) as ws:
        snap = recv(ws)
        assert snap["type"] == "snapshot"
        assert "older than the catch-up window" in snap["gap"]["reason"]
        assert sorted(ids(snap)) == [f"T00000{k}" for k in range(1, 6)]
