"""Sensors and their health: where each is, what kind, when it last reported, how much.

Sensor sites are sensitive (a partner must never see them); this module only stores
them, the service decides who may read them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.model import Detection
from skywarden.store.schema import SensorRow


def register(s: Session, sensors: Iterable[Mapping[str, Any]]) -> None:
    """Declare sensors from a sector description (``sector.json``-like dicts with id, kind,
    lat, lon, alt_m); other keys go to ``attrs``."""
    for d in sensors:
        sid = str(d["id"])
        row = s.get(SensorRow, sid) or SensorRow(id=sid, detections=0)
        row.kind = str(d.get("kind", "unknown"))
        row.lat = d.get("lat")
        row.lon = d.get("lon")
        row.alt_m = d.get("alt_m")
        row.attrs = {k: v for k, v in d.items() if k not in ("id", "kind", "lat", "lon", "alt_m")}
        s.merge(row)
    s.flush()


def seen(s: Session, detections: Iterable[Detection]) -> None:
    """Count a scan's detections per sensor and move each sensor's last-seen time."""
    counts: Counter[str] = Counter()
    last: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for d in detections:
        counts[d.sensor] += 1
        last[d.sensor] = max(last.get(d.sensor, d.t), d.t)
        kinds[d.sensor] = str(d.kind)
    for sid, n in counts.items():
        row = s.get(SensorRow, sid)
        if row is None:
            row = SensorRow(id=sid, kind=kinds[sid], detections=0, attrs={})
            s.add(row)
        row.detections = (row.detections or 0) + n
        row.last_seen_t = max(row.last_seen_t or 0.0, last[sid])


def health(s: Session, now: float, stale_s: float = 30.0) -> list[dict[str, Any]]:
    """Every sensor with ``status``: ok (reported within ``stale_s``), stale or silent."""
    out = []
    for r in s.scalars(select(SensorRow).order_by(SensorRow.id)):
        if r.last_seen_t is None:
            status = "silent"
        elif now - r.last_seen_t <= stale_s:
            status = "ok"
        else:
            status = "stale"
        out.append(
            {
                "id": r.id,
                "kind": r.kind,
                "lat": r.lat,
                "lon": r.lon,
                "alt_m": r.alt_m,
                "last_seen_t": r.last_seen_t,
                "detections": r.detections,
                "status": status,
                "attrs": r.attrs or {},
            }
        )
    return out
