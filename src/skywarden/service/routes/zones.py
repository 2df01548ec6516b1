"""Zones as GeoJSON: list (FeatureCollection), read, create, replace, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Response

from skywarden.service.auth import Principal, allow
from skywarden.service.context import ServiceContext, get_ctx
from skywarden.store import audit, zones

router = APIRouter(prefix="/api/zones", tags=["zones"])
Ctx = Annotated[ServiceContext, Depends(get_ctx)]
Feature = Annotated[
    dict[str, Any],
    Body(
        description="GeoJSON Feature with a Polygon; properties id, kind, name, "
        "floor_m, ceiling_m (m MSL), owner"
    ),
]


def _parse(f: dict[str, Any], zone_id: str | None = None) -> Any:
    try:
        return zones.feature_to_zone(f, zone_id)
    except zones.ZoneFormatError as e:
        raise HTTPException(422, str(e)) from None


@router.get("")
def list_zones(ctx: Ctx, who: Annotated[Principal, Depends(allow("zones:read"))]) -> Any:
    with ctx.db.session() as s:
        return zones.collection(s)


@router.get("/{zone_id}")
def get_zone(
    ctx: Ctx, zone_id: str, who: Annotated[Principal, Depends(allow("zones:read"))]
) -> Any:
    with ctx.db.session() as s:
        try:
            return zones.get(s, zone_id)
        except zones.ZoneNotFound:
            raise HTTPException(404, f"zone {zone_id} not found") from None


@router.post("", status_code=201)
def create_zone(
    ctx: Ctx, feature: Feature, who: Annotated[Principal, Depends(allow("zones:write"))]
) -> Any:
    z = _parse(feature)
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


@router.put("/{zone_id}")
def replace_zone(
    ctx: Ctx,
    zone_id: str,
    feature: Feature,
    who: Annotated[Principal, Depends(allow("zones:write"))],
) -> Any:
    z = _parse(feature, zone_id)
    with ctx.db.session() as s:
        before, after = zones.put(s, z)
        audit.append(s, who.name, who.role.value, "zone_put", z.id, before, after)
    return after


@router.delete("/{zone_id}", status_code=204)
def delete_zone(
    ctx: Ctx, zone_id: str, who: Annotated[Principal, Depends(allow("zones:write"))]
) -> Response:
    with ctx.db.session() as s:
        try:
            before = zones.delete(s, zone_id)
        except zones.ZoneNotFound:
            raise HTTPException(404, f"zone {zone_id} not found") from None
        audit.append(s, who.name, who.role.value, "zone_delete", zone_id, before, None)
    return Response(status_code=204)
