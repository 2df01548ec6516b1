"""The edge forwarder across a NATS outage: a real nats-server stopped, then started again.

What must hold: no message lost, none stored twice, the stream in the order given, and
a replay whose acks were lost de-duplicated by JetStream through ``Nats-Msg-Id``.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skywarden.cluster.forwarder import Forwarder
from skywarden.cluster.spool import DiskSpool, SpoolFull

SUBJECT = "sw.det.s1"
STREAM = "SW_DET_TEST"


class NatsServer:
    """One JetStream nats-server on a loopback port that a test can stop and start again
    (same port, same store directory, as a restarted server would be)."""

    def __init__(self, store: Path) -> None:
        exe = shutil.which("nats-server") or "/usr/sbin/nats-server"
        if not Path(exe).exists():
            pytest.skip("server missing: nats-server: make sysdeps installs Debian's")
        self.exe, self.store = exe, store
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"nats://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 10
        while time.monotonic() < end:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"nats-server on port {self.port} did not start in 10 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # as abrupt as an outage
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path / "jetstream")
    server.start()
    yield server
    server.stop()


async def _make_stream(url: str) -> None:
    import nats
    from nats.js.api import StreamConfig

    nc = await nats.connect(url, connect_timeout=5)
    await nc.jetstream().add_stream(StreamConfig(name=STREAM, subjects=["sw.det.>"]))
    await nc.close()


async def _stream_contents(url: str) -> list[tuple[str, bytes]]:
    """Every message of the stream as (Nats-Msg-Id, payload), in stream order."""
    import nats

    nc = await nats.connect(url, connect_timeout=5)
    js = nc.jetstream()
    info = await js.stream_info(STREAM)
    out: list[tuple[str, bytes]] = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        m = await js.get_msg(STREAM, seq)
        assert m.headers is not None and m.data is not None
        out.append((m.headers["Nats-Msg-Id"], m.data))
    await nc.close()
    return out


def _msgs(a: int, b: int) -> list[tuple[str, str, bytes]]:
    return [(SUBJECT, f"edge1-{i:06d}", f'{{"n":{i}}}'.encode()) for i in range(a, b)]


def test_nats_down_then_up_loses_nothing_duplicates_nothing_keeps_order(
    nats: NatsServer, tmp_path: Path
) -> None:
    async def go() -> None:
        await _make_stream(nats.url)
        spool = DiskSpool(tmp_path / "spool", 1 << 22)
        fwd = Forwarder(nats.url, spool, publish_timeout_s=0.5, backoff_s=(0.05, 0.2))
        await fwd.start(connect_wait_s=0.3)
        for m in _msgs(0, 100):
            await fwd.publish(*m)
        assert fwd.stats.published == 100 and len(spool) == 0
        nats.stop()
        await fwd.publish_many(_msgs(100, 250))  # the outage: all of it to disk
        for m in _msgs(250, 300):
            await fwd.publish(*m)
        assert len(spool) == 200 and fwd.stats.spooled == 200
        nats.start()
        await fwd.publish_many(_msgs(300, 350))  # behind the backlog, not ahead of it
        assert await fwd.drained(timeout_s=20), f"{len(spool)} still spooled after 20 s"
        for m in _msgs(350, 360):  # back to direct publishing
            await fwd.publish(*m)
        assert len(spool) == 0 and spool.bytes_used == 0
        await fwd.close()
        spool.close()
        got = await _stream_contents(nats.url)
        assert got == [(m, p) for _, m, p in _msgs(0, 360)]

    asyncio.run(asyncio.wait_for(go(), 60))


def test_a_restarted_edge_drains_what_it_spooled_before_it_died(
    nats: NatsServer, tmp_path: Path
) -> None:
    async def go() -> None:
        await _make_stream(nats.url)
        nats.stop()
        spool = DiskSpool(tmp_path / "spool", 1 << 22)
        fwd = Forwarder(nats.url, spool, publish_timeout_s=0.3, backoff_s=(0.05, 0.2))
        await fwd.start(connect_wait_s=0.3)
        await fwd.publish_many(_msgs(0, 80))
        await fwd.close()
        spool.close()  # the edge process ends with 80 messages on disk
        nats.start()
        spool = DiskSpool(tmp_path / "spool", 1 << 22)
        assert len(spool) == 80
        fwd = Forwarder(nats.url, spool, backoff_s=(0.05, 0.2))
        await fwd.start(connect_wait_s=0.3)
        assert await fwd.drained(timeout_s=20)
        await fwd.close()
        spool.close()
        assert await _stream_contents(nats.url) == [(m, p) for _, m, p in _msgs(0, 80)]

    asyncio.run(asyncio.wait_for(go(), 60))


def test_a_replay_whose_acks_were_lost_is_deduplicated_by_message_id(
    nats: NatsServer, tmp_path: Path
) -> None:
    """Published and stored, but the edge never learnt it (the ack was lost, or a power
    cut took the spool's ack record): sending them again adds nothing to the stream."""

    async def go() -> None:
        await _make_stream(nats.url)
        spool = DiskSpool(tmp_path / "a", 1 << 22)
        fwd = Forwarder(nats.url, spool)
        await fwd.start(connect_wait_s=0.3)
        await fwd.publish_many(_msgs(0, 50))
        await fwd.close()
        spool.close()
        again = DiskSpool(tmp_path / "b", 1 << 22)  # the same 30 still "pending" + 10 new
        fwd = Forwarder(nats.url, again, backoff_s=(0.05, 0.2))
        nats.stop()
        await fwd.start(connect_wait_s=0.3)
        await fwd.publish_many(_msgs(20, 60))
        assert len(again) == 40
        nats.start()
        assert await fwd.drained(timeout_s=20)
        await fwd.close()
        again.close()
        assert await _stream_contents(nats.url) == [(m, p) for _, m, p in _msgs(0, 60)]

    asyncio.run(asyncio.wait_for(go(), 60))


def test_a_full_spool_pushes_back_on_the_caller(nats: NatsServer, tmp_path: Path) -> None:
    async def go() -> None:
        await _make_stream(nats.url)
        nats.stop()
        spool = DiskSpool(tmp_path / "spool", 4000)
        fwd = Forwarder(nats.url, spool, publish_timeout_s=0.2, backoff_s=(0.05, 0.2))
        await fwd.start(connect_wait_s=0.3)
        with pytest.raises(SpoolFull, match="4000 bytes"):
            await fwd.publish_many(_msgs(0, 1000))
        assert len(spool) == 0  # a refused batch writes nothing
        await fwd.publish_many(_msgs(0, 20))
        assert len(spool) == 20
        await fwd.close()
        spool.close()

    asyncio.run(asyncio.wait_for(go(), 60))


def test_nats_dying_in_the_middle_of_a_drain_loses_and_repeats_nothing(
    nats: NatsServer, tmp_path: Path
) -> None:
    """The server goes away again while the backlog is being sent: some of a batch stored,
    some not, some acks lost. After the second restart the stream is still exact."""

    async def go() -> None:
        await _make_stream(nats.url)
        nats.stop()
        spool = DiskSpool(tmp_path / "spool", 1 << 22)
        fwd = Forwarder(
            nats.url, spool, publish_timeout_s=0.3, backoff_s=(0.05, 0.2), drain_batch=50
        )
        await fwd.start(connect_wait_s=0.3)
        await fwd.publish_many(_msgs(0, 2000))
        nats.start()
        end = asyncio.get_running_loop().time() + 20
        while fwd.stats.replayed < 300:  # same event loop as the drain: no race here
            assert asyncio.get_running_loop().time() < end, "the drain did not start"
            await asyncio.sleep(0.001)
        nats.stop()
        left = len(spool)
        assert 0 < left < 2000  # really in the middle
        await asyncio.sleep(0.5)
        nats.start()
        assert await fwd.drained(timeout_s=30), f"{len(spool)} still spooled"
        await fwd.close()
        spool.close()
        assert await _stream_contents(nats.url) == [(m, p) for _, m, p in _msgs(0, 2000)]

    asyncio.run(asyncio.wait_for(go(), 90))
