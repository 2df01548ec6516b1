"""Edge -> worker -> core -> store and live bus, on a real nats-server and both stores;
a core that reads everything again writes nothing twice."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from skywarden.bus import InProcessBus
from skywarden.cluster import topology
from skywarden.cluster.core import DURABLE, Core
from skywarden.cluster.edge import Edge
from skywarden.cluster.topology import OUT_STREAM
from skywarden.cluster.worker import Worker
from skywarden.service.sources import ScenarioSource
from skywarden.store import Database
from skywarden.store import cursor as store_cursor
from skywarden.store.schema import TrackPoint

ROOT = Path(__file__).resolve().parents[2]
SCANS = 40


def _rows(s: Any, sector: str) -> int:
    """Track points of ``sector`` (its tracks are ``T<sector>-NNNNNN``) in the store."""
    q = select(func.count()).select_from(TrackPoint).where(TrackPoint.track.like(f"T{sector}-%"))
    return int(s.scalar(q) or 0)


async def _core_until(core: Core, sector: str, step: int, timeout: float) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(core.run(stop))
    end = time.monotonic() + timeout
    try:
        while core.cursors.get(sector, 0) < step:
            assert time.monotonic() < end, f"core at {core.cursors} after {timeout} s"
            assert not task.done(), task
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


def test_edge_worker_core_store_and_live_feed(nats_url: str, db_url: str) -> None:
    src = ScenarioSource(ROOT / "scenarios" / "el-paso.yaml", 1, SCANS)
    sector = "e2e" + db_url.split(":")[0].split("+")[0]  # one sector per store backend

    async def go() -> None:
        topo = await topology.connect(nats_url, lease_ttl_s=6.0)
        edge = Edge(topo.js, "e1", sector)
        await edge.announce(topo.sectors, src.sector())
        for scan in src.scans():
            await edge.publish_scan(scan)
        stop = asyncio.Event()
        worker = Worker(topo, "w1", [sector])
        wtask = asyncio.create_task(worker.run(stop))
        db = Database(db_url)
        bus = InProcessBus()
        live = bus.subscribe(["tracks", "clock"])
        core = Core(topo, db, bus)
        core_sector: dict[str, Any] = {}
        core.on_commit = lambda st: core_sector.setdefault(st.sector, []).append(st)
        try:
            await _core_until(core, sector, SCANS, 60)
        finally:
            stop.set()
            await wtask
        mine = core_sector[sector]
        n_updates = sum(len(st.updates) for st in mine)
        assert [st.step for st in mine] == list(range(1, SCANS + 1))
        assert n_updates > 0
        with db.session() as s:
            assert store_cursor.get(s, f"sector:{sector}") == (mine[-1].t, SCANS)
            rows = _rows(s, sector)
        assert rows == n_updates  # every update stored once
        msg = await asyncio.wait_for(live.get(), 5)  # republished for the hub and the map
        assert msg.topic == "tracks" and msg.data["t"] == mine[0].t

        # A fresh core consumer reads the whole stream again: all duplicates, no rows.
        await topo.js.delete_consumer(OUT_STREAM, DURABLE)
        again = Core(topo, db, None)
        await _core_until(again, sector, SCANS, 30)
        assert again.cursors[sector] == SCANS
        with db.session() as s:
            assert _rows(s, sector) == rows
        await topo.close()

    asyncio.run(go())
