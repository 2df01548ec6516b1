"""Zones as GeoJSON: list (FeatureCollection), read, create, replace, delete.

Bodies are validated by :mod:`skywarden.service.zone_schema` (one simple polygon, bounded
size, safe id). Reads and deletes take any stored id, including one with a ``/`` stored
by an older version or a zone file (the ``:path`` converter), so every zone can be
removed; new ids are restricted to the safe charset.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response
from pydantic import AfterValidator

from skywarden.model import InvalidRecord
from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.service.schemas import storable
from skywarden.service.zone_schema import (
    ZONE_ID_PATTERN,
    ZoneCollectionOut,
    ZoneCreateIn,
    ZoneFeatureIn,
    ZoneFeatureOut,
)
from skywarden.store import audit, zones

router = APIRouter(prefix="/api/zones", tags=["zones"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
AnyZoneId = Annotated[str, Path(min_length=1, max_length=256), AfterValidator(storable)]
NewZoneId = Annotated[str, Path(pattern=ZONE_ID_PATTERN)]


def _zone(feature: ZoneFeatureIn, zone_id: str | None = None) -> Any:
    try:
        return feature.to_zone(zone_id)
    except (InvalidRecord, ValueError) as e:  # the schema checks all of it; belt and braces
        raise HTTPException(422, str(e)) from None


@router.get("", response_model=ZoneCollectionOut)
def list_zones(ctx: Ctx, who: Annotated[Principal, Depends(allow("zones:read"))]) -> Any:
    with ctx.db.session() as s:
        return zones.collection(s)


@router.get("/{zone_id:path}", response_model=ZoneFeatureOut)
def get_zone(
    ctx: Ctx, zone_id: AnyZoneId, who: Annotated[Principal, Depends(allow("zones:read"))]
) -> Any:
    with ctx.db.session() as s:
        try:
            return zones.get(s, zone_id)
        except zones.ZoneNotFound:
            raise HTTPException(404, f"zone {zone_id} not found") from None


@router.post("", status_code=201, response_model=ZoneFeatureOut)
def create_zone(
    ctx: Ctx, feature: ZoneCreateIn, who: Annotated[Principal, Depends(allow("zones:write"))]
) -> Any:
    z = _zone(feature)
    with ctx.db.session() as s:
        try:
            zones.get(s, z.id)
        except zones.ZoneNotFound:
            pass
        else:
            raise HTTPException(409, f"zone {z.id} exists; PUT /api/zones/{z.id} to replace it")
        before, after = zones.put(s, z)
        audit.append(s, who.name, who.role.value, "zone_create", z.id, before, after)
    return after


@router.put("/{zone_id}", response_model=ZoneFeatureOut)
def replace_zone(
    ctx: Ctx,
    zone_id: NewZoneId,
    feature: ZoneFeatureIn,
    who: Annotated[Principal, Depends(allow("zones:write"))],
) -> Any:
    z = _zone(feature, zone_id)
    with ctx.db.session() as s:
        before, after = zones.put(s, z)
        audit.append(s, who.name, who.role.value, "zone_put", z.id, before, after)
    return after


@router.delete("/{zone_id:path}", status_code=204)
def delete_zone(
    ctx: Ctx, zone_id: AnyZoneId, who: Annotated[Principal, Depends(allow("zones:write"))]
) -> Response:
    with ctx.db.session() as s:
        try:
            before = zones.delete(s, zone_id)
        except zones.ZoneNotFound:
            raise HTTPException(404, f"zone {zone_id} not found") from None
        audit.append(s, who.name, who.role.value, "zone_delete", zone_id, before, None)
    return Response(status_code=204)
