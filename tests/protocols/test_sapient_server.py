"""The fusion node's TCP server: a simulated sensor node connects on loopback."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from sapient_msg.bsi_flex_335_v2_0 import sapient_message_pb2
from sapient_node import SensorNode

from skywarden.ingest.rejection import Reason
from skywarden.ingest.sapient_server import SapientServer
from skywarden.ingest.sink import Sink

T = 1_770_778_800.0


async def read_message(r: asyncio.StreamReader) -> sapient_message_pb2.SapientMessage:
    n = int.from_bytes(await r.readexactly(4), "little")
    m = sapient_message_pb2.SapientMessage()
    m.ParseFromString(await r.readexactly(n))
    return m


def test_a_node_registers_reports_and_survives_its_bad_message(
    el_paso_radar: SimpleNamespace,
) -> None:
    node = SensorNode(el_paso_radar.sensor, el_paso_radar.site.lat, el_paso_radar.site.lon, 1210.0)
    plots = el_paso_radar.plots[:20]
    sink = Sink(keep=True)

    async def main() -> list[str]:
        server = SapientServer("sapient://127.0.0.1:0", "sapient", max_connections=1)
        task = asyncio.create_task(server.run(sink))
        await asyncio.wait_for(server.ready.wait(), 5)
        r, w = await asyncio.open_connection("127.0.0.1", server.port)
        w.write(node.registration(T))
        ack = await asyncio.wait_for(read_message(r), 5)
        w.write(node.status(T) + node.detections(plots[:10]) + node.missing_object_id(T))
        err = await asyncio.wait_for(read_message(r), 5)
        w.write(node.detections(plots[10:]))  # the same connection, after the error
        await w.drain()
        w.close()
        await asyncio.wait_for(task, 5)
        return [
            ack.WhichOneof("content"),
            str(ack.registration_ack.acceptance),
            err.WhichOneof("content"),
            err.error.error_message[0],
        ]

    got = asyncio.run(main())
    assert got[:3] == ["registration_ack", "True", "error"]
    assert "missing_field" in got[3] and "object_id" in got[3]
    assert len(sink.detections) == 20
    assert [d.t for d in sink.detections] == [p.t for p in plots]
    assert {d.attrs["class_report"] for d in sink.detections} <= {
        "drone",
        "bird",
        "manned",
        "clutter",
    }
    assert [(r.format, r.reason) for r in sink.rejections] == [("sapient", Reason.MISSING_FIELD)]
    assert sink.summary.absorbed[("sapient", "registration")] == 1


def test_serve_source_spec_listens_for_nodes(el_paso_radar: SimpleNamespace) -> None:
    """``serve --source sapient://H:P``: the service's live source reads a node."""
    import socket
    import threading
    import time

    from skywarden.service.sources import LiveIngest, SourceSpecError, parse_source

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    live = parse_source(f"sapient://127.0.0.1:{port}")
    assert isinstance(live, LiveIngest)
    node = SensorNode(el_paso_radar.sensor, 31.77, -106.475, 1210.0)
    now = time.time()
    plots = [
        d.__class__(now, d.sensor, d.kind, position=d.position, attrs=d.attrs)
        for d in el_paso_radar.plots[:5]
    ]

    def send() -> None:
        for _ in range(50):  # the server starts with the first scan
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
                    c.sendall(node.registration(now) + node.detections(plots))
                    c.recv(4096)  # the RegistrationAck
                    return
            except OSError:
                time.sleep(0.1)

    threading.Thread(target=send, daemon=True).start()
    got = []
    for scan in live.scans():
        got.extend(scan.detections)
        if len(got) >= 5 or time.time() > now + 10:
            break
    assert len(got) == 5 and all(d.sensor == el_paso_radar.sensor for d in got)
    with pytest.raises(SourceSpecError, match="sapient://HOST:PORT"):
        LiveIngest(["sapient://127.0.0.1:notaport"])


def test_connections_beyond_the_limit_are_refused() -> None:
    async def main() -> tuple[bytes, int]:
        server = SapientServer("sapient://127.0.0.1:0", "sapient", max_clients=1)
        task = asyncio.create_task(server.run(Sink()))
        await asyncio.wait_for(server.ready.wait(), 5)
        _r1, w1 = await asyncio.open_connection("127.0.0.1", server.port)
        await asyncio.sleep(0.1)  # the first is being served
        r2, w2 = await asyncio.open_connection("127.0.0.1", server.port)
        second = await asyncio.wait_for(r2.read(), 5)  # closed at once: EOF
        w1.close()
        w2.close()
        task.cancel()
        return second, server.refused

    assert asyncio.run(main()) == (b"", 1)
