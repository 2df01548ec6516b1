"""The live CoT feed: bus in, TAK out, to a pytak receiver and a TCP server on loopback."""

from __future__ import annotations

import asyncio
import socket
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlparse

import pytest
import takproto

from skywarden.bus import InProcessBus
from skywarden.protocols._pytak import pytak
from skywarden.protocols.cot_feed import CotFeed
from skywarden.protocols.cot_publisher import CotPublisher, CotSpecError, parse_cot_url
from skywarden.protocols.outputs import attach_outputs

T0 = 1_780_000_000.0


def tr(tid: str, t: float, cls: str = "drone", status: str = "confirmed") -> dict[str, Any]:
    return {
        "t": t,
        "track": tid,
        "status": status,
        "lat": 31.7612345,
        "lon": -106.4854321,
        "alt_m": 1234.5,
        "velocity": [5.0, 1.0, 0.0],
        "cls": cls,
        "class_probs": {cls: 1.0},
        "identities": ["rid:SERIAL-SECRET"],
        "sensors": ["radar-downtown"],
    }


def inc(iid: str, tracks: list[str], shared: bool) -> dict[str, Any]:
    return {
        "id": iid,
        "t_open": T0,
        "t_updated": T0,
        "severity": 2,
        "state": "open",
        "kind": "incursion",
        "tracks": tracks,
        "lat": 31.7612345,
        "lon": -106.4854321,
        "shared": shared,
        "summary": f"incursion: border_crossing ({', '.join(tracks)})",
    }


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_url_settings_and_errors() -> None:
    t = parse_cot_url("udp://239.2.3.1:6969?format=proto&role=partner")
    assert (t.scheme, t.host, t.port, t.proto, t.partner, t.multicast) == (
        "udp",
        "239.2.3.1",
        6969,
        True,
        True,
        True,
    )
    assert not parse_cot_url("tcp://127.0.0.1:8087").partner
    for bad in ("http://x:1", "udp://:6969", "udp://h", "udp://h:1?role=admin", "tcp://h:1?x=1"):
        with pytest.raises(CotSpecError, match=r"udp|tcp|port|role|unknown"):
            parse_cot_url(bad)


def test_stale_follows_each_tracks_own_update_rate() -> None:
    feed = CotFeed()
    feed.on_message("tracks", {"tracks": [tr("A", T0), tr("B", T0)]})
    evs = feed.on_message("tracks", {"tracks": [tr("A", T0 + 10), tr("B", T0 + 2)]})
    stale = {e.get("uid"): e.get("stale") for e in evs}
    assert stale["skywarden-track-A"] == _iso(T0 + 10 + 30)
    assert stale["skywarden-track-B"] == _iso(T0 + 2 + 6)


def _iso(t: float) -> str:
    from skywarden.protocols.cot import cot_time

    return cot_time(t)


def test_partner_stream_is_redacted_by_the_apis_code() -> None:
    feed = CotFeed(partner=True)
    feed.on_message("incidents", {"incidents": [inc("I1", ["A"], True), inc("I2", ["B"], False)]})
    evs = feed.on_message("tracks", {"tracks": [tr("A", T0), tr("B", T0)]})
    assert [e.get("uid") for e in evs] == ["skywarden-track-A"]  # B's incident is not shared
    point = evs[0].find("point")
    assert point is not None and point.get("lat") == "31.76" and point.get("lon") == "-106.49"
    text = ET.tostring(evs[0]).decode()
    assert "SERIAL-SECRET" not in text and "radar-downtown" not in text
    # withdrawing the share removes the partner's marker (sent stale at once)
    gone = feed.on_message("incidents", {"incidents": [inc("I1", ["A"], False)]})
    assert [e.get("stale") == e.get("time") for e in gone] == [True]
    assert feed.on_message("tracks", {"tracks": [tr("A", T0 + 1)]}) == []


def test_operator_stream_carries_incident_and_recommendation() -> None:
    feed = CotFeed()
    feed.on_message("incidents", {"incidents": [inc("I1", ["A"], False)]})
    feed.on_message(
        "recommendations",
        {"recommendations": [{"incident": "I1", "action": "notify", "reasons": ["near KELP"]}]},
    )
    (ev,) = feed.on_message("tracks", {"tracks": [tr("A", T0)]})
    assert ev.get("type") == "a-s-A-M-F-Q"
    remarks = ev.find("detail/remarks")
    assert remarks is not None and "recommend notify: near KELP" in (remarks.text or "")
    assert "incursion: border_crossing (A)" in (remarks.text or "")


async def _receive_udp(port: int, n: int) -> list[bytes]:
    reader, _ = await pytak.create_udp_client(urlparse(f"udp+ro://127.0.0.1:{port}"))
    got = []
    for _ in range(n):
        data, _addr = await asyncio.wait_for(reader.recv(), 5)
        got.append(data)
    reader.close()
    return got


@pytest.mark.parametrize("fmt", ["xml", "proto"])
def test_udp_to_a_pytak_receiver_on_loopback(fmt: str) -> None:
    port = free_port(socket.SOCK_DGRAM)

    async def main() -> list[bytes]:
        bus = InProcessBus()
        recv = asyncio.create_task(_receive_udp(port, 2))
        await asyncio.sleep(0.05)
        pub = CotPublisher(parse_cot_url(f"udp://127.0.0.1:{port}?format={fmt}"), bus)
        await pub.start()
        await bus.publish("incidents", {"incidents": [inc("I1", ["A"], False)]})
        await bus.publish("tracks", {"tracks": [tr("A", T0)]})
        try:
            return await recv
        finally:
            await pub.stop()

    got = asyncio.run(main())
    events = [takproto.parse_proto(bytearray(d)).cotEvent for d in got]
    assert [e.uid for e in events] == ["skywarden-incident-I1", "skywarden-track-A"]
    assert events[1].type == "a-s-A-M-F-Q"
    if fmt == "proto":
        assert got[0][:3] == b"\xbf\x01\xbf"  # TAK protocol v1 mesh header
    else:
        assert got[0].startswith(b"<?xml")


def test_tcp_stream_protobuf_to_a_server_on_loopback() -> None:
    async def main() -> bytes:
        received = bytearray()
        done = asyncio.Event()

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            while not done.is_set():
                chunk = await r.read(65536)
                if not chunk:
                    break
                received.extend(chunk)
                if received.count(b"skywarden-track-") >= 2:
                    done.set()
            w.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        bus = InProcessBus()
        pub = CotPublisher(parse_cot_url(f"tcp://127.0.0.1:{port}?format=proto"), bus)
        await pub.start()
        await bus.publish("tracks", {"tracks": [tr("A", T0), tr("B", T0, cls="manned")]})
        await asyncio.wait_for(done.wait(), 5)
        await pub.stop()
        server.close()
        return bytes(received)

    data = asyncio.run(main())
    # stream framing: 0xbf, a varint length, the TakMessage; takproto reads one at a time
    first = takproto.parse_proto(bytearray(data))
    assert first.cotEvent.uid == "skywarden-track-A"
    assert first.cotEvent.type == "a-u-A-M-F-Q"


def test_attach_runs_with_the_app_lifespan(tmp_path: Any, monkeypatch: Any) -> None:
    from skywarden.service.app import create_app
    from skywarden.store import Database

    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    port = free_port(socket.SOCK_DGRAM)
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    app = create_app(db)
    attach_outputs(app, cot=[f"udp://127.0.0.1:{port}"])

    async def main() -> list[bytes]:
        recv = asyncio.create_task(_receive_udp(port, 1))
        await asyncio.sleep(0.05)
        async with app.router.lifespan_context(app):
            await app.state.ctx.bus.publish("tracks", {"tracks": [tr("Z", T0)]})
            return await recv

    (data,) = asyncio.run(main())
    assert b'uid="skywarden-track-Z"' in data
    db.dispose()


def test_a_tak_server_that_comes_up_late_still_gets_the_feed() -> None:
    async def main() -> bytes:
        port = free_port(socket.SOCK_STREAM)
        bus = InProcessBus()
        pub = CotPublisher(parse_cot_url(f"tcp://127.0.0.1:{port}"), bus)
        await pub.start()  # nobody listens yet: the publisher retries, nothing fails
        await bus.publish("tracks", {"tracks": [tr("EARLY", T0)]})
        await asyncio.sleep(0.3)
        received = bytearray()
        done = asyncio.Event()

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            while chunk := await r.read(65536):
                received.extend(chunk)
                if b"skywarden-track-LATE" in received:
                    done.set()

        server = await asyncio.start_server(handle, "127.0.0.1", port)
        await asyncio.wait_for(pub.connected.wait(), 10)
        await bus.publish("tracks", {"tracks": [tr("LATE", T0 + 1)]})
        await asyncio.wait_for(done.wait(), 5)
        await pub.stop()
        server.close()
        return bytes(received)

    data = asyncio.run(main())
    assert b"<?xml" in data and b'uid="skywarden-track-LATE"' in data


def test_multicast_to_the_tak_sa_group() -> None:
    """TAK's situational-awareness group 239.2.3.1 (on a free port), protobuf mesh framing."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("0.0.0.0", 0))
        port = s.getsockname()[1]

    async def main() -> bytes:
        try:
            reader, _ = await pytak.create_udp_client(urlparse(f"udp+ro://239.2.3.1:{port}"))
        except OSError as e:  # a machine without a multicast route
            pytest.skip(f"no multicast here: {e}")
        bus = InProcessBus()
        pub = CotPublisher(parse_cot_url(f"udp://239.2.3.1:{port}?format=proto"), bus)
        await pub.start()
        await bus.publish("tracks", {"tracks": [tr("MC", T0)]})
        try:
            data, _addr = await asyncio.wait_for(reader.recv(), 5)
        finally:
            await pub.stop()
            reader.close()
        return bytes(data)

    data = asyncio.run(main())
    assert data[:3] == b"\xbf\x01\xbf"
    assert takproto.parse_proto(bytearray(data)).cotEvent.uid == "skywarden-track-MC"


def test_partner_stream_from_the_app_knows_incidents_shared_before_it_started(
    tmp_path: Any, monkeypatch: Any
) -> None:
    from skywarden.model import Event, Incident
    from skywarden.service.app import create_app
    from skywarden.store import Database
    from skywarden.store import incidents as store_incidents

    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    with db.session() as s:  # an operator shared I1 (track A) before the service restarted
        for iid, trk in (("I1", "A"), ("I2", "B")):
            ev = Event("border_crossing", T0, trk, 31.76, -106.48, 1200.0)
            store_incidents.upsert(s, [Incident(iid, [trk], T0, 2, events=[ev])])
        store_incidents.act(s, "I1", "op", "share")
    app = create_app(db)
    port = free_port(socket.SOCK_DGRAM)
    attach_outputs(app, cot=[f"udp://127.0.0.1:{port}?role=partner"])

    async def main() -> list[bytes]:
        recv = asyncio.create_task(_receive_udp(port, 1))
        await asyncio.sleep(0.05)
        async with app.router.lifespan_context(app):
            await app.state.ctx.bus.publish("tracks", {"tracks": [tr("B", T0), tr("A", T0)]})
            return await recv

    (data,) = asyncio.run(main())
    assert b'uid="skywarden-track-A"' in data  # B's incident is not shared: never sent
    assert b'lat="31.76"' in data and b"SERIAL-SECRET" not in data
    db.dispose()
