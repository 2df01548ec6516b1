"""A zone as the API accepts it: a GeoJSON (RFC 7946) Feature with one simple Polygon.

Why a model of its own: a zone decides alerts and recommendations, so what an operator
posts must be a zone the analysis can use, and every refusal must name its member
(issue #12, findings 8, 9, 12). The rules:

- one outer ring of at most :data:`MAX_ZONE_VERTICES` positions, each ``[lon, lat]``
  (an altitude, if given, is ignored) within range and finite; an unclosed ring is
  closed;
- holes (interior rings) are refused explicitly: :class:`skywarden.model.Zone` has none,
  and dropping them silently (as before) made the hole part of the zone;
- the ring must be a valid simple polygon with an area (shapely ``is_valid``; the reason
  comes from ``explain_validity``, e.g. ``Self-intersection[-106.42 31.77]``);
- ids come from a safe charset (no ``/``, no spaces), so every zone can be addressed as
  ``/api/zones/{id}``; names and owners are bounded text; ``attrs`` is bounded JSON.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from skywarden.model import Zone, ZoneKind
from skywarden.service.schemas import Finite, In, storable

MAX_ZONE_VERTICES = 10_000
MAX_ATTRS_BYTES = 16_384
# about 1 m² at mid latitudes: below it a zone is a line or a point that float rounding
# gives a sliver of area, not airspace
MIN_AREA_DEG2 = 1e-10
ZONE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
ZoneId = Annotated[str, Field(pattern=ZONE_ID_PATTERN, description="letters, digits, _ . : -")]
ZoneName = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
Owner = Annotated[str, StringConstraints(max_length=128), AfterValidator(storable)]
Altitude = Annotated[float, Field(ge=-1000.0, le=100_000.0, allow_inf_nan=False)]


def _position(p: list[float]) -> list[float]:
    lon, lat = p[0], p[1]
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon} outside [-180, 180] (positions are [lon, lat])")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} outside [-90, 90] (positions are [lon, lat])")
    return p


Position = Annotated[list[Finite], Field(min_length=2, max_length=3), AfterValidator(_position)]
Ring = Annotated[list[Position], Field(min_length=3, max_length=MAX_ZONE_VERTICES + 1)]


class PolygonIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=1)] = Field(
        description="exactly one ring (the outer boundary): zones have no holes"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_holes(cls, data: Any) -> Any:
        rings = data.get("coordinates") if isinstance(data, dict) else None
        if isinstance(rings, list) and len(rings) > 1:
            raise ValueError(
                f"coordinates: {len(rings) - 1} hole(s) (interior rings): a zone is one outer "
                "ring; send the area around a hole as separate zones"
            )
        return data

    @model_validator(mode="after")
    def _simple(self) -> PolygonIn:
        ring = self.ring()
        if len(set(ring)) < 3:
            raise ValueError("coordinates[0]: fewer than 3 distinct vertices")
        poly = Polygon(ring)
        if poly.convex_hull.area < MIN_AREA_DEG2:
            raise ValueError("coordinates[0]: the polygon has no area (its vertices are in line)")
        if not poly.is_valid:
            raise ValueError(f"coordinates[0]: not a simple polygon: {explain_validity(poly)}")
        if poly.area < MIN_AREA_DEG2:
            raise ValueError("coordinates[0]: the polygon has no area")
        return self

    def ring(self) -> list[tuple[float, float]]:
        """The outer ring as (lon, lat) pairs without the closing repeat."""
        ring = [(float(p[0]), float(p[1])) for p in self.coordinates[0]]
        if len(ring) > 1 and ring[0] == ring[-1]:
            ring = ring[:-1]
        return ring


def _attrs(d: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(d)) > MAX_ATTRS_BYTES:
        raise ValueError(f"larger than {MAX_ATTRS_BYTES} bytes of JSON")
    return d


class ZonePropertiesIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: ZoneId | None = None
    kind: ZoneKind = ZoneKind.USER
    name: ZoneName | None = None
    floor_m: Altitude = Field(default=0.0, description="m MSL")
    ceiling_m: Altitude = Field(default=150.0, description="m MSL")
    owner: Owner = ""
    attrs: Annotated[dict[str, Any], AfterValidator(_attrs)] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _order(self) -> ZonePropertiesIn:
        if self.ceiling_m <= self.floor_m:
            raise ValueError(f"ceiling not above floor ({self.ceiling_m} <= {self.floor_m})")
        return self


class ZoneFeatureIn(In):
    """A zone to store; ``properties.id`` may be left out when the URL names the zone."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["Feature"]
    geometry: PolygonIn
    properties: ZonePropertiesIn = Field(default_factory=ZonePropertiesIn)

    def to_zone(self, zone_id: str | None = None) -> Zone:
        p = self.properties
        zid = zone_id or p.id
        if zid is None:  # only ZoneCreateIn lets this through without an id: it cannot
            raise ValueError("properties.id: missing zone id")
        return Zone(
            id=zid,
            kind=p.kind,
            name=p.name if p.name is not None else zid,
            polygon=tuple(self.geometry.ring()),
            floor_m=p.floor_m,
            ceiling_m=p.ceiling_m,
            owner=p.owner,
            attrs=dict(p.attrs),
        )


class ZoneCreateIn(ZoneFeatureIn):
    """``POST /api/zones``: the id comes from ``properties.id``, so it is required."""

    @model_validator(mode="after")
    def _has_id(self) -> ZoneCreateIn:
        if self.properties.id is None:
            raise ValueError("properties.id: a new zone needs an id")
        return self


class ZoneFeatureOut(BaseModel):
    """A stored zone as a GeoJSON Feature (``id`` repeated at the top, as RFC 7946 allows)."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class ZoneCollectionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["FeatureCollection"]
    features: list[ZoneFeatureOut]
