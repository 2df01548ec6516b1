"""CSV exports (RFC 4180): one row per track update, incident, zone or laser plan.

Times are given twice, UTC seconds and ISO 8601, so a spreadsheet sorts and a person
reads; lists are joined with ``;``; a zone's polygon is WKT (lon lat), which GIS tools
import from a CSV column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from skywarden.export.data import ExportData, latest_recommendation
from skywarden.export.kml import iso
from skywarden.export.shapes import plan_shapes


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode()


def _join(xs: Iterable[Any] | None) -> str:
    return ";".join(str(x) for x in xs or ())


TRACK_COLUMNS = (
    "t",
    "time_utc",
    "track",
    "status",
    "lat",
    "lon",
    "alt_m",
    "ve",
    "vn",
    "vu",
    "cls",
    "p_cls",
    "identities",
    "callsign",
)


def tracks(data: ExportData) -> bytes:
    def row(p: dict[str, Any]) -> list[Any]:
        v = p.get("velocity") or (None, None, None)
        probs = p.get("class_probs") or {}
        return [
            p["t"],
            iso(float(p["t"])),
            p["track"],
            p.get("status"),
            p["lat"],
            p["lon"],
            p["alt_m"],
            v[0],
            v[1],
            v[2],
            p.get("cls"),
            probs.get(p.get("cls")),
            _join(p.get("identities")),
            p.get("callsign"),
        ]

    return _csv(TRACK_COLUMNS, (row(p) for p in data.tracks))


INCIDENT_COLUMNS = (
    "id",
    "t_open",
    "time_open_utc",
    "t_updated",
    "severity",
    "state",
    "kind",
    "tracks",
    "lat",
    "lon",
    "shared",
    "summary",
    "recommendation",
    "recommendation_reasons",
)


def incidents(data: ExportData) -> bytes:
    def row(i: dict[str, Any]) -> list[Any]:
        rec = latest_recommendation(data.recommendations, str(i["id"]))
        return [
            i["id"],
            i["t_open"],
            iso(float(i["t_open"])),
            i.get("t_updated"),
            i.get("severity"),
            i.get("state"),
            i.get("kind"),
            _join(i.get("tracks")),
            i.get("lat"),
            i.get("lon"),
            i.get("shared"),
            i.get("summary"),
            rec.get("action") if rec else None,
            _join(rec.get("reasons")) if rec else None,
        ]

    return _csv(INCIDENT_COLUMNS, (row(i) for i in data.incidents))


def _wkt(ring: Sequence[Sequence[float]]) -> str:
    pts = list(ring) if tuple(ring[0]) == tuple(ring[-1]) else [*ring, ring[0]]
    return "POLYGON((" + ", ".join(f"{p[0]} {p[1]}" for p in pts) + "))"


def zones(data: ExportData) -> bytes:
    return _csv(
        ("id", "kind", "name", "floor_m", "ceiling_m", "owner", "wkt"),
        (
            [
                z["id"],
                z["kind"],
                z.get("name"),
                z["floor_m"],
                z["ceiling_m"],
                z.get("owner"),
                _wkt(z["polygon"]),
            ]
            for z in data.zones
        ),
    )


def laser_plan(data: ExportData) -> bytes:
    rows = []
    for entry in data.laser_plans:
        s = plan_shapes(entry)
        rows.append(
            [
                s["id"],
                s["name"],
                s["site"][1],
                s["site"][0],
                s["site"][2],
                s["power_w"],
                s["wavelength_nm"],
                s["start"],
                s["end"],
                s["ceiling_msl_m"],
                _wkt(s["ring"]),
            ]
        )
    return _csv(
        (
            "id",
            "name",
            "site_lat",
            "site_lon",
            "site_alt_m",
            "power_w",
            "wavelength_nm",
            "window_start",
            "window_end",
            "hazard_ceiling_msl_m",
            "hazard_wkt",
        ),
        rows,
    )


WRITERS: dict[str, Callable[[ExportData], bytes]] = {
    "tracks": tracks,
    "incidents": incidents,
    "zones": zones,
    "laser-plan": laser_plan,
}
