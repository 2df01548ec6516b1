"""What a report shows, section by section: the one module that reads a ``Stats`` record.

The HTML page, the PDF and the web analytics page draw the same :class:`ReportView`, so
they cannot disagree, and a change to the ``Stats`` record (``skywarden.analytics``)
touches this file only. The view is built from the record's JSON form (a dict), because
the partner version is the dict that ``service/redact.py`` returns: a section that
redaction removed is simply absent, and the view lists it under ``withheld`` so every
renderer says so instead of drawing an empty figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled value of a table or bar chart (a sector and its count, say)."""

    label: str
    value: float


@dataclass(frozen=True, slots=True)
class CountRule:
    """The count under one counting rule, with the rule's own method text."""

    rule: str
    count: int
    method: str
    #: units the evidence check left out (the incursion rule; None where not judged)
    suspected: int | None = None
    #: units first seen on the US side, and units whose origin was unseen (already flying
    #: when the feed began, or first seen on the line)
    #: (step 5 of the incursion rule; None where not judged)
    from_us: int | None = None
    origin_unseen: int | None = None

    def set_apart(self) -> list[str]:
        """What the rule reported apart, in words ("12 suspected"), the non-zero ones."""
        parts = (
            (self.suspected, "suspected"),
            (self.from_us, "from the US side"),
            (self.origin_unseen, "already flying when the feed began, or first seen on the line"),
        )
        return [f"{n:,} {what}" for n, what in parts if n]


@dataclass(frozen=True, slots=True)
class HotSpot:
    """An H3 cell and the incursions counted in it; ``lat``/``lon`` its centre."""

    cell: str
    count: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class SensorSet:
    """A set of sensors, the share of the border it reaches and its mean P(detect)."""

    name: str
    share: float
    p_detect: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """The coverage model: the share of the border seen, and the coverage-adjusted total
    (``total``, in ``[low, high]`` at ``confidence``) beside what was counted."""

    border_km: float
    sets: tuple[SensorSet, ...]
    p_detect_mean: float
    counted: int
    total: float
    low: float
    high: float
    confidence: float
    method: str
    assumptions: tuple[str, ...] = ()

    @property
    def unseen(self) -> float:
        return self.total - self.counted

    @property
    def seen_share(self) -> float:
        """The share of the border within reach of at least one set (the widest set)."""
        return max((s.share for s in self.sets), default=0.0)


@dataclass(frozen=True, slots=True)
class ReportView:
    """Everything a report draws, already in display units; absent sections are empty."""

    title: str
    source: str
    role: str
    start: float | None
    end: float | None
    version: str
    counts: tuple[CountRule, ...] = ()
    per_sector: tuple[Bar, ...] = ()
    per_day: tuple[Bar, ...] = ()
    per_hour: tuple[Bar, ...] = ()
    per_weekday: tuple[Bar, ...] = ()
    per_direction: tuple[Bar, ...] = ()
    identified: int | None = None
    coverage: Coverage | None = None
    hotspots: tuple[HotSpot, ...] = ()
    hotspot_resolution: int | None = None
    drops: int | None = None
    loiters: int | None = None
    drop_points: tuple[tuple[float, float], ...] = ()  # (lat, lon)
    loiter_points: tuple[tuple[float, float], ...] = ()
    incidents_by_kind: tuple[Bar, ...] = ()
    runway_pause_min: tuple[Bar, ...] = ()
    notes: tuple[str, ...] = ()
    withheld: tuple[str, ...] = field(default_factory=tuple)

    @property
    def coverage_withheld(self) -> bool:
        """True when redaction removed the coverage model (not merely none computed)."""
        return any(w.startswith("coverage") for w in self.withheld)

    @property
    def period(self) -> str:
        """The period covered, in ISO 8601 UTC (``?`` for an open end)."""
        return f"{iso(self.start)} to {iso(self.end)}"


def iso(t: float | None) -> str:
    """Epoch seconds as ISO 8601 with ``Z``, as everywhere on display (DESIGN.md)."""
    if t is None:
        return "?"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _opt_int(v: Any) -> int | None:
    """A count the stats record may lack (older records have no step 5): None or int."""
    return None if v is None else int(v)


def _bars(d: Mapping[str, Any], order: str = "value") -> tuple[Bar, ...]:
    """A ``{label: value}`` mapping as bars, by value (largest first) or by label."""
    items = [Bar(str(k), float(v)) for k, v in d.items()]
    if order == "label":
        return tuple(sorted(items, key=lambda b: b.label))
    return tuple(sorted(items, key=lambda b: (-b.value, b.label)))


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _weekdays(d: Mapping[str, Any]) -> tuple[Bar, ...]:
    """Days of the week in calendar order (any other key after them, by name)."""
    rank = {w: i for i, w in enumerate(WEEKDAYS)}
    keys = sorted(d, key=lambda k: (rank.get(str(k), len(rank)), str(k)))
    return tuple(Bar(str(k), float(d[k])) for k in keys)


def safe_source(source: str) -> str:
    """The source as shown: a store URL without its password (it may carry one)."""
    if "://" not in source:
        return source
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(source).render_as_string(hide_password=True)
    except ArgumentError:
        return source.split("://", 1)[0] + "://…"


def _coverage(c: Mapping[str, Any] | None) -> Coverage | None:
    if c is None:
        return None
    sets = tuple(
        SensorSet(str(s["name"]), float(s["share"]), float(s.get("mean_p_detect", 0.0)))
        for s in c.get("sets", [])
    )
    return Coverage(
        border_km=float(c["border_km"]),
        sets=sets,
        p_detect_mean=float(c["p_detect_mean"]),
        counted=int(c["counted"]),
        total=float(c["estimated"]),
        low=float(c["low"]),
        high=float(c["high"]),
        confidence=float(c.get("confidence", 0.95)),
        method=str(c.get("method", "")),
        assumptions=tuple(str(a) for a in c.get("assumptions", [])),
    )


def _hotspots(rows: list[Mapping[str, Any]]) -> tuple[HotSpot, ...]:
    return tuple(
        HotSpot(str(h["cell"]), int(h["count"]), float(h["lat"]), float(h["lon"])) for h in rows
    )


def from_stats(stats: Mapping[str, Any], role: str, version: str, title: str = "") -> ReportView:
    """The view of a ``Stats`` record in its JSON form (``model_dump(mode="json")``), or
    of the partner's redaction of it (``service.redact.stats``): an absent section is
    empty, and the record's own ``withheld`` list names what redaction removed."""
    period = stats.get("period") or {}
    b = stats.get("breakdown") or {}
    beh = stats.get("behaviours") or {}
    hours = list(b.get("by_hour") or [])
    hot = list(stats.get("hotspots") or [])
    kind = str(stats.get("kind", ""))
    return ReportView(
        title=title or (f"Drone incursions: {kind} report" if kind else "Drone incursions"),
        source=safe_source(str(stats.get("source", "(withheld)"))),
        role=role,
        start=period.get("start"),
        end=period.get("end"),
        version=version,
        counts=tuple(
            CountRule(
                str(c["rule"]),
                int(c["count"]),
                str(c.get("method", "")),
                _opt_int(c.get("suspected")),
                _opt_int(c.get("from_us")),
                _opt_int(c.get("origin_unseen")),
            )
            for c in stats.get("counts", [])
        ),
        per_sector=_bars(b.get("by_sector") or {}),
        per_day=_bars(b.get("by_day") or {}, order="label"),
        per_hour=tuple(Bar(f"{h:02d}", float(n)) for h, n in enumerate(hours)),
        per_weekday=_weekdays(b.get("by_weekday") or {}),
        per_direction=_bars(b.get("by_direction") or {}),
        identified=int(b["identified"]) if "identified" in b else None,
        coverage=_coverage(stats.get("coverage")),
        hotspots=_hotspots(hot),
        hotspot_resolution=int(hot[0]["resolution"]) if hot and "resolution" in hot[0] else None,
        drops=int(beh["drops"]) if "drops" in beh else None,
        loiters=int(beh["loiters"]) if "loiters" in beh else None,
        drop_points=tuple((float(p["lat"]), float(p["lon"])) for p in beh.get("drop_points", [])),
        loiter_points=tuple(
            (float(p["lat"]), float(p["lon"])) for p in beh.get("loiter_points", [])
        ),
        incidents_by_kind=_bars(stats.get("incidents_by_kind") or {}),
        runway_pause_min=tuple(
            Bar(str(r["airport"]), float(r["minutes"])) for r in stats.get("runway_pauses", [])
        ),
        notes=tuple(str(n) for n in stats.get("notes", [])),
        withheld=tuple(str(w) for w in stats.get("withheld", [])),
    )
