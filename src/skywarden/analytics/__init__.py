"""skywarden.analytics: honest counts of drone incursions, and what they rest on.

    from skywarden.analytics import compute_stats, count_incursions
    stats = compute_stats("out/run")                      # a run, a month dir or a store URL
    stats.count("incursion"), stats.count("alert")        # de-duplicated vs naive
    units = count_incursions("out/month", "track")        # the counted units themselves

:func:`compute_stats` returns a :class:`~.records.Stats` (the record ``skywarden
report``, the web analytics page and ``bench/month.py`` read); the counting rules are
in :mod:`.counting`, the coverage model in :mod:`.coverage`, the other figures in
:mod:`.figures`, and docs/analytics.md says all of it in words, with formulas.
"""

from __future__ import annotations

from pathlib import Path

from skywarden.analytics.counting import CountingRule, Direction
from skywarden.analytics.records import (
    RULES,
    Breakdown,
    Coverage,
    HotSpot,
    Incursion,
    Period,
    Rule,
    RuleCount,
    RunwayPause,
    Stats,
)
from skywarden.analytics.sources import SourceError

__all__ = [
    "RULES",
    "Breakdown",
    "CountingRule",
    "Coverage",
    "HotSpot",
    "Incursion",
    "Period",
    "Rule",
    "RuleCount",
    "RunwayPause",
    "SourceError",
    "Stats",
    "compute_stats",
    "count_incursions",
]


def compute_stats(
    source: str | Path,
    *,
    start: float | None = None,
    end: float | None = None,
    rule: Rule = "incursion",
    params: CountingRule | None = None,
    hotspot_resolution: int = 7,
) -> Stats:
    """All the figures of ``source`` (run dir, month dir or store URL) in [start, end).

    ``rule`` picks the counting rule the breakdowns and hot spots use (all three counts
    are always given, each with its method); ``hotspot_resolution`` the H3 resolution of
    the hot spots (7: cells of ~5 km^2; 5: ~250 km^2, for a border-wide map).
    """
    from skywarden.analytics.stats import build_stats

    return build_stats(
        source, start=start, end=end, rule=rule, params=params, resolution=hotspot_resolution
    )


def count_incursions(
    source: str | Path,
    rule: Rule,
    *,
    direction: Direction = "northbound",
    start: float | None = None,
    end: float | None = None,
    params: CountingRule | None = None,
) -> list[Incursion]:
    """The units counted under ``rule`` ("alert", "track" or "incursion") in ``source``."""
    from skywarden.analytics import counting, sources

    mat = sources.load(source)
    if start is not None or end is not None:
        mat = mat.clipped(start, end)
    return counting.count(mat, rule, direction, params)
