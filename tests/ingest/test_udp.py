"""A UDP listener receives Remote ID broadcasts, one datagram per aircraft's pack."""

from __future__ import annotations

import asyncio

from skywarden.ingest.base import IngestOptions
from skywarden.ingest.examples import EXAMPLES
from skywarden.ingest.sink import Sink
from skywarden.ingest.sources import UdpSource, run_sources

T = 1_770_779_400.0


def test_udp_datagrams_become_detections_and_a_cut_datagram_is_truncated() -> None:
    pack = EXAMPLES["rid"][: 3 + 3 * 25]  # Basic ID, Location, System
    sink = Sink(keep=True)

    async def go() -> None:
        loop = asyncio.get_running_loop()
        bound: asyncio.Future[int] = loop.create_future()
        src = UdpSource(
            "udp",
            "rid",
            IngestOptions(reference_time=T),
            host="127.0.0.1",
            port=0,
            max_datagrams=2,
            bound=bound,
        )
        task = asyncio.create_task(run_sources([src], sink))
        port = await bound
        transport, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=("127.0.0.1", port)
        )
        transport.sendto(pack)
        transport.sendto(pack[:40])  # a receiver that cut its datagram short
        await asyncio.wait_for(task, 5)
        transport.close()

    asyncio.run(go())
    (det,) = sink.detections
    assert det.identity is not None and det.identity.rid_serial == "1596A12345678901"
    (rej,) = sink.rejections
    assert rej.reason == "truncated"
