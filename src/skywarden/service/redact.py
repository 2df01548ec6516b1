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
