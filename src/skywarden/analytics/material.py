"""What analytics reads from a source, in one shape whatever the source was.

A run directory, a month of sector run directories and the service's store all come down
to the same few facts per sector: the border-crossing events with the tracks that made
them (their first and last points, identities and the sensors that fed them around each
crossing), the drop and loiter events, the incidents' kinds, the recommendations, and
the sensors as deployed (for the coverage model). :mod:`.sources` fills these records;
everything else in ``skywarden.analytics`` computes from them and never touches a file.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from skywarden.analytics.records import SourceKind
from skywarden.geo import bearing_deg

#: Sensor kinds that report manned aircraft (cooperative transponders), never a drone
#: alert: their contributions to a track are not counted as alerts.
MANNED_ONLY_KINDS = frozenset({"adsb"})
#: a direction finder's bearing error (1 sigma, degrees) when its configuration does not
#: say: the simulator's finders and the 1-5 deg RMS that wideband drone DF makers state
BEARING_SIGMA_DEG = 3.0


@dataclass(frozen=True, slots=True)
class CrossingEvent:
    """One ``border_crossing`` event of one fused track in one sector.

    ``weight`` is how many events of the month it stands for: 1, except in a month's
    quiet-time samples, where it is that day's quiet time over the sampled quiet time
    (docs/month.md, "What is simulated, and what is sampled").
    """

    sector: str
    track: str
    t: float
    lat: float
    lon: float
    alt_m: float
    direction: str
    weight: float = 1.0

    @property
    def key(self) -> str:
        """The track's name unique across sectors: ``sector/track``."""
        return f"{self.sector}/{self.track}"


class TrackFix(NamedTuple):
    """One update of a track whose covariance the source kept: where the track put the
    object and how well it knew that (horizontal 1-sigma, the ellipse's long axis, m)."""

    t: float
    sigma_m: float
    lat: float
    lon: float


@dataclass(slots=True)
class TrackSpan:
    """What analytics needs of one fused track: its ends, identities and sensor timeline.

    ``sensor_times`` is (t, the update's ``sensors``) for every update, so the alert rule
    can ask which sensors had seen the track by the time of a crossing. ``evidence_times``
    is (t, whether the update carried independent drone evidence, the tracker's
    ``corroboration``) for every update, so the incursion rule can ask how well a track
    was corroborated by then; ``evidence_recorded`` is False when the source kept no
    corroboration (older run directories), and the rule then cannot ask. ``fixes`` is a
    :class:`TrackFix` for every update whose covariance the source kept, so the rule can
    ask whether the track knew where it was at the line, and whether it showed the
    object across it.
    ``rf_fits`` is (t, lat, lon) of every update RF link geometry backed, so the rule can
    ask how far one finder's bearing to the track swept while it fitted. ``rf_beside``
    is the times of the updates at which the tracker found the bearings that fit the
    track running beside it (``TrackUpdate.rf_beside``); ``rf_astray``, per finder, the
    times of the updates at which the tracker found that finder's fitted bearings not
    following the track (``TrackUpdate.rf_astray``, its per-finder verdict; empty from a
    tracker run without it, and from the store, which does not keep it).
    """

    sector: str
    track: str
    t0: float
    lat0: float
    lon0: float
    t1: float
    lat1: float
    lon1: float
    identities: set[str] = field(default_factory=set)
    sensor_times: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    evidence_times: list[tuple[float, bool]] = field(default_factory=list)
    #: per update: its only evidence was RF link geometry (a DF's bearings fit it)
    rf_alone: list[bool] = field(default_factory=list)
    rf_fits: list[tuple[float, float, float]] = field(default_factory=list)
    evidence_recorded: bool = False
    fixes: list[TrackFix] = field(default_factory=list)
    rf_beside: list[float] = field(default_factory=list)
    rf_astray: dict[str, list[float]] = field(default_factory=dict)

    def extend(
        self,
        t: float,
        lat: float,
        lon: float,
        ids: Any,
        sensors: Any,
        corroboration: Any = None,
        beside: bool = False,
        astray: Iterable[str] = (),
    ) -> None:
        """Take one more (time-ordered) update of the track (``corroboration`` None: the
        source did not record it; ``beside``: its RF bearings ran beside it; ``astray``:
        the finders whose fitted bearings did not follow it)."""
        if beside:
            bisect.insort(self.rf_beside, t)
        for finder in astray:
            bisect.insort(self.rf_astray.setdefault(str(finder), []), t)
        if t < self.t0:
            self.t0, self.lat0, self.lon0 = t, lat, lon
        if t >= self.t1:
            self.t1, self.lat1, self.lon1 = t, lat, lon
        if ids:
            self.identities.update(str(i) for i in ids)
        self.sensor_times.append((t, tuple(str(s) for s in sensors or ())))
        if corroboration is not None:
            self.evidence_recorded = True
        kinds = set(corroboration or ())
        self.evidence_times.append((t, bool(kinds)))
        self.rf_alone.append(kinds == {"rf_geometry"})
        if "rf_geometry" in kinds:
            self.rf_fits.append((t, lat, lon))

    def add_fix(self, t: float, sigma_m: float, lat: float, lon: float) -> None:
        """Take the position error of one (time-ordered) update."""
        self.fixes.append(TrackFix(t, sigma_m, lat, lon))

    def fixes_near(self, t: float, within_s: float) -> list[TrackFix]:
        """The recorded fixes within ``within_s`` of ``t``."""
        return [f for f in self.fixes if abs(f[0] - t) <= within_s]

    def evidence_share(
        self,
        t: float,
        finders: Mapping[str, SensorSite] | None = None,
        rf_sites: int = 1,
        sweep_sigmas: float = 0.0,
        late_s: float = 0.0,
        beside_s: float = 0.0,
        located_m: float = math.inf,
        withdrawn: Collection[str] = (),
    ) -> tuple[int, int] | None:
        """(updates with independent drone evidence, all updates) up to ``t``, or None
        when the source did not record corroboration.

        With the sector's direction ``finders``, an update whose only evidence is RF
        link geometry counts only when at least ``rf_sites`` of them had fed the track by
        then; and when just one had and the track's first RF fit came ``late_s`` or
        more after it began (:meth:`rf_onset_s`), only if that finder's bearing to the
        track swept at least ``sweep_sigmas`` of its bearing errors over the updates the
        geometry backed (:meth:`rf_sweep_deg`). One finder's bearings fit anything on its
        ray: a fit that came late (the ray came to the track; a drone's own link is heard
        from the start) means something only where the ray then had to follow the track
        across; and none on an update that the tracker found, within ``beside_s`` after
        it, the bearings that fitted running beside the track (:meth:`found_beside`: the
        ray was another emitter's, which the track crossed); nor on an update at which the
        track knew its position no better than ``located_m`` (1 sigma, the fix's long
        axis): held by that finder's bearings alone, the track is on the ray because the
        bearings put it there (module doc of :mod:`.counting`, step 4). The ``withdrawn``
        finders (``rf_astray_s``) feed no update, and one left alone by that must sweep
        however early it fit: with one ray another emitter's, two make no place."""
        if not self.evidence_recorded:
            return None
        sigma = {f.t: f.sigma_m for f in self.fixes} if math.isfinite(located_m) else {}
        swept: dict[tuple[str, bool], bool] = {}
        backed = seen = 0
        for (ts, ok), alone, (_, sensors) in zip(
            self.evidence_times, self.rf_alone, self.sensor_times, strict=True
        ):
            if ts <= t:
                seen += 1
                if ok and alone and finders is not None:
                    fed = [s for s in sensors if s in finders]
                    fed, forced = _withdraw(fed, withdrawn) if withdrawn else (fed, False)
                    lone = len(fed) == 1
                    if (
                        len(fed) < rf_sites
                        or (forced and not fed)
                        or (lone and self.found_beside(ts, beside_s))
                        or (lone and sigma.get(ts, 0.0) > located_m)
                    ):
                        ok = False
                    elif lone and sweep_sigmas > 0.0:
                        f = fed[0]
                        if (f, forced) not in swept:
                            swept[f, forced] = self._swept(
                                finders[f], t, sweep_sigmas, late_s, forced
                            )
                        ok = swept[f, forced]
                backed += ok
        return backed, seen

    def _swept(
        self, finder: SensorSite, t: float, sweep_sigmas: float, late_s: float, forced: bool
    ) -> bool:
        """Whether one finder's RF fits up to ``t`` back updates alone: its first fit came
        within ``late_s`` of the track's start (unless ``forced``), or its bearing to the
        track swept ``sweep_sigmas`` of its bearing errors (:meth:`evidence_share`)."""
        if not forced and self.rf_onset_s() < late_s:
            return True
        return self.rf_sweep_deg(finder, t) >= sweep_sigmas * bearing_sigma_deg(finder)

    def found_beside(self, t: float, within_s: float) -> bool:
        """The tracker found the bearings that fit the track running beside it within
        ``within_s`` after ``t`` (its test weighs the fits of the last minute or two: a
        verdict speaks for them, not for a link heard long before; 0: never asked)."""
        return _verdict_within(self.rf_beside, t, within_s)

    def found_astray(self, finder: str, t: float, within_s: float) -> bool:
        """The tracker found ``finder``'s fitted bearings not following the track within
        ``within_s`` after ``t`` (as :meth:`found_beside`, per finder; 0: never asked)."""
        return _verdict_within(self.rf_astray.get(finder, []), t, within_s)

    def rf_onset_s(self) -> float:
        """Seconds from the track's first update to its first RF-backed one (inf: none)."""
        return self.rf_fits[0][0] - self.t0 if self.rf_fits else math.inf

    def rf_sweep_deg(self, finder: SensorSite, t: float) -> float:
        """How far (degrees) the bearing from ``finder`` to the track swept over the
        updates RF geometry backed up to ``t``: the widest spread of those bearings."""
        pts = [(lat, lon) for ts, lat, lon in self.rf_fits if ts <= t]
        if len(pts) < 2:
            return 0.0
        lat, lon = np.array(pts).T
        b = bearing_deg(np.full_like(lat, finder.lat), np.full_like(lon, finder.lon), lat, lon)
        rel = (b - b[0] + 180.0) % 360.0 - 180.0
        return float(rel.max() - rel.min())

    def sensors_by(self, t: float) -> set[str]:
        """The sensors that had fed the track by ``t``. The tracker reports a track's
        contributing sensors cumulatively (a bit mask that only grows), so this is the
        union of the lists of the updates up to ``t``."""
        out: set[str] = set()
        for ts, ss in self.sensor_times:
            if ts <= t:
                out.update(ss)
        return out


def _verdict_within(times: list[float], t: float, within_s: float) -> bool:
    """A time of the sorted ``times`` lies in [t, t + within_s] (0: never asked)."""
    if within_s <= 0.0 or not times:
        return False
    i = bisect.bisect_left(times, t)
    return i < len(times) and times[i] <= t + within_s


def _withdraw(fed: list[str], withdrawn: Collection[str]) -> tuple[list[str], bool]:
    """The finders that fed an update less the ``withdrawn``, and whether withdrawing
    them left one finder or none (:meth:`TrackSpan.evidence_share`: a finder left alone
    is forced to show the sweep; with none left, RF geometry alone backs nothing)."""
    kept = [s for s in fed if s not in withdrawn]
    return kept, len(kept) < len(fed) and len(kept) <= 1


@dataclass(frozen=True, slots=True)
class PointEvent:
    """A drop or loiter event: kind, time, place, track."""

    kind: str
    sector: str
    track: str
    t: float
    lat: float
    lon: float
    weight: float = 1.0


@dataclass(slots=True)
class SensorSite:
    """A sensor as deployed: kind, site and the parameters of its detection model.

    ``params`` holds the scenario's sensor configuration (``range_max_m``,
    ``range_50_m``, ``pd_max``, ``pd_slope``, ``pd``, ``update_s``, ...).
    """

    id: str
    kind: str
    lat: float
    lon: float
    alt_m: float
    params: dict[str, Any] = field(default_factory=dict)


def bearing_sigma_deg(finder: SensorSite) -> float:
    """A finder's bearing error (1 sigma, deg): its configuration's, else the default."""
    try:
        sigma = float(finder.params.get("sigma_bearing_deg", BEARING_SIGMA_DEG))
    except (TypeError, ValueError):
        return BEARING_SIGMA_DEG
    return sigma if sigma > 0.0 else BEARING_SIGMA_DEG


@dataclass(slots=True)
class Detections:
    """Where a run kept its detections, and the RF bearings read from them (on demand,
    once, by :func:`skywarden.analytics.rf_behind.sector_bearings`; shared by clips)."""

    path: Path
    rf: dict[str, tuple[Any, Any]] | None = None


@dataclass(slots=True)
class SectorData:
    """Everything analytics reads of one sector (one run directory or one store)."""

    id: str
    crossings: list[CrossingEvent] = field(default_factory=list)
    spans: dict[str, TrackSpan] = field(default_factory=dict)
    points: list[PointEvent] = field(default_factory=list)
    incident_kinds: list[tuple[float, str]] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    airports: list[str] = field(default_factory=list)
    sensors: list[SensorSite] = field(default_factory=list)
    #: the sector's origin and half-width, to clip the border line for coverage
    origin: tuple[float, float] | None = None
    extent_m: float | None = None
    #: the drone height above ground the coverage model assumes (m), and the ground (m MSL)
    ground_alt_m: float | None = None
    start: float | None = None
    end: float | None = None
    #: a month's sector: its stretch of border (km from the Pacific end), the rate
    #: model's relative crossings per km there, whether it has sensors and a run
    stretch_km: tuple[float, float] | None = None
    rate_weight: float = 1.0
    sensed: bool = True
    simulated: bool = True
    #: (start, end, weight) of the simulated windows (a month's windows.json)
    windows: list[tuple[float, float, float]] = field(default_factory=list)
    #: when the sector's feed began (a run's start; each simulated run of a month's
    #: windows): a drone first seen then was already in the air, where from unseen
    feed_starts: list[float] = field(default_factory=list)
    #: the run's detections file (None: the source kept none, as a store)
    detections: Detections | None = None

    def weight_at(self, t: float) -> float:
        """The weight of an event at ``t``: its window's (1 without windows)."""
        for a, b, w in self.windows:
            if a <= t <= b:
                return w
        return 1.0


@dataclass(slots=True)
class Material:
    """A whole source: its sectors, what kind of source it was and notes on what was guessed."""

    source: str
    kind: SourceKind
    sectors: list[SectorData]
    notes: list[str] = field(default_factory=list)

    @property
    def start(self) -> float | None:
        ts = [s.start for s in self.sectors if s.start is not None]
        return min(ts) if ts else None

    @property
    def end(self) -> float | None:
        ts = [s.end for s in self.sectors if s.end is not None]
        return max(ts) if ts else None

    def crossings(self) -> list[CrossingEvent]:
        """Every sector's crossing events, in time order."""
        out = [c for s in self.sectors for c in s.crossings]
        out.sort(key=lambda c: (c.t, c.sector, c.track))
        return out

    def span(self, c: CrossingEvent) -> TrackSpan | None:
        return self.span_of(c.key)

    def direction_finders(self, sector: str) -> dict[str, SensorSite] | None:
        """A sector's direction finders by id, or None when the source listed no sensors
        for it (then nothing can be asked of them)."""
        for s in self.sectors:
            if s.id == sector:
                if not s.sensors:
                    return None
                return {x.id: x for x in s.sensors if x.kind == "rf"}
        return None

    def span_of(self, key: str) -> TrackSpan | None:
        """The span of a track by its ``sector/track`` name."""
        sector, _, track = key.partition("/")
        for s in self.sectors:
            if s.id == sector:
                return s.spans.get(track)
        return None

    def clipped(self, start: float | None, end: float | None) -> Material:
        """The same material keeping only what happened in [start, end)."""

        def keep(t: float) -> bool:
            return (start is None or t >= start) and (end is None or t < end)

        sectors = []
        for s in self.sectors:
            sectors.append(
                SectorData(
                    id=s.id,
                    crossings=[c for c in s.crossings if keep(c.t)],
                    spans=s.spans,
                    points=[p for p in s.points if keep(p.t)],
                    incident_kinds=[k for k in s.incident_kinds if keep(k[0])],
                    recommendations=[r for r in s.recommendations if keep(float(r["t_issued"]))],
                    airports=s.airports,
                    sensors=s.sensors,
                    origin=s.origin,
                    extent_m=s.extent_m,
                    ground_alt_m=s.ground_alt_m,
                    stretch_km=s.stretch_km,
                    rate_weight=s.rate_weight,
                    sensed=s.sensed,
                    simulated=s.simulated,
                    windows=s.windows,
                    feed_starts=s.feed_starts,
                    detections=s.detections,
                    start=max(s.start, start)
                    if s.start is not None and start is not None
                    else (start if s.start is None else s.start),
                    end=min(s.end, end)
                    if s.end is not None and end is not None
                    else (end if s.end is None else s.end),
                )
            )
        return Material(self.source, self.kind, sectors, list(self.notes))
