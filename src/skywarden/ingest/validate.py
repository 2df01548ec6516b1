"""Stream-level checks no single message can make: time order and duplicates.

A message can be well formed and still wrong for the stream it is in: its time runs
backwards (a receiver clock jump, a replayed buffer), or it is the very frame another
receiver already delivered (two dump1090 feeds over the same airspace). Both are
rejected with their own named reason (``out_of_order``, ``duplicate``) rather than
passed on to the tracker, which assumes time-ordered scans.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class Deduplicator:
    """Remembers message keys for ``window_s`` seconds; one instance is shared by sources.

    The key is the raw message (frame bytes, or the meaningful fields of a text line),
    so the same transmission heard by two receivers is caught however it was framed.
    A copy from *another* source inside the window is a duplicate. A copy from the
    *same* source counts only when the caller says so (``same_source=True``): a merged
    feed repeats an extended squitter within microseconds, while one receiver can hear
    one transponder give identical replies to two interrogators milliseconds apart.
    Memory is bounded: keys older than the window are evicted in arrival order.
    """

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._seen: dict[Hashable, tuple[float, str]] = {}
        self._order: deque[tuple[float, Hashable]] = deque()

    def is_duplicate(
        self, key: Hashable, t: float, source: str = "", *, same_source: bool = True
    ) -> bool:
        """True if ``key`` was seen within the window before ``t``; records it otherwise."""
        seen = self._seen
        last = seen.get(key)
        if (
            last is not None
            and abs(t - last[0]) <= self.window_s
            and (same_source or last[1] != source)
        ):
            return True
        seen[key] = (t, source)
        order = self._order
        order.append((t, key))
        horizon = t - self.window_s
        while order and order[0][0] < horizon:
            old_t, old_key = order.popleft()
            entry = seen.get(old_key)
            if entry is not None and entry[0] == old_t:
                del seen[old_key]
        return False


class TimeOrder:
    """Per-sensor monotonic time with a tolerance for receiver jitter.

    A detection may be up to ``tolerance_s`` older than the newest one of its sensor
    (merged feeds interleave slightly); anything older is out of order.
    """

    def __init__(self, tolerance_s: float = 2.0) -> None:
        self.tolerance_s = tolerance_s
        self._latest: dict[str, float] = {}

    def check(self, sensor: str, t: float) -> float | None:
        """Return None when in order (and record ``t``), else the newest time seen."""
        latest = self._latest.get(sensor)
        if latest is None or t >= latest:
            self._latest[sensor] = t
            return None
        if t >= latest - self.tolerance_s:
            return None
        return latest
