"""The bus seam: publish a message on a topic, subscribe to topics as an async iterator.

Stages after the tracker publish what changed (track updates of a scan, incidents,
recommendations, hold-fire decisions); the WebSocket feed and anything on other
machines subscribe. Messages are JSON-able dicts so every transport can carry them.

Topics used by the pipeline (``pipeline.commit.bus_messages``), each payload the wire
form of one record of ``skywarden.views`` / ``skywarden.stages``: ``tracks``
({"t", "pub", "tracks": [TrackPoint, ...]}), ``incidents`` ({"incidents":
[IncidentView without events and actions, ...]}), ``recommendations``
({"recommendations": [RecommendationView, ...]}), ``laser`` (``HoldFireDecision``:
{"t", "plan", "state", "reasons", "tracks", "hazard"}), ``clock`` ({"t", "speed",
"source"}). Operators' actions do not travel here: the pipeline reads them from the
store (``pipeline.operators``), where they are durable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

TOPICS = ("tracks", "incidents", "recommendations", "laser", "clock")


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    data: dict[str, Any] = field(default_factory=dict)


class Subscription(Protocol):
    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def get(self) -> Message: ...

    def close(self) -> None: ...


class Bus(Protocol):
    """What the pipeline and the service need from a transport."""

    async def publish(self, topic: str, data: dict[str, Any]) -> None: ...

    def subscribe(self, topics: Iterable[str]) -> Subscription: ...

    async def close(self) -> None: ...
