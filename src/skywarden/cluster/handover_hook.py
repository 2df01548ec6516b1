"""The hand-over as a sector worker's ``on_updates`` hook: ``(sector, updates) -> updates``.

The cluster worker (``cluster.worker``) calls its hook in each sector's stage thread
with every scan's track updates, right after the tracker, and saves
``snapshot_state()`` with the sector's snapshot. :class:`HandoverHooks` builds one
:class:`HandoverHook` per sector (``for_sector``); each wraps a
:class:`~.handover.HandoverAgent` and a bus. Messages for the sector are read on the
worker's event loop and queued; the stage thread drains the queue before each scan, so
the agent is only ever touched by that thread. Messages out are handed to the loop
without waiting for them.

Two lists (docs/handover.md, "Analyzer consequences"): the hook returns
``HandoverStep.analysis`` (every track with a global id here) to the stages, so the
analyzer and hold-fire see the shadowed tracks too; the worker's commit then asks
:meth:`HandoverHook.filter_step` for what the sector *reports*: the authoritative
updates, the events observed while it was authoritative, the incidents of the tracks
it reports. The worker hands the hook its tracker (:meth:`HandoverHook.attach_tracker`),
so adopted tracks take the owner's class evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
from collections.abc import Callable
from typing import Any

from skywarden.bus.base import Bus
from skywarden.cluster.handover import HandoverAgent, HandoverConfig
from skywarden.cluster.handover_evidence import TrackerEvidence
from skywarden.cluster.handover_messages import HandoverError, HandoverMessage, topic_for
from skywarden.cluster.overlap import SectorLayout
from skywarden.model import Event, Incident, Recommendation, TrackUpdate
from skywarden.tracking.tracker import Tracker

log = logging.getLogger("skywarden.cluster.handover")


class HandoverHook:
    """One sector's hand-over inside a worker (see the module docstring)."""

    def __init__(
        self,
        sector: str,
        layout: SectorLayout,
        bus: Bus,
        loop: asyncio.AbstractEventLoop,
        config: HandoverConfig | None = None,
        epoch: str = "",
    ) -> None:
        self.sector, self.layout, self.bus, self.loop = sector, layout, bus, loop
        self.config = config
        self.agent = HandoverAgent(sector, layout, epoch=epoch, config=config)
        self.inbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self.rejected = 0
        self.reported: list[TrackUpdate] = []  # the last scan's authoritative updates
        self.reader = asyncio.run_coroutine_threadsafe(self._read(), loop)

    async def _read(self) -> None:
        sub = self.bus.subscribe([topic_for(self.sector)])
        ready = getattr(sub, "ready", None)
        if ready is not None:
            await ready
        try:
            async for msg in sub:
                self.inbox.put(msg.data)
        finally:
            sub.close()

    def __call__(self, sector: str, updates: list[TrackUpdate]) -> list[TrackUpdate]:
        if sector != self.sector:
            raise HandoverError(f"hand-over hook of {self.sector} called for {sector}")
        while True:
            try:
                data = self.inbox.get_nowait()
            except queue.Empty:
                break
            try:
                self.agent.on_message(data)
            except HandoverError as e:
                self.rejected += 1
                log.warning("%s: hand-over message dropped: %s", self.sector, e)
        if not updates:
            self.reported = []
            return []
        step = self.agent.on_updates(max(u.t for u in updates), updates)
        if step.messages:
            asyncio.run_coroutine_threadsafe(self._send(step.messages), self.loop)
        self.reported = step.updates
        return step.analysis

    def filter_step(
        self,
        updates: list[TrackUpdate],
        events: list[Event],
        incidents: list[Incident],
        recommendations: list[Recommendation],
    ) -> tuple[list[TrackUpdate], list[Event], list[Incident], list[Recommendation]]:
        """What the sector publishes of the scan the stages just ran: the updates it is
        authoritative for (of ``updates``, what the analyzer saw), the events observed
        while it was, the incidents of the tracks it reports, and the recommendations
        except those of an incident it withholds (the owner's analyzer makes its own)."""
        mine = {(u.track, u.status) for u in self.reported}
        incidents = self.agent.filter_incidents(incidents)
        return (
            [u for u in updates if (u.track, u.status) in mine],
            self.agent.filter_events(events),
            incidents,
            [
                r
                for r in recommendations
                if r.incident is None or r.incident not in self.agent.hidden
            ],
        )

    async def _send(self, messages: list[HandoverMessage]) -> None:
        for m in messages:
            try:
                await self.bus.publish(topic_for(m.to), m.to_dict())
            except Exception:  # a lost message is re-offered next scan; never stall
                log.exception("%s: hand-over message to %s not sent", self.sector, m.to)

    def attach_tracker(self, tracker: Callable[[], Tracker]) -> None:
        """The worker hands over its sector's tracker (a function: the tracker object
        is replaced when a snapshot loads), so adopted tracks take the class evidence."""
        self.agent.evidence = TrackerEvidence(tracker)

    def snapshot_state(self) -> dict[str, Any]:
        """The agent's snapshot, plus the incidents it withholds (as objects: the worker
        pickles its snapshot), so a resumed sector still publishes them on hand-over."""
        return {**self.agent.to_snapshot(), "hidden_incidents": dict(self.agent.hidden)}

    def restore_state(self, state: dict[str, Any]) -> None:
        state = dict(state)
        hidden = state.pop("hidden_incidents", {})
        evidence = self.agent.evidence
        self.agent = HandoverAgent.from_snapshot(
            state, self.layout, config=self.config, evidence=evidence
        )
        self.agent.hidden = {str(k): v for k, v in hidden.items() if isinstance(v, Incident)}

    def close(self) -> None:
        self.reader.cancel()


class HandoverHooks:
    """The worker's ``on_updates``: ``Worker(on_updates=HandoverHooks(layout, bus))``.

    The worker asks ``for_sector(sector)`` for each sector it builds (None: the layout
    does not know that sector, which then runs without hand-over). ``loop`` is the
    worker's event loop; by default the loop running where the hooks are made (the
    worker builds its sectors in threads, so ``for_sector`` cannot ask). Called
    directly as ``(sector, updates)``, it routes to that sector's hook.
    """

    def __init__(
        self,
        layout: SectorLayout,
        bus: Bus,
        loop: asyncio.AbstractEventLoop | None = None,
        config: HandoverConfig | None = None,
        epoch: str = "",
    ) -> None:
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise HandoverError(
                    "HandoverHooks: give the worker's event loop, or make the hooks in it"
                ) from None
        self.layout, self.bus, self.loop = layout, bus, loop
        self.config, self.epoch = config, epoch
        self.hooks: dict[str, HandoverHook] = {}

    def for_sector(self, sector: str) -> HandoverHook | None:
        if sector not in self.layout.areas:
            return None
        old = self.hooks.pop(sector, None)
        if old is not None:  # the sector is rebuilt (lease lost and taken again)
            old.close()
        hook = HandoverHook(sector, self.layout, self.bus, self.loop, self.config, self.epoch)
        self.hooks[sector] = hook
        return hook

    def __call__(self, sector: str, updates: list[TrackUpdate]) -> list[TrackUpdate]:
        hook = self.hooks.get(sector) or self.for_sector(sector)
        return hook(sector, updates) if hook is not None else updates

    def close(self) -> None:
        for h in self.hooks.values():
            h.close()
        self.hooks.clear()

    async def aclose(self) -> None:
        """:meth:`close` from the worker's loop, waiting for the readers to stop."""
        readers = [asyncio.wrap_future(h.reader) for h in self.hooks.values()]
        self.close()
        for r in readers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await r
