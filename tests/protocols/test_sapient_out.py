"""skywarden as a SAPIENT node towards a parent fusion node: registration, DetectionReports
for confirmed tracks, Alerts for incidents, read back with the binding."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sapient_msg.bsi_flex_335_v2_0 import alert_pb2, sapient_message_pb2

from skywarden.bus import InProcessBus
from skywarden.ingest.sapient import SapientParser, ack
from skywarden.model import Detection
from skywarden.protocols.sapient_out import (
    SapientEncoder,
    SapientOutError,
    SapientUpstream,
    parse_url,
)

T = 1_770_778_800.0


def point(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "t": T,
        "track": "T7",
        "status": "confirmed",
        "lat": 31.7612345,
        "lon": -106.4854321,
        "alt_m": 1250.0,
        "velocity": [3.0, -4.0, 0.5],
        "cls": "drone",
        "class_probs": {"drone": 0.9, "bird": 0.08, "manned": 0.02, "unknown": 0.0},
    }
    d.update(kw)
    return d


INCIDENT = {
    "id": "I3",
    "t_open": T,
    "t_updated": T + 5,
    "severity": 4,
    "state": "open",
    "kind": "incursion",
    "summary": "incursion: border_crossing (T7)",
    "tracks": ["T7"],
    "lat": 31.76,
    "lon": -106.48,
}


def parse(frame: bytes) -> sapient_message_pb2.SapientMessage:
    assert int.from_bytes(frame[:4], "little") == len(frame) - 4
    m = sapient_message_pb2.SapientMessage()
    m.ParseFromString(frame[4:])
    return m


def test_detection_reports_read_back_with_the_binding() -> None:
    enc = SapientEncoder()
    assert enc.detection(point(status="tentative")) is None
    first = parse(enc.detection(point()) or b"")
    later = parse(enc.detection(point(t=T + 1)) or b"")
    d = first.detection_report
    assert first.node_id == enc.node_id and first.timestamp.seconds == int(T)
    assert (d.location.y, d.location.x, d.location.z) == (31.7612345, -106.4854321, 1250.0)
    assert (d.enu_velocity.east_rate, d.enu_velocity.north_rate) == (3.0, -4.0)
    assert [(c.type, round(c.confidence, 2)) for c in d.classification] == [
        ("UAV", 0.9),
        ("Bird", 0.08),
        ("Manned Aircraft", 0.02),
    ]
    assert later.detection_report.object_id == d.object_id  # one object per track
    assert later.detection_report.report_id != d.report_id
    ended = parse(enc.detection(point(t=T + 2, status="ended")) or b"")
    assert ended.detection_report.state == "lost"


def test_a_sapient_fusion_node_reads_what_we_send_as_the_same_drone() -> None:
    """Our own inbound side as the parent: the same class vocabulary both ways."""
    enc = SapientEncoder()
    parser = SapientParser("parent")
    items = parser.feed(enc.registration(T) + (enc.detection(point()) or b""))
    (det,) = items
    assert isinstance(det, Detection) and det.sensor == "skywarden"
    assert det.attrs["class_report"] == "drone"
    assert det.attrs["class_confidence"] == pytest.approx(0.9)


def test_alerts_follow_the_incident() -> None:
    enc = SapientEncoder()
    enc.detection(point())
    rec = {"action": "verify", "reasons": ["one sensor only"]}
    a = parse(enc.alert(INCIDENT, rec) or b"").alert
    assert a.alert_type == alert_pb2.Alert.AlertType.ALERT_TYPE_CRITICAL
    assert a.status == alert_pb2.Alert.AlertStatus.ALERT_STATUS_ACTIVE
    assert "border_crossing" in a.description and "recommend verify" in a.description
    assert [x.object_id for x in a.associated_detection] == [enc.objects["T7"]]
    done = parse(enc.alert({**INCIDENT, "state": "resolved"}) or b"").alert
    assert done.alert_id == a.alert_id
    assert done.status == alert_pb2.Alert.AlertStatus.ALERT_STATUS_CLEAR
    assert enc.alert({**INCIDENT, "lat": None}) is None


def test_url_errors() -> None:
    assert parse_url("tcp://parent:5020") == ("parent", 5020)
    for bad in ("udp://h:1", "tcp://h", "tcp://:5"):
        with pytest.raises(SapientOutError, match="tcp://HOST:PORT"):
            parse_url(bad)


def test_upstream_registers_then_streams_to_a_parent_on_loopback() -> None:
    beats: list[sapient_message_pb2.SapientMessage] = []

    async def main() -> list[sapient_message_pb2.SapientMessage]:
        got: list[sapient_message_pb2.SapientMessage] = []
        enough = asyncio.Event()

        async def parent(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            while True:
                try:
                    n = int.from_bytes(await r.readexactly(4), "little")
                    m = sapient_message_pb2.SapientMessage()
                    m.ParseFromString(await r.readexactly(n))
                except asyncio.IncompleteReadError:
                    return
                if m.WhichOneof("content") == "status_report":
                    beats.append(m)
                    continue
                got.append(m)
                if m.WhichOneof("content") == "registration":
                    w.write(ack(m.node_id))
                    await w.drain()
                if len(got) >= 4:
                    enough.set()

        server = await asyncio.start_server(parent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        bus = InProcessBus()
        up = SapientUpstream("127.0.0.1", port, bus)
        up.start()
        await asyncio.wait_for(up.registered.wait(), 5)
        await bus.publish("tracks", {"tracks": [point(), point(track="T8", status="tentative")]})
        await bus.publish("incidents", {"incidents": [INCIDENT]})
        await bus.publish("tracks", {"tracks": [point(t=T + 1)]})
        await asyncio.wait_for(enough.wait(), 5)
        await up.stop()
        server.close()
        return got

    got = asyncio.run(main())
    kinds = [m.WhichOneof("content") for m in got]
    assert kinds == ["registration", "detection_report", "alert", "detection_report"]
    assert got[0].registration.node_definition[0].node_type == 20  # NODE_TYPE_FUSION_NODE
    assert [b.type for b in got[3].detection_report.behaviour] == ["Incursion"]
    assert beats and beats[0].status_report.system == 1  # SYSTEM_OK heartbeat after the ack


def test_attach_runs_with_the_app(tmp_path: Any, monkeypatch: Any) -> None:
    from skywarden.protocols.outputs import attach_outputs
    from skywarden.service.app import create_app
    from skywarden.store import Database

    monkeypatch.setenv("SKYWARDEN_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    app = create_app(db)

    async def main() -> str:
        registered = asyncio.Event()
        node: list[str] = []

        async def parent(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            n = int.from_bytes(await r.readexactly(4), "little")
            m = sapient_message_pb2.SapientMessage()
            m.ParseFromString(await r.readexactly(n))
            node.append(m.registration.short_name)
            registered.set()

        server = await asyncio.start_server(parent, "127.0.0.1", 0)
        attach_outputs(app, sapient=[f"tcp://127.0.0.1:{server.sockets[0].getsockname()[1]}"])
        async with app.router.lifespan_context(app):
            await asyncio.wait_for(registered.wait(), 5)
        server.close()
        return node[0]

    assert asyncio.run(main()) == "skywarden"
    db.dispose()
