"""The NATS JetStream bus: the same seam as the in-process bus, across machines.

Every topic is the subject ``<prefix>.<topic>`` of one JetStream stream (file storage,
bounded by age), so a message published is stored by the server before ``publish``
returns (JetStream acknowledges it), and a consumer on another machine, or one that
reconnects, can read what it missed. Subscriptions here are *ordered push consumers*
delivering only new messages: the live feed wants the present; the store (not the bus)
is the record of the past.

    bus = NatsBus("nats://127.0.0.1:4222")   # or: await NatsBus.connect(url)
    await bus.publish("tracks", {...})
    sub = bus.subscribe(["tracks", "clock"]); msg = await sub.get()

Messages are JSON (the bus seam carries JSON-able dicts).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from skywarden.bus.base import Message
from skywarden.errors import SkywardenError

DEFAULT_STREAM = "SKYWARDEN"
DEFAULT_PREFIX = "skywarden"
MAX_AGE_S = 24 * 3600.0


class NatsBusError(SkywardenError, RuntimeError):
    """The NATS server cannot be reached or refuses the stream; says which URL."""


class NatsSubscription:
    """An ordered JetStream consumer per topic feeding one bounded queue (oldest dropped)."""

    def __init__(self, bus: NatsBus, topics: frozenset[str], maxsize: int) -> None:
        self.bus = bus
        self.topics = topics
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)
        self.dropped = 0
        self._subs: list[Any] = []
        self.ready = asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        from nats.js.api import DeliverPolicy

        await self.bus.ensure_connected()
        for topic in sorted(self.topics):
            self._subs.append(
                await self.bus.js.subscribe(
                    f"{self.bus.prefix}.{topic}",
                    cb=self._on_msg,
                    ordered_consumer=True,
                    deliver_policy=DeliverPolicy.NEW,
                )
            )

    async def _on_msg(self, msg: Any) -> None:
        topic = msg.subject[len(self.bus.prefix) + 1 :]
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(Message(topic, json.loads(msg.data)))

    async def get(self) -> Message:
        return await self.queue.get()

    async def __anext__(self) -> Message:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Message]:
        return self

    def close(self) -> None:
        for s in self._subs:
            asyncio.get_running_loop().create_task(s.unsubscribe())
        self._subs.clear()


class NatsBus:
    """Publish and subscribe through one JetStream stream on a NATS server.

    Connects on first use, in the event loop that uses it (``serve`` builds the bus
    before uvicorn starts its loop); :meth:`connect` builds and connects at once.
    """

    def __init__(
        self,
        url: str,
        stream: str = DEFAULT_STREAM,
        prefix: str = DEFAULT_PREFIX,
        maxsize: int = 1000,
    ) -> None:
        self.url, self.stream, self.prefix = url, stream, prefix
        self._maxsize = maxsize
        self.nc: Any = None
        self.js: Any = None
        self._lock: asyncio.Lock | None = None

    @classmethod
    async def connect(cls, url: str, **kw: Any) -> NatsBus:
        bus = cls(url, **kw)
        await bus.ensure_connected()
        return bus

    async def ensure_connected(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.js is not None:
                return
            import nats
            from nats.js.api import StorageType, StreamConfig

            try:  # one retry (nats-py reads 0 attempts as "forever")
                nc = await nats.connect(
                    self.url, connect_timeout=3, max_reconnect_attempts=1, allow_reconnect=False
                )
            except Exception as e:  # nats raises several unrelated types on refusal
                raise NatsBusError(f"--bus {self.url}: cannot connect ({e})") from None
            js = nc.jetstream()
            cfg = StreamConfig(
                name=self.stream,
                subjects=[f"{self.prefix}.>"],
                storage=StorageType.FILE,
                max_age=MAX_AGE_S,
            )
            try:
                await js.add_stream(cfg)
            except Exception as e:
                await nc.close()
                raise NatsBusError(
                    f"--bus {self.url}: JetStream stream {self.stream}: {e}"
                ) from None
            self.nc, self.js = nc, js

    async def publish(self, topic: str, data: dict[str, Any]) -> None:
        """Returns once the server has stored the message in the stream."""
        await self.ensure_connected()
        await self.js.publish(
            f"{self.prefix}.{topic}", json.dumps(data, separators=(",", ":")).encode()
        )

    def subscribe(self, topics: Iterable[str]) -> NatsSubscription:
        return NatsSubscription(self, frozenset(topics), self._maxsize)

    async def close(self) -> None:
        if self.nc is not None:
            await self.nc.drain()
