"""When each target takes off: a lazy, deterministic launch schedule.

Two kinds of family. *Rate* families (smugglers, arrivals, departures, overflights) are
Poisson processes: exponential gaps drawn one at a time from the family's own stream,
so a longer run's schedule extends a shorter run's. *Slot* families (surveillance,
hobby, birds) keep ``count`` targets cycling: each slot flies a mission, rests, flies
again. Both start before the run so the sky is not empty at its first second.

Nothing is built until it is due: the heap holds launch times and recipes; the
trajectory is generated when its time comes (``pop_due``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from skywarden.sim.seeding import stream
from skywarden.sim.target import Target

# A builder makes one target, or several flying together (a convoy), from a launch time,
# a random stream and an id.
Builder = Callable[[float, np.random.Generator, str], Target | list[Target]]


@dataclass(order=True)
class _Due:
    t: float
    key: tuple[str, int, int]
    family: _Family = field(compare=False)


@dataclass(eq=False)
class _Family:
    name: str
    build: Builder
    seed: int
    rate_per_s: float = 0.0  # > 0 for a rate family
    slots: int = 0  # > 0 for a slot family
    rest_s: tuple[float, float] = (0.0, 0.0)
    gaps: np.random.Generator | None = None
    counter: int = 0


class Schedule:
    """A heap of upcoming launches across all families, popped in time order."""

    def __init__(self, seed: int, t_start: float) -> None:
        self.seed = seed
        self.t_start = t_start
        self._heap: list[_Due] = []

    def add_rate(self, name: str, per_hour: float, build: Builder, lead_s: float) -> None:
        """A Poisson family with ``per_hour`` launches, starting ``lead_s`` before the run."""
        if not per_hour / 3600.0 > 0:  # zero, or so small it underflows to zero
            return
        fam = _Family(
            name,
            build,
            self.seed,
            rate_per_s=per_hour / 3600.0,
            gaps=stream(self.seed, name, "schedule"),
        )
        assert fam.gaps is not None
        t = self.t_start - lead_s + float(fam.gaps.exponential(1.0 / fam.rate_per_s))
        heapq.heappush(self._heap, _Due(t, (name, 0, 0), fam))

    def add_slots(
        self,
        name: str,
        count: int,
        build: Builder,
        first_s: tuple[float, float],
        rest_s: tuple[float, float],
    ) -> None:
        """``count`` slots; slot i's first launch is uniform in ``first_s`` around the start."""
        if count <= 0:
            return
        fam = _Family(name, build, self.seed, slots=count, rest_s=rest_s)
        for i in range(count):
            r = stream(self.seed, name, "slot", i)
            t = self.t_start + float(r.uniform(*first_s))
            heapq.heappush(self._heap, _Due(t, (name, i, 0), fam))

    def next_time(self) -> float:
        return self._heap[0].t if self._heap else float("inf")

    def pop_due(self, t: float) -> list[Target]:
        """Build every target launched at or before ``t`` and schedule what follows it."""
        out = []
        while self._heap and self._heap[0].t <= t:
            due = heapq.heappop(self._heap)
            fam = due.family
            name, a, b = due.key
            t0 = float(np.floor(due.t))
            if fam.rate_per_s > 0:
                tid = f"{name}-{a:04d}"
                built = fam.build(t0, stream(self.seed, name, a), tid)
                assert fam.gaps is not None
                nxt = due.t + float(fam.gaps.exponential(1.0 / fam.rate_per_s))
                heapq.heappush(self._heap, _Due(nxt, (name, a + 1, 0), fam))
            else:
                tid = f"{name}-{a:02d}-{b:03d}"
                rng = stream(self.seed, name, a, b)
                built = fam.build(t0, rng, tid)
                end = max(tg.t_end for tg in _listed(built))
                # At least a second later, so a slot can never relaunch within one tick.
                nxt = max(end + float(rng.uniform(*fam.rest_s)), due.t + 1.0)
                heapq.heappush(self._heap, _Due(nxt, (name, a, b + 1), fam))
            out.extend(_listed(built))
        return out


def _listed(built: Target | list[Target]) -> list[Target]:
    return built if isinstance(built, list) else [built]
