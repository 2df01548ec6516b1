"""What a partner agency may see (issue #7): shared incidents only, positions rounded to
about 1 km, no sensor sites, no internal notes, no operator names.

0.01 degree of latitude is 1.11 km and of longitude 0.94 km at El Paso's 31.8 N, so
rounding to two decimals is the "about 1 km" of the issue. Redaction builds new dicts
from an allow-list of keys: a field added to a record later stays hidden until someone
decides a partner may see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PARTNER_DECIMALS = 2  # degrees; ~1 km
PARTNER_ALT_STEP_M = 100.0


def _round_pos(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    if lat is None or lon is None:
        return None, None
    return round(lat, PARTNER_DECIMALS), round(lon, PARTNER_DECIMALS)


def incident(d: Mapping[str, Any]) -> dict[str, Any]:
    lat, lon = _round_pos(d.get("lat"), d.get("lon"))
    out = {
        "id": d["id"],
        "t_open": d["t_open"],
        "t_updated": d.get("t_updated"),
        "severity": d["severity"],
        "state": d["state"],
        "kind": d["kind"],
        "tracks": list(d.get("tracks", [])),
        "recommendations": list(d.get("recommendations", [])),
        "lat": lat,
        "lon": lon,
        "shared": True,
        "summary": d.get("summary", ""),
    }
    if "events" in d:
        out["events"] = [
            {
                "t": e["t"],
                "kind": e["kind"],
                "track": e["track"],
                "lat": _round_pos(e["lat"], e["lon"])[0],
                "lon": _round_pos(e["lat"], e["lon"])[1],
            }
            for e in d["events"]
        ]
    return out


def track(d: Mapping[str, Any]) -> dict[str, Any]:
    lat, lon = _round_pos(d["lat"], d["lon"])
    return {
        "t": d["t"],
        "track": d["track"],
        "status": d["status"],
        "lat": lat,
        "lon": lon,
        "alt_m": round(float(d["alt_m"]) / PARTNER_ALT_STEP_M) * PARTNER_ALT_STEP_M,
        "cls": d["cls"],
    }


def recommendation(d: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: d.get(k)
        for k in (
            "id",
            "incident",
            "action",
            "t_issued",
            "t_expires",
            "t_reevaluate",
            "reasons",
            "runways",
            "airport",
        )
    }


def shared_tracks(incidents: Iterable[Mapping[str, Any]]) -> set[str]:
    return {t for i in incidents if i.get("shared") for t in i.get("tracks", [])}


def shared_ids(incidents: Iterable[Mapping[str, Any]]) -> set[str]:
    return {str(i["id"]) for i in incidents if i.get("shared")}


# Analytics (issue 16): a partner's report or page. Hot spots at most this fine: H3
# resolution 7 cells are about 5 km² (edge 1.2 km), the "about 1 km" of positions above.
PARTNER_H3_RES = 7
STATS_WITHHELD = (
    "source",
    "coverage model (sensor sets and the border stretches they miss)",
    "drop and loiter positions",
    "internal notes",
)


def _partner_hotspots(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Hot spots merged into their resolution-``PARTNER_H3_RES`` parent cells, centres
    rounded like positions: the shape of the traffic without a finer pin."""
    import h3

    merged: dict[str, int] = {}
    for h in rows:
        cell = str(h["cell"])
        if h3.get_resolution(cell) > PARTNER_H3_RES:
            cell = h3.cell_to_parent(cell, PARTNER_H3_RES)
        merged[cell] = merged.get(cell, 0) + int(h["count"])
    out = []
    for cell, n in sorted(merged.items()):
        lat, lon = _round_pos(*h3.cell_to_latlng(cell))
        res = h3.get_resolution(cell)
        out.append({"cell": cell, "resolution": res, "count": n, "lat": lat, "lon": lon})
    return out


def stats(d: Mapping[str, Any]) -> dict[str, Any]:
    """A ``Stats`` record (its JSON form) as a partner may see it.

    Kept: the period, the counts under each rule with their method, the breakdowns by
    sector, day, hour and direction, coarsened hot spots, how many drops and loiters,
    runway-pause minutes per airport and incidents by kind. Removed: the source (a path
    or store URL), the coverage model (it maps where the sensors are and where they are
    blind), drop and loiter positions with their track ids, and the internal notes.
    ``withheld`` says so, for the report to print.
    """
    period, beh = d.get("period") or {}, d.get("behaviours") or {}
    return {
        "kind": d.get("kind"),
        "period": {k: period.get(k) for k in ("start", "end", "start_iso", "end_iso")},
        "rule": d.get("rule"),
        "counts": [
            {k: c[k] for k in ("rule", "count", "method", "units") if k in c}
            for c in d.get("counts", [])
        ],
        "breakdown": {
            k: v
            for k, v in (d.get("breakdown") or {}).items()
            if k
            in ("by_sector", "by_day", "by_hour", "by_weekday", "by_direction", "identified")
        },
        "hotspots": _partner_hotspots(d.get("hotspots", [])),
        "behaviours": {"drops": beh.get("drops", 0), "loiters": beh.get("loiters", 0)},
        "runway_pauses": [
            {"airport": r["airport"], "minutes": r["minutes"], "measures": r.get("measures", 0)}
            for r in d.get("runway_pauses", [])
        ],
        "incidents_by_kind": dict(d.get("incidents_by_kind") or {}),
        "sectors": list(d.get("sectors", [])),
        "withheld": list(STATS_WITHHELD),
    }
