"""Pydantic models at the API boundary: request validation, responses and OpenAPI at once.

Optional fields are exactly those a partner's redacted view leaves out, so one response
model serves every role and redaction is visible in the schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    role: str


class Me(Out):
    name: str
    role: str


class TrackPointOut(Out):
    t: float
    track: str
    status: str
    lat: float
    lon: float
    alt_m: float
    cls: str
    velocity: list[float] | None = None
    class_probs: dict[str, float] | None = None
    identities: list[str] | None = None
    sensors: list[str] | None = None
    callsign: str | None = None


class EventOut(Out):
    t: float
    kind: str
    track: str
    lat: float
    lon: float
    alt_m: float | None = None
    attrs: dict[str, Any] | None = None


class ActionOut(Out):
    t: float
    user: str
    action: str
    comment: str


class IncidentOut(Out):
    id: str
    t_open: float
    t_updated: float | None = None
    severity: int
    state: str
    kind: str
    tracks: list[str]
    recommendations: list[str]
    lat: float | None = None
    lon: float | None = None
    shared: bool
    summary: str = ""
    events: list[EventOut] | None = None
    actions: list[ActionOut] | None = None


class RecommendationOut(Out):
    id: str
    incident: str | None = None
    action: str
    t_issued: float
    t_expires: float
    t_reevaluate: float
    reasons: list[str]
    runways: list[str] = []
    airport: str | None = None
    tfr: dict[str, Any] | None = None


class SensorOut(Out):
    id: str
    kind: str
    lat: float | None = None
    lon: float | None = None
    alt_m: float | None = None
    last_seen_t: float | None = None
    detections: int
    status: Literal["ok", "stale", "silent"]


class AuditOut(Out):
    id: int
    t: float
    user: str
    role: str
    action: str
    target: str
    before: Any = None
    after: Any = None


class QuarantineOut(Out):
    t: float
    source: str
    reason: str
    field: str
    raw: str


class LaserPlanIn(BaseModel):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=128)
    plan: dict[str, Any]


class LaserPlanOut(Out):
    id: str
    name: str
    t_created: float
    plan: dict[str, Any]


class LaserStatusOut(Out):
    t: float | None = None
    plan: str | None = None
    state: Literal["HOLD", "CLEAR", "NONE"]
    reasons: list[str] = []
    tracks: list[str] = []
    hazard: dict[str, Any] | None = None


class ResolveIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


class NoteIn(BaseModel):
    comment: str = Field(min_length=1, max_length=4000)


class ShareIn(BaseModel):
    shared: bool = True


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    role: Literal["operator", "analyst", "partner", "admin"]
    password: str = Field(min_length=8, max_length=1024)


class SectorOut(Out):
    name: str | None = None
    center: list[float] | None = None
    extent_m: float | None = None
    t: float | None = None
    t_range: list[float] | None = None
    speed: float | None = None
    airports: list[str] = []
