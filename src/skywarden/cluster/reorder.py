"""Scans of one sector from several edges, put in time order for THE stage loop.

With hand-over routing (``skywarden edge --layout``) a sector hears every edge whose
sensors see into its extended area; each edge's scans arrive in its own time order,
but the edges' streams interleave as they were published. The tracker needs scan times
that never go back, so a worker holds each edge's closed scans and releases them by a
watermark:

- every edge has ``passed``: the newest scan time it has closed on this sector;
- an edge is *active* while ``passed >= newest - lag_s``, ``newest`` the newest scan time
  of any edge (an edge ``lag_s`` of scan time behind the others has stopped sending to
  this sector, or is draining a spool: it is not waited for);
- a held scan at ``t`` is released once every active edge has passed ``t``; held scans
  with the same ``t`` are released together (one tracker scan);
- a scan that arrives at or before the newest time already released is *late*: it is
  released at once, at that released time (the tracker refuses time going back; its
  detections keep their own times), and counted;
- ``flush()`` releases everything held: the worker calls it after ``FLUSH_S`` wall
  seconds without a batch (the last scans of edges that all stopped).

With one edge every scan is released as it closes: the single-edge path is unchanged.
Every decision but ``flush`` is a function of the order of the stream alone, so a new
owner reading the same stream from a snapshot (which keeps ``passed``) makes the same
scans, and so the same steps under the same step ids.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

LAG_S = 3.0  # scan seconds an edge may lag the newest before it is no longer waited for
FLUSH_S = 2.0  # wall seconds without a batch before every held scan is released


@dataclass
class Release(Generic[T]):
    """Scans to apply as one tracker scan at ``t``; ``late`` if they came after it."""

    t: float
    items: list[T]
    late: bool = False


@dataclass
class Reorder(Generic[T]):
    """The release rule of the module docstring, for any scan record ``T``."""

    lag_s: float = LAG_S
    passed: dict[str, float] = field(default_factory=dict)
    released_t: float = float("-inf")
    late: int = 0
    _held: list[tuple[float, int, T]] = field(default_factory=list)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        if not self.lag_s > 0:
            raise ValueError(f"reorder lag_s must be > 0 scan seconds, got {self.lag_s}")

    def __len__(self) -> int:
        return len(self._held)

    def seen(self, edge: str, t: float) -> list[Release[T]]:
        """``edge`` has closed a scan at ``t`` that is not to be applied (a duplicate of
        one already applied): it still moves the edge on; returns what that releases."""
        self._note(edge, t)
        return self._release(self.watermark())

    def _note(self, edge: str, t: float) -> None:
        self.passed[edge] = max(self.passed.get(edge, t), t)

    def watermark(self) -> float:
        """Every active edge has passed this scan time."""
        if not self.passed:
            return float("-inf")
        newest = max(self.passed.values())
        return min(p for p in self.passed.values() if p >= newest - self.lag_s)

    def push(self, edge: str, t: float, item: T) -> list[Release[T]]:
        """A closed scan of ``edge``; returns what is released now, in time order."""
        self._note(edge, t)
        if t <= self.released_t:
            self.late += 1
            return [Release(self.released_t, [item], late=True)]
        heapq.heappush(self._held, (t, next(self._order), item))
        return self._release(self.watermark())

    def flush(self) -> list[Release[T]]:
        """Release every held scan (the stream has gone quiet)."""
        return self._release(float("inf"))

    def _release(self, upto: float) -> list[Release[T]]:
        out: list[Release[T]] = []
        while self._held and self._held[0][0] <= upto:
            t, _, item = heapq.heappop(self._held)
            if out and out[-1].t == t:
                out[-1].items.append(item)
            else:
                out.append(Release(t, [item]))
            self.released_t = t
        return out
