"""A sector's stage state in the JetStream object store, with the last stream sequence applied.

Why here and not in PostgreSQL: a worker then needs only NATS to take a sector over (the
core's database may be down, and the store is the core's). The object ``<sector>`` of
``sw_snapshots`` holds, msgpack-framed: the snapshot format, the fingerprint of the
stage code and sector configuration (``store.snapshots.fingerprint``: a snapshot of
other code is never loaded), ``seq`` (the last detection-stream sequence the state has
applied), ``step`` (the sector's scans so far), ``t`` (the last scan time), ``edges``
(the newest ``(boot, seq)`` seen per edge, to drop re-sent batches) and the pickled
stages (``store.snapshots.dumps``, with the zone index left out and re-bound on load).

No detection lost, none applied twice: a new owner loads the snapshot, then reads the
stream from ``seq + 1``; every batch at or before ``seq`` is in the state, every one
after it is applied once. Trust: the state is a pickle, so only workers may write this
bucket (NATS account permissions, docs/deploy.md); it is never imported or exported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

FORMAT = 1


class Header(msgspec.Struct):
    format: int
    code: str
    seq: int
    step: int
    t: float
    edges: dict[str, tuple[int, int]]
    state: bytes


@dataclass
class SectorSnapshot:
    code: str
    seq: int = 0
    step: int = 0
    t: float = float("-inf")
    edges: dict[str, tuple[int, int]] = field(default_factory=dict)
    state: bytes = b""

    def to_bytes(self) -> bytes:
        h = Header(FORMAT, self.code, self.seq, self.step, self.t, self.edges, self.state)
        return msgspec.msgpack.encode(h)

    @classmethod
    def from_bytes(cls, data: bytes) -> SectorSnapshot | None:
        """The snapshot, or None if it is unreadable or of another format."""
        try:
            h = msgspec.msgpack.decode(data, type=Header)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        if h.format != FORMAT:
            return None
        return cls(h.code, h.seq, h.step, h.t, dict(h.edges), h.state)


async def load(store: Any, sector: str, code: str) -> SectorSnapshot | None:
    """The sector's snapshot if there is one written by this code, else None."""
    from nats.js.errors import NotFoundError, ObjectDeletedError

    try:
        res = await store.get(sector)
    except (NotFoundError, ObjectDeletedError):
        return None
    snap = SectorSnapshot.from_bytes(res.data or b"")
    if snap is None or snap.code != code:
        return None
    return snap


async def save(store: Any, sector: str, snap: SectorSnapshot) -> None:
    await store.put(sector, snap.to_bytes())
