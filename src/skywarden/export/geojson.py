"""GeoJSON (RFC 7946) exports: one FeatureCollection per kind, lon/lat/alt positions.

Tracks are one LineString per track (a Point when it has a single update) with the
times of its vertices in ``properties.times`` (UTC seconds), the convention of
time-aware GeoJSON viewers; incidents are Points at their last event; zones Polygons
as the API serves them (``store.zones.zone_to_feature``); a laser plan its site and
the ground footprint of its hazard volume.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from skywarden.export.data import ExportData, latest_recommendation
from skywarden.export.shapes import paths, plan_shapes


def _collection(features: list[dict[str, Any]]) -> bytes:
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def tracks(data: ExportData) -> bytes:
    feats = []
    for p in paths(data.tracks):
        coords = [list(c) for c in p.coords]
        geom = (
            {"type": "Point", "coordinates": coords[0]}
            if len(coords) == 1
            else {"type": "LineString", "coordinates": coords}
        )
        props: dict[str, Any] = {
            "track": p.track,
            "cls": p.cls,
            "status": p.status,
            "t_start": p.t[0],
            "t_end": p.t[-1],
            "times": p.t,
        }
        if p.identities:
            props["identities"] = list(p.identities)
        if p.callsign:
            props["callsign"] = p.callsign
        feats.append({"type": "Feature", "id": p.track, "geometry": geom, "properties": props})
    return _collection(feats)


def incidents(data: ExportData) -> bytes:
    feats = []
    for inc in data.incidents:
        props = {k: v for k, v in inc.items() if k not in ("lat", "lon", "events", "actions")}
        rec = latest_recommendation(data.recommendations, str(inc["id"]))
        if rec is not None:
            props["recommendation"] = dict(rec)
        geom = (
            None
            if inc.get("lat") is None or inc.get("lon") is None
            else {"type": "Point", "coordinates": [inc["lon"], inc["lat"]]}
        )
        feats.append({"type": "Feature", "id": inc["id"], "geometry": geom, "properties": props})
    return _collection(feats)


def zones(data: ExportData) -> bytes:
    feats = []
    for z in data.zones:
        ring = [list(p) for p in z["polygon"]]
        ring.append(list(z["polygon"][0]))
        props = {k: v for k, v in z.items() if k != "polygon"}
        feats.append(
            {
                "type": "Feature",
                "id": z["id"],
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": props,
            }
        )
    return _collection(feats)


def laser_plan(data: ExportData) -> bytes:
    feats: list[dict[str, Any]] = []
    for entry in data.laser_plans:
        s = plan_shapes(entry)
        common = {"plan": s["id"], "name": s["name"], "start": s["start"], "end": s["end"]}
        feats.append(
            {
                "type": "Feature",
                "id": f"{s['id']}-site",
                "geometry": {"type": "Point", "coordinates": list(s["site"])},
                "properties": {
                    **common,
                    "kind": "laser_site",
                    "power_w": s["power_w"],
                    "wavelength_nm": s["wavelength_nm"],
                },
            }
        )
        ring = [list(p) for p in s["ring"]]
        feats.append(
            {
                "type": "Feature",
                "id": f"{s['id']}-hazard",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    **common,
                    "kind": "laser_hazard",
                    "ceiling_msl_m": s["ceiling_msl_m"],
                },
            }
        )
    return _collection(feats)


WRITERS: dict[str, Callable[[ExportData], bytes]] = {
    "tracks": tracks,
    "incidents": incidents,
    "zones": zones,
    "laser-plan": laser_plan,
}
