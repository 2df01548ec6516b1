"""Login throttling: per user name and per client address, exponential backoff.

Issue #12 finding 6: 200 wrong passwords in 40 s were all answered, each costing an
Argon2 hash. Here a key (a user name, or an address) may fail ``free`` times; after
that each further attempt must wait ``base_s * 2**(failures - free)`` seconds after the
last failure, at most ``cap_s``, and is answered 429 with ``Retry-After`` *before* any
password is hashed. A success clears the user's count (not the address's: one good
account must not reset a spray of guesses at others). The counts
are forgotten ``forget_s`` after the last failure, and at most ``max_keys`` keys are
kept (the oldest forgotten first), so a spray of names cannot grow memory.

The address allows more failures than a name (offices share an address behind NAT).
The known trade-off of per-name backoff: anyone can delay a user's logins by failing
for their name, by at most ``cap_s`` a try. The state is per process; several service
processes each throttle on their own (documented in docs/notes/storesec.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Count:
    failures: int
    t_last: float


@dataclass(frozen=True, slots=True)
class Failure:
    """Counts after a failure, and whether this one is worth an audit row."""

    user_failures: int
    addr_failures: int
    worth_auditing: bool


def _milestone(n: int, free: int) -> bool:
    """1, free, 2 free, 4 free...: a log-sized number of audit rows for n failures."""
    if n in (1, free):
        return True
    k = n // free
    return n % free == 0 and k & (k - 1) == 0


class LoginThrottle:
    def __init__(
        self,
        free_per_user: int = 5,
        free_per_address: int = 20,
        base_s: float = 1.0,
        cap_s: float = 300.0,
        forget_s: float = 900.0,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = {"user": free_per_user, "addr": free_per_address}
        self.base_s, self.cap_s, self.forget_s = base_s, cap_s, forget_s
        self.max_keys, self.clock = max_keys, clock
        self._counts: OrderedDict[tuple[str, str], _Count] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: tuple[str, str], now: float) -> _Count | None:
        c = self._counts.get(key)
        if c is not None and now - c.t_last > self.forget_s:
            del self._counts[key]
            return None
        return c

    def _wait(self, key: tuple[str, str], now: float) -> float:
        c = self._get(key, now)
        free = self.free[key[0]]
        if c is None or c.failures < free:
            return 0.0
        delay = min(self.cap_s, self.base_s * 2.0 ** min(c.failures - free, 60))
        return max(0.0, c.t_last + delay - now)

    def retry_after(self, user: str, addr: str) -> float:
        """Seconds until ``user`` may try again from ``addr`` (0: go ahead)."""
        now = self.clock()
        with self._lock:
            return max(self._wait(("user", user), now), self._wait(("addr", addr), now))

    def failed(self, user: str, addr: str) -> Failure:
        now = self.clock()
        counts = []
        audit = False
        with self._lock:
            for key in (("user", user), ("addr", addr)):
                c = self._get(key, now)
                if c is None:
                    c = self._counts[key] = _Count(0, now)
                c.failures += 1
                c.t_last = now
                self._counts.move_to_end(key)
                counts.append(c.failures)
                audit = audit or _milestone(c.failures, self.free[key[0]])
            while len(self._counts) > self.max_keys:
                self._counts.popitem(last=False)
        return Failure(counts[0], counts[1], audit)

    def succeeded(self, user: str, addr: str) -> None:
        with self._lock:
            self._counts.pop(("user", user), None)


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
