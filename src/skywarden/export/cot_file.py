"""Cursor-on-Target files: one CoT XML event per line, each with its XML declaration.

The events are exactly what ``skywarden serve --cot`` sends live (``protocols.cot``):
every track update, with ``stale`` from that track's own update interval; incidents as
markers; zones and laser hazard footprints as TAK drawings (``u-d-f``). A line is a
complete document, so TAK tools and ``takproto.parse_proto`` read it one by one.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from skywarden.export.data import ExportData, latest_recommendation
from skywarden.protocols import cot
from skywarden.protocols._pytak import pytak

ZONE_STALE_S = 24 * 3600.0


def _line(ev: Any) -> bytes:
    return bytes(pytak.serialize_cot(ev, xml_declaration=True)).replace(b"\n", b"") + b"\n"


def _as_of(inc: dict[str, Any], t: float) -> dict[str, Any] | None:
    """The incident as it stood at ``t``: not yet open before ``t_open``; a resolved one
    counts as open up to its last change (the record keeps only its final state)."""
    if float(inc["t_open"]) > t:
        return None
    if inc.get("state") == "resolved":
        if t > float(inc.get("t_updated") or inc["t_open"]):
            return None
        return {**inc, "state": "open"}
    return inc


def tracks(data: ExportData) -> bytes:
    """Every track update in time order, with the incident and recommendation of its time."""
    by_track: dict[str, list[dict[str, Any]]] = {}
    for each in data.incidents:
        for tid in each.get("tracks") or ():
            by_track.setdefault(str(tid), []).append(each)
    recs: dict[str, list[tuple[float, Mapping[str, Any]]]] = {}
    for r in data.recommendations:
        if r.get("incident"):
            recs.setdefault(str(r["incident"]), []).append((float(r.get("t_issued") or 0.0), r))
    for v in recs.values():
        v.sort(key=lambda x: x[0])
    last_t: dict[str, float] = {}
    out = []
    for p in sorted(data.tracks, key=lambda p: (float(p["t"]), str(p["track"]))):
        tid, t = str(p["track"]), float(p["t"])
        cands = [_as_of(i, t) for i in by_track.get(tid, ())]
        live = [i for i in cands if i is not None]
        inc = max(live, key=lambda i: (i.get("severity") or 0, i["id"])) if live else None
        rec: Mapping[str, Any] | None = None
        if inc is not None:
            issued = recs.get(str(inc["id"]), [])
            k = bisect.bisect_right([x[0] for x in issued], t)  # latest issued by t
            rec = issued[k - 1][1] if k else None
        prev = last_t.get(tid)
        last_t[tid] = t
        ev = cot.track_event(
            p, incident=inc, recommendation=rec, interval_s=None if prev is None else t - prev
        )
        if ev is not None:
            out.append(_line(ev))
    return b"".join(out)


def incidents(data: ExportData) -> bytes:
    out = []
    for inc in data.incidents:
        ev = cot.incident_event(inc, latest_recommendation(data.recommendations, str(inc["id"])))
        if ev is not None:
            out.append(_line(ev))
    return b"".join(out)


def _t_or(default: float, text: Any) -> float:
    if not text:
        return default
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()


def zones(data: ExportData) -> bytes:
    t = max((float(p["t"]) for p in data.tracks), default=0.0) or datetime.now().timestamp()
    out = []
    for z in data.zones:
        ring = [(float(lon), float(lat)) for lon, lat in z["polygon"]]
        ev = cot.shape_event(
            f"{cot.UID_PREFIX}-zone-{z['id']}",
            str(z.get("name") or z["id"]),
            ring,
            t,
            ZONE_STALE_S,
            f"{z['kind']}, {float(z['floor_m']):.0f}-{float(z['ceiling_m']):.0f} m MSL,"
            f" owner {z.get('owner', '')}",
        )
        out.append(_line(ev))
    return b"".join(out)


def laser_plan(data: ExportData) -> bytes:
    from skywarden.export.shapes import plan_shapes

    out = []
    for entry in data.laser_plans:
        s = plan_shapes(entry)
        t0 = _t_or(datetime.now().timestamp(), s["start"])
        t1 = _t_or(t0 + ZONE_STALE_S, s["end"])
        ev = cot.shape_event(
            f"{cot.UID_PREFIX}-laser-{s['id']}",
            f"{s['name']}: hazard volume",
            s["ring"],
            t0,
            max(cot.STALE_MIN_S, t1 - t0),
            f"laser hazard up to {s['ceiling_msl_m']:.0f} m MSL; {s['power_w']} W",
        )
        out.append(_line(ev))
    return b"".join(out)


WRITERS: dict[str, Callable[[ExportData], bytes]] = {
    "tracks": tracks,
    "incidents": incidents,
    "zones": zones,
    "laser-plan": laser_plan,
}
