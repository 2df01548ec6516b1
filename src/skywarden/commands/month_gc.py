"""The garbage collector's settings for a month's sector process.

A sector runs for minutes to hours and allocates a few small containers per track
update and truth point, most of them freed at once by reference counting; very few
form cycles. CPython 3.11's default thresholds (700, 10, 10) still collect the young
generation every 700 net allocations, and each full collection walks every long-lived
object the sector has built: a ten-day busy sector spent 3.7 % of its sampled time in
``gc_collect_main`` (docs/notes/wave33.md). Collecting less often changes nothing a
sector computes (cycles are still collected, only later); freezing the set-up's objects
(plan, geography, zones, tracker tables) keeps them out of every collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: young-generation threshold in a sector process (CPython's default: 700)
SECTOR_GEN0 = 20_000


@contextmanager
def sector_gc(gen0: int = SECTOR_GEN0) -> Iterator[None]:
    """Within: young collections every ``gen0`` net allocations and the objects alive at
    entry frozen; the process's own settings are restored after."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(gen0, old[1], old[2])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()
