"""How a track travels on the live feed: a compact row of named fields, rounded sensibly.

Kept apart from the hub (which decides *when* and *to whom* a batch goes) because the
row form is the feed's wire contract, read by the map's JavaScript and the benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Tracks travel as rows of these fields (named once per message in "track_fields"):
# about half the bytes of one JSON object per track, for the server to send and every
# client to parse, each second, for every track.
TRACK_FIELDS = ("track", "t", "status", "lat", "lon", "alt_m", "ve", "vn", "vu", "cls", "callsign")


def track_row(d: Mapping[str, Any]) -> list[Any]:
    v = d.get("velocity") or (None, None, None)
    return [
        d["track"],
        d["t"],
        d["status"],
        d["lat"],
        d["lon"],
        d["alt_m"],
        v[0],
        v[1],
        v[2],
        d.get("cls"),
        d.get("callsign"),
    ]


def feed_track(d: Mapping[str, Any]) -> dict[str, Any]:
    """The compact track form of the live feed: what the map draws, rounded sensibly."""
    v = d.get("velocity") or [0.0, 0.0, 0.0]
    out = {
        "track": d["track"],
        "t": d["t"],
        "status": d["status"],
        "lat": round(float(d["lat"]), 6),
        "lon": round(float(d["lon"]), 6),
        "alt_m": round(float(d["alt_m"]), 1),
        "velocity": [round(float(x), 1) for x in v],
        "cls": d.get("cls", "unknown"),
    }
    if d.get("callsign"):
        out["callsign"] = d["callsign"]
    return out
