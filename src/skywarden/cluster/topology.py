"""What the cluster keeps in JetStream: two streams, two key-value buckets, one object store.

- stream ``SW_DET`` (``sw.det.<sector>``): the edges' detection batches. File storage,
  bounded by age and bytes (limits retention: a takeover replays from a snapshot's
  sequence, so acknowledged messages stay readable until they age out).
- stream ``SW_OUT`` (``sw.trk.<sector>``): the workers' sector steps, read by the core.
- KV ``sw_leases``: one key per sector, the owner's lease; the bucket's TTL *is* the
  lease's expiry (server clock, so workers' clocks do not matter; see ``lease.py``).
- KV ``sw_sectors``: one key per sector, its ``sector.json`` as the edge knows it
  (origin, airports, sensors), so a worker needs no file to build the sector's stages.
- object store ``sw_snapshots``: one object per sector, the stages' state and the last
  applied stream sequence (``snapshot.py``).

Every one is created if absent with ``replicas`` copies (3 on the three-node cluster of
``make cluster``, 1 on a single server), and ``Nats-Msg-Id`` de-duplicates publishes
within ``DUPLICATE_WINDOW_S``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from skywarden.errors import SkywardenError

DET_STREAM = "SW_DET"
OUT_STREAM = "SW_OUT"
LEASES = "sw_leases"
SECTORS = "sw_sectors"
SNAPSHOTS = "sw_snapshots"
DUPLICATE_WINDOW_S = 120.0
MAX_AGE_S = 24 * 3600.0
MAX_STREAM_BYTES = 1 << 30  # per stream; JetStream reserves it on every replica
CONNECT_S = 10.0  # the first connection: how long to try the servers before giving up
DRAIN_TIMEOUT_S = 3.0  # closing: what is in flight gets this long to be flushed


INSUFFICIENT_STORAGE = 10047  # JetStream's error code: the server cannot reserve the bytes


def _hint(e: Exception) -> str:
    """What to change when the server refuses to reserve the streams' bytes (code 10047)."""
    if getattr(e, "err_code", None) != INSUFFICIENT_STORAGE:
        return ""
    need = 2 * MAX_STREAM_BYTES >> 30
    return (
        f" (the two streams reserve {need} GiB per replica; without a stated"
        " jetstream.max_file_store the server allows 75 % of the disk free at its start:"
        " free space or state max_file_store, as deploy/nats/n1.conf does)"
    )


class ClusterError(SkywardenError, RuntimeError):
    """The NATS server cannot be reached or refuses a stream or bucket; names the URL."""


@dataclass
class Topology:
    """A connection and the streams, buckets and store of the cluster, created if absent."""

    url: str
    nc: Any
    js: Any
    leases: Any
    sectors: Any
    snapshots: Any

    async def close(self) -> None:
        try:
            await self.nc.drain()
        except Exception:  # already closed or the server is gone: nothing left to flush
            await self.nc.close()


async def connect(
    url: str,
    *,
    lease_ttl_s: float,
    replicas: int = 1,
    name: str = "skywarden",
    reconnect: bool = True,
) -> Topology:
    """Connect to ``url`` (comma-separated for a cluster) and ensure the topology."""
    from nats.js.api import (
        KeyValueConfig,
        ObjectStoreConfig,
        RetentionPolicy,
        StorageType,
        StreamConfig,
    )
    from nats.js.errors import NotFoundError

    servers = [u.strip() for u in url.split(",") if u.strip()]
    try:  # a whole cluster away at start is an error after CONNECT_S, not a silent wait
        nc = await asyncio.wait_for(_connect(servers, name, reconnect), CONNECT_S)
    except Exception as e:  # nats raises several unrelated types on refusal
        reason = "no server answered" if isinstance(e, TimeoutError) else str(e)
        raise ClusterError(f"--bus {url}: cannot connect ({reason})") from None
    js = nc.jetstream(timeout=10)
    try:
        for stream, subjects in ((DET_STREAM, "sw.det.>"), (OUT_STREAM, "sw.trk.>")):
            cfg = StreamConfig(
                name=stream,
                subjects=[subjects],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                max_age=MAX_AGE_S,
                max_bytes=MAX_STREAM_BYTES,
                duplicate_window=DUPLICATE_WINDOW_S,
                num_replicas=replicas,
            )
            await _ensure_stream(js, cfg)
        leases = await _kv(js, KeyValueConfig(LEASES, ttl=lease_ttl_s, replicas=replicas))
        sectors = await _kv(js, KeyValueConfig(SECTORS, replicas=replicas))
        try:
            snaps = await js.object_store(SNAPSHOTS)
        except NotFoundError:
            snaps = await js.create_object_store(
                SNAPSHOTS, ObjectStoreConfig(bucket=SNAPSHOTS, replicas=replicas)
            )
    except Exception as e:
        await nc.close()
        raise ClusterError(
            f"--bus {url}: JetStream topology: {type(e).__name__}: {e}{_hint(e)}"
        ) from None
    return Topology(url, nc, js, leases, sectors, snaps)


async def _connect(servers: list[str], name: str, reconnect: bool) -> Any:
    import nats

    return await nats.connect(
        servers,
        name=name,
        connect_timeout=3,
        allow_reconnect=reconnect,
        max_reconnect_attempts=-1 if reconnect else 1,
        reconnect_time_wait=0.5,
        drain_timeout=DRAIN_TIMEOUT_S,
    )


async def _kv(js: Any, cfg: Any) -> Any:
    """Bind to the bucket as it is (the first process created it), or create it."""
    from nats.js.errors import NotFoundError

    try:
        return await js.key_value(cfg.bucket)
    except NotFoundError:
        await js.create_key_value(cfg)
    # bound afresh: the handle create_key_value returns can disagree with the stream the
    # server made (direct get), and a worker that created the bucket then never read it
    return await js.key_value(cfg.bucket)


async def _ensure_stream(js: Any, cfg: Any) -> None:
    """Add the stream, or leave an existing one as it is (its config may be tuned)."""
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(cfg.name)
    except NotFoundError:
        await js.add_stream(cfg)
