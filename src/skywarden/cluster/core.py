"""The core: the workers' sector steps into the store, then onto the service's live bus.

``skywarden serve --bus nats://... --cluster`` runs no pipeline of its own. Instead this
consumer reads ``sw.trk.>`` through the durable consumer ``core`` and, per step:

1. skips it if the store's cursor for ``sector:<id>`` is already at or past its step
   (a duplicate: a takeover recomputed it after JetStream's duplicate window);
2. commits its track points, events, incidents, recommendations, hold-fire decision and
   the sector's cursor in one transaction (``pipeline.commit.commit_scan``, the same
   writes as ``serve``);
3. publishes the same topics as ``serve`` (``tracks``, ``incidents``,
   ``recommendations``, ``laser``, ``clock``) on the service's bus, so the hub, the map
   and the REST API work unchanged;
4. only then acknowledges the message.

With PostgreSQL down, step 2 fails: the message is not acknowledged, the consumer waits
``RETRY_S`` and tries the same step again, and JetStream keeps everything after it
(the stream is the buffer); on recovery the core catches up in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from skywarden.bus import Bus
from skywarden.cluster import codec
from skywarden.cluster.codec import SectorStep
from skywarden.cluster.topology import OUT_STREAM, Topology
from skywarden.pipeline import commit
from skywarden.stages import HoldFireDecision, HoldState, NoAnalysis, StepResult
from skywarden.store import Database
from skywarden.store import cursor as store_cursor
from skywarden.store import incidents as store_incidents

log = logging.getLogger("skywarden.cluster")

DURABLE = "core"
RETRY_S = 1.0
FETCH = 64
ACK_WAIT_S = 60.0


@dataclass
class CoreCounters:
    committed: int = 0
    duplicates: int = 0
    bad: int = 0
    store_errors: int = 0
    updates: int = 0


def step_result(st: SectorStep) -> StepResult:
    """A sector step as the loop's ``StepResult`` (what ``commit_scan`` writes)."""
    analysis = NoAnalysis(list(st.events), list(st.incidents), list(st.recommendations))
    d = st.decision
    decision = None
    if d is not None:
        state = HoldState.CLEAR if d.get("state") == "CLEAR" else HoldState.HOLD
        decision = HoldFireDecision(
            d.get("t"),
            str(d.get("plan", "laser")),
            state,
            [str(x) for x in d.get("reasons", [])],
            [str(x) for x in d.get("tracks", [])],
            d.get("hazard"),
        )
    return StepResult(st.t, [], list(st.updates), analysis, decision, [])


class Core:
    """Commit and republish the workers' steps (see the module docstring)."""

    def __init__(self, topo: Topology, db: Database, bus: Bus | None = None) -> None:
        self.topo, self.db, self.bus = topo, db, bus
        self.counters = CoreCounters()
        self.cursors: dict[str, int] = {}
        self.on_commit: Callable[[SectorStep], None] | None = None  # tests and the bench

    def _commit(self, st: SectorStep) -> list[dict[str, Any]] | None:
        """One step in one transaction; None if the store already has it."""
        source = f"sector:{st.sector}"
        with self.db.session() as s:
            at = store_cursor.get(s, source)
            if at is not None and at[1] >= st.step:
                self.cursors[st.sector] = at[1]
                return None
            ids = commit.commit_scan(s, source, step_result(st), st.step)
            rows = [store_incidents.detail(s, i) for i in ids]
        self.cursors[st.sector] = st.step
        return rows

    async def _publish(
        self, st: SectorStep, rows: list[dict[str, Any]], *, only_incidents: bool = False
    ) -> None:
        """The step's live topics. ``only_incidents``: the rest went out while the store
        was down (see ``handle``), so only the incident rows read back after the commit."""
        if self.bus is None:
            return
        r = step_result(st)
        for topic, data in commit.bus_messages(r, rows):
            if not only_incidents or topic == "incidents":
                await self.bus.publish(topic, data)
        if only_incidents:
            return
        if r.decision is not None:
            await self.bus.publish("laser", r.decision.to_dict())
        await self.bus.publish("clock", {"t": st.t, "speed": 1.0, "source": f"sector {st.sector}"})

    async def handle(self, msg: Any) -> None:
        """One message: committed (retrying while the store is down), published, acked."""
        try:
            st = codec.decode_step(msg.data, msg.subject)
        except codec.CodecError as e:
            self.counters.bad += 1
            log.warning("core: %s", e)
            await msg.ack()  # kept in the stream; a step that never decodes cannot block all
            return
        if st.step <= self.cursors.get(st.sector, 0):
            self.counters.duplicates += 1
            await msg.ack()
            return
        live_sent = False
        while True:
            try:
                rows = await asyncio.to_thread(self._commit, st)
                break
            except Exception as e:  # the store is down: hold this step, keep the stream
                self.counters.store_errors += 1
                if not live_sent:  # the map keeps moving while the store is down
                    await self._publish(st, [])
                    live_sent = True
                first = (str(e).strip().splitlines() or [type(e).__name__])[0]
                log.warning("core: step %s not committed yet: %s", st.msg_id, first)
                with contextlib.suppress(Exception):
                    await msg.in_progress()  # keep the server from redelivering it
                await asyncio.sleep(RETRY_S)
        if rows is None:
            self.counters.duplicates += 1
        else:
            self.counters.committed += 1
            self.counters.updates += len(st.updates)
            await self._publish(st, rows, only_incidents=live_sent)
            if self.on_commit is not None:
                self.on_commit(st)
        await msg.ack()

    async def _subscription(self) -> Any:
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        cfg = ConsumerConfig(
            durable_name=DURABLE,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ACK_WAIT_S,
            max_ack_pending=4096,
            filter_subject=f"{codec.OUT_PREFIX}.>",
        )
        with contextlib.suppress(Exception):  # exists already: bind to it as it is
            await self.topo.js.add_consumer(OUT_STREAM, cfg)
        return await self.topo.js.pull_subscribe_bind(DURABLE, OUT_STREAM)

    async def messages(self, stop: asyncio.Event) -> AsyncIterator[Any]:
        import nats.errors

        psub = await self._subscription()
        try:
            while not stop.is_set():
                try:
                    msgs = await psub.fetch(FETCH, timeout=0.5)
                except (nats.errors.TimeoutError, TimeoutError):
                    continue
                except Exception as e:  # a node went away: the client reconnects
                    log.warning("core: fetch failed: %s", e)
                    await asyncio.sleep(RETRY_S)
                    continue
                for m in msgs:
                    yield m
        finally:
            with contextlib.suppress(Exception):  # the connection may be gone
                await psub.unsubscribe()

    async def run(self, stop: asyncio.Event) -> None:
        async for msg in self.messages(stop):
            await self.handle(msg)


async def adopt_sectors(topo: Topology, db: Database, meta: dict[str, Any]) -> list[str]:
    """Seed the zones of every sector defined on the bus into the store (once per zone
    id, ``pipeline.seed_store``) and centre the map on the first one if ``meta`` is
    empty, so the core's map shows what the workers' analyzers watch."""
    from nats.js.errors import NoKeysError

    from skywarden import airspace
    from skywarden.cluster.sectors import SectorDefinitionError, from_json
    from skywarden.pipeline import seed_store

    try:
        keys = sorted(await topo.sectors.keys())
    except NoKeysError:
        return []
    for key in keys:
        try:
            info = from_json(key, (await topo.sectors.get(key)).value or b"")
        except SectorDefinitionError as e:
            log.warning("core: %s", e)
            continue
        zones = await asyncio.to_thread(_zones, airspace, info)
        with db.session() as s:
            seed_store(s, f"sector:{key}", zones, None)
        if not meta.get("center"):
            meta.update(
                name=info.name,
                center=[info.frame.lat0, info.frame.lon0],
                extent_m=info.extent_m,
                airports=list(info.airports),
                speed=1.0,
            )
    return keys


def _zones(airspace: Any, info: Any) -> list[Any]:
    return list(airspace.sector_zones(info.frame, airports=info.airports))


def attach(app: Any, url: str, db: Database, bus: Bus) -> None:
    """Run a :class:`Core` for as long as ``app`` runs (``serve --cluster``), wrapping the
    app's lifespan so the service itself is built exactly as today."""
    from skywarden.cluster import lease, topology

    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            topo = await topology.connect(url, lease_ttl_s=lease.TTL_S, name="skywarden-core")
            stop = asyncio.Event()
            ctx = getattr(app.state, "ctx", None)
            try:
                await adopt_sectors(topo, db, ctx.meta if ctx is not None else {})
            except Exception as e:  # the map without zones is still a map
                log.warning("core: sector zones not seeded: %s", e)
            core = Core(topo, db, bus)
            app.state.cluster_core = core
            task = asyncio.create_task(core.run(stop), name="skywarden-core")
            try:
                yield state
            finally:
                stop.set()
                t0 = time.monotonic()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 5)
                log.info("core: stopped in %.1f s", time.monotonic() - t0)
                await topo.close()

    app.router.lifespan_context = lifespan
