"""The bus seam on both transports: in-process, and NATS JetStream on a throwaway server."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from nats_throwaway import start_nats
from skywarden.bus import InProcessBus, Message


def test_in_process_fan_out_by_topic_and_drop_oldest() -> None:
    async def go() -> None:
        bus = InProcessBus(maxsize=2)
        tracks = bus.subscribe(["tracks"])
        everything = bus.subscribe(["tracks", "clock"])
        for t in range(3):
            await bus.publish("tracks", {"t": t})
        await bus.publish("clock", {"t": 3})
        assert [(await tracks.get()).data["t"] for _ in range(2)] == [1, 2]
        assert tracks.dropped == 1
        got = [await everything.get() for _ in range(2)]
        assert [(m.topic, m.data["t"]) for m in got] == [("tracks", 2), ("clock", 3)]
        everything.close()
        await bus.publish("clock", {"t": 4})
        assert everything.queue.empty()

    asyncio.run(go())


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_nats(tmp_path_factory.mktemp("jetstream"))
    yield url
    proc.terminate()
    proc.wait(10)


def test_jetstream_round_trip_and_messages_are_stored(nats_url: str) -> None:
    from skywarden.bus.jetstream import NatsBus

    async def go() -> None:
        bus = await NatsBus.connect(nats_url)
        sub = bus.subscribe(["tracks", "clock"])
        await sub.ready
        await bus.publish("tracks", {"t": 1.0, "tracks": [{"track": "T000001"}]})
        await bus.publish("incidents", {"incidents": []})  # not subscribed
        await bus.publish("clock", {"t": 1.0})
        first = await asyncio.wait_for(sub.get(), 5)
        second = await asyncio.wait_for(sub.get(), 5)
        assert (first.topic, first.data["tracks"][0]["track"]) == ("tracks", "T000001")
        assert (second.topic, second.data) == ("clock", {"t": 1.0})
        info = await bus.js.stream_info("SKYWARDEN")
        assert info.state.messages == 3  # stored by the server, not just relayed
        sub.close()
        await bus.close()

    asyncio.run(go())


def test_jetstream_unreachable_server_is_named() -> None:
    from skywarden.bus.jetstream import NatsBus, NatsBusError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"nats://127.0.0.1:{port}"
    with pytest.raises(NatsBusError, match="cannot connect") as e:
        asyncio.run(NatsBus.connect(url))
    assert url in str(e.value)


def test_serve_over_jetstream_feeds_browsers_and_other_machines(
    nats_url: str, tmp_path: Path, svc: SimpleNamespace
) -> None:
    """``serve --bus nats://...``: the pipeline publishes through JetStream, the live feed
    reads it back, and any other subscriber of the stream sees the same scans."""
    from websockets.sync.client import connect

    from skywarden.bus.jetstream import NatsBus

    tracks = svc.write_scene(tmp_path / "night", seconds=300, n_tracks=2)
    db = f"sqlite:///{tmp_path / 's.db'}"
    pw = svc.add_user(db, "ana", "analyst", tmp_path)

    async def other_machine() -> Message:
        bus = await NatsBus.connect(nats_url)
        sub = bus.subscribe(["tracks"])
        await sub.ready
        msg = await asyncio.wait_for(sub.get(), 20)
        await bus.close()
        return msg

    server = svc.Served(
        ["--db", db, "--source", f"tracks:{tracks}", "--speed", "5", "--bus", nats_url], tmp_path
    )
    try:
        seen = asyncio.run(other_machine())
        # the recording's T000001, T000002 in the store's first run (skywarden.store.ids)
        assert {t["track"] for t in seen.data["tracks"]} == {"T1-000001", "T1-000002"}
        tok = server.token("ana", pw)["Authorization"].split()[1]
        ws_url = server.url.replace("http", "ws") + f"/api/ws?token={tok}"
        with connect(ws_url, max_size=2**24) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"
            batch = json.loads(ws.recv(timeout=10))
        assert batch["type"] == "batch" and len(batch["tracks"]) == 2
    finally:
        server.stop()
