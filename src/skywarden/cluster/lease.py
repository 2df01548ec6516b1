"""Sector ownership: a lease per sector in the JetStream KV bucket ``sw_leases``.

Why a lease and not a coordinator: a worker that dies must lose its sectors without
anyone deciding it is dead. The lease is the key ``<sector>``; its value names the
owner. Acquiring is *create if absent* (a compare-and-set on revision 0); renewing is
*update if the revision is still mine* (CAS on the revision last written), which both
refreshes the key's age and proves nobody took it meanwhile. The bucket's TTL is the
lease's expiry on the *server's* clock: a key not renewed for ``TTL_S`` is removed by
JetStream itself, and the next worker's create succeeds. Workers' clocks never compare.

Timing (stated, and measured by ``tests/cluster/test_lease.py`` and ``bench/cluster.py``):
the owner renews every ``RENEW_S`` = 2 s; the lease expires ``TTL_S`` = 6 s after the
last renewal (two missed renewals are tolerated: a GC pause or a slow disk does not
move a sector); the others poll every ``POLL_S`` = 1 s. A sector whose worker died is
owned again within ``TTL_S + POLL_S`` = 7 s of the last renewal, plus JetStream's
expiry timer (well under a second). A worker that fails to renew (its revision moved,
or the server cannot be reached before the TTL) stops work on that sector at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

TTL_S = 6.0
RENEW_S = 2.0
POLL_S = 1.0


@dataclass(frozen=True)
class Timing:
    """The lease's clock: renew every ``renew_s``, expire after ``ttl_s``, poll every
    ``poll_s`` (tests shorten them; the bucket's TTL must equal ``ttl_s``)."""

    ttl_s: float = TTL_S
    renew_s: float = RENEW_S
    poll_s: float = POLL_S


@dataclass
class Lease:
    sector: str
    revision: int
    since: float  # wall clock when acquired (reporting only)


@dataclass
class Leases:
    """The leases one worker holds in ``kv`` (a nats-py ``KeyValue``) as ``owner``."""

    kv: Any
    owner: str
    held: dict[str, Lease] = field(default_factory=dict)

    def _value(self) -> bytes:
        return json.dumps({"owner": self.owner, "t": time.time()}).encode()

    async def try_acquire(self, sector: str) -> bool:
        """Create the lease if nobody holds it; True if it is now ours."""
        from nats.js.errors import KeyWrongLastSequenceError

        if sector in self.held:
            return True
        try:
            rev = await self.kv.create(sector, self._value())
        except KeyWrongLastSequenceError:
            return False
        self.held[sector] = Lease(sector, int(rev), time.time())
        return True

    async def renew(self, sector: str) -> bool:
        """Refresh the lease with a CAS on our last revision; False (and forgotten) if it
        is no longer ours. A server error is re-raised: the caller decides, by the age of
        its last successful renewal, when to give the sector up."""
        from nats.js.errors import KeyWrongLastSequenceError

        lease = self.held.get(sector)
        if lease is None:
            return False
        try:
            lease.revision = int(await self.kv.update(sector, self._value(), last=lease.revision))
        except KeyWrongLastSequenceError:
            del self.held[sector]
            return False
        return True

    async def release(self, sector: str) -> None:
        """Give the sector up now (a clean stop), so a standby need not wait for the TTL."""
        lease = self.held.pop(sector, None)
        if lease is None:
            return
        try:
            await self.kv.delete(sector, last=lease.revision)
        except Exception:  # already expired or taken: it is not ours either way
            return

    async def owner_of(self, sector: str) -> str | None:
        """Who holds ``sector`` now (None if nobody), read from the bucket."""
        from nats.js.errors import NotFoundError

        try:
            entry = await self.kv.get(sector)
        except NotFoundError:  # never written, expired, or deleted (KeyDeletedError)
            return None
        try:
            return str(json.loads(entry.value)["owner"])
        except (ValueError, KeyError, TypeError):
            return "?"
