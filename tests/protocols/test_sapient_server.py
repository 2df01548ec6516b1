"""The fusion node's TCP server: a simulated sensor node connects on loopback."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

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
        "drone", "bird", "manned", "clutter"
    }  # fmt: skip
    assert [(r.format, r.reason) for r in sink.rejections] == [("sapient", Reason.MISSING_FIELD)]
    assert sink.summary.absorbed[("sapient", "registration")] == 1
