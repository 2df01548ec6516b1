"""Pydantic models at the API boundary: request validation, responses and OpenAPI at once.

Optional fields are exactly those a partner's redacted view leaves out, so one response
model serves every role and redaction is visible in the schema.

Every input is bounded here, not by hand in routes (issue #12, findings 8, 9, 12):
strings have a length and must be encodable text (no lone surrogate, no NUL: UTF-8 and
PostgreSQL refuse both, which used to surface as 500s), numbers are finite, integers and
``limit`` parameters have ranges, free JSON (a zone's ``attrs``) has a depth and a size.
A violation is a 422 whose ``loc`` names the field. Zones and laser plans have models of
their own: :mod:`skywarden.service.zone_schema` and ``LaserPlanIn`` below.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from skywarden.laser.plan import LaserPlan, LaserPlanError, PlanSpec
from skywarden.views import ActionView, EventView, IncidentView, RecommendationView, TrackPoint

MAX_JSON_DEPTH = 8  # nesting of any request body (a zone Feature needs 5)
MAX_LIMIT = 10_000  # rows of a list answer
MAX_HISTORY_LIMIT = 20_000  # track points of one history answer (~2 MB of JSON)
EPOCH_MAX_S = 1e11  # year 5138: any finite time a store can hold, and no further


def _text_problem(s: str) -> str | None:
    """Why ``s`` cannot be stored and sent as text, or None."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        return f"not valid Unicode text (lone surrogate at character {e.start})"
    if "\x00" in s:
        return f"contains a NUL character (at character {s.index(chr(0))})"
    return None


def storable(s: str) -> str:
    """A validator: ``s`` unchanged if a store can keep it and JSON can carry it."""
    problem = _text_problem(s)
    if problem:
        raise ValueError(problem)
    return s


def check_json(value: Any, where: str = "$", depth: int = 0) -> None:
    """Raise ValueError naming the first member of decoded JSON that a store cannot keep:
    nesting past :data:`MAX_JSON_DEPTH`, a non-finite number (Python's JSON reader takes
    ``NaN`` and ``Infinity``), or a string that is not encodable text."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"{where}: nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: {value} is not a finite number")
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem:
            raise ValueError(f"{where}: {problem}")
    elif isinstance(value, dict):
        for k, v in value.items():
            key = str(k)
            problem = _text_problem(key)
            if problem:
                raise ValueError(f"{where}: a key is {problem}")
            check_json(v, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            check_json(v, f"{where}[{i}]", depth + 1)


Finite = Annotated[float, Field(allow_inf_nan=False)]
EpochS = Annotated[
    float, Field(ge=-EPOCH_MAX_S, le=EPOCH_MAX_S, allow_inf_nan=False, description="UTC epoch s")
]
Severity = Annotated[int, Field(ge=0, le=1000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(storable)]
Comment = Annotated[str, StringConstraints(min_length=1, max_length=4000), AfterValidator(storable)]
ShortText = Annotated[str, StringConstraints(max_length=256), AfterValidator(storable)]
IdText = Annotated[str, StringConstraints(min_length=1, max_length=128), AfterValidator(storable)]


class In(BaseModel):
    """Base of request bodies: the whole decoded body is checked by :func:`check_json`
    first, so no field can smuggle NaN, a lone surrogate or deep nesting past its type."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        check_json(data)
        return data


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


# A track point is one record for the store, the bus, the hub and the API (issue 13).
TrackPointOut = TrackPoint


# Incidents and recommendations likewise: the store builds, the bus carries and the API
# serves the one record of skywarden.views.
EventOut = EventView
ActionOut = ActionView
IncidentOut = IncidentView
RecommendationOut = RecommendationView


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


class LaserPlanIn(In):
    """A laser test plan filed through the API: ``plan`` is validated by the laser plan's
    own schema (``LASER.yaml``, :class:`skywarden.laser.plan.PlanSpec`) and must build a
    beam and a fan, exactly as a plan file must."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    name: Name
    plan: PlanSpec

    @model_validator(mode="after")
    def _buildable(self) -> LaserPlanIn:
        if self.plan.traffic is not None:
            raise ValueError(
                "plan.traffic names a file on the server; it is not accepted through the API"
            )
        if len(json.dumps(self.plan.model_dump(mode="json"))) > 64_000:
            raise ValueError("plan: larger than 64 kB")
        try:
            LaserPlan(self.plan)
        except LaserPlanError as e:
            raise ValueError(
                "plan: " + "; ".join(f"{k}: {m}" for k, m in e.problems)
            ) from None
        return self


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


class ResolveIn(In):
    comment: Comment


class NoteIn(In):
    comment: Comment


class ShareIn(In):
    shared: bool = True


class UserIn(In):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    role: Literal["operator", "analyst", "partner", "admin"]
    password: Annotated[
        str, StringConstraints(min_length=8, max_length=1024), AfterValidator(storable)
    ]


class SectorOut(Out):
    name: str | None = None
    center: list[float] | None = None
    extent_m: float | None = None
    t: float | None = None
    t_range: list[float] | None = None
    speed: float | None = None
    airports: list[str] = []
