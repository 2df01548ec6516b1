"""What-if: a night replayed through the response policy, beside what really happened.

A what-if file (``kind: whatif``, e.g. ``scenarios/el-paso-2026-02-10.yaml``) states the
sector, a time window, the drone sightings as waypoints (stated assumptions: no public
track exists), the counter-drone laser plan it refers to (owned by the laser stage; the
command that runs a what-if passes its TFR in as :class:`LaserMeasure`), the real
closure, and comparable airport closures. :func:`run_whatif` flies each sighting through
the :class:`~.analyzer.Analyzer` once per second and returns the policy's timeline of
measures and the minutes of restricted operations per runway end, beside the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationError

from skywarden.airspace.analyzer import Analyzer
from skywarden.airspace.errors import AirspaceError
from skywarden.airspace.policy import Policy, load_policy
from skywarden.airspace.report import restricted_minutes
from skywarden.airspace.zones import sector_zones
from skywarden.geo import M_PER_FT, M_PER_NM, LocalFrame, distance_m
from skywarden.model import Action, Event, Incident, Recommendation, TrackStatus, TrackUpdate
from skywarden.yamlconfig import StrictModel as _Strict
from skywarden.yamlconfig import YamlFileError, load_yaml


class WhatIfError(AirspaceError):
    """A what-if file is unreadable or a key is missing / wrong; names file and key."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason




class Origin(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt_m: float


class LatLon(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class SectorSpec(_Strict):
    origin: Origin
    ground_alt_m: float
    airports: list[str] = Field(min_length=1)


class Window(_Strict):
    start: datetime
    end: datetime


EVIDENCE_KINDS_T = Literal["radar_class", "rf_geometry", "remote_id", "visual", "kinematics"]


class Sighting(_Strict):
    track: str = Field(min_length=1)
    note: str = ""
    p_drone: float = Field(ge=0, le=1)
    remote_id: bool = False
    # Independent kinds of drone evidence assumed for the sighting (model.EVIDENCE_KINDS);
    # none: the policy can only verify it until it persists.
    corroboration: tuple[EVIDENCE_KINDS_T, ...] = ()
    waypoints: list[tuple[datetime, float, float, float]] = Field(min_length=2)


class Actual(_Strict):
    notam: str
    what: str
    vortac: LatLon
    radius_nm: float = Field(gt=0)
    ceiling_ft_msl: float = Field(gt=0)
    start: datetime
    announced_end: datetime
    lifted_after_h: tuple[float, float]
    flights_cancelled: int = Field(ge=0)
    diversions: str = ""


class Comparison(_Strict):
    airport: str
    when: str
    minutes: float = Field(gt=0)
    note: str = ""


class WhatIf(_Strict):
    kind: str = Field(pattern="^whatif$")
    name: str
    sector: SectorSpec
    window: Window
    laser_plan: str | None = None
    sightings: list[Sighting] = Field(default_factory=list)
    actual: Actual
    comparisons: list[Comparison] = Field(default_factory=list)
    source: str = "<memory>"

    @property
    def frame(self) -> LocalFrame:
        o = self.sector.origin
        return LocalFrame(o.lat, o.lon, o.alt_m)

    def laser_plan_path(self) -> Path | None:
        """The laser plan, relative to the what-if file's folder; missing: a WhatIfError.

        A what-if file copied elsewhere used to fail as ``<file>: No such file``, naming
        neither the key nor where the plan was looked for (issue 14).
        """
        if self.laser_plan is None:
            return None
        p = Path(self.laser_plan)
        resolved = p if p.is_absolute() else Path(self.source).parent / p
        if not resolved.is_file():
            where = "" if p.is_absolute() else " (relative to the what-if file's folder)"
            raise WhatIfError(
                self.source,
                "laser_plan",
                f"{self.laser_plan!r} -> {resolved}: no such file{where}; copy the laser"
                " plan beside the what-if file or give its absolute path",
            )
        return resolved


def is_whatif(path: str | Path) -> bool:
    """True when a YAML file declares ``kind: whatif`` (cheap check before loading)."""
    try:
        doc = load_yaml(path)
    except YamlFileError:
        return False
    return isinstance(doc, dict) and doc.get("kind") == "whatif"


def load_whatif(path: str | Path) -> WhatIf:
    src = str(path)
    try:
        doc = load_yaml(path)
    except YamlFileError as e:
        raise WhatIfError(src, e.where or "$", e.reason) from None
    if not isinstance(doc, dict):
        raise WhatIfError(src, "$", "a what-if file must be a YAML mapping")
    try:
        return WhatIf.model_validate({**doc, "source": src})
    except ValidationError as e:
        err = e.errors()[0]
        raise WhatIfError(src, ".".join(str(p) for p in err["loc"]) or "$", err["msg"]) from None


@dataclass(frozen=True)
class LaserMeasure:
    """The laser test's restriction, as computed by the laser stage (a TFR for its window)."""

    name: str
    start_t: float
    end_t: float
    tfr: dict[str, Any]
    flows_touched: list[dict[str, Any]]


@dataclass
class WhatIfResult:
    whatif: WhatIf
    events: list[Event] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    incidents: dict[str, Incident] = field(default_factory=dict)
    laser: LaserMeasure | None = None
    minutes: dict[str, dict[str, float]] = field(default_factory=dict)
    actual_minutes: dict[str, float] = field(default_factory=dict)
    airports_closed: list[str] = field(default_factory=list)


def sighting_updates(frame: LocalFrame, ground_m: float, s: Sighting) -> list[TrackUpdate]:
    """1 Hz TrackUpdates along a sighting's waypoints (a stated, hypothetical track)."""
    w = s.waypoints
    t = np.array([p[0].timestamp() for p in w])
    lat = np.array([p[1] for p in w])
    lon = np.array([p[2] for p in w])
    alt = ground_m + np.array([p[3] for p in w]) * M_PER_FT
    x, y, _ = frame.to_enu(lat, lon, alt)
    ts = np.arange(t[0], t[-1] + 0.5, 1.0)
    xs, ys, zs = (np.interp(ts, t, a) for a in (x, y, alt))
    v = [np.gradient(a, ts) for a in (xs, ys, zs)]
    la, lo, _ = frame.to_geodetic(xs, ys, zs - frame.alt0_m)
    probs = {"drone": s.p_drone, "manned": 0.0, "bird": 0.0, "unknown": 1.0 - s.p_drone}
    ident = (f"rid:{s.track}",) if s.remote_id else ()
    return [
        TrackUpdate(
            t=float(ts[i]),
            track=s.track,
            status=TrackStatus.CONFIRMED,
            lat=float(la[i]),
            lon=float(lo[i]),
            alt_m=float(zs[i]),
            velocity=(float(v[0][i]), float(v[1][i]), float(v[2][i])),
            state=(),
            cov=None,
            class_probs=probs,
            identities=ident,
            evidence=("what-if sighting (stated assumption)",),
            corroboration=s.corroboration,
        )
        for i in range(len(ts))
    ]


def run_whatif(
    w: WhatIf, laser: LaserMeasure | None = None, policy: Policy | None = None
) -> WhatIfResult:
    """Fly the sightings through the analyzer; add the laser TFR; count restricted minutes."""
    from skywarden import refdata

    frame = w.frame
    airports = w.sector.airports
    zones = sector_zones(frame, airports=airports)
    from skywarden.airspace.analyzer import AnalyzerConfig

    an = Analyzer(
        frame,
        zones,
        refdata.border_line(),
        policy or load_policy(),
        AnalyzerConfig(ground_elev_m=w.sector.ground_alt_m),
    )
    res = WhatIfResult(w, laser=laser)
    by_t: dict[float, list[TrackUpdate]] = {}
    for s in w.sightings:
        for u in sighting_updates(frame, w.sector.ground_alt_m, s):
            by_t.setdefault(u.t, []).append(u)
    t = w.window.start.timestamp()
    end = w.window.end.timestamp()
    while t <= end:
        st = an.step(t, by_t.get(t, []))
        res.events += st.events
        res.recommendations += st.recommendations
        res.incidents.update({i.id: i for i in st.incidents})
        t += 1.0
    st = an.finish(end)
    res.recommendations += st.recommendations
    res.incidents.update({i.id: i for i in st.incidents})
    ends = {ap: [e.ident for r in refdata.runways(ap) for e in r.ends] for ap in airports}
    res.minutes = restricted_minutes(res.recommendations, ends)
    if laser is not None:
        _add_laser_minutes(res.minutes, laser)
    res.airports_closed, res.actual_minutes = _actual(w, ends)
    return res


def _add_laser_minutes(minutes: dict[str, dict[str, float]], laser: LaserMeasure) -> None:
    mins = (laser.end_t - laser.start_t) / 60.0
    for f in laser.flows_touched:
        key = f"{f['airport']} {f['runway']}"
        kind = "arrivals" if f.get("kind") == "arrival" else "departures"
        d = minutes.setdefault(key, {})
        # The laser window does not overlap the drone's pauses in this night; add.
        d[kind] = round(d.get(kind, 0.0) + mins, 1)


def _actual(w: WhatIf, ends: dict[str, list[str]]) -> tuple[list[str], dict[str, float]]:
    """Airports inside the real closure's circle and its minutes (lifted after ~7.5 h)."""
    from skywarden import refdata

    vlat, vlon = w.actual.vortac.lat, w.actual.vortac.lon
    closed = []
    for ap in ends:
        a = refdata.airport(ap)
        d = float(distance_m(vlat, vlon, a.lat, a.lon))
        if d <= w.actual.radius_nm * M_PER_NM:
            closed.append(ap)
    lo, hi = w.actual.lifted_after_h
    return closed, {
        "low": lo * 60.0,
        "high": hi * 60.0,
        "announced": (w.actual.announced_end - w.actual.start).total_seconds() / 60.0,
    }


def timeline_rows(res: WhatIfResult) -> list[dict[str, str]]:
    """One row per measure version, laser TFR included, time ordered (monitoring and
    renewals of notifications left out)."""
    from skywarden.airspace.report import hhmm

    rows: list[tuple[float, dict[str, str]]] = []
    if res.laser is not None:
        tfr = res.laser.tfr
        rows.append(
            (
                res.laser.start_t,
                {
                    "time": hhmm(res.laser.start_t),
                    "measure": "TFR (laser test)",
                    "status": "planned",
                    "where": (
                        f"fan polygon {tfr.get('polygon_area_nm2', 0):.0f} NM2, "
                        f"SFC-{tfr.get('ceiling_ft_msl', 0):,.0f} ft MSL"
                    ),
                    "until": hhmm(res.laser.end_t),
                    "why": f"{res.laser.name}: eye-hazard volume of the firing fan",
                },
            )
        )
    for r in res.recommendations:
        # Monitoring, and notifications merely renewed, would drown the measures that cost.
        if r.action == Action.MONITOR or (r.action == Action.NOTIFY and r.status == "renewed"):
            continue
        where = " ".join(x for x in (r.airport or "", " ".join(r.runways)) if x)
        if r.action == Action.NOTIFY:
            where = next((x[7:] for x in r.reasons if x.startswith("notify ")), where)
        why = next(
            (
                x
                for x in r.reasons
                if not x.startswith(("policy:", "re-evaluated", "notify ", "lifted"))
            ),
            "",
        )
        rows.append(
            (
                r.t_issued,
                {
                    "time": hhmm(r.t_issued),
                    "measure": r.action.value.replace("_", " "),
                    "status": r.status,
                    "where": where,
                    "until": hhmm(r.t_reevaluate) if r.status in ("active", "renewed") else "-",
                    "why": why,
                },
            )
        )
    rows.sort(key=lambda r: r[0])
    return [r for _, r in rows]


# size: a Markdown report's three tables, written top to bottom
def markdown(res: WhatIfResult) -> str:
    """The what-if tables in Markdown (timeline, minutes per runway end, comparison)."""
    w = res.whatif
    out = [f"### Policy timeline ({w.name})", ""]
    out += [
        "| time (UTC) | measure | status | where | re-evaluate | why |",
        "|---|---|---|---|---|---|",
    ]
    for r in timeline_rows(res):
        out.append(
            f"| {r['time']} | {r['measure']} | {r['status']} | {r['where']} | {r['until']} | "
            f"{r['why']} |"
        )
    out += ["", "### Minutes of restricted operations per runway end", ""]
    lo, hi = res.actual_minutes["low"], res.actual_minutes["high"]
    closed = set(res.airports_closed)
    out += [
        "| runway end | skywarden: arrivals paused | skywarden: departures paused | "
        "what happened (NOTAM FDC 6/2233) |",
        "|---|---|---|---|",
    ]
    from skywarden import refdata

    for ap in w.sector.airports:
        for rw in refdata.runways(ap):
            for e in rw.ends:
                key = f"{ap} {e.ident}"
                d = res.minutes.get(key, {})
                real = f"{lo:.0f}-{hi:.0f} (all movements)" if ap in closed else "0"
                out.append(
                    f"| {key} | {d.get('arrivals', 0):.0f} | {d.get('departures', 0):.0f} | "
                    f"{real} |"
                )
    total_sw = sum(sum(d.values()) for d in res.minutes.values())
    n_flows = sum(
        2 * len([e for r in refdata.runways(ap) for e in r.ends]) for ap in res.airports_closed
    )
    out += [
        "",
        f"Flow-minutes restricted (runway end x direction x minutes): skywarden "
        f"**{total_sw:.0f}**; the real closure **{n_flows * lo:,.0f}-{n_flows * hi:,.0f}** "
        f"({n_flows} flows at {', '.join(res.airports_closed)} for "
        f"{lo / 60:.0f}-{hi / 60:.0f} h), announced for "
        f"{res.actual_minutes['announced'] / 60 / 24:.0f} days.",
        "",
        "### Beside other drone closures",
        "",
        "| airport | when | traffic stopped (min) | note |",
        "|---|---|---|---|",
    ]
    longest = max((sum(d.values()) for d in res.minutes.values() if d), default=0.0)
    out.append(
        f"| El Paso, skywarden policy | 11 Feb 2026 (what-if) | {longest:.0f} on the "
        f"worst runway end (laser window included), never an airport-wide stop | this report |"
    )
    out.append(
        f"| El Paso, what happened | 11 Feb 2026 | {lo:.0f}-{hi:.0f} (announced "
        f"{res.actual_minutes['announced']:,.0f}) | {w.actual.notam}: {w.actual.what}; "
        f"{w.actual.flights_cancelled} flights cancelled, {w.actual.diversions} |"
    )
    for c in w.comparisons:
        out.append(f"| {c.airport} | {c.when} | {c.minutes:,.0f} | {c.note} |")
    return "\n".join(out) + "\n"
