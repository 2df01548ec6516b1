"""The in-process bus: one asyncio queue per subscriber, the embedded default.

A subscriber that falls behind must not stall the pipeline or the other subscribers, so
each queue is bounded and, when full, drops its *oldest* message and counts the drop
(for a live picture the newest state is what matters; the store keeps everything).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

from skywarden.bus.base import Message


class MemorySubscription:
    def __init__(self, bus: InProcessBus, topics: frozenset[str], maxsize: int) -> None:
        self._bus = bus
        self.topics = topics
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)
        self.dropped = 0

    def offer(self, msg: Message) -> None:
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(msg)

    async def get(self) -> Message:
        return await self.queue.get()

    async def __anext__(self) -> Message:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    def close(self) -> None:
        self._bus.unsubscribe(self)


class InProcessBus:
    """Fan-out of messages to every subscription whose topics include the message's."""

    def __init__(self, maxsize: int = 1000) -> None:
        self._subs: list[MemorySubscription] = []
        self._maxsize = maxsize

    async def publish(self, topic: str, data: dict[str, Any]) -> None:
        msg = Message(topic, data)
        for sub in list(self._subs):
            if topic in sub.topics:
                sub.offer(msg)

    def subscribe(self, topics: Iterable[str]) -> MemorySubscription:
        sub = MemorySubscription(self, frozenset(topics), self._maxsize)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: MemorySubscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    async def close(self) -> None:
        self._subs.clear()
