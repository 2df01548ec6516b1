"""A sector worker: owns sectors through leases and runs each through the stage loop.

    worker = Worker(topology, "w1", sectors=["west"], standby=["east"])
    await worker.run(stop_event)

``sectors`` are taken as soon as they are free. A ``standby`` sector is taken as soon
as it is free again after this worker saw it owned (its owner died: within
``lease.TTL_S + lease.POLL_S`` of the last renewal), and one never seen owned only after
``COLD_GRACE_S`` free, so a fresh cluster spreads sectors over their preferred workers.
For each owned sector the worker
reads its definition from ``sw_sectors``, builds its stages exactly as ``serve`` does
(``service.launch.build_stages``; track ids ``T<sector>-000001``), loads the sector's
snapshot and runs a :class:`~skywarden.cluster.sector_run.SectorRun`.

The hand-over hook (``on_updates``, for ``cluster.handover``): a callable
``(sector, updates) -> updates`` called in the sector's stage thread with every scan's
track updates, right after the tracker and before the analyzer, hold-fire and the
published step; it may rewrite track ids (global ids) and keep its own state. If it
has ``snapshot_state() -> picklable`` and ``restore_state(obj)``, that state is saved and
restored with the sector's snapshot. To publish from it, schedule a coroutine on the
worker's loop (``worker.loop``) with ``asyncio.run_coroutine_threadsafe``; do not block
on it longer than a scan.

With ``Options.db`` (the core's store), operators' acknowledgements and resolutions
reach the sector's analyzer between scans, as in ``serve`` (``pipeline.operators``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skywarden.cluster import codec, lease, reorder, sectors
from skywarden.cluster import snapshot as snapshots
from skywarden.cluster.sector_run import Built, HookedTracker, OnUpdates, SectorRun
from skywarden.cluster.topology import Topology
from skywarden.pipeline.operators import OperatorFeed
from skywarden.service.sources import SectorInfo
from skywarden.stages import LaserSetting, StageChain
from skywarden.store import Database
from skywarden.store import snapshots as store_snapshots

log = logging.getLogger("skywarden.cluster")

HookFactory = Callable[[str], OnUpdates | None]
COLD_GRACE_S = 5.0  # a standby leaves a never-owned sector this long to its preferred worker


@dataclass(frozen=True)
class Options:
    """How a worker builds and runs its sectors: ``laser_plan`` adds hold-fire, ``db`` (the
    core's store) brings the operators' actions, ``snapshot_every`` steps (default
    ``sector_run.SNAPSHOT_EVERY``), the lease ``timing``, and ``warm``: standby sectors'
    stages are built while standing by (memory for speed: a takeover then costs the
    lease expiry and the snapshot restore, not the stage build)."""

    laser_plan: Path | None = None
    db: Database | None = None
    snapshot_every: int | None = None
    timing: lease.Timing = field(default_factory=lease.Timing)
    warm: bool = True  # build standby sectors' stages ahead of a takeover
    reorder_s: float = reorder.LAG_S  # several edges per sector: cluster.reorder


def build_sector(
    sector: str, info: SectorInfo, options: Options | None = None, hook: OnUpdates | None = None
) -> Built:
    """A sector's stages exactly as ``serve`` builds them (``launch.build_stages``; ids
    ``T<sector>-000001``), the hand-over ``hook`` on the tracker's output, and the
    snapshot fingerprint of that build. Also the single-process reference of the tests
    and the bench."""
    from skywarden.service.launch import build_stages

    o = options or Options()
    st = build_stages(
        info, True, o.laser_plan, [], id_prefix=f"{sector}-", option="--sectors"
    )
    laser = LaserSetting(
        str((st.laser_plan or {}).get("id", "laser")), st.hazard, st.laser_plan is not None
    )
    tracker = HookedTracker(st.tracker, sector, hook)
    chain = StageChain(tracker, st.analyzer, st.hold_fire, laser, None, bool(st.zones))
    plan = o.laser_plan.read_text() if o.laser_plan is not None else ""
    code = store_snapshots.fingerprint(
        ["cluster", sector, sectors.to_json(info).decode(), plan, type(hook).__qualname__]
    )
    static: dict[str, object] = {}
    zindex = getattr(st.analyzer, "zindex", None)
    if zindex is not None:
        static["analyzer.zindex"] = zindex
    ops = OperatorFeed(o.db) if o.db is not None else None
    return Built(chain, code, static, hook, ops)


class Worker:
    """Lease, build, restore and run sectors (see the module docstring)."""

    def __init__(
        self,
        topo: Topology,
        name: str,
        sectors: Sequence[str],
        standby: Sequence[str] = (),
        *,
        options: Options | None = None,
        on_updates: OnUpdates | HookFactory | None = None,
    ) -> None:
        o = options or Options()
        self.topo, self.name = topo, name
        self.sectors = [codec.check_sector(s) for s in sectors]
        self.standby = [codec.check_sector(s) for s in standby if s not in self.sectors]
        self.laser_plan, self.db = o.laser_plan, o.db
        self.on_updates = on_updates
        self.snapshot_every = o.snapshot_every
        t = o.timing
        self.poll_s, self.renew_s, self.ttl_s = t.poll_s, t.renew_s, t.ttl_s
        self.leases = lease.Leases(topo.leases, name)
        self.runs: dict[str, SectorRun] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.taken: list[tuple[str, float]] = []  # (sector, wall time) of each acquisition
        self.loop: asyncio.AbstractEventLoop | None = None
        self._free_since: dict[str, float] = {}
        self._seen_owned: set[str] = set()
        self._renewed: dict[str, float] = {}
        self._known: set[str] = set()
        self.warm = o.warm
        self.reorder_s = o.reorder_s
        self._warm: dict[str, tuple[bytes, asyncio.Task[Built]]] = {}

    # ------------------------------------------------------------------ building
    async def _definition(self, sector: str) -> Any:
        from nats.js.errors import NotFoundError

        try:
            entry = await self.topo.sectors.get(sector)
        except NotFoundError:
            return None
        return sectors.from_json(sector, entry.value or b"")

    def _build(self, sector: str, info: Any) -> Built:
        o = Options(self.laser_plan, self.db, self.snapshot_every)
        return build_sector(sector, info, o, self._hook_for(sector))

    async def _built(self, sector: str, info: SectorInfo) -> Built:
        """The warm build made while standing by, if it is of this definition; else now."""
        key = sectors.to_json(info)
        warm = self._warm.pop(sector, None)
        if warm is not None and warm[0] == key:
            try:
                return await warm[1]
            except Exception as e:  # built badly in the background: build again, loudly
                log.warning("cluster: warm build of %s failed: %s", sector, e)
        return await asyncio.to_thread(self._build, sector, info)

    async def _warm_up(self, sector: str) -> None:
        """Build a standby sector's stages ahead of a takeover (the zone index takes
        seconds), so a takeover only restores the snapshot."""
        if sector in self._warm or sector in self.runs:
            return
        info = await self._definition(sector)
        if info is not None:
            task = asyncio.create_task(asyncio.to_thread(self._build, sector, info))
            self._warm[sector] = (sectors.to_json(info), task)

    def _hook_for(self, sector: str) -> OnUpdates | None:
        h = self.on_updates
        if h is None:
            return None
        factory = getattr(h, "for_sector", None)
        return factory(sector) if callable(factory) else h  # type: ignore[return-value]

    # ------------------------------------------------------------------ one sector
    async def _run_sector(self, sector: str) -> None:
        try:
            info = await self._definition(sector)
            if info is None:
                log.warning("cluster: %s has no definition in sw_sectors yet", sector)
                return
            built = await self._built(sector, info)
            snap = await snapshots.load(self.topo.snapshots, sector, built.code)
            run = SectorRun(
                self.topo.js,
                self.topo.snapshots,
                sector,
                self.name,
                built,
                **({"snapshot_every": self.snapshot_every} if self.snapshot_every else {}),
                reorder_s=self.reorder_s,
            )
            run.restore(snap)
            self.runs[sector] = run
            await run.run()
        except Exception:
            log.exception("cluster: %s: sector run failed", sector)
        finally:
            self.runs.pop(sector, None)
            await self.leases.release(sector)
            self._renewed.pop(sector, None)

    def _start(self, sector: str) -> None:
        self.taken.append((sector, time.time()))
        self._renewed[sector] = time.monotonic()
        log.info("cluster: %s owns %s", self.name, sector)
        self.tasks[sector] = asyncio.create_task(self._run_sector(sector), name=f"sector-{sector}")

    def _drop(self, sector: str, why: str) -> None:
        log.warning("cluster: %s gives %s up: %s", self.name, sector, why)
        self.leases.held.pop(sector, None)
        run = self.runs.get(sector)
        if run is not None:
            run.stop()

    # ------------------------------------------------------------------ leases
    async def _acquire(self) -> None:
        for s in [*self.sectors, *self.standby]:
            task = self.tasks.get(s)
            if task is not None and not task.done():
                continue
            if not await self._defined(s):  # no edge has announced it yet
                continue
            if s in self.standby and not await self._standby_may_take(s):
                if self.warm:
                    await self._warm_up(s)
                continue
            try:
                got = await self.leases.try_acquire(s)
            except Exception as e:  # the server is away: try again next poll
                log.debug("cluster: lease %s: %s", s, e)
                continue
            if got:
                self._start(s)

    async def _standby_may_take(self, sector: str) -> bool:
        """A standby takes a sector whose owner it saw and which is now free (failover)
        at once; one it never saw owned only after ``COLD_GRACE_S`` free (a cold start,
        where the preferred worker should win)."""
        if await self.leases.owner_of(sector) is not None:
            self._seen_owned.add(sector)
            self._free_since.pop(sector, None)
            return False
        if sector in self._seen_owned:
            return True
        since = self._free_since.setdefault(sector, time.monotonic())
        return time.monotonic() - since >= COLD_GRACE_S

    async def _defined(self, sector: str) -> bool:
        if sector in self._known:
            return True
        try:
            await self.topo.sectors.get(sector)
        except Exception as e:  # not found, or the server is away: ask again next poll
            log.debug("cluster: %s not defined yet: %r", sector, e)
            return False
        self._known.add(sector)
        return True

    async def _renew(self) -> None:
        for s in list(self.leases.held):
            try:
                ok = await self.leases.renew(s)
            except Exception as e:
                if time.monotonic() - self._renewed.get(s, 0.0) > self.ttl_s - self.renew_s:
                    self._drop(s, f"lease not renewed for too long ({e})")
                continue
            if ok:
                self._renewed[s] = time.monotonic()
            else:
                self._drop(s, "lease taken by another worker")

    async def run(self, stop: asyncio.Event) -> None:
        """Hold leases and run sectors until ``stop`` is set; then release them."""
        self.loop = asyncio.get_running_loop()
        next_renew = time.monotonic() + self.renew_s
        try:
            while not stop.is_set():
                await self._acquire()
                if time.monotonic() >= next_renew:
                    await self._renew()
                    next_renew = time.monotonic() + self.renew_s
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_s)
        finally:
            for run in list(self.runs.values()):
                run.stop()
            for t in list(self.tasks.values()):
                with contextlib.suppress(Exception):
                    await t

    def status(self) -> dict[str, Any]:
        """What this worker owns and has done, per sector (for the command and the bench)."""
        return {
            s: {**vars(r.counters), "seq": r.applied.seq, "step": r.applied.step}
            for s, r in self.runs.items()
        }
