"""A month sector's simulated time: its windows, the warm-ups before them, and the runs
of touching windows the runner simulates as one sky (``sim/month.py`` lays them out;
docs/month.md says why each is there)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    """A span of one sector's simulated time: ``kind`` "incursion" or "quiet", its weight."""

    start: float
    end: float
    kind: str
    weight: float = 1.0
    incursions: tuple[str, ...] = ()
    #: a run's first warm-up fed to the chain only from ``start`` while its sky is
    #: simulated from here (``--warmup-fed-s``, :func:`with_warmups`); None: from ``start``
    sky_from: float | None = None

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def sky_start(self) -> float:
        """Where this window's simulation starts when it opens a run."""
        return self.start if self.sky_from is None else self.sky_from

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start_t": self.start,
            "end_t": self.end,
            "kind": self.kind,
            "weight": round(self.weight, 4),
            "incursions": list(self.incursions),
        }
        if self.sky_from is not None:
            d["sky_from_t"] = self.sky_from
        return d


def with_warmups(
    windows: list[Window], warmup_s: float, fed_s: float | None = None
) -> list[Window]:
    """Each counted window preceded by a weight-0 warm-up of up to ``warmup_s`` seconds.

    The warm-up starts no earlier than the previous window's end (it fills the gap when
    the gap is shorter, and the runner then simulates both windows as one), so no second
    is simulated twice; a window that starts where the previous one ends needs none. It
    may start before the month (its events count for nothing either way).

    ``fed_s`` (a study, ``month run --warmup-fed-s``): a warm-up that opens a run is fed
    to the chain only for its last ``fed_s`` seconds; its sky is still simulated (and
    seeded) from the warm-up's start (``Window.sky_from``). So a month at ``warmup_s``
    120 and ``fed_s`` 60 flies the 120 s month's skies with the tracker's memory of a 60
    s warm-up: what the warm-up's length does to the count, apart from the other draw of
    backgrounds that a month at ``warmup_s`` 60 gets. A warm-up that joins the previous
    window is one continuous sky with it and is fed whole.
    """
    out: list[Window] = []
    prev_end = -math.inf
    for w in windows:
        a = max(w.start - warmup_s, prev_end)
        if a < w.start:
            opens_run = a > prev_end
            if opens_run and fed_s is not None and w.start - a > fed_s:
                out.append(Window(w.start - fed_s, w.start, "warmup", 0.0, sky_from=a))
            else:
                out.append(Window(a, w.start, "warmup", 0.0))
        out.append(w)
        prev_end = max(prev_end, w.end)
    return out


def runs(windows: list[Window]) -> list[list[Window]]:
    """Windows that touch (one starts where the previous ends) in one group: the runner
    simulates each group as one continuous sky."""
    out: list[list[Window]] = []
    for w in windows:
        if out and w.start <= out[-1][-1].end + 1e-6:
            out[-1].append(w)
        else:
            out.append([w])
    return out


def overlap(busy: list[tuple[float, float, tuple[str, ...]]], a: float, b: float) -> float:
    return sum(max(0.0, min(b, y) - max(a, x)) for x, y, _ in busy)


def minus(
    span: tuple[float, float], busy: list[tuple[float, float, tuple[str, ...]]]
) -> list[tuple[float, float]]:
    pieces = [span]
    for x, y, _ in busy:
        nxt = []
        for a, b in pieces:
            if y <= a or x >= b:
                nxt.append((a, b))
                continue
            if a < x:
                nxt.append((a, x))
            if y < b:
                nxt.append((y, b))
        pieces = nxt
    return pieces
