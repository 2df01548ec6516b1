"""The core's persister across a PostgreSQL outage: a real server stopped, then started.

What must hold: while PostgreSQL is down nothing is acked (the stream keeps it) and the
persister says the store is down; when it returns every message is written once, in
stream order; a redelivery of messages already committed writes nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from nats_throwaway import start_nats
from skywarden.cluster.persister import Delivered, Persister
from skywarden.store.db import Database
from skywarden.store.schema import TrackPoint as PointRow
from skywarden.views import TrackPoint

STREAM, SUBJECT, DURABLE = "SW_OUT_TEST", "sw.out.s1", "core-store"


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    proc, url = start_nats(tmp_path / "js")
    yield url
    proc.terminate()
    proc.wait(10)


class Postgres:
    """A throwaway cluster of our own (the session's shared one must stay up), which the
    test stops as abruptly as a crash and starts again on the same port and data."""

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

    def remove(self) -> None:
        self.c.stop()


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    import pg_throwaway as pg  # scripts/, on sys.path through tests/conftest.py

    try:
        server = Postgres(pg)
    except pg.PostgresUnavailable as e:
        pytest.skip("server missing: " + str(e))
    yield server
    server.remove()


def _point(i: int) -> bytes:
    return json.dumps(
        {
            "t": 1_800_000_000.0 + i,
            "track": f"T{i % 7:06d}",
            "status": "confirmed",
            "lat": 31.8,
            "lon": -106.4,
            "alt_m": 1200.0,
            "cls": "drone",
            "velocity": [1.0, 2.0, 0.0],
            "class_probs": {"drone": 0.9, "unknown": 0.1},
            "identities": [],
            "sensors": ["radar-1"],
        }
    ).encode()


def write_points(s: Session, batch: Sequence[Delivered]) -> None:
    """What a core does with track points off the stream (here: JSON wire form)."""
    s.execute(insert(PointRow), [TrackPoint.row_of_wire(json.loads(m.data)) for m in batch])


def _stored_times(db: Database) -> list[float]:
    with db.session() as s:
        return [float(t) for t in s.scalars(select(PointRow.t).order_by(PointRow.id))]


async def _until(cond: Callable[[], Awaitable[bool] | bool], timeout_s: float, what: str) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        got = cond()
        if await got if not isinstance(got, bool) else got:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {timeout_s} s: {what}")


def test_postgres_down_then_up_writes_everything_once_in_order(
    nats_url: str, postgres: Postgres
) -> None:
    import nats
    from nats.js.api import StreamConfig

    db = Database(postgres.url)

    async def go() -> None:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=STREAM, subjects=["sw.out.>"]))
        p = Persister(
            db,
            js,
            stream=STREAM,
            durable=DURABLE,
            subject="sw.out.>",
            write=write_points,
            batch=50,
            backoff_s=(0.05, 0.3),
        )
        task = asyncio.create_task(p.run())
        for i in range(100):
            await js.publish(SUBJECT, _point(i))
        await _until(lambda: p.committed == 100, 20, "the first 100 committed")

        postgres.crash()
        for i in range(100, 300):
            await js.publish(SUBJECT, _point(i))
        await _until(lambda: p.status()["store"] == "down", 20, "the outage noticed")
        await asyncio.sleep(0.5)
        assert p.committed == 100
        assert await p.backlog() == 200  # held on the stream, not acked, not lost
        assert p.status()["last_error"]

        postgres.start()
        await _until(lambda: p.committed == 300, 30, "caught up after the restart")
        assert p.status()["store"] == "up" and p.duplicates == 0
        await asyncio.sleep(1.2)  # an idle fetch that times out is not an error
        assert p.status()["last_error"] is None
        assert await p.backlog() == 0
        await p.stop()
        await asyncio.wait_for(task, 10)
        await nc.close()

    asyncio.run(asyncio.wait_for(go(), 90))
    assert _stored_times(db) == [1_800_000_000.0 + i for i in range(300)]
    db.dispose()


def test_a_redelivery_of_committed_messages_is_not_written_twice(
    nats_url: str, postgres: Postgres
) -> None:
    """The core died after the commit and before the acks: JetStream delivers the batch
    again, and the cursor committed with the batch says it is done."""
    import nats
    from nats.js.api import StreamConfig

    db = Database(postgres.url)

    async def go() -> tuple[int, int]:
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=STREAM, subjects=["sw.out.>"]))
        for i in range(120):
            await js.publish(SUBJECT, _point(i))
        kw: dict[str, Any] = {"stream": STREAM, "durable": DURABLE, "subject": "sw.out.>"}
        first = Persister(db, js, write=write_points, batch=40, **kw)
        task = asyncio.create_task(first.run())
        await _until(lambda: first.committed == 120, 20, "all committed")
        await first.stop()
        await asyncio.wait_for(task, 10)
        # every ack lost: the same durable consumer, from the start of the stream again
        await js.delete_consumer(STREAM, DURABLE)
        again = Persister(db, js, write=write_points, batch=40, **kw)
        task = asyncio.create_task(again.run())
        await _until(lambda: again.duplicates == 120, 20, "the redelivery seen")
        await again.stop()
        await asyncio.wait_for(task, 10)
        await nc.close()
        return again.committed, again.duplicates

    committed, duplicates = asyncio.run(asyncio.wait_for(go(), 60))
    assert (committed, duplicates) == (0, 120)
    assert _stored_times(db) == [1_800_000_000.0 + i for i in range(120)]
    db.dispose()
