"""The core acknowledges a step only after its commit: a store that is down is retried,
the step is neither dropped nor acknowledged early, and a duplicate is skipped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from skywarden.cluster import codec, core
from skywarden.cluster.codec import SectorStep

T0 = 1_770_778_800.0


class FakeMsg:
    def __init__(self, st: SectorStep) -> None:
        self.data, self.subject = codec.encode(st), codec.out_subject(st.sector)
        self.acks = 0
        self.progress = 0

    async def ack(self) -> None:
        self.acks += 1

    async def in_progress(self) -> None:
        self.progress += 1


def _step(k: int) -> SectorStep:
    return SectorStep("west", k, T0 + k, "w1", k, k, 0, 0.0, 0.0, [], [], [], [])


def test_a_store_outage_is_retried_and_acked_only_after_the_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core, "RETRY_S", 0.01)
    c = core.Core(None, None, None)  # type: ignore[arg-type]
    calls: list[int] = []
    acked_at_commit: list[int] = []

    def commit(st: SectorStep) -> list[dict[str, Any]] | None:
        calls.append(st.step)
        acked_at_commit.append(msg.acks)
        if len(calls) <= 2:
            raise ConnectionError("connection refused")  # PostgreSQL down twice
        return []

    monkeypatch.setattr(c, "_commit", commit)
    msg = FakeMsg(_step(1))
    asyncio.run(c.handle(msg))
    assert calls == [1, 1, 1]
    assert acked_at_commit == [0, 0, 0]  # never acked before the commit
    assert msg.acks == 1 and msg.progress == 2
    assert (c.counters.store_errors, c.counters.committed) == (2, 1)

    c.cursors["west"] = 1
    again = FakeMsg(_step(1))  # redelivered after the commit: skipped, acked
    asyncio.run(c.handle(again))
    assert calls == [1, 1, 1] and again.acks == 1 and c.counters.duplicates == 1


class RecordingBus:
    def __init__(self) -> None:
        self.topics: list[str] = []

    async def publish(self, topic: str, data: dict[str, Any]) -> None:
        self.topics.append(topic)


def test_the_live_map_keeps_moving_while_the_store_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 17: with PostgreSQL down the step is held, but its tracks reach the live feed
    at once, and only once: after the late commit just the incident rows follow."""
    monkeypatch.setattr(core, "RETRY_S", 0.01)
    bus = RecordingBus()
    c = core.Core(None, None, bus)  # type: ignore[arg-type]
    seen_before_commit: list[list[str]] = []
    calls = {"n": 0}

    def commit(st: SectorStep) -> list[dict[str, Any]] | None:
        calls["n"] += 1
        seen_before_commit.append(list(bus.topics))
        if calls["n"] <= 2:
            raise ConnectionError("connection refused")
        return [{"id": "Iwest-00001", "events": [], "actions": []}]

    monkeypatch.setattr(c, "_commit", commit)
    asyncio.run(c.handle(FakeMsg(_step(1))))
    assert seen_before_commit[1] == ["tracks", "clock"]  # published during the outage
    assert bus.topics == ["tracks", "clock", "incidents"]  # tracks once, incidents after


def test_a_message_that_is_not_a_step_is_counted_and_acked() -> None:
    c = core.Core(None, None, None)  # type: ignore[arg-type]
    bad = FakeMsg(_step(1))
    bad.data = b"\x01not msgpack of a step"
    asyncio.run(c.handle(bad))
    assert c.counters.bad == 1 and bad.acks == 1 and c.counters.committed == 0
