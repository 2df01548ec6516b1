"""Assembling :class:`~.records.Stats` from a source: counts, breakdowns and the rest."""

from __future__ import annotations

from collections import defaultdict
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
    resolution: int = figures.HOTSPOT_RESOLUTION,
) -> Stats:
    """Every figure of the source (see :func:`skywarden.analytics.compute_stats`)."""
    mat = sources.load(source)
    if start is not None or end is not None:
        mat = mat.clipped(start, end)
    return stats_of(mat, rule=rule, params=params, resolution=resolution)


def stats_of(
    mat: Material,
    *,
    rule: Rule = "incursion",
    params: CountingRule | None = None,
    resolution: int = figures.HOTSPOT_RESOLUTION,
) -> Stats:
    """The :class:`Stats` of already loaded material."""
    units = {r: counting.count(mat, r, "northbound", params) for r in RULES}
    both = counting.count(mat, rule, "both", params)
    judged = counting.evidence_recorded(mat)
    origin = counting.origin_recorded(mat)
    apart = set_apart(mat, params, judged, origin)
    counts = [
        RuleCount(
            rule=r,
            count=round(sum(u.weight for u in units[r])),
            method=counting.method(r, params),
            units=len(units[r]),
            **(apart if r == "incursion" else {}),
        )
        for r in RULES
    ]
    notes = list(mat.notes)
    if not judged and any(s.crossings for s in mat.sectors):
        notes.append(
            "the tracks kept no corroboration: the incursion rule counted without its "
            "evidence check (no unit could be judged suspected)"
        )
    if not origin and any(s.crossings for s in mat.sectors):
        notes.append(
            "the tracks kept no history: the incursion rule could not ask where a flight "
            "came from (no unit set apart as from the US side)"
        )
    if any(not s.spans and s.crossings for s in mat.sectors):
        notes.append(
            "some sectors have no track history: the alert count takes one alert "
            "per crossing there (a lower bound)"
        )
    coverage = figures.coverage_of(mat, units["incursion"])
    if coverage is None:
        notes.append(_no_coverage(mat))
    return Stats(
        source=mat.source,
        kind=mat.kind,
        period=Period(start=mat.start, end=mat.end, start_iso=iso(mat.start), end_iso=iso(mat.end)),
        rule=rule,
        counts=counts,
        breakdown=breakdown(units[rule], both),
        coverage=coverage,
        hotspots=figures.hotspots(units[rule], resolution),
        behaviours=figures.behaviours(mat),
        runway_pauses=figures.runway_pauses(mat),
        incidents_by_kind=_incidents(mat),
        sectors=[s.id for s in mat.sectors if s.simulated],
        notes=notes,
    )


def set_apart(
    mat: Material, params: CountingRule | None, judged: bool, origin: bool
) -> dict[str, int | None]:
    """The incursion rule's set-apart units, weighted and counted, as RuleCount fields:
    step 4's suspected ones (None when no evidence was recorded), step 5's from the US
    side and where from unseen (None when no track history was)."""
    apart: defaultdict[str, list[Incursion]] = defaultdict(list)
    for u, kind, _ in counting.judged(mat, "northbound", params):
        if kind is not None and u.weight > 0.0:
            apart[kind].append(u)
    out: dict[str, int | None] = {}
    for name, asked in (("suspected", judged), ("from_us", origin), ("origin_unseen", origin)):
        us = apart[name]
        out[name] = round(sum(u.weight for u in us)) if asked else None
        out[f"{name}_units"] = len(us) if asked else None
    return out


def breakdown(units: list[Incursion], both: list[Incursion]) -> Breakdown:
    """Weighted counts by sector, UTC day, UTC hour, weekday; directions from both ways."""
    by_hour = [0.0] * 24
    by_day: defaultdict[str, float] = defaultdict(float)
    by_week: defaultdict[str, float] = defaultdict(float)
    by_sector: defaultdict[str, float] = defaultdict(float)
    by_dir: defaultdict[str, float] = defaultdict(float)
    for u in units:
        dt = datetime.fromtimestamp(u.t, UTC)
        by_hour[dt.hour] += u.weight
        by_day[dt.strftime("%Y-%m-%d")] += u.weight
        by_week[WEEKDAYS[dt.weekday()]] += u.weight
        by_sector[u.sector] += u.weight
    for u in both:
        by_dir[u.direction] += u.weight
    return Breakdown(
        by_sector=_rounded(by_sector),
        by_day=_rounded(by_day),
        by_hour=[round(v) for v in by_hour],
        by_weekday={d: round(by_week[d]) for d in WEEKDAYS if by_week[d]},
        by_direction=_rounded(by_dir),
        identified=round(sum(u.weight for u in units if u.identified)),
    )


def _rounded(c: dict[str, float]) -> dict[str, int]:
    return {k: round(v) for k, v in sorted(c.items())}


def _incidents(mat: Material) -> dict[str, int]:
    """Incidents by kind (weighted by their window in a month)."""
    c: defaultdict[str, float] = defaultdict(float)
    for s in mat.sectors:
        for t, kind in s.incident_kinds:
            c[kind] += s.weight_at(t)
    return _rounded(c)


def _no_coverage(mat: Material) -> str:
    """Why there is no coverage model, in words."""
    if mat.kind == "store":
        return (
            "coverage not computed: the store keeps sensor sites, not their detection "
            "parameters or the sector's extent; run stats on the run or month directory"
        )
    return (
        "coverage not computed: no sensors with a sector origin and extent (the run's "
        "scenario was not found beside it nor at incidents.json's meta.scenario)"
    )
