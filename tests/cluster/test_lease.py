"""Sector leases in JetStream KV: one owner at a time, taken over after the TTL."""

from __future__ import annotations

import asyncio
import time

from skywarden.cluster.lease import Leases


async def _bucket(url: str, name: str, ttl_s: float):  # type: ignore[no-untyped-def]
    import nats
    from nats.js.api import KeyValueConfig

    nc = await nats.connect(url)
    kv = await nc.jetstream().create_key_value(KeyValueConfig(name, ttl=ttl_s))
    return nc, kv


def test_one_owner_then_takeover_after_the_ttl(nats_url: str) -> None:
    async def go() -> None:
        ttl = 1.5
        nc, kv = await _bucket(nats_url, "lease_test_a", ttl)
        a, b = Leases(kv, "a"), Leases(kv, "b")
        assert await a.try_acquire("west")
        assert not await b.try_acquire("west")
        assert await a.owner_of("west") == "a"
        for _ in range(3):  # renewing keeps it past the TTL
            await asyncio.sleep(ttl / 2)
            assert await a.renew("west")
            assert not await b.try_acquire("west")
        t_last = time.monotonic()  # a dies here: no more renewals
        while not await b.try_acquire("west"):
            assert time.monotonic() - t_last < ttl + 5, "lease never expired"
            await asyncio.sleep(0.1)
        took = time.monotonic() - t_last
        assert took >= ttl * 0.9  # not before the TTL ...
        assert await b.owner_of("west") == "b"
        assert not await a.renew("west")  # ... and the old owner learns it lost it
        assert "west" not in a.held
        await nc.close()

    asyncio.run(go())


def test_release_hands_over_at_once(nats_url: str) -> None:
    async def go() -> None:
        nc, kv = await _bucket(nats_url, "lease_test_b", 30.0)
        a, b = Leases(kv, "a"), Leases(kv, "b")
        assert await a.try_acquire("east")
        await a.release("east")
        assert await a.owner_of("east") is None
        assert await b.try_acquire("east")
        await nc.close()

    asyncio.run(go())
