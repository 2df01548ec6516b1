"""What a report shows, section by section: the one module that reads a ``Stats`` record.

The HTML page, the PDF and the web analytics page draw the same :class:`ReportView`, so
they cannot disagree, and a change to the ``Stats`` record (``skywarden.analytics``)
touches this file only. The view is built from the record's JSON form (a dict), because
the partner version is the dict that ``service/redact.py`` returns: a section that
redaction removed is simply absent, and the view lists it under ``withheld`` so every
renderer says so instead of drawing an empty figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


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


@dataclass(frozen=True, slots=True)
class HotSpot:
    """An H3 cell and the incursions counted in it; ``lat``/``lon`` its centre."""

    cell: str
    count: int
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """The coverage model: the share of the border seen, and the unseen estimate."""

    seen_share: float
    by_sensor_set: tuple[Bar, ...]
    counted: int
    unseen: float
    unseen_low: float
    unseen_high: float
    confidence: float
    method: str

    @property
    def total(self) -> float:
        return self.counted + self.unseen

    @property
    def total_low(self) -> float:
        return self.counted + self.unseen_low

    @property
    def total_high(self) -> float:
        return self.counted + self.unseen_high


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
    per_direction: tuple[Bar, ...] = ()
    coverage: Coverage | None = None
    hotspots: tuple[HotSpot, ...] = ()
    hotspot_resolution: int | None = None
    drops: int | None = None
    loiters: int | None = None
    incidents_by_kind: tuple[Bar, ...] = ()
    runway_pause_min: tuple[Bar, ...] = ()
    withheld: tuple[str, ...] = field(default_factory=tuple)

    @property
    def period(self) -> str:
        """The period covered, in ISO 8601 UTC (``?`` for an open end)."""
        return f"{iso(self.start)} to {iso(self.end)}"


def iso(t: float | None) -> str:
    """Epoch seconds as ISO 8601 with ``Z``, as everywhere on display (DESIGN.md)."""
    if t is None:
        return "?"
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
