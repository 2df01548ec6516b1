"""The figures beside the counts: H3 hot spots, drops and loiters, runway-pause minutes.

Hot spots are counted on Uber's H3 hexagonal grid (``h3`` package): equal-area cells
that tile the border without the distortion of a lat/lon grid, and whose ids a map can
draw. The default resolution 7 has cells of ~5 km^2 (edge ~1.4 km), the scale of a
crossing corridor between two towers.

Runway-pause minutes reuse the airspace stage's own accounting
(:func:`skywarden.airspace.report.restricted_minutes`: overlapping measures counted once)
per runway end; an airport's minutes are the union of all its restricting measures'
spans, i.e. minutes during which *something* at that airport was paused.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import h3

from skywarden.analytics.material import Material
from skywarden.analytics.records import (
    Behaviours,
    Coverage,
    EventPoint,
    HotSpot,
    Incursion,
    RunwayPause,
)

HOTSPOT_RESOLUTION = 7
HOTSPOT_TOP = 20


def hotspots(
    units: Sequence[Incursion], resolution: int = HOTSPOT_RESOLUTION, top: int = HOTSPOT_TOP
) -> list[HotSpot]:
    """The ``top`` H3 cells by number of units (crossing points), most first."""
    counts: defaultdict[str, float] = defaultdict(float)
    for u in units:
        counts[h3.latlng_to_cell(u.lat, u.lon, resolution)] += u.weight
    out = []
    for cell, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        lat, lon = h3.cell_to_latlng(cell)
        out.append(HotSpot(cell=cell, resolution=resolution, count=round(n), lat=lat, lon=lon))
    return out


def behaviours(mat: Material) -> Behaviours:
    """Drops and loiters (weighted counts) with their places."""
    points: dict[str, list[EventPoint]] = {"drop": [], "loiter": []}
    total: defaultdict[str, float] = defaultdict(float)
    for s in mat.sectors:
        for p in s.points:
            points[p.kind].append(
                EventPoint(t=p.t, lat=p.lat, lon=p.lon, sector=p.sector, track=p.track)
            )
            total[p.kind] += p.weight
    for v in points.values():
        v.sort(key=lambda p: p.t)
    return Behaviours(
        drops=round(total["drop"]),
        loiters=round(total["loiter"]),
        drop_points=points["drop"],
        loiter_points=points["loiter"],
    )


def runway_pauses(mat: Material) -> list[RunwayPause]:
    """Minutes of paused operations per airport (and per runway end and kind).

    In a month, a measure counts with the weight of the window it was issued in; the
    union of overlapping measures is taken within each weight (one window's measures).
    """
    groups: dict[float, list[Any]] = defaultdict(list)
    for s in mat.sectors:
        for d in s.recommendations:
            r = _rec(d)
            if r is not None:
                groups[s.weight_at(r.t_issued)].append(r)
    per_airport: dict[str, RunwayPause] = {}
    for w, recs in groups.items():
        for rp in _pauses(recs):
            old = per_airport.get(rp.airport)
            by_rw = dict(old.by_runway) if old else {}
            for k, v in rp.by_runway.items():
                by_rw[k] = round(by_rw.get(k, 0.0) + w * v, 1)
            per_airport[rp.airport] = RunwayPause(
                airport=rp.airport,
                minutes=round((old.minutes if old else 0.0) + w * rp.minutes, 1),
                by_runway=by_rw,
                measures=(old.measures if old else 0) + rp.measures,
            )
    return [per_airport[k] for k in sorted(per_airport)]


def _pauses(recs: list[Any]) -> list[RunwayPause]:
    """Unweighted minutes per airport of one group of recommendations."""
    from skywarden import refdata
    from skywarden.airspace.report import _union_len, measure_spans, restricted_minutes

    airports = sorted({r.airport for r in recs if r.airport})
    ends: dict[str, list[str]] = {}
    for ap in airports:
        try:
            ends[ap] = [e.ident for rw in refdata.runways(ap) for e in rw.ends]
        except (KeyError, ValueError, LookupError):
            ends[ap] = []
    per_end = restricted_minutes(recs, ends)
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    measures: Counter[str] = Counter()
    for _, r, a, b in measure_spans(recs):
        spans[r.airport or ""].append((a, b))
        measures[r.airport or ""] += 1
    out = []
    for ap, iv in sorted(spans.items()):
        by_rw = {
            f"{key.split(' ', 1)[1]} {kind}": v
            for key, d in per_end.items()
            if key.split(" ", 1)[0] == ap
            for kind, v in sorted(d.items())
        }
        out.append(
            RunwayPause(
                airport=ap or "?",
                minutes=round(_union_len(iv) / 60.0, 1),
                by_runway=by_rw,
                measures=measures[ap],
            )
        )
    return out


def _rec(d: dict[str, Any]) -> Any:
    """A stored or written recommendation dict as a Recommendation (None if unusable)."""
    from skywarden.model import Action, InvalidRecord, Recommendation

    try:
        return Recommendation(
            id=str(d["id"]),
            incident=d.get("incident"),
            action=Action(d["action"]),
            t_issued=float(d["t_issued"]),
            t_expires=float(d["t_expires"]),
            t_reevaluate=float(d["t_reevaluate"]),
            reasons=tuple(d.get("reasons") or ("?",)),
            runways=tuple(d.get("runways") or ()),
            airport=d.get("airport"),
            status=str(d.get("status", "active")),
        )
    except (KeyError, TypeError, ValueError, InvalidRecord):
        return None


def coverage_of(mat: Material, incursions: Sequence[Incursion]) -> Coverage | None:
    """The coverage model of the sensors as deployed (None without sensor sites)."""
    from skywarden.analytics.coverage import coverage_estimate

    return coverage_estimate(mat, incursions)
