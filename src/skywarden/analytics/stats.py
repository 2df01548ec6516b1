"""Assembling :class:`~.records.Stats` from a source: counts, breakdowns and the rest."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from skywarden.analytics import counting, figures, sources
from skywarden.analytics.counting import CountingRule
from skywarden.analytics.material import Material
from skywarden.analytics.records import (
    RULES,
    Breakdown,
    Incursion,
    Period,
    Rule,
    RuleCount,
    Stats,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_stats(
    source: str | Path,
    *,
    start: float | None = None,
    end: float | None = None,
    rule: Rule = "incursion",
    params: CountingRule | None = None,
) -> Stats:
    """Every figure of the source (see :func:`skywarden.analytics.compute_stats`)."""
    mat = sources.load(source)
    if start is not None or end is not None:
        mat = mat.clipped(start, end)
    return stats_of(mat, rule=rule, params=params)


def stats_of(
    mat: Material, *, rule: Rule = "incursion", params: CountingRule | None = None
) -> Stats:
    """The :class:`Stats` of already loaded material."""
    units = {r: counting.count(mat, r, "northbound", params) for r in RULES}
    both = counting.count(mat, rule, "both", params)
    counts = [
        RuleCount(rule=r, count=len(units[r]), method=counting.method(r, params)) for r in RULES
    ]
    notes = list(mat.notes)
    if any(not s.spans and s.crossings for s in mat.sectors):
        notes.append(
            "some sectors have no track history: the alert count takes one alert "
            "per crossing there (a lower bound)"
        )
    return Stats(
        source=mat.source,
        kind=mat.kind,
        period=Period(start=mat.start, end=mat.end, start_iso=iso(mat.start), end_iso=iso(mat.end)),
        rule=rule,
        counts=counts,
        breakdown=breakdown(units[rule], both),
        coverage=figures.coverage_of(mat, units["incursion"]),
        hotspots=figures.hotspots(units[rule]),
        behaviours=figures.behaviours(mat),
        runway_pauses=figures.runway_pauses(mat),
        incidents_by_kind=dict(
            sorted(Counter(k for s in mat.sectors for _, k in s.incident_kinds).items())
        ),
        sectors=[s.id for s in mat.sectors],
        notes=notes,
    )


def breakdown(units: list[Incursion], both: list[Incursion]) -> Breakdown:
    """Counts by sector, UTC day, UTC hour, weekday; directions from both directions' units."""
    by_hour = [0] * 24
    by_day: Counter[str] = Counter()
    by_week: Counter[str] = Counter()
    for u in units:
        dt = datetime.fromtimestamp(u.t, UTC)
        by_hour[dt.hour] += 1
        by_day[dt.strftime("%Y-%m-%d")] += 1
        by_week[WEEKDAYS[dt.weekday()]] += 1
    return Breakdown(
        by_sector=dict(sorted(Counter(u.sector for u in units).items())),
        by_day=dict(sorted(by_day.items())),
        by_hour=by_hour,
        by_weekday={d: by_week[d] for d in WEEKDAYS if by_week[d]},
        by_direction=dict(sorted(Counter(u.direction for u in both).items())),
    )
