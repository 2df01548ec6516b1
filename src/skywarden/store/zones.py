"""Zones in the store and as GeoJSON (RFC 7946) Features.

A Feature's geometry is a Polygon whose outer ring is (lon, lat) pairs; ``properties``
carry ``id``, ``kind``, ``name``, ``floor_m``, ``ceiling_m`` (metres MSL) and ``owner``.
Input goes through :class:`skywarden.model.Zone`, so a zone in the store is always valid;
a malformed Feature raises :class:`ZoneFormatError` naming the member that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from skywarden.errors import SkywardenError
from skywarden.model import InvalidRecord, Zone, ZoneKind
from skywarden.store.schema import ZoneRow


class ZoneFormatError(SkywardenError, ValueError):
    """A GeoJSON zone is malformed; ``where`` is the JSON path of the offending member."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class ZoneNotFound(SkywardenError, KeyError):
    """No zone with that id."""


def feature_to_zone(f: Mapping[str, Any], zone_id: str | None = None) -> Zone:
    """A GeoJSON Feature (Polygon) -> a validated Zone; ``zone_id`` overrides properties.id."""
    if not isinstance(f, Mapping) or f.get("type") != "Feature":
        raise ZoneFormatError("$.type", "expected a GeoJSON Feature")
    geom = f.get("geometry")
    if not isinstance(geom, Mapping) or geom.get("type") != "Polygon":
        raise ZoneFormatError("$.geometry.type", "expected a Polygon")
    rings = geom.get("coordinates")
    if not isinstance(rings, list) or not rings or not isinstance(rings[0], list):
        raise ZoneFormatError("$.geometry.coordinates", "expected a list of rings")
    ring: list[tuple[float, float]] = []
    for i, p in enumerate(rings[0]):
        if not isinstance(p, list | tuple) or len(p) < 2:
            raise ZoneFormatError(f"$.geometry.coordinates[0][{i}]", "expected [lon, lat]")
        try:
            ring.append((float(p[0]), float(p[1])))
        except (TypeError, ValueError):
            raise ZoneFormatError(f"$.geometry.coordinates[0][{i}]", "not numbers") from None
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    props = f.get("properties") or {}
    if not isinstance(props, Mapping):
        raise ZoneFormatError("$.properties", "expected an object")
    zid = zone_id or props.get("id")
    if not zid or not isinstance(zid, str):
        raise ZoneFormatError("$.properties.id", "missing zone id")
    try:
        kind = ZoneKind(props.get("kind", "user"))
    except ValueError:
        raise ZoneFormatError("$.properties.kind", f"unknown kind {props.get('kind')!r}") from None
    try:
        return Zone(
            id=zid,
            kind=kind,
            name=str(props.get("name", zid)),
            polygon=tuple(ring),
            floor_m=float(props.get("floor_m", 0.0)),
            ceiling_m=float(props.get("ceiling_m", 150.0)),
            owner=str(props.get("owner", "")),
            attrs=dict(props.get("attrs") or {}),
        )
    except (TypeError, ValueError) as e:
        if isinstance(e, InvalidRecord):
            raise ZoneFormatError(f"$.properties ({e.field})", e.reason) from None
        raise ZoneFormatError("$.properties", str(e)) from None


def zone_to_feature(z: Zone) -> dict[str, Any]:
    ring = [list(p) for p in z.polygon]
    ring.append(list(z.polygon[0]))
    return {
        "type": "Feature",
        "id": z.id,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {
            "id": z.id,
            "kind": str(z.kind),
            "name": z.name,
            "floor_m": z.floor_m,
            "ceiling_m": z.ceiling_m,
            "owner": z.owner,
            "attrs": dict(z.attrs),
        },
    }


def _row_to_zone(r: ZoneRow) -> Zone:
    return Zone(
        r.id,
        ZoneKind(r.kind),
        r.name,
        tuple((float(p[0]), float(p[1])) for p in r.polygon),
        r.floor_m,
        r.ceiling_m,
        r.owner,
        dict(r.attrs or {}),
    )


def put(s: Session, z: Zone) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Create or replace a zone; returns (before, after) Features for the audit log."""
    old = s.get(ZoneRow, z.id)
    before = zone_to_feature(_row_to_zone(old)) if old is not None else None
    s.merge(
        ZoneRow(
            id=z.id,
            kind=str(z.kind),
            name=z.name,
            polygon=[list(p) for p in z.polygon],
            floor_m=z.floor_m,
            ceiling_m=z.ceiling_m,
            owner=z.owner,
            attrs=dict(z.attrs),
        )
    )
    s.flush()
    return before, zone_to_feature(z)


def put_many(s: Session, zones: Iterable[Zone]) -> None:
    for z in zones:
        put(s, z)


def get(s: Session, zone_id: str) -> dict[str, Any]:
    r = s.get(ZoneRow, zone_id)
    if r is None:
        raise ZoneNotFound(zone_id)
    return zone_to_feature(_row_to_zone(r))


def delete(s: Session, zone_id: str) -> dict[str, Any]:
    """Remove a zone; returns its last Feature for the audit log."""
    r = s.get(ZoneRow, zone_id)
    if r is None:
        raise ZoneNotFound(zone_id)
    before = zone_to_feature(_row_to_zone(r))
    s.delete(r)
    s.flush()
    return before


def collection(s: Session) -> dict[str, Any]:
    rows = s.scalars(select(ZoneRow).order_by(ZoneRow.id))
    return {
        "type": "FeatureCollection",
        "features": [zone_to_feature(_row_to_zone(r)) for r in rows],
    }


def all_zones(s: Session) -> list[Zone]:
    """Every zone in the store as records, by id: what the analyzer watches on start."""
    return [_row_to_zone(r) for r in s.scalars(select(ZoneRow).order_by(ZoneRow.id))]
