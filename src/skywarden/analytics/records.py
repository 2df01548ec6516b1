"""The analytics records: what ``skywarden stats`` computes and the report renders.

One pydantic model, :class:`Stats`, carries a whole answer to "how many drone
incursions, counted how": the counts under each counting rule with the rule's method in
words (so no figure travels without how it was counted), the breakdowns of the
de-duplicated incursions (sector, day, hour of day, direction), the coverage model with
its estimate of what was not seen, H3 hot spots, drops and loiters, runway-pause minutes
per airport and incidents by kind. It is the contract between ``skywarden.analytics``
and its readers (``skywarden report``, the web analytics page, ``bench/month.py``):
fields are added, never renamed.

Units as everywhere in skywarden: times UTC seconds since the epoch (ISO text beside
them for people), positions WGS84 degrees, lengths kilometres where the name says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

#: The three counting rules, from the most naive to the honest one (see counting.py).
Rule = Literal["alert", "track", "incursion"]
RULES: tuple[Rule, ...] = ("alert", "track", "incursion")

#: What a source is: one ``skywarden run`` output, a month of sectors, or the service store.
SourceKind = Literal["run", "month", "store"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Record):
    """The time span the figures cover (UTC seconds; ISO 8601 ``Z`` text for people)."""

    start: float | None
    end: float | None
    start_iso: str | None = None
    end_iso: str | None = None


class Incursion(_Record):
    """One counted unit under one rule: an alert, a track's crossing, or an incursion.

    ``t``/``lat``/``lon``/``alt_m`` are the first crossing's; ``crossings`` is how many
    raw crossing events it stands for (one per alert under the ``alert`` rule) and
    ``tracks`` the fused tracks it merged (sector-qualified in a month, ``S03/T000022``).
    ``sector`` is the sector owning the stretch of border crossed in a month (whichever
    sector's tracker saw it), the run's sector otherwise.
    """

    id: str
    rule: Rule
    t: float
    lat: float
    lon: float
    alt_m: float
    direction: str
    sector: str
    tracks: list[str] = Field(default_factory=list)
    sensors: list[str] = Field(default_factory=list)
    crossings: int = 1
    t_last: float | None = None
    #: how many units of the month this one stands for: 1, except in a month's sampled
    #: quiet time (docs/month.md), where it is the window's weight
    weight: float = 1.0
    #: a track of it broadcast Remote ID (a cooperative drone that names its operator,
    #: e.g. a hobby flight; counted, and reported apart in ``Breakdown.identified``)
    identified: bool = False


class RuleCount(_Record):
    """The count under one rule and the rule in words.

    ``count`` is the weighted count, rounded (each unit counts with its window's weight:
    1 except in a month's sampled quiet time); ``units`` how many units were found.
    ``suspected`` (the incursion rule only) is the weighted count of the units left out
    for want of independent drone evidence, and ``suspected_units`` how many they were;
    None when the source kept no evidence to judge by. ``from_us`` and
    ``origin_unseen`` (the incursion rule only; step 5 of counting.py) are the weighted
    counts of the evidenced units set apart because their drone was first seen on the
    US side of the line, or already in the air when its sector's feed began (where it
    came from unseen), with ``from_us_units`` and ``origin_unseen_units``; None when the
    source kept no track history to judge by.
    """

    rule: Rule
    count: int
    method: str
    units: int = 0
    suspected: int | None = None
    suspected_units: int | None = None
    from_us: int | None = None
    from_us_units: int | None = None
    origin_unseen: int | None = None
    origin_unseen_units: int | None = None


class Breakdown(_Record):
    """Counts of the headline rule's incursions by sector, day, hour of day and direction.

    ``by_day`` keys are UTC dates ``YYYY-MM-DD``; ``by_hour`` has 24 entries, UTC hour of
    day; ``by_weekday`` keys are ``Mon``..``Sun`` (UTC).
    """

    by_sector: dict[str, int] = Field(default_factory=dict)
    by_day: dict[str, int] = Field(default_factory=dict)
    by_hour: list[int] = Field(default_factory=lambda: [0] * 24)
    by_weekday: dict[str, int] = Field(default_factory=dict)
    by_direction: dict[str, int] = Field(default_factory=dict)
    #: how many of the counted units broadcast Remote ID (cooperative, identified drones)
    identified: int = 0


class SensorSetCoverage(_Record):
    """The share of the border line a set of sensors could see (geometric reach and the
    mean probability that a crossing there is detected, from the sensors' own models)."""

    name: str
    sensors: list[str] = Field(default_factory=list)
    share: float = Field(ge=0.0, le=1.0, description="share of the border length in reach")
    mean_p_detect: float = Field(ge=0.0, le=1.0)


class SegmentEstimate(_Record):
    """One stretch of border: its length, detection probability, counted and estimated."""

    sector: str
    km_from: float
    km_to: float
    p_detect: float
    counted: int
    estimated: float


class Coverage(_Record):
    """The coverage model and the estimate of incursions that were not seen.

    ``estimated`` is the coverage-adjusted total (counted plus estimated unseen), with a
    ``confidence`` interval ``[low, high]``; ``unseen`` = ``estimated`` - ``counted``.
    ``assumptions`` says, in words, what the estimate rests on.
    """

    border_km: float
    sets: list[SensorSetCoverage] = Field(default_factory=list)
    p_detect_mean: float
    counted: int
    estimated: float
    unseen: float
    low: float
    high: float
    confidence: float = 0.95
    method: str = ""
    assumptions: list[str] = Field(default_factory=list)
    segments: list[SegmentEstimate] = Field(default_factory=list)


class HotSpot(_Record):
    """An H3 cell with its count of incursions, and the cell's centre."""

    cell: str
    resolution: int
    count: int
    lat: float
    lon: float


class EventPoint(_Record):
    """Where and when a behaviour (drop, loiter) happened."""

    t: float
    lat: float
    lon: float
    sector: str
    track: str


class Behaviours(_Record):
    """Drops and loiters: how many, and where (for the report's map)."""

    drops: int = 0
    loiters: int = 0
    drop_points: list[EventPoint] = Field(default_factory=list)
    loiter_points: list[EventPoint] = Field(default_factory=list)


class RunwayPause(_Record):
    """Minutes of paused runway operations at one airport, from the recommendations."""

    airport: str
    minutes: float
    by_runway: dict[str, float] = Field(default_factory=dict)
    measures: int = 0


class Stats(_Record):
    """Everything ``skywarden stats`` reports about one run, month or store."""

    source: str
    kind: SourceKind
    period: Period
    rule: Rule = "incursion"
    counts: list[RuleCount] = Field(default_factory=list)
    breakdown: Breakdown = Field(default_factory=Breakdown)
    coverage: Coverage | None = None
    hotspots: list[HotSpot] = Field(default_factory=list)
    behaviours: Behaviours = Field(default_factory=Behaviours)
    runway_pauses: list[RunwayPause] = Field(default_factory=list)
    incidents_by_kind: dict[str, int] = Field(default_factory=dict)
    sectors: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def count(self, rule: Rule) -> int:
        """The count under ``rule`` (0 when it was not computed)."""
        return next((c.count for c in self.counts if c.rule == rule), 0)
