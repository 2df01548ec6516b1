"""The hand-over as a sector worker's ``on_updates`` hook: ``(sector, updates) -> updates``.

The cluster worker (``cluster.worker``) calls its hook in each sector's stage thread
with every scan's track updates, right after the tracker, and saves
``snapshot_state()`` with the sector's snapshot. :func:`handover_hooks` builds one
:class:`HandoverHook` per sector; each wraps a :class:`~.handover.HandoverAgent` and
a bus. Messages for the sector are read on the worker's event loop and queued; the
stage thread drains the queue before each scan, so the agent is only ever touched by
that thread. Messages out are handed to the loop without waiting for them.

What the one-list hook cannot carry (docs/handover.md, "Wiring"): the hook returns the
*authoritative* updates, and they feed the analyzer as well as the store, so the
analyzer sees a track only while its sector reports it. A crossing that is observed
but not yet confirmed when the owner changes can then be missed (never reported twice).
Feeding the analyzer ``HandoverStep.analysis`` and passing its events through
``HandoverAgent.filter_events`` closes that, and needs the worker to keep the two lists
apart. The hook has no tracker either, so class *evidence* is not seeded (the class
probabilities and identities still travel in the offer).
"""

from __future__ import annotations

import asyncio
import logging
import queue
from collections.abc import Callable
from typing import Any

from skywarden.bus.base import Bus
from skywarden.cluster.handover import HandoverAgent, HandoverConfig
from skywarden.cluster.handover_messages import HandoverError, HandoverMessage, topic_for
from skywarden.cluster.overlap import SectorLayout
from skywarden.model import TrackUpdate

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
            return []
        step = self.agent.on_updates(max(u.t for u in updates), updates)
        if step.messages:
            asyncio.run_coroutine_threadsafe(self._send(step.messages), self.loop)
        return step.updates

    async def _send(self, messages: list[HandoverMessage]) -> None:
        for m in messages:
            try:
                await self.bus.publish(topic_for(m.to), m.to_dict())
            except Exception:  # a lost message is re-offered next scan; never stall
                log.exception("%s: hand-over message to %s not sent", self.sector, m.to)

    def snapshot_state(self) -> dict[str, Any]:
        return self.agent.to_snapshot()

    def restore_state(self, state: dict[str, Any]) -> None:
        self.agent = HandoverAgent.from_snapshot(state, self.layout, config=self.config)

    def close(self) -> None:
        self.reader.cancel()


def handover_hooks(
    layout: SectorLayout,
    bus: Bus,
    loop: asyncio.AbstractEventLoop,
    config: HandoverConfig | None = None,
    epoch: str = "",
) -> Callable[[str], HandoverHook | None]:
    """A hook factory for ``Worker(on_updates=...)``: a hook per sector of ``layout``,
    None for a sector the layout does not know (it runs without hand-over)."""

    def make(sector: str) -> HandoverHook | None:
        if sector not in layout.areas:
            return None
        return HandoverHook(sector, layout, bus, loop, config, epoch)

    return make
