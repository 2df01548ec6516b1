"""Carries a :class:`~skywarden.cluster.handover.HandoverAgent`'s messages on a bus.

The agent is pure (no I/O); this link publishes what a scan produced on
``handover.<to-sector>`` and feeds what arrives on ``handover.<sector>`` to
:meth:`HandoverAgent.on_message` from a reader task, in the same event loop as the
worker's scans, so the agent is never touched by two tasks at once. Works on any
:class:`~skywarden.bus.base.Bus`: the in-process bus in tests and the embedded
default, NATS JetStream in a cluster (subject ``<prefix>.handover.<sector>``).
A malformed message is counted and dropped (``rejected``), never raised into the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from skywarden.bus.base import Bus, Subscription
from skywarden.cluster.handover import HandoverAgent
from skywarden.cluster.handover_messages import HandoverError, HandoverMessage, topic_for

log = logging.getLogger("skywarden.cluster.handover")


class HandoverLink:
    """``await link.start()``, then per scan ``await link.send(step.messages)``."""

    def __init__(self, agent: HandoverAgent, bus: Bus) -> None:
        self.agent = agent
        self.bus = bus
        self.received = 0
        self.rejected = 0
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._sub = self.bus.subscribe([topic_for(self.agent.sector)])
        ready = getattr(self._sub, "ready", None)  # a JetStream subscription's start-up
        if ready is not None:
            await ready
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self._sub is not None
        async for msg in self._sub:
            self.received += 1
            try:
                self.agent.on_message(msg.data)
            except HandoverError as e:
                self.rejected += 1
                log.warning("%s: hand-over message dropped: %s", self.agent.sector, e)

    async def send(self, messages: Iterable[HandoverMessage]) -> None:
        for m in messages:
            await self.bus.publish(topic_for(m.to), m.to_dict())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._sub is not None:
            self._sub.close()
