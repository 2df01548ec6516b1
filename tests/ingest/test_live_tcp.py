"""Live sources: a local TCP server replays SBS and Beast recordings, drops once.

The TCP sources must give exactly the Detections of reading the same files, with the
server closing the connection once midway (the client reconnects with back-off and
keeps its per-aircraft state). A cut in the middle of a frame costs that one frame,
quarantined as ``truncated``, and nothing else.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from skywarden.ingest.base import IngestOptions
from skywarden.ingest.beast import BeastParser
from skywarden.ingest.sink import Sink
from skywarden.ingest.sources import FileSource, TcpSource, run_sources
from skywarden.model import Detection

T0 = 1_720_000_000.0


def timestamped_sbs(msgs: Path) -> bytes:
    """The npm sbs1 sample with generated date/time filled in, 50 ms apart."""
    out = []
    for i, line in enumerate(msgs.read_text().splitlines()):
        f = line.split(",")
        s = T0 + i * 0.05
        hh, rem = divmod(s % 86400, 3600)
        mm, ss = divmod(rem, 60)
        f[6] = f[8] = "2024/07/03"
        f[7] = f[9] = f"{int(hh):02d}:{int(mm):02d}:{ss:06.3f}"
        out.append(",".join(f))
    return ("\n".join(out) + "\n").encode()


def beast_frame_starts(data: bytes) -> list[int]:
    """Offsets where Beast frames start (a lone 0x1a followed by a type byte)."""
    starts, i = [], 0
    while i < len(data) - 1:
        if data[i] == 0x1A:
            if data[i + 1] == 0x1A:
                i += 2
                continue
            starts.append(i)
        i += 1
    return starts


async def serve_twice(parts: list[bytes]) -> tuple[asyncio.Server, int]:
    """A server sending ``parts[k]`` on its k-th connection, then closing it."""
    queue = list(parts)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = queue.pop(0) if queue else b""
        for i in range(0, len(data), 1000):  # several segments, like a live feed
            writer.write(data[i : i + 1000])
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def read_file(path: Path, fmt: str, opts: IngestOptions) -> Sink:
    sink = Sink(keep=True)
    asyncio.run(run_sources([FileSource("feed", fmt, opts, path=path)], sink))
    return sink


def read_tcp(parts: list[bytes], fmt: str, opts: IngestOptions) -> Sink:
    sink = Sink(keep=True)

    async def go() -> None:
        server, port = await serve_twice(parts)
        async with server:
            src = TcpSource(
                "feed", fmt, opts, port=port, backoff_s=0.05, max_connections=len(parts)
            )
            await asyncio.wait_for(run_sources([src], sink), 20)
            assert src.connections == len(parts)

    asyncio.run(go())
    return sink


@pytest.mark.parametrize("kind", ["sbs", "beast"])
def test_tcp_replay_with_one_drop_equals_the_file(
    kind: str, tmp_path: Path, sbs1_msgs: Path, dump1090_bin: Path
) -> None:
    opts = IngestOptions(reference_time=T0)
    if kind == "sbs":
        data = timestamped_sbs(sbs1_msgs)
        cut = data.index(b"\n", len(data) // 2) + 1  # the server stops between lines
    else:
        data = dump1090_bin.read_bytes()
        starts = beast_frame_starts(data)
        cut = starts[len(starts) // 2]  # ... and between frames
    path = tmp_path / f"feed.{kind}"
    path.write_bytes(data)
    from_file = read_file(path, kind, opts)
    live = read_tcp([data[:cut], data[cut:]], kind, opts)
    assert len(from_file.detections) > 0
    assert live.detections == from_file.detections
    assert live.rejections == from_file.rejections == []


def test_drop_inside_a_beast_frame_costs_only_that_frame(dump1090_bin: Path) -> None:
    data = dump1090_bin.read_bytes()
    opts = IngestOptions(reference_time=T0)
    starts = beast_frame_starts(data)
    cut = starts[len(starts) // 2] + 5  # mid-frame
    # The server resumes at the next frame boundary, as dump1090 does for a new client.
    resume = next(s for s in starts if s > cut)
    live = read_tcp([data[:cut], data[resume:]], "beast", opts)
    (rej,) = live.rejections
    assert rej.reason == "truncated" and rej.offset == cut - 5
    whole = BeastParser("feed", opts)
    from_file = [o for o in whole.feed(data, T0) if isinstance(o, Detection)]
    lost = [
        o
        for o in BeastParser("x", opts).feed(data[cut - 5 : resume], T0)
        if isinstance(o, Detection)
    ]
    assert all(d in from_file for d in live.detections)
    assert len(live.detections) == len(from_file) - len(lost)


def test_tcp_source_retries_until_a_server_appears() -> None:
    sink = Sink(keep=True)
    line = (
        b"MSG,3,1,1,4CA2D6,1,2024/07/03,10:00:00.000,2024/07/03,10:00:00.000,"
        b",36000,,,53.02551,-2.91389,,,0,0,0,0\n"
    )

    async def go() -> None:
        probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = probe.sockets[0].getsockname()[1]
        probe.close()
        await probe.wait_closed()  # nothing listens on port now
        src = TcpSource(
            "late", "sbs", IngestOptions(), port=port, backoff_s=0.05, max_connections=1
        )
        task = asyncio.create_task(run_sources([src], sink))
        await asyncio.sleep(0.3)  # a few failed attempts with back-off

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(line)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await asyncio.wait_for(task, 10)

    asyncio.run(go())
    assert len(sink.detections) == 1
